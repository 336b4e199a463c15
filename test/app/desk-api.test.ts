/**
 * One complete API for the desk, reports and directory (issue 14), through the generated typed client on the
 * real app and database: the case list (filters, need-to-know, case-code search in the body, every listed case
 * audited) walked page by page with a cursor, the queue and the calls paginated, a case's timeline in time
 * order, starting a protection-order application from a case, publishing a report and listing publications,
 * and the directory's admin CRUD. Every new operation is refused without a session (401), to the wrong role
 * and for another organisation's records (404), ids in bodies included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { apiClient } from '../support/api-client.ts';

let t: TestApp;
let ip = 0;
const nextIp = () => `10.77.${Math.floor(++ip / 250)}.${ip % 250}`;

type Who = SignedIn & { accountId: string };
let ngoA: string;
let ngoB: string;
let lawyer: Who;
let lawyer2: Who;
let supervisor: Who;
let otherSupervisor: Who;
let judge: Who;
let admin: Who;

async function staffOf(organisationId: string, roles: Parameters<typeof makeStaff>[2], name: string) {
  const staff = await makeStaff(t, organisationId, roles, { name });
  return { ...(await sessionFor(t, staff.accountId)), accountId: staff.accountId };
}
const api = (who?: SignedIn) => apiClient(t.app, who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {});

beforeAll(async () => {
  t = await createTestApp();
  ngoA = await makeOrganisation(t, 'ngo', '110105', 'Beijing NGO');
  ngoB = await makeOrganisation(t, 'ngo', '310115', 'Shanghai NGO');
  const court = await makeOrganisation(t, 'court', '110105', 'Chaoyang court');
  const operator = await makeOrganisation(t, 'platform_operator');
  lawyer = await staffOf(ngoA, ['volunteer_lawyer'], '李律师');
  lawyer2 = await staffOf(ngoA, ['volunteer_lawyer'], '王律师');
  supervisor = await staffOf(ngoA, ['ngo_supervisor'], '张督导');
  otherSupervisor = await staffOf(ngoB, ['ngo_supervisor'], 'Other supervisor');
  judge = await staffOf(court, ['judge'], 'Judge');
  admin = await staffOf(operator, ['platform_admin'], 'Platform admin');
  // Beijing's desk is also the national one: call-back requests asked for on their own (no province) go to it.
  await makeDesk(t, ngoA, { provinces: ['11'], national: true });
  await makeDesk(t, ngoB, { provinces: ['31'] });
});
afterAll(async () => t?.close());

async function fileRequest(overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    remoteAddress: nextIp(),
    payload: {
      requestType: 'domestic_violence',
      narrative: '他昨晚又打了我。',
      province: '11',
      forms: ['physical'],
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
      consentSensitive: true,
      ...overrides,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json<{ caseCode: string; secret: string }>();
  const { id } = await t.db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', '=', body.caseCode)
    .executeTakeFirstOrThrow();
  // Reading the queue takes the request in as a case.
  await api(supervisor).GET('/api/desk/queue', { params: { query: { view: 'whole' } } });
  const row = await t.db
    .selectFrom('helpline_case')
    .select('id')
    .where('help_request_id', '=', id)
    .executeTakeFirstOrThrow();
  return { ...body, helpRequestId: id, caseId: row.id };
}

async function claim(who: Who, caseId: string) {
  const { response } = await api(who).POST('/api/desk/cases/{id}/claim', {
    params: { path: { id: caseId } },
  });
  expect(response.status).toBe(200);
}

/** Every item of a list, page by page, with the page sizes seen. */
async function walk<T>(
  page: (cursor: string | undefined) => Promise<{
    data?: { items: T[]; nextCursor: string | null };
    error?: unknown;
    response: Response;
  }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await page(cursor);
    const data = res.data;
    if (!data) throw new Error(`no page: ${res.response.status} ${JSON.stringify(res.error)}`);
    items.push(...data.items);
    pages += 1;
    if (!data.nextCursor) return { items, pages };
    cursor = data.nextCursor;
    if (pages > 50) throw new Error('the cursor does not advance');
  }
}

