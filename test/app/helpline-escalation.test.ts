/**
 * Escalation of unclaimed cases (issue 13) through the real app on a real PostgreSQL, under a controlled clock:
 * a case nobody claimed by its first-response deadline alerts the supervisor on duty once (however often and
 * however concurrently the job runs), shows as escalated first in the queue, and is audited; still unclaimed
 * after the desk's hand-over interval it moves to the fallback desk exactly once (another regional desk for her
 * province, else a national one; never an organisation without desk settings or staff), and the original desk
 * sees where it went. A claimed or answered case is never escalated.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { apiClient } from '../support/api-client.ts';
import { ESCALATION_TOPIC, runEscalations } from '../../src/modules/helpline/helpline.escalation.ts';

let t: TestApp;
let ip = 0;
const nextIp = () => `10.66.${Math.floor(++ip / 250)}.${ip % 250}`;

/** Hebei desk (province 13, 60-minute deadline), a second Hebei desk, a Jiangsu desk, a national desk. */
let hebei: string;
let hebei2: string;
let jiangsu: string;
let national: string;
type Person = SignedIn & { accountId: string };
let supervisor: Person;
let supervisorOffDuty: Person;
let lawyer: Person;
let hebei2Supervisor: Person;
let jiangsuSupervisor: Person;
let nationalSupervisor: Person;

async function person(organisationId: string, role: 'ngo_supervisor' | 'volunteer_lawyer', name: string) {
  const staff = await makeStaff(t, organisationId, [role], { name });
  return { ...(await sessionFor(t, staff.accountId)), accountId: staff.accountId };
}

beforeAll(async () => {
  t = await createTestApp();
  national = await makeOrganisation(t, 'ngo', '110101', 'National desk');
  hebei = await makeOrganisation(t, 'ngo', '130102', 'Hebei desk');
  hebei2 = await makeOrganisation(t, 'ngo', '130104', 'Second Hebei desk');
  jiangsu = await makeOrganisation(t, 'ngo', '320102', 'Jiangsu desk');
  // Never a fallback: an NGO with staff but no desk settings, and a desk approved for 32 without staff.
  const bare = await makeOrganisation(t, 'ngo', '320104', 'Jiangsu NGO without a desk');
  await makeStaff(t, bare, ['volunteer_lawyer']);
  const empty = await makeOrganisation(t, 'ngo', '320105', 'Jiangsu desk without staff');
  await makeDesk(t, empty, { provinces: ['32'] });

  nationalSupervisor = await person(national, 'ngo_supervisor', '全国督导');
  supervisor = await person(hebei, 'ngo_supervisor', '河北值班督导');
  supervisorOffDuty = await person(hebei, 'ngo_supervisor', '河北督导');
  lawyer = await person(hebei, 'volunteer_lawyer', '河北律师');
  hebei2Supervisor = await person(hebei2, 'ngo_supervisor', '河北二督导');
  jiangsuSupervisor = await person(jiangsu, 'ngo_supervisor', '江苏督导');
  await makeDesk(t, national, { national: true });
  await makeDesk(t, hebei, { provinces: ['13'], firstResponseMinutes: 60 });
  await makeDesk(t, hebei2, { provinces: ['13'] });
  await makeDesk(t, jiangsu, { provinces: ['32'], firstResponseMinutes: 30 });
  // The Hebei supervisor on duty from an hour ago for the next 23 hours (a shift is at most 24 hours).
  await t.db
    .insertInto('helpline_duty_shift')
    .values({
      id: randomUUID(),
      organisation_id: hebei,
      account_id: supervisor.accountId,
      starts_at: new Date(Date.now() - 60 * 60_000),
      ends_at: new Date(Date.now() + 23 * 60 * 60_000),
      created_by: supervisor.accountId,
    })
    .execute();
});
afterAll(async () => t?.close());
afterEach(() => {
  t.app.helpline.clock = () => new Date();
});

const client = (who: SignedIn) =>
  apiClient(t.app, { cookie: who.cookie, 'x-csrf-token': who.csrf, 'accept-language': 'en' });

