/**
 * The NGO helpline desk through the real app on a real PostgreSQL: requests filed in the portal reach the
 * right NGO's triage queue in order (danger, minors, waiting time); claim and assign; the case with her thread,
 * notes and classification; every case read audited; outsiders (another NGO's lawyer, a judge, a police
 * officer) get 404 and change nothing; the first-response breach under a controlled clock; hotline calls;
 * call-backs under her safe windows and channel; referrals; the mandatory report; closing; the roster and the
 * hours the portal shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { chinaDate, chinaInstant } from '../../src/modules/helpline/helpline.model.ts';

let t: TestApp;
let ip = 0;
const nextIp = () => `10.55.${Math.floor(++ip / 250)}.${ip % 250}`;

let ngoA: string;
let ngoB: string;
let lawyer: SignedIn & { accountId: string };
let lawyer2: SignedIn & { accountId: string };
let supervisor: SignedIn & { accountId: string };
let otherLawyer: SignedIn & { accountId: string };
let judge: SignedIn & { accountId: string };
let police: SignedIn & { accountId: string };

async function staffOf(organisationId: string, roles: Parameters<typeof makeStaff>[2], name: string) {
  const staff = await makeStaff(t, organisationId, roles, { name });
  return { ...(await sessionFor(t, staff.accountId)), accountId: staff.accountId };
}

beforeAll(async () => {
  t = await createTestApp();
  // NGO A serves Beijing; NGO B serves Shanghai. Both exist, so routing by province decides.
  ngoA = await makeOrganisation(t, 'ngo', '110105', 'Beijing NGO');
  ngoB = await makeOrganisation(t, 'ngo', '310115', 'Shanghai NGO');
  const court = await makeOrganisation(t, 'court', '110105', 'Chaoyang court');
  const station = await makeOrganisation(t, 'police_station', '110105', 'Chaoyang police');
  lawyer = await staffOf(ngoA, ['volunteer_lawyer'], '李律师');
  lawyer2 = await staffOf(ngoA, ['volunteer_lawyer'], '王律师');
  supervisor = await staffOf(ngoA, ['ngo_supervisor'], '张督导');
  otherLawyer = await staffOf(ngoB, ['volunteer_lawyer'], 'Other NGO lawyer');
  judge = await staffOf(court, ['judge'], 'Judge');
  police = await staffOf(station, ['police_officer'], 'Officer');
  // Desks approved by the platform for their provinces.
  await makeDesk(t, ngoA, { provinces: ['11'], national: true });
  await makeDesk(t, ngoB, { provinces: ['31'], firstResponseMinutes: 60 });
});
afterAll(async () => t?.close());

const baseRequest = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我。',
  province: '11',
  forms: ['physical'],
  contact: {
    channel: 'phone',
    phone: '13800138000',
    windows: [{ from: '09:00', to: '11:00' }],
    codeWord: '买菜',
    noVoicemail: true,
    noSms: true,
  },
  consentSensitive: true,
};

async function fileRequest(overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    remoteAddress: nextIp(),
    payload: { ...baseRequest, ...overrides },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json<{ caseCode: string; secret: string }>();
  const row = await t.db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', '=', body.caseCode)
    .executeTakeFirstOrThrow();
  return { ...body, helpRequestId: row.id };
}

function as(who: SignedIn, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload ? { payload } : {}),
  });
}

async function caseIdFor(helpRequestId: string): Promise<string> {
  await as(supervisor, 'GET', '/api/desk/queue?view=whole');
  const row = await t.db
    .selectFrom('helpline_case')
    .select('id')
    .where('help_request_id', '=', helpRequestId)
    .executeTakeFirstOrThrow();
  return row.id;
}

interface QueueBody {
  firstResponseMinutes: number;
  items: {
    caseId: string;
    dangerLevel: string | null;
    victimMinor: boolean | null;
    assignedTo: { id: string } | null;
    firstResponse: { breached: boolean; minutesLeft: number | null };
  }[];
  loads?: { accountId: string; openCases: number; unanswered: number }[];
}

async function tableCounts() {
  const row = await sql<{
    cases: string;
    notes: string;
    replies: string;
    audit: string;
    calls: string;
    referrals: string;
    reports: string;
  }>`
    select (select count(*) from helpline_case)::text as cases, (select count(*) from helpline_case_note)::text as notes,
           (select count(*) from help_message where author = 'staff')::text as replies, (select count(*) from audit_event)::text as audit,
           (select count(*) from helpline_hotline_call)::text as calls, (select count(*) from helpline_referral)::text as referrals,
           (select count(*) from helpline_mandatory_report)::text as reports`.execute(t.db);
  return row.rows[0];
}

describe('triage queue', () => {
  it('takes portal requests into the NGO that serves her province, ordered by danger, minors, then waiting time', async () => {
    const calm = await fileRequest({ dangerAnswers: [false, false, false, false, false] });
    const minor = await fileRequest({ ageBand: '14_17', dangerAnswers: [false, false, false, false, false] });
    const high = await fileRequest({ dangerAnswers: [true, true, true, false, false] });
    const shanghai = await fileRequest({ province: '31' });

    const res = await as(lawyer, 'GET', '/api/desk/queue');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<QueueBody>();
    const ids = await Promise.all([high, minor, calm].map((r) => caseIdFor(r.helpRequestId)));
    const order = body.items.map((i) => i.caseId).filter((id) => ids.includes(id));
    expect(order).toEqual(ids);
    expect(body.items.find((i) => i.caseId === ids[0])?.dangerLevel).toBe('high');
    expect(body.items.find((i) => i.caseId === ids[1])?.victimMinor).toBe(true);

    // The Shanghai request went to the Shanghai NGO, not to Beijing's queue.
    const shanghaiCase = await caseIdFor(shanghai.helpRequestId);
    expect(body.items.some((i) => i.caseId === shanghaiCase)).toBe(false);
    const other = (await as(otherLawyer, 'GET', '/api/desk/queue')).json<QueueBody>();
    expect(other.items.map((i) => i.caseId)).toContain(shanghaiCase);
    expect(other.items.some((i) => ids.includes(i.caseId))).toBe(false);
    expect(other.firstResponseMinutes).toBe(60);
  });

  it('takes each request once, however often the queue is read', async () => {
    const req = await fileRequest();
    await as(lawyer, 'GET', '/api/desk/queue');
    await as(lawyer2, 'GET', '/api/desk/queue');
    const rows = await t.db
      .selectFrom('helpline_case')
      .select('id')
      .where('help_request_id', '=', req.helpRequestId)
      .execute();
    expect(rows).toHaveLength(1);
  });
});

describe('claiming, the case and its audit trail', () => {
  it('a lawyer claims, reads (audited), replies; she reads the reply with her code and secret', async () => {
    const req = await fileRequest({ narrative: '请帮帮我，他每天都骂我。' });
    const caseId = await caseIdFor(req.helpRequestId);

    // Before claiming, the case is not hers to open (need-to-know).
    expect((await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).statusCode).toBe(404);

    const claim = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    expect(claim.statusCode, claim.body).toBe(200);
    // A second claim by a colleague is a conflict, and changes nothing.
    expect((await as(lawyer2, 'POST', `/api/desk/cases/${caseId}/claim`)).statusCode).toBe(409);
    const stored = await t.db
      .selectFrom('helpline_case')
      .select(['assigned_account_id', 'status'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ assigned_account_id: lawyer.accountId, status: 'in_progress' });

    const read = await as(lawyer, 'GET', `/api/desk/cases/${caseId}`);
    expect(read.statusCode, read.body).toBe(200);
    const view = read.json<{
      messages: { author: string; text: string }[];
      caseCode: string;
      contact: Record<string, unknown>;
    }>();
    expect(view.messages[0]).toMatchObject({ author: 'survivor', text: '请帮帮我，他每天都骂我。' });
    expect(view.caseCode).toBe(req.caseCode);
    // The case view shows her rules, never her number or code word.
    expect(read.body).not.toContain('13800138000');
    expect(read.body).not.toContain('买菜');
    expect(view.contact).toMatchObject({ channel: 'phone', hasCodeWord: true, noVoicemail: true });

    const audit = await t.db
      .selectFrom('audit_event')
      .select(['event', 'actor_account_id', 'details'])
      .where('record_type', '=', 'helpline_case')
      .where('record_id', '=', caseId)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.event)).toEqual(['helpline.case_claimed', 'record.read']);
    expect(audit[1]).toMatchObject({
      actor_account_id: lawyer.accountId,
      details: { action: 'helpline.case.read' },
    });

    const reply = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/replies`, {
      text: '你好，我是志愿律师。你现在安全吗？',
    });
    expect(reply.statusCode, reply.body).toBe(201);

    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread',
      remoteAddress: nextIp(),
      payload: { caseCode: req.caseCode, secret: req.secret },
    });
    expect(opened.statusCode, opened.body).toBe(200);
    const thread = await t.app.inject({
      url: '/api/help/thread/messages',
      headers: { authorization: `Bearer ${opened.json<{ token: string }>().token}` },
    });
    const messages = thread.json<{ messages: { author: string; text: string }[] }>().messages;
    expect(messages.at(-1)).toMatchObject({ author: 'staff', text: '你好，我是志愿律师。你现在安全吗？' });

    const answered = await t.db
      .selectFrom('helpline_case')
      .select('first_responded_at')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(answered.first_responded_at).not.toBeNull();
  });

  it('keeps internal notes from her thread, sealed at rest; classification covers several forms at once', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const note = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/notes`, {
      text: 'INTERNAL-NOTE 她提到邻居可以作证',
    });
    expect(note.statusCode, note.body).toBe(201);
    const classify = await as(lawyer, 'PUT', `/api/desk/cases/${caseId}/classification`, {
      requestType: 'domestic_violence',
      forms: ['physical', 'verbal_abuse', 'death_threats'],
      relationship: 'spouse',
      childrenWitnessed: true,
      ageBand: '30_39',
      gender: 'female',
      province: '11',
      dangerLevel: 'high',
    });
    expect(classify.statusCode, classify.body).toBe(200);

    const view = (await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).json<{
      notes: { text: string }[];
      classification: Record<string, unknown>;
    }>();
    expect(view.notes.map((n) => n.text)).toEqual(['INTERNAL-NOTE 她提到邻居可以作证']);
    expect(view.classification).toMatchObject({
      forms: ['physical', 'verbal_abuse', 'death_threats'],
      relationship: 'spouse',
      childrenWitnessed: true,
      dangerLevel: 'high',
    });

    const raw = await sql<{
      body: Buffer;
    }>`select body_sealed as body from helpline_case_note where case_id = ${caseId}`.execute(t.db);
    expect(raw.rows[0]?.body.toString('utf8')).not.toContain('INTERNAL-NOTE');
    const thread = await t.app.help.listMessages(t.db, req.helpRequestId);
    expect(thread.some((m) => m.text.includes('INTERNAL-NOTE'))).toBe(false);
  });

  it('a supervisor assigns and reassigns, and sees each lawyer’s load', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    expect(
      (await as(lawyer, 'POST', `/api/desk/cases/${caseId}/assign`, { accountId: lawyer2.accountId }))
        .statusCode,
    ).toBe(404);
    expect(
      (await as(supervisor, 'POST', `/api/desk/cases/${caseId}/assign`, { accountId: otherLawyer.accountId }))
        .statusCode,
    ).toBe(400);
    expect(
      (await as(supervisor, 'POST', `/api/desk/cases/${caseId}/assign`, { accountId: lawyer.accountId }))
        .statusCode,
    ).toBe(200);
    expect(
      (await as(supervisor, 'POST', `/api/desk/cases/${caseId}/assign`, { accountId: lawyer2.accountId }))
        .statusCode,
    ).toBe(200);
    // The reassigned case left the first lawyer's reach.
    expect((await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).statusCode).toBe(404);
    expect((await as(lawyer2, 'GET', `/api/desk/cases/${caseId}`)).statusCode).toBe(200);
    const whole = (await as(supervisor, 'GET', '/api/desk/queue?view=whole')).json<QueueBody>();
    const load = whole.loads?.find((l) => l.accountId === lawyer2.accountId);
    expect(load?.openCases).toBeGreaterThanOrEqual(1);
    expect(whole.items.find((i) => i.caseId === caseId)?.assignedTo?.id).toBe(lawyer2.accountId);
  });
});

describe('outsiders', () => {
  it('another NGO’s lawyer, a judge and a police officer cannot see or find the case, and change nothing', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const before = await tableCounts();
    for (const outsider of [otherLawyer, judge, police]) {
      const attempts: [string, Promise<{ statusCode: number; body: string }>][] = [
        ['read', as(outsider, 'GET', `/api/desk/cases/${caseId}`)],
        ['page', as(outsider, 'GET', `/desk/cases/${caseId}`)],
        ['reply', as(outsider, 'POST', `/api/desk/cases/${caseId}/replies`, { text: 'x' })],
        ['note', as(outsider, 'POST', `/api/desk/cases/${caseId}/notes`, { text: 'x' })],
        ['claim', as(outsider, 'POST', `/api/desk/cases/${caseId}/claim`)],
        [
          'assign',
          as(outsider, 'POST', `/api/desk/cases/${caseId}/assign`, { accountId: outsider.accountId }),
        ],
        [
          'classify',
          as(outsider, 'PUT', `/api/desk/cases/${caseId}/classification`, {
            requestType: 'other',
            otherType: 'x',
            forms: [],
          }),
        ],
        ['callback', as(outsider, 'POST', `/api/desk/cases/${caseId}/callbacks`, {})],
        ['referral', as(outsider, 'POST', `/api/desk/cases/${caseId}/referrals`, { kind: 'police' })],
        [
          'report',
          as(outsider, 'POST', `/api/desk/cases/${caseId}/mandatory-report`, {
            reportedAt: new Date().toISOString(),
            channel: 'phone',
            policeStation: 'x',
          }),
        ],
        ['close', as(outsider, 'POST', `/api/desk/cases/${caseId}/close`, { outcome: 'other' })],
        [
          'link call',
          as(outsider, 'POST', '/api/desk/calls', {
            startedAt: new Date().toISOString(),
            durationMinutes: 1,
            category: 'other',
            summary: 'x',
            followUpNeeded: false,
            caseId,
          }),
        ],
      ];
      for (const [what, pending] of attempts) {
        const res = await pending;
        // Another NGO's lawyer may register calls, but linking one to this case is refused like an unknown case.
        const expected = outsider === otherLawyer && what === 'link call' ? 400 : 404;
        expect([what, res.statusCode]).toEqual([what, expected]);
        expect(res.body).not.toContain(req.caseCode);
      }
    }
    // Judges and police have no desk at all; the other NGO's queue does not list the case.
    expect((await as(judge, 'GET', '/api/desk/queue')).statusCode).toBe(404);
    expect((await as(police, 'GET', '/api/desk/queue')).statusCode).toBe(404);
    const other = (await as(otherLawyer, 'GET', '/api/desk/queue?view=whole')).json<QueueBody>();
    expect(other.items.some((i) => i.caseId === caseId)).toBe(false);
    expect(await tableCounts()).toEqual(before);
  });

  it('not signed in: 401, nothing stored', async () => {
    const res = await t.app.inject({ url: '/api/desk/queue' });
    expect(res.statusCode).toBe(401);
  });
});

describe('first-response deadline', () => {
  it('a supervisor sees the breach once the deadline passes (controlled clock)', async () => {
    const settings = await as(supervisor, 'PUT', '/api/desk/settings', {
      firstResponseMinutes: 120,
      provinces: ['11'],
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    const received = (
      await t.db
        .selectFrom('helpline_case')
        .select('received_at')
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow()
    ).received_at;
    try {
      t.app.helpline.clock = () => new Date(received.getTime() + 119 * 60_000);
      let item = (await as(supervisor, 'GET', '/api/desk/queue?view=whole'))
        .json<QueueBody>()
        .items.find((i) => i.caseId === caseId);
      expect(item?.firstResponse).toMatchObject({ breached: false, minutesLeft: 1 });

      t.app.helpline.clock = () => new Date(received.getTime() + 121 * 60_000 + 1);
      item = (await as(supervisor, 'GET', '/api/desk/queue?view=whole'))
        .json<QueueBody>()
        .items.find((i) => i.caseId === caseId);
      expect(item?.firstResponse.breached).toBe(true);
      expect(item?.firstResponse.minutesLeft).toBeLessThan(0);

      const page = await t.app.inject({ url: '/en/desk?view=whole', headers: { cookie: supervisor.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/past the first-response deadline/);
      expect(page.body).toMatch(/Overdue by 0 h 1 min/);
    } finally {
      t.app.helpline.clock = () => new Date();
    }
  });
});

describe('hotline calls', () => {
  it('registers a call that opens a new case, and one linked to an existing case; lists them', async () => {
    const opened = await as(lawyer, 'POST', '/api/desk/calls', {
      startedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
      durationMinutes: 25,
      callerAgeBand: '30_39',
      callerGender: 'female',
      province: '11',
      category: 'domestic_violence',
      summary: 'CALL-SUMMARY 丈夫威胁她',
      followUpNeeded: true,
      openCase: true,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const { caseId, callId } = opened.json<{ caseId: string; callId: string }>();
    expect(caseId).toBeTruthy();
    const linked = await as(lawyer, 'POST', '/api/desk/calls', {
      startedAt: new Date().toISOString(),
      durationMinutes: 5,
      category: 'domestic_violence',
      summary: '回访',
      followUpNeeded: false,
      caseId,
    });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json<{ caseId: string }>().caseId).toBe(caseId);

    const view = (await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).json<{
      calls: { id: string; summary: string }[];
      source: string;
      firstResponse: { minutesLeft: number | null };
    }>();
    expect(view.source).toBe('hotline');
    expect(view.calls.map((c) => c.summary)).toEqual(['CALL-SUMMARY 丈夫威胁她', '回访']);
    expect(view.firstResponse.minutesLeft).toBeNull();

    const mine = (await as(lawyer, 'GET', '/api/desk/calls')).json<{
      items: { id: string; durationSeconds: number }[];
    }>();
    expect(mine.items.find((c) => c.id === callId)?.durationSeconds).toBe(1500);
    // A colleague lists only her own calls; the supervisor lists the organisation's.
    expect(
      (await as(lawyer2, 'GET', '/api/desk/calls'))
        .json<{ items: { id: string }[] }>()
        .items.some((c) => c.id === callId),
    ).toBe(false);
    expect(
      (await as(supervisor, 'GET', '/api/desk/calls'))
        .json<{ items: { id: string }[] }>()
        .items.some((c) => c.id === callId),
    ).toBe(true);
    const raw = await sql<{
      s: Buffer;
    }>`select summary_sealed as s from helpline_hotline_call where id = ${callId}`.execute(t.db);
    expect(raw.rows[0]?.s.toString('utf8')).not.toContain('CALL-SUMMARY');
  });
});

describe('call-backs under her safe-contact rules', () => {
  it('refuses outside her safe window (audited, nothing shown), and starts inside it with the code word first', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const today = chinaDate(new Date());
    try {
      t.app.helpline.clock = () => chinaInstant(today, '12:30');
      const refused = await t.app.inject({
        method: 'POST',
        url: `/api/desk/cases/${caseId}/callbacks`,
        headers: { cookie: lawyer.cookie, 'x-csrf-token': lawyer.csrf, 'accept-language': 'en' },
        payload: {},
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain('outside her safe times');
      expect(refused.body).toContain('09:00');
      expect(refused.body).not.toContain('13800138000');
      expect(refused.body).not.toContain('买菜');
      expect(
        await t.db
          .selectFrom('helpline_callback_attempt')
          .select('id')
          .where('case_id', '=', caseId)
          .execute(),
      ).toHaveLength(0);
      const refusal = await t.db
        .selectFrom('audit_event')
        .select('details')
        .where('record_id', '=', caseId)
        .where('event', '=', 'helpline.callback_refused')
        .executeTakeFirst();
      expect(refusal?.details).toEqual({ why: 'outside_window' });

      t.app.helpline.clock = () => chinaInstant(today, '10:15');
      const started = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/callbacks`, {});
      expect(started.statusCode, started.body).toBe(201);
      const body = started.json<{
        attemptId: string;
        codeWord: string;
        phone: string;
        noVoicemail: boolean;
      }>();
      expect(body).toMatchObject({ codeWord: '买菜', phone: '13800138000', noVoicemail: true });
      const finished = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/callbacks/result`, {
        attemptId: body.attemptId,
        result: 'reached_confirmed',
      });
      expect(finished.statusCode, finished.body).toBe(200);
      const row = await t.db
        .selectFrom('helpline_case')
        .select('first_responded_at')
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow();
      expect(row.first_responded_at?.getTime()).toBe(chinaInstant(today, '10:15').getTime());
    } finally {
      t.app.helpline.clock = () => new Date();
    }
  });

  it('refuses a call-back when she chose replies on the site only', async () => {
    const req = await fileRequest({
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
    });
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/desk/cases/${caseId}/callbacks`,
      headers: { cookie: lawyer.cookie, 'x-csrf-token': lawyer.csrf, 'accept-language': 'en' },
      payload: {},
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('did not choose phone contact');
  });

  it('a call-back request made on its own becomes a case in the queue and is answered under its rules', async () => {
    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/help/callbacks',
      remoteAddress: nextIp(),
      payload: {
        phone: '13900139000',
        windows: [{ from: '20:00', to: '22:00' }],
        codeWord: '天气',
        noVoicemail: true,
        noSms: false,
        consentSensitive: true,
      },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const queue = (await as(supervisor, 'GET', '/api/desk/queue?view=whole')).json<
      QueueBody & { items: { caseId: string; source?: string }[] }
    >();
    const row = await t.db
      .selectFrom('helpline_case')
      .select(['id', 'organisation_id'])
      .where('source', '=', 'callback')
      .executeTakeFirstOrThrow();
    expect(queue.items.some((i) => i.caseId === row.id)).toBe(row.organisation_id === ngoA);
    const owner = row.organisation_id === ngoA ? lawyer : otherLawyer;
    await as(owner, 'POST', `/api/desk/cases/${row.id}/claim`);
    const today = chinaDate(new Date());
    try {
      t.app.helpline.clock = () => chinaInstant(today, '21:00');
      const started = await as(owner, 'POST', `/api/desk/cases/${row.id}/callbacks`, {});
      expect(started.statusCode, started.body).toBe(201);
      expect(started.json<{ codeWord: string }>().codeWord).toBe('天气');
    } finally {
      t.app.helpline.clock = () => new Date();
    }
  });
});

describe('referrals, mandatory report, closing', () => {
  it('records referrals with status and outcome', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const created = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/referrals`, {
      kind: 'legal_aid',
      agency: '北京市法律援助中心',
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect(
      (
        await as(lawyer, 'PATCH', `/api/desk/cases/${caseId}/referrals/${id}`, {
          status: 'accepted',
          outcome: '已指派律师',
        })
      ).statusCode,
    ).toBe(200);
    const view = (await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).json<{ referrals: unknown[] }>();
    expect(view.referrals).toEqual([
      expect.objectContaining({
        kind: 'legal_aid',
        agency: '北京市法律援助中心',
        status: 'accepted',
        outcome: '已指派律师',
      }),
    ]);
  });

  it('a minor’s case: the mandatory report is recorded with the reporter kept confidential, and the case cannot close before it', async () => {
    const req = await fileRequest({ ageBand: '14_17', relationship: 'parent_to_child' });
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const early = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/close`, { outcome: 'advice_given' });
    expect(early.statusCode).toBe(409);

    const report = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/mandatory-report`, {
      reportedAt: new Date(Date.now() - 60_000).toISOString(),
      channel: 'phone',
      policeStation: '朝阳分局呼家楼派出所',
      reference: 'JJ-2026-001',
    });
    expect(report.statusCode, report.body).toBe(201);
    const view = await as(supervisor, 'GET', `/api/desk/cases/${caseId}`);
    expect(view.json<{ mandatoryReports: unknown[] }>().mandatoryReports).toEqual([
      expect.objectContaining({
        policeStation: '朝阳分局呼家楼派出所',
        reference: 'JJ-2026-001',
        channel: 'phone',
      }),
    ]);
    const reports = JSON.stringify(view.json<{ mandatoryReports: unknown[] }>().mandatoryReports);
    expect(reports).not.toContain(lawyer.accountId);
    expect(reports).not.toContain('李律师');
    const sealed = await t.db
      .selectFrom('helpline_mandatory_report')
      .select('reporter_sealed')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(sealed.reporter_sealed.toString('utf8')).not.toContain(lawyer.accountId);
    const event = await t.db
      .selectFrom('audit_event')
      .select(['actor_account_id', 'details'])
      .where('record_id', '=', caseId)
      .where('event', '=', 'helpline.mandatory_report')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_account_id: lawyer.accountId, details: { channel: 'phone' } });

    const closed = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/close`, {
      outcome: 'referred',
      note: '已转介公安和妇联',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const row = await t.db
      .selectFrom('helpline_case')
      .select(['status', 'closing_outcome', 'closed_at'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'closed', closing_outcome: 'referred' });
    expect((await as(lawyer, 'POST', `/api/desk/cases/${caseId}/replies`, { text: 'late' })).statusCode).toBe(
      409,
    );
  });

  it('refuses a mandatory report on an adult’s case', async () => {
    const req = await fileRequest({ ageBand: '30_39' });
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const res = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/mandatory-report`, {
      reportedAt: new Date().toISOString(),
      channel: 'phone',
      policeStation: 'x',
    });
    expect(res.statusCode).toBe(409);
    expect(
      await t.db.selectFrom('helpline_mandatory_report').select('id').where('case_id', '=', caseId).execute(),
    ).toHaveLength(0);
  });
});

describe('protection-order seam', () => {
  it('starts an application from the case through the orders module when it is present', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const page = await t.app.inject({ url: `/desk/cases/${caseId}`, headers: { cookie: lawyer.cookie } });
    const present = t.app.hasDecorator('ordersService');
    expect(page.body.includes(`/desk/cases/${caseId}/protection-order`)).toBe(present);
    const res = await t.app.inject({
      method: 'POST',
      url: `/desk/cases/${caseId}/protection-order`,
      headers: { cookie: lawyer.cookie },
      payload: { _csrf: lawyer.csrf },
    });
    if (!present) {
      expect(res.statusCode).toBe(404);
      return;
    }
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toMatch(/^\/orders\/applications\/[0-9a-f-]{36}\/edit$/);
    const event = await t.db
      .selectFrom('audit_event')
      .select('event')
      .where('record_id', '=', caseId)
      .where('event', '=', 'helpline.order_started')
      .execute();
    expect(event).toHaveLength(1);
    // Outsiders cannot start one from her case.
    const outsider = await t.app.inject({
      method: 'POST',
      url: `/desk/cases/${caseId}/protection-order`,
      headers: { cookie: otherLawyer.cookie },
      payload: { _csrf: otherLawyer.csrf },
    });
    expect(outsider.statusCode).toBe(404);
  });
});

describe('duty roster and hotline hours', () => {
  it('the supervisor adds shifts; who is on duty now; the portal’s hours come from the roster without names', async () => {
    const today = chinaDate(new Date());
    try {
      t.app.helpline.clock = () => chinaInstant(today, '10:00');
      const add = await as(supervisor, 'POST', '/api/desk/roster', {
        accountId: lawyer.accountId,
        date: today,
        from: '09:00',
        to: '12:00',
      });
      expect(add.statusCode, add.body).toBe(201);
      expect(
        (
          await as(supervisor, 'POST', '/api/desk/roster', {
            accountId: lawyer2.accountId,
            date: today,
            from: '11:00',
            to: '15:00',
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await as(lawyer, 'POST', '/api/desk/roster', {
            accountId: lawyer.accountId,
            date: today,
            from: '18:00',
            to: '20:00',
          })
        ).statusCode,
      ).toBe(404);
      const roster = (await as(lawyer, 'GET', `/api/desk/roster?week=${today}`)).json<{
        onDutyNow: { accountId: string }[];
        shifts: unknown[];
      }>();
      expect(roster.onDutyNow.map((s) => s.accountId)).toEqual([lawyer.accountId]);

      const hours = await t.app.inject({ url: '/api/hotline/hours' });
      expect(hours.statusCode).toBe(200);
      const body = hours.json<{
        onDutyNow: boolean;
        days: { date: string; intervals: { from: string; to: string }[] }[];
      }>();
      expect(body.onDutyNow).toBe(true);
      expect(body.days[0]).toEqual({ date: today, intervals: [{ from: '09:00', to: '15:00' }] });
      expect(hours.body).not.toContain('李律师');

      t.app.helpline.clock = () => chinaInstant(today, '16:00');
      expect((await t.app.helpline.dutyHours()).onDutyNow).toBe(false);
    } finally {
      t.app.helpline.clock = () => new Date();
    }
  });
});

describe('pages', () => {
  it('renders the queue, the case page and the call register in both languages', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const zh = await t.app.inject({ url: '/desk?view=mine', headers: { cookie: lawyer.cookie } });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('分诊队列');
    const casePage = await t.app.inject({
      url: `/en/desk/cases/${caseId}`,
      headers: { cookie: lawyer.cookie },
    });
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain('Conversation with her');
    expect(casePage.body).toContain('他昨晚又打了我。');
    expect(casePage.body).not.toContain('13800138000');
    expect(casePage.headers['cache-control']).toContain('no-store');
    const calls = await t.app.inject({ url: '/en/desk/calls', headers: { cookie: lawyer.cookie } });
    expect(calls.statusCode).toBe(200);
    expect(calls.body).toContain('Register call');
  });

  it('the page form refuses a call-back outside her window with a message on the case page', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    try {
      t.app.helpline.clock = () => chinaInstant(chinaDate(new Date()), '23:00');
      const res = await t.app.inject({
        method: 'POST',
        url: `/en/desk/cases/${caseId}/callback`,
        headers: { cookie: lawyer.cookie },
        payload: { _csrf: lawyer.csrf },
      });
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('outside her safe times');
      expect(res.body).not.toContain('13800138000');
      // The case page shown again with the refusal is a read of the case, and audited as one.
      const reads = await t.db
        .selectFrom('audit_event')
        .select('event')
        .where('record_id', '=', caseId)
        .where('event', '=', 'record.read')
        .execute();
      expect(reads).toHaveLength(1);
    } finally {
      t.app.helpline.clock = () => new Date();
    }
  });
});

describe('her evidence through the vault', () => {
  it('lists her items on the case; only the case’s staff download them, custody-logged and audited', async () => {
    const req = await fileRequest();
    const caseId = await caseIdFor(req.helpRequestId);
    await as(lawyer, 'POST', `/api/desk/cases/${caseId}/claim`);
    const item = {
      id: randomUUID(),
      ownerRef: `help-case:${req.helpRequestId}`,
      evidenceType: 'medical_records',
      filename: 'injury-report.jpg',
      incidentDate: '2026-11-01',
      size: 2048,
      sha256: 'ab'.repeat(32),
      mediaType: 'image/jpeg',
      extension: 'jpg',
      uploadedAt: new Date().toISOString(),
    };
    const foreign = { ...item, id: randomUUID(), ownerRef: `help-case:${randomUUID()}` };
    const custody: string[] = [];
    const original = t.app.helpline.evidenceSource;
    t.app.helpline.evidenceSource = {
      listForOwner: async (owner) => [item, foreign].filter((i) => i.ownerRef === owner),
      openOriginal: async (id, actor) => {
        custody.push(`${id} ${actor}`);
        const found = [item, foreign].find((i) => i.id === id);
        return found && { item: found, stream: Readable.from([Buffer.from('JPEG-BYTES')]) };
      },
    };
    try {
      const view = (await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).json<{
        evidence: { id: string; filename: string }[];
      }>();
      expect(view.evidence).toEqual([
        expect.objectContaining({ id: item.id, filename: 'injury-report.jpg' }),
      ]);
      const download = await t.app.inject({
        url: `/desk/cases/${caseId}/evidence/${item.id}`,
        headers: { cookie: lawyer.cookie },
      });
      expect(download.statusCode).toBe(200);
      expect(download.body).toBe('JPEG-BYTES');
      expect(download.headers['anxin-evidence-sha256']).toBe(item.sha256);
      expect(custody).toEqual([`${item.id} staff:${lawyer.accountId}`]);
      // Another case's item through this case, and this item for an outsider: 404, nothing opened.
      expect(
        (
          await t.app.inject({
            url: `/desk/cases/${caseId}/evidence/${foreign.id}`,
            headers: { cookie: lawyer.cookie },
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await t.app.inject({
            url: `/desk/cases/${caseId}/evidence/${item.id}`,
            headers: { cookie: otherLawyer.cookie },
          })
        ).statusCode,
      ).toBe(404);
      expect(custody).toHaveLength(1);
      const audited = await t.db
        .selectFrom('audit_event')
        .select('details')
        .where('record_id', '=', caseId)
        .where('event', '=', 'helpline.evidence_opened')
        .execute();
      expect(audited.map((a) => a.details)).toEqual([{ evidenceId: item.id }]);
    } finally {
      t.app.helpline.evidenceSource = original;
    }
  });
});

describe('demo data', () => {
  it('gives the demo NGO a roster, settings and hotline calls, after the identity seed', async () => {
    const { identityDemoSeed } = await import('../../src/modules/identity/identity.demo.ts');
    const { helplineDemoSeed } = await import('../../src/modules/helpline/helpline.demo.ts');
    const lines: string[] = [];
    await t.db.transaction().execute(async (trx) => {
      for (const seed of [identityDemoSeed, helplineDemoSeed])
        await seed({ trx, keyring: t.keyring, print: (line) => lines.push(line) });
    });
    const demoLawyer = await t.db
      .selectFrom('staff_account')
      .select(['id', 'organisation_id'])
      .where('email', '=', 'lawyer@demo.anxin.example')
      .executeTakeFirstOrThrow();
    const session = await sessionFor(t, demoLawyer.id);
    const calls = (await as(session, 'GET', '/api/desk/calls')).json<{
      items: { caseId: string | null }[];
    }>();
    expect(calls.items).toHaveLength(2);
    const roster = (await as(session, 'GET', '/api/desk/roster')).json<{ shifts: unknown[] }>();
    expect(roster.shifts.length).toBeGreaterThanOrEqual(7);
    expect(lines.some((l) => l.includes('/desk'))).toBe(true);
  });
});

describe('logs', () => {
  it('never carry her number, code word, narrative, notes or call summaries', () => {
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      '13800138000',
      '买菜',
      '他昨晚又打了我',
      'INTERNAL-NOTE',
      'CALL-SUMMARY',
      '朝阳分局呼家楼派出所',
    ])
      expect(logs).not.toContain(secret);
  });
});