describe('the case list', () => {
  let cases: Awaited<ReturnType<typeof fileRequest>>[];

  beforeAll(async () => {
    cases = [];
    for (const answers of [
      [false, false, false, false, false],
      [true, true, true, false, false],
      [false, false, false, false, false],
      [true, true, true, false, false],
      [false, false, false, false, false],
    ])
      cases.push(await fileRequest({ dangerAnswers: answers }));
    await claim(lawyer, cases[0]!.caseId);
    await claim(lawyer, cases[1]!.caseId);
    await claim(lawyer2, cases[2]!.caseId);
    // Something in Shanghai: another organisation's case.
    await fileRequest({ province: '31' });
    await api(otherSupervisor).GET('/api/desk/queue', { params: { query: { view: 'whole' } } });
  });

  it('walks every case of the organisation newest first, two at a time, none repeated or skipped', async () => {
    const { items, pages } = await walk((cursor) =>
      api(supervisor).GET('/api/desk/cases', { params: { query: { limit: 2, cursor } } }),
    );
    const expected = await t.db
      .selectFrom('helpline_case')
      .select('id')
      .where('organisation_id', '=', ngoA)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(pages).toBe(Math.ceil(expected.length / 2));
    expect(items.map((i) => i.caseId)).toEqual(expected.map((r) => r.id));
    const times = items.map((i) => Date.parse(i.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by status, danger level and assignee', async () => {
    const s = api(supervisor);
    const mine = (await s.GET('/api/desk/cases', { params: { query: { assignee: lawyer.accountId } } })).data;
    expect(mine?.items.map((i) => i.caseId).sort()).toEqual([cases[0]!.caseId, cases[1]!.caseId].sort());
    expect(mine?.items.every((i) => i.assignedTo?.name === '李律师')).toBe(true);
    const unassigned = (await s.GET('/api/desk/cases', { params: { query: { assignee: 'unassigned' } } }))
      .data;
    const unassignedIds = unassigned?.items.map((i) => i.caseId) ?? [];
    expect(unassignedIds).toEqual(expect.arrayContaining([cases[3]!.caseId, cases[4]!.caseId]));
    expect(unassignedIds).not.toContain(cases[0]!.caseId);
    const high = (await s.GET('/api/desk/cases', { params: { query: { dangerLevel: 'high' } } })).data;
    expect(high?.items.map((i) => i.caseId)).toEqual(
      expect.arrayContaining([cases[1]!.caseId, cases[3]!.caseId]),
    );
    expect(high?.items.every((i) => i.dangerLevel === 'high')).toBe(true);
    const fresh = (await s.GET('/api/desk/cases', { params: { query: { status: 'new' } } })).data;
    expect(fresh?.items.every((i) => i.status === 'new')).toBe(true);
    expect(fresh?.items.map((i) => i.caseId)).toContain(cases[4]!.caseId);
    expect(fresh?.items.map((i) => i.caseId)).not.toContain(cases[0]!.caseId);
  });

  it('shows a lawyer only her own cases, and another NGO none of them', async () => {
    const hers = (await api(lawyer).GET('/api/desk/cases')).data;
    expect(hers?.items.map((i) => i.caseId).sort()).toEqual([cases[0]!.caseId, cases[1]!.caseId].sort());
    const asking = (
      await api(lawyer).GET('/api/desk/cases', { params: { query: { assignee: lawyer2.accountId } } })
    ).data;
    expect(asking?.items).toEqual([]);
    const other = (await api(otherSupervisor).GET('/api/desk/cases')).data;
    const ours = new Set(cases.map((c) => c.caseId));
    expect(other?.items.length).toBeGreaterThan(0);
    expect(other?.items.some((i) => ours.has(i.caseId))).toBe(false);
  });

  it('finds her by the case code she gives on the phone (in the body), and audits the read', async () => {
    const target = cases[3]!;
    const spoken = target.caseCode.toLowerCase().replace('-', ' ');
    const found = await api(supervisor).POST('/api/desk/cases/search', { body: { caseCode: spoken } });
    expect(found.response.status).toBe(200);
    expect(found.data?.items.map((i) => i.caseId)).toEqual([target.caseId]);
    const audited = await t.db
      .selectFrom('audit_event')
      .select(['actor_account_id', 'details'])
      .where('event', '=', 'record.read')
      .where('record_id', '=', target.caseId)
      .where(sql<boolean>`details->>'action' = 'helpline.case.list'`)
      .execute();
    expect(audited.map((a) => a.actor_account_id)).toContain(supervisor.accountId);
    // Another NGO's supervisor with her code finds nothing; so does a lawyer the case is not assigned to.
    expect(
      (await api(otherSupervisor).POST('/api/desk/cases/search', { body: { caseCode: target.caseCode } }))
        .data?.items,
    ).toEqual([]);
    expect(
      (await api(lawyer2).POST('/api/desk/cases/search', { body: { caseCode: target.caseCode } })).data
        ?.items,
    ).toEqual([]);
    expect(
      (await api(supervisor).POST('/api/desk/cases/search', { body: { caseCode: 'ZZZZ-ZZZZ' } })).data?.items,
    ).toEqual([]);
  });

  it('refuses a cursor it did not give', async () => {
    const bad = await api(supervisor).GET('/api/desk/cases', {
      params: { query: { cursor: 'bm90LWEtY3Vyc29y' } },
    });
    expect(bad.response.status).toBe(400);
  });

  it('pages the queue in triage order with a cursor, none repeated or skipped', async () => {
    const whole = (
      await api(supervisor).GET('/api/desk/queue', { params: { query: { view: 'whole', limit: 500 } } })
    ).data;
    expect(whole?.nextCursor).toBeNull();
    const { items, pages } = await walk((cursor) =>
      api(supervisor).GET('/api/desk/queue', {
        params: { query: { view: 'whole', limit: 2, cursor } },
      }),
    );
    expect(pages).toBeGreaterThan(1);
    expect(items.map((i) => i.caseId)).toEqual(whole?.items.map((i) => i.caseId));
  });

  it('lists hotline calls by date range, page by page', async () => {
    const days = [
      '2026-03-01T02:00:00Z',
      '2026-03-02T02:00:00Z',
      '2026-03-02T05:00:00Z',
      '2026-03-05T02:00:00Z',
    ];
    for (const startedAt of days) {
      const { response } = await api(lawyer).POST('/api/desk/calls', {
        body: {
          startedAt,
          durationMinutes: 5,
          category: 'other',
          summary: `call ${startedAt}`,
          followUpNeeded: false,
        },
      });
      expect(response.status).toBe(201);
    }
    const { items, pages } = await walk((cursor) =>
      api(lawyer).GET('/api/desk/calls', {
        params: { query: { from: '2026-03-01', to: '2026-03-02', limit: 1, cursor } },
      }),
    );
    expect(pages).toBe(3);
    expect(items.map((i) => i.startedAt)).toEqual(
      [days[2], days[1], days[0]].map((d) => new Date(d!).toISOString()),
    );
    expect(items.every((i) => i.registeredByMe && i.summary?.startsWith('call '))).toBe(true);
    // The supervisor sees them too, without the summaries (those are for whoever registered the call).
    const sup = (
      await api(supervisor).GET('/api/desk/calls', {
        params: { query: { from: '2026-03-05', to: '2026-03-05' } },
      })
    ).data;
    expect(sup?.items).toHaveLength(1);
    expect(sup?.items[0]?.summary).toBeNull();
    // Another lawyer lists only calls she registered.
    expect(
      (await api(lawyer2).GET('/api/desk/calls', { params: { query: { from: '2026-03-01' } } })).data?.items,
    ).toEqual([]);
  });
});

describe('a case’s timeline and starting an order from it', () => {
  it('lists every contact in time order with who, when and a kind', async () => {
    const req = await fileRequest({ narrative: '请帮帮我。' });
    const id = req.caseId;
    await claim(lawyer, id);
    const a = api(lawyer);
    const path = { params: { path: { id } } };
    expect(
      (await a.POST('/api/desk/cases/{id}/replies', { ...path, body: { text: '我们收到了。' } })).response
        .status,
    ).toBe(201);
    expect(
      (await a.POST('/api/desk/cases/{id}/notes', { ...path, body: { text: '需要庇护所' } })).response.status,
    ).toBe(201);
    const referral = await a.POST('/api/desk/cases/{id}/referrals', { ...path, body: { kind: 'shelter' } });
    expect(referral.response.status).toBe(201);
    const referralId = referral.data!.id;
    expect(
      (
        await a.PATCH('/api/desk/cases/{id}/referrals/{referralId}', {
          params: { path: { id, referralId } },
          body: { status: 'accepted' },
        })
      ).response.status,
    ).toBe(200);
    const call = await a.POST('/api/desk/calls', {
      body: {
        startedAt: new Date().toISOString(),
        durationMinutes: 3,
        category: 'domestic_violence',
        summary: 'she called back',
        followUpNeeded: false,
        caseId: id,
      },
    });
    expect(call.response.status).toBe(201);
    const order = await a.POST('/api/desk/cases/{id}/protection-order', path);
    expect(order.response.status).toBe(201);
    expect(order.data?.href).toBe(`/orders/applications/${order.data?.applicationId}/edit`);
    const application = await t.db
      .selectFrom('order_application')
      .select(['origin_case_ref', 'help_request_id', 'created_by'])
      .where('id', '=', order.data!.applicationId)
      .executeTakeFirstOrThrow();
    expect(application).toEqual({
      origin_case_ref: id,
      help_request_id: req.helpRequestId,
      created_by: lawyer.accountId,
    });

    const before = await t.db
      .selectFrom('audit_event')
      .select('seq')
      .where('event', '=', 'record.read')
      .where('record_id', '=', id)
      .execute();
    const timeline = await a.GET('/api/desk/cases/{id}/timeline', path);
    expect(timeline.response.status).toBe(200);
    const items = timeline.data!.items;
    expect(items.map((i) => i.kind)).toEqual([
      'case_received',
      'survivor_message',
      'staff_reply',
      'note',
      'referral_created',
      'referral_status_changed',
      'hotline_call',
      'order_application_started',
    ]);
    const times = items.map((i) => Date.parse(i.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(items[1]).toMatchObject({ who: { type: 'survivor' }, text: '请帮帮我。' });
    expect(items[2]).toMatchObject({
      who: { type: 'staff', accountId: lawyer.accountId, name: '李律师' },
      text: '我们收到了。',
    });
    expect(items[3]).toMatchObject({ who: { name: '李律师' }, text: '需要庇护所' });
    expect(items[5]).toMatchObject({
      refId: referralId,
      status: 'accepted',
      who: { accountId: lawyer.accountId },
    });
    expect(items[6]).toMatchObject({ refId: call.data?.callId, text: 'she called back' });
    expect(items[7]).toMatchObject({ refId: order.data?.applicationId, status: 'draft' });
    // Reading the timeline is a read of the case, on the audit trail.
    const after = await t.db
      .selectFrom('audit_event')
      .select('seq')
      .where('event', '=', 'record.read')
      .where('record_id', '=', id)
      .execute();
    expect(after.length).toBe(before.length + 1);
  });
  it('shows a call-back request, the attempt and its outcome, with who', async () => {
    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/help/callbacks',
      remoteAddress: nextIp(),
      payload: {
        phone: '13900139000',
        windows: [{ from: '00:00', to: '23:59' }],
        codeWord: '天气',
        noVoicemail: true,
        noSms: false,
        consentSensitive: true,
      },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    await api(supervisor).GET('/api/desk/queue', { params: { query: { view: 'whole' } } });
    const row = await t.db
      .selectFrom('helpline_case')
      .select(['id', 'callback_id'])
      .where('source', '=', 'callback')
      .where('organisation_id', '=', ngoA)
      .executeTakeFirstOrThrow();
    const id = row.id;
    await claim(lawyer2, id);
    const path = { params: { path: { id } } };
    const started = await api(lawyer2).POST('/api/desk/cases/{id}/callbacks', { ...path, body: {} });
    expect(started.response.status, JSON.stringify(started.error)).toBe(201);
    const finished = await api(lawyer2).POST('/api/desk/cases/{id}/callbacks/result', {
      ...path,
      body: { attemptId: started.data!.attemptId, result: 'reached_confirmed' },
    });
    expect(finished.response.status).toBe(200);
    const items = (await api(lawyer2).GET('/api/desk/cases/{id}/timeline', path)).data!.items;
    expect(items.map((i) => i.kind).sort()).toEqual(
      ['case_received', 'callback_requested', 'callback_attempt', 'callback_outcome'].sort(),
    );
    expect(items.map((i) => i.kind).slice(-2)).toEqual(['callback_attempt', 'callback_outcome']);
    expect(items.find((i) => i.kind === 'callback_requested')).toMatchObject({
      refId: row.callback_id,
      who: { type: 'survivor' },
    });
    expect(items.at(-1)).toMatchObject({
      refId: started.data?.attemptId,
      status: 'reached_confirmed',
      who: { type: 'staff', accountId: lawyer2.accountId, name: '王律师' },
    });
    // Nothing in the timeline carries her number or code word.
    expect(JSON.stringify(items)).not.toMatch(/13900139000|天气/);
  });
});

describe('access to the desk’s new operations', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = (await fileRequest()).caseId;
  });

  it('answers 401 without a session', async () => {
    const none = api();
    const path = { params: { path: { id: caseId } } };
    expect((await none.GET('/api/desk/cases')).response.status).toBe(401);
    expect((await none.POST('/api/desk/cases/search', { body: {} })).response.status).toBe(401);
    expect((await none.GET('/api/desk/cases/{id}/timeline', path)).response.status).toBe(401);
    expect((await none.POST('/api/desk/cases/{id}/protection-order', path)).response.status).toBe(401);
  });

  it('answers 404 to the wrong role and for another organisation’s case, and starts nothing', async () => {
    const path = { params: { path: { id: caseId } } };
    const applications = async () =>
      (
        await t.db
          .selectFrom('order_application')
          .select('id')
          .where('origin_case_ref', '=', caseId)
          .execute()
      ).length;
    for (const who of [judge, admin]) {
      expect((await api(who).GET('/api/desk/cases')).response.status).toBe(404);
      expect((await api(who).POST('/api/desk/cases/search', { body: {} })).response.status).toBe(404);
    }
    for (const who of [judge, otherSupervisor, lawyer2]) {
      expect((await api(who).GET('/api/desk/cases/{id}/timeline', path)).response.status).toBe(404);
      expect((await api(who).POST('/api/desk/cases/{id}/protection-order', path)).response.status).toBe(404);
    }
    expect(await applications()).toBe(0);
    // Her own desk's supervisor may.
    expect((await api(supervisor).POST('/api/desk/cases/{id}/protection-order', path)).response.status).toBe(
      201,
    );
    expect(await applications()).toBe(1);
  });
});

describe('publishing the work report', () => {
  const period = { from: '2026-01-01', to: '2026-06-30' };

  it('publishes a snapshot and lists the publications newest first, page by page', async () => {
    const s = api(supervisor);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await s.POST('/api/reports/published', { body: period });
      expect(res.response.status, JSON.stringify(res.error)).toBe(201);
      expect(res.data?.href).toBe(`/reports/published/${res.data?.id}`);
      ids.push(res.data!.id);
    }
    const { items, pages } = await walk((cursor) =>
      s.GET('/api/reports/published', { params: { query: { limit: 2, cursor } } }),
    );
    expect(pages).toBe(2);
    expect(items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(items[0]).toMatchObject({
      organisationId: ngoA,
      periodFrom: period.from,
      periodTo: period.to,
      threshold: 5,
    });
    // Anyone can open it.
    const open = await api().GET('/api/reports/published/{id}', { params: { path: { id: ids[0]! } } });
    expect(open.response.status).toBe(200);
    const audited = await t.db
      .selectFrom('audit_event')
      .select('actor_account_id')
      .where('event', '=', 'reports.published')
      .where('record_id', '=', ids[0]!)
      .execute();
    expect(audited).toEqual([{ actor_account_id: supervisor.accountId }]);
    // Another NGO does not see them.
    expect((await api(otherSupervisor).GET('/api/reports/published')).data?.items).toEqual([]);
  });

  it('refuses a low threshold, another organisation in the body, the wrong role and no session; stores nothing', async () => {
    const count = async () =>
      Number(
        (await sql<{ n: string }>`select count(*)::text as n from report_publication`.execute(t.db)).rows[0]
          ?.n,
      );
    const before = await count();
    const low = await api(supervisor).POST('/api/reports/published', { body: { ...period, threshold: 3 } });
    expect(low.response.status).toBe(400);
    expect(
      (await api(supervisor).POST('/api/reports/published', { body: { ...period, organisation: ngoB } }))
        .response.status,
    ).toBe(404);
    expect(
      (await api(supervisor).GET('/api/reports/published', { params: { query: { organisation: ngoB } } }))
        .response.status,
    ).toBe(404);
    expect((await api(lawyer).POST('/api/reports/published', { body: period })).response.status).toBe(404);
    expect((await api(lawyer).GET('/api/reports/published')).response.status).toBe(404);
    expect((await api().POST('/api/reports/published', { body: period })).response.status).toBe(401);
    expect((await api().GET('/api/reports/published')).response.status).toBe(401);
    expect(await count()).toBe(before);
  });
});

describe('the directory’s admin API', () => {
  const shelter = {
    kind: 'shelter' as const,
    province: '50',
    nameZh: '重庆市渝北区反家暴庇护所',
    nameEn: 'Yubei District shelter',
    cityZh: '渝北区',
    phone: '023-67000000',
  };

  it('adds, reads, edits, retires and restores an entry, each audited; the list includes retired ones', async () => {
    const a = api(admin);
    const created = await a.POST('/api/directory/entries', { body: shelter });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const id = created.data!.id;
    expect(created.data).toMatchObject({ ...shelter, active: true, hoursZh: null });
    const path = { params: { path: { id } } };
    expect((await a.GET('/api/directory/entries/{id}', path)).data?.nameEn).toBe(shelter.nameEn);
    const edited = await a.PUT('/api/directory/entries/{id}', {
      ...path,
      body: { ...shelter, hoursZh: '24 小时' },
    });
    expect(edited.data).toMatchObject({ hoursZh: '24 小时', active: true });
    const retired = await a.PUT('/api/directory/entries/{id}/status', { ...path, body: { active: false } });
    expect(retired.data?.active).toBe(false);
    // Hidden from the portal, still in the admin list.
    const hidden = (
      await a.GET('/api/directory/entries', { params: { query: { active: false, province: '50' } } })
    ).data;
    expect(hidden?.items.map((e) => e.id)).toContain(id);
    const portal = await t.app.inject({ url: '/api/directory?province=50' });
    expect(portal.body.includes(shelter.nameZh)).toBe(false);
    expect(
      (await a.PUT('/api/directory/entries/{id}/status', { ...path, body: { active: true } })).data?.active,
    ).toBe(true);
    const events = await t.db
      .selectFrom('audit_event')
      .select(['event', 'details'])
      .where('record_type', '=', 'help_directory_entry')
      .where('record_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.event)).toEqual([
      'help.directory_entry_created',
      'help.directory_entry_updated',
      'help.directory_entry_retired',
      'help.directory_entry_restored',
    ]);
    expect(events[1]?.details).toMatchObject({ changed: ['hoursZh'] });
  });

  it('walks every entry in id order, page by page', async () => {
    for (const n of [1, 2, 3])
      await api(admin).POST('/api/directory/entries', { body: { ...shelter, nameEn: `Shelter ${n}` } });
    const { items, pages } = await walk((cursor) =>
      api(admin).GET('/api/directory/entries', { params: { query: { limit: 2, cursor } } }),
    );
    const all = await t.db.selectFrom('help_directory_entry').select('id').orderBy('id').execute();
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(items.map((e) => e.id)).toEqual(all.map((r) => String(r.id)));
  });

  it('refuses bad input, the wrong role, no session and unknown ids, and changes nothing', async () => {
    const count = async () => (await t.db.selectFrom('help_directory_entry').select('id').execute()).length;
    const before = await count();
    const bad = await api(admin).POST('/api/directory/entries', { body: { ...shelter, phone: 'call us' } });
    expect(bad.response.status).toBe(400);
    expect(JSON.stringify(bad.error)).toContain('phone');
    expect((await api(supervisor).POST('/api/directory/entries', { body: shelter })).response.status).toBe(
      404,
    );
    expect((await api(supervisor).GET('/api/directory/entries')).response.status).toBe(404);
    expect((await api().POST('/api/directory/entries', { body: shelter })).response.status).toBe(401);
    expect((await api().GET('/api/directory/entries')).response.status).toBe(401);
    const missing = { params: { path: { id: '999999999' } } };
    expect((await api(admin).GET('/api/directory/entries/{id}', missing)).response.status).toBe(404);
    expect(
      (await api(admin).PUT('/api/directory/entries/{id}', { ...missing, body: shelter })).response.status,
    ).toBe(404);
    expect(
      (await api(admin).PUT('/api/directory/entries/{id}/status', { ...missing, body: { active: false } }))
        .response.status,
    ).toBe(404);
    const some = (await t.db.selectFrom('help_directory_entry').select('id').executeTakeFirstOrThrow()).id;
    const path = { params: { path: { id: String(some) } } };
    expect(
      (await api(supervisor).PUT('/api/directory/entries/{id}', { ...path, body: shelter })).response.status,
    ).toBe(404);
    expect((await api(supervisor).GET('/api/directory/entries/{id}', path)).response.status).toBe(404);
    expect(
      (await api(supervisor).PUT('/api/directory/entries/{id}/status', { ...path, body: { active: false } }))
        .response.status,
    ).toBe(404);
    expect(
      (await api().PUT('/api/directory/entries/{id}/status', { ...path, body: { active: false } })).response
        .status,
    ).toBe(401);
    expect(await count()).toBe(before);
  });
});