/** File a request from a province and take it into its desk's queue; returns the case id. */
async function fileCase(province: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    remoteAddress: nextIp(),
    payload: {
      requestType: 'domestic_violence',
      narrative: '他昨晚又打了我。',
      province,
      forms: ['physical'],
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
      consentSensitive: true,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  await t.app.helpline.takeIntake();
  const row = await t.db
    .selectFrom('helpline_case as c')
    .innerJoin('help_request as r', 'r.id', 'c.help_request_id')
    .select('c.id')
    .where('r.case_code', '=', res.json<{ caseCode: string }>().caseCode)
    .executeTakeFirstOrThrow();
  return row.id;
}

const received = async (caseId: string) =>
  (
    await t.db
      .selectFrom('helpline_case')
      .select('received_at')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow()
  ).received_at;
const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

async function escalations(caseId: string) {
  return t.db
    .selectFrom('helpline_case_escalation')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('level')
    .execute();
}
async function auditOf(caseId: string) {
  return t.db
    .selectFrom('audit_event')
    .select(['event', 'details', 'organisation_id'])
    .where('record_id', '=', caseId)
    .where('event', '=', 'helpline.case_escalated')
    .orderBy('seq')
    .execute();
}
const deskOf = async (caseId: string) =>
  (
    await t.db
      .selectFrom('helpline_case')
      .select('organisation_id')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow()
  ).organisation_id;

/** Run the job at `now`, as the desk's clock sees it. */
async function runAt(now: Date) {
  t.app.helpline.clock = () => now;
  return runEscalations(t.db, now);
}

describe('level 1: the supervisor on duty', () => {
  it('alerts once at the deadline (running the job twice escalates once), first in the queue, audited', async () => {
    const caseId = await fileCase('13');
    expect(await deskOf(caseId)).toBe(hebei);
    const at = await received(caseId);
    // A second, newer case at high danger: without escalation it would come first.
    const other = await fileCase('13');
    await t.db
      .updateTable('helpline_case')
      .set({ danger_level: 'high', received_at: minutesAfter(at, 30) })
      .where('id', '=', other)
      .execute();

    // A minute before the deadline nothing happens.
    await runAt(minutesAfter(at, 59));
    expect(await escalations(caseId)).toHaveLength(0);

    const due = minutesAfter(at, 61);
    const first = await runAt(due);
    expect(first.alerted).toBeGreaterThanOrEqual(1);
    const again = await runAt(minutesAfter(at, 62));
    expect(again.alerted).toBe(0);
    const rows = await escalations(caseId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      level: 1,
      from_organisation_id: hebei,
      supervisor_account_id: supervisor.accountId,
      to_organisation_id: null,
    });
    expect(rows[0]!.escalated_at.getTime()).toBe(due.getTime());
    expect(rows[0]!.due_at.getTime()).toBe(minutesAfter(at, 60).getTime());
    expect(await auditOf(caseId)).toEqual([
      {
        event: 'helpline.case_escalated',
        details: { level: 1, supervisorOnDuty: true },
        organisation_id: hebei,
      },
    ]);

    // The queue (API) shows it escalated to the supervisor, with the time, ahead of the high-danger case.
    t.app.helpline.clock = () => minutesAfter(at, 62);
    const queue = await client(lawyer).GET('/api/desk/queue', { params: { query: { view: 'unclaimed' } } });
    expect(queue.response.status).toBe(200);
    const items = queue.data!.items;
    expect(items[0]?.caseId).toBe(caseId);
    expect(items[0]?.escalation).toMatchObject({
      level: 1,
      supervisor: { id: supervisor.accountId, name: '河北值班督导' },
      supervisorAlertedAt: due.toISOString(),
      handedOverAt: null,
    });
    expect(items.findIndex((i) => i.caseId === other)).toBeGreaterThan(0);
    expect(queue.data!.handoverMinutes).toBe(60);

    // The queue page says so, in both languages.
    for (const [url, text] of [
      ['/desk', '已上报值班督导'],
      ['/en/desk', 'Escalated to the supervisor'],
    ] as const) {
      const page = await t.app.inject({ url, headers: { cookie: lawyer.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(text);
      expect(page.body).toContain('河北值班督导');
    }
  });

  it('never escalates a claimed or answered case', async () => {
    const claimed = await fileCase('13');
    const answered = await fileCase('13');
    const at = await received(answered);
    expect(
      (await client(lawyer).POST('/api/desk/cases/{id}/claim', { params: { path: { id: claimed } } }))
        .response.status,
    ).toBe(200);
    const reply = await client(supervisorOffDuty).POST('/api/desk/cases/{id}/replies', {
      params: { path: { id: answered } },
      body: { text: '我们收到了，会尽快联系你。' },
    });
    expect(reply.response.status).toBe(201);
    await runAt(minutesAfter(at, 10 * 24 * 60));
    expect(await escalations(claimed)).toHaveLength(0);
    expect(await escalations(answered)).toHaveLength(0);
    expect(await deskOf(claimed)).toBe(hebei);
    expect(await deskOf(answered)).toBe(hebei);
  });

  it('two concurrent runs escalate each case once', async () => {
    const ids = [await fileCase('13'), await fileCase('13'), await fileCase('13')];
    const now = minutesAfter(await received(ids[2]!), 61);
    t.app.helpline.clock = () => now;
    const runs = await Promise.all([runEscalations(t.db, now), runEscalations(t.db, now)]);
    expect(runs[0].alerted + runs[1].alerted).toBe(ids.length);
    for (const id of ids) {
      expect(await escalations(id)).toHaveLength(1);
      expect(await auditOf(id)).toHaveLength(1);
    }
  });
});

describe('level 2: the fallback desk', () => {
  it('hands the case to the next desk for her province exactly once after the hand-over interval', async () => {
    // The supervisor sets a 30-minute hand-over (audited).
    const set = await client(supervisorOffDuty).PUT('/api/desk/settings/escalation', {
      body: { handoverMinutes: 30 },
    });
    expect(set.response.status).toBe(200);
    const refused = await client(lawyer).PUT('/api/desk/settings/escalation', {
      body: { handoverMinutes: 5 },
    });
    expect(refused.response.status).toBe(404);
    const bad = await client(supervisor).PUT('/api/desk/settings/escalation', {
      body: { handoverMinutes: 1 },
    });
    expect(bad.response.status).toBe(400);

    const caseId = await fileCase('13');
    const at = await received(caseId);
    await runAt(minutesAfter(at, 61));
    const alerted = (await escalations(caseId))[0]!.escalated_at;
    // Not before the interval has passed.
    await runAt(minutesAfter(alerted, 29));
    expect(await deskOf(caseId)).toBe(hebei);

    const moved = minutesAfter(alerted, 31);
    const run = await runAt(moved);
    expect(run.handedOver).toBeGreaterThanOrEqual(1);
    await runAt(minutesAfter(alerted, 200));
    // Another Hebei desk first (regional before national), once.
    expect(await deskOf(caseId)).toBe(hebei2);
    const rows = await escalations(caseId);
    expect(rows.map((r) => [r.level, r.to_organisation_id])).toEqual([
      [1, null],
      [2, hebei2],
    ]);
    const audit = await auditOf(caseId);
    expect(audit).toHaveLength(2);
    expect(audit[1]).toEqual({
      event: 'helpline.case_escalated',
      details: { level: 2, toOrganisationId: hebei2 },
      organisation_id: hebei,
    });

    // The fallback desk sees it, escalated first and marked as handed over from the Hebei desk.
    t.app.helpline.clock = () => minutesAfter(moved, 1);
    const theirs = await client(hebei2Supervisor).GET('/api/desk/queue', {
      params: { query: { view: 'whole' } },
    });
    const handed = theirs.data!.items;
    // Escalated cases first: none after the first that is not escalated.
    const firstPlain = handed.findIndex((i) => !i.escalation);
    if (firstPlain >= 0) expect(handed.slice(firstPlain).every((i) => !i.escalation)).toBe(true);
    expect(handed.find((i) => i.caseId === caseId)).toMatchObject({
      caseId,
      escalation: { level: 2, handedOverAt: moved.toISOString(), fromDesk: 'Hebei desk', supervisor: null },
    });
    // The original desk sees that it moved, and where (and can no longer open it).
    const ours = await client(supervisor).GET('/api/desk/queue', { params: { query: { view: 'whole' } } });
    expect(ours.data!.items.map((i) => i.caseId)).not.toContain(caseId);
    expect(ours.data!.movedAway).toContainEqual({
      caseId,
      receivedAt: at.toISOString(),
      movedAt: moved.toISOString(),
      toDesk: 'Second Hebei desk',
    });
    const page = await t.app.inject({ url: '/en/desk?view=whole', headers: { cookie: supervisor.cookie } });
    expect(page.body).toContain('Second Hebei desk');
    expect(page.body).toContain('Moved to another desk');

    // A case's escalations: the desk that holds it now reads them (audited); the desk it left, a lawyer not
    // assigned to it and other desks get 404.
    const list = await client(hebei2Supervisor).GET('/api/desk/cases/{id}/escalations', {
      params: { path: { id: caseId } },
    });
    expect(list.response.status).toBe(200);
    expect(list.data!.items).toMatchObject([
      { level: 1, fromDesk: { id: hebei }, toDesk: null, supervisor: { id: supervisor.accountId } },
      { level: 2, fromDesk: { id: hebei }, toDesk: { id: hebei2, name: 'Second Hebei desk' } },
    ]);
    const read = await t.db
      .selectFrom('audit_event')
      .select('event')
      .where('record_id', '=', caseId)
      .where('event', '=', 'record.read')
      .where('actor_account_id', '=', hebei2Supervisor.accountId)
      .execute();
    expect(read.length).toBeGreaterThanOrEqual(1);
    for (const who of [supervisor, lawyer, jiangsuSupervisor, nationalSupervisor]) {
      const res = await client(who).GET('/api/desk/cases/{id}/escalations', {
        params: { path: { id: caseId } },
      });
      expect(res.response.status).toBe(404);
    }
    const signedOut = await apiClient(t.app).GET('/api/desk/cases/{id}/escalations', {
      params: { path: { id: caseId } },
    });
    expect(signedOut.response.status).toBe(401);
  });

  it('falls back to a national desk, never to an NGO without desk settings or staff; concurrent runs move it once', async () => {
    const caseId = await fileCase('32');
    expect(await deskOf(caseId)).toBe(jiangsu);
    const at = await received(caseId);
    await runAt(minutesAfter(at, 31));
    const alerted = (await escalations(caseId))[0]!;
    // Nobody on duty at the Jiangsu desk: every supervisor there sees it (no one named).
    expect(alerted.supervisor_account_id).toBeNull();
    expect((await auditOf(caseId))[0]?.details).toEqual({ level: 1, supervisorOnDuty: false });

    const now = minutesAfter(alerted.escalated_at, 61);
    t.app.helpline.clock = () => now;
    const runs = await Promise.all([runEscalations(t.db, now), runEscalations(t.db, now)]);
    expect(runs[0].handedOver + runs[1].handedOver).toBeGreaterThanOrEqual(1);
    expect(await deskOf(caseId)).toBe(national);
    expect((await escalations(caseId)).filter((r) => r.level === 2)).toHaveLength(1);
    expect(await auditOf(caseId)).toHaveLength(2);
  });

  it('leaves a case with its alerted supervisor when no other desk can take it', async () => {
    // A call-back made on its own goes to the national desk; there is no other national desk.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/callbacks',
      remoteAddress: nextIp(),
      payload: { phone: '13800138000', noVoicemail: true, noSms: true, consentSensitive: true },
    });
    expect(res.statusCode).toBe(201);
    await t.app.helpline.takeIntake();
    const row = await t.db
      .selectFrom('helpline_case')
      .select(['id', 'received_at'])
      .where('callback_id', '=', res.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    await runAt(minutesAfter(row.received_at, 24 * 60 + 1));
    const run = await runAt(minutesAfter(row.received_at, 26 * 60));
    expect(run.stranded).toBeGreaterThanOrEqual(1);
    expect(await deskOf(row.id)).toBe(national);
    expect((await escalations(row.id)).map((r) => r.level)).toEqual([1]);
  });
});

describe('the job', () => {
  it('is registered with the job runner (scheduled every minute once the runner has started)', () => {
    expect(() => t.jobs.handle(ESCALATION_TOPIC, async () => {})).toThrow(/already registered/);
  });
});
