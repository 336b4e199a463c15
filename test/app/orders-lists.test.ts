/**
 * The orders lists as API operations (issue 14), through the typed client on the real app: every filter of
 * the docket (clock, urgency, status, name, receipt and case number), of orders in force (respondent's name,
 * ID number, region) with each party's reach, of the violations inbox and of the service tasks; a cursor walk
 * that repeats and skips nothing while rows arrive; the blind index (no plaintext, rows written before it are
 * found, a rename is followed); audit of every list read; the page routes' API twins; and access for every
 * new operation (no session 401, a role without the action 404, another court's or area's records absent
 * from the list and 404 when named).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnxinClient, paths } from '../../src/client/index.ts';
import type { ApplicationInput } from '../../src/modules/orders/orders.model.ts';
import type { OrdersActor } from '../../src/modules/orders/orders.service.ts';
import { apiClient } from '../support/api-client.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { auth, completeApplication, makeOrdersWorld, type OrdersWorld } from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** An application as the API takes it (the fixtures' ApplicationInput, with the API's literal types). */
type ApiApplication =
  paths['/api/orders/applications']['post']['requestBody']['content']['application/json']['application'];

let t: TestApp;
let w: OrdersWorld;
let community: SignedIn;
const HOUR = 3_600_000;

/** A resident ID number with its right check character (GB 11643), from its first 17 digits. */
function idNumber(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, weight, i) => total + weight * Number(first17[i]), 0);
  return first17 + '10X98765432'[sum % 11];
}
/** One ending in X, to check the search ignores its case. */
function idEndingInX(): string {
  for (let n = 100; n < 999; n++) {
    const id = idNumber(`32010619900101${n}`);
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X');
}
const ID_X = idEndingInX();

const staffActor = (accountId: string): OrdersActor => ({
  audit: { accountId, roles: ['court_clerk'], organisationId: null, ip: null, userAgent: null },
  ref: `staff:${accountId}`,
  accountId,
});

function input(
  applicant: string,
  respondent: string,
  id: string,
  over: { region?: string; respondentRegion?: string; urgent?: boolean } = {},
): ApplicationInput {
  const base = completeApplication();
  return {
    ...base,
    applicant: { ...base.applicant, name: applicant, regionCode: over.region ?? '320102' },
    respondent: {
      ...base.respondent,
      name: respondent,
      idNumber: id,
      regionCode: over.respondentRegion ?? '320106',
    },
    urgent: over.urgent ?? false,
    ...(over.urgent ? { urgentReason: '他扬言今晚再来' } : {}),
  };
}

/** An oral application recorded by the clerk of the court it goes to, filed; answers its id. */
async function filed(data: ApplicationInput, clerkId: string): Promise<string> {
  const s = t.app.ordersService;
  const { id } = await s.saveDraft(staffActor(clerkId), data, { channel: 'oral' });
  await s.submit(staffActor(clerkId), id);
  return id;
}

async function accepted(id: string, clerkId: string, urgent = false): Promise<string> {
  return (await t.app.ordersService.accept(staffActor(clerkId), id, urgent ? { urgent: true } : {}))
    .caseNumber;
}

/** Moves an accepted application's clock so that `hoursLeft` remain (of 72, or 24 when urgent). */
async function clockAt(id: string, hoursLeft: number, total = 72): Promise<void> {
  const now = Date.now();
  await t.db
    .updateTable('order_application')
    .set({
      accepted_at: new Date(now - (total - hoursLeft) * HOUR),
      ruling_due_at: new Date(now + hoursLeft * HOUR),
    })
    .where('id', '=', id)
    .execute();
}

async function granted(id: string, judgeId: string): Promise<string> {
  const r = await t.app.ordersService.decide(staffActor(judgeId), id, {
    outcome: 'grant',
    measures: ['no_violence', 'keep_away'],
    keepAwayMetres: 200,
    validMonths: 6,
  });
  return r.orderId!;
}

const as = (who: SignedIn): AnxinClient => apiClient(t.app, auth(who));

// The world: court A (玄武, 320102) and court B (鼓楼, 320106).
const app: Record<string, string> = {};
const order: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  const committee = await makeOrganisation(t, 'community_committee', '3201', '南京市某社区居民委员会');
  community = await sessionFor(t, (await makeStaff(t, committee, ['community_officer'])).accountId);
  const clerkA = w.clerk.accountId;
  const clerkB = (await makeStaff(t, w.courtB, ['court_clerk'])).accountId;
  // Court A's docket: one filed, three accepted (on time and urgent, amber, red), two granted (one revoked later).
  app.filed = await filed(input('张丽', '赵刚', idNumber('32010219800101001')), clerkA);
  app.onTime = await filed(input('陈静', '刘伟', idNumber('32010219810101002'), { urgent: true }), clerkA);
  await accepted(app.onTime, clerkA, true);
  app.amber = await filed(input('孙梅', '周军', idNumber('32010219820101003')), clerkA);
  await accepted(app.amber, clerkA);
  await clockAt(app.amber, 10);
  app.red = await filed(input('吴芳', '郑勇', idNumber('32010219830101004')), clerkA);
  await accepted(app.red, clerkA);
  await clockAt(app.red, -2);
  app.grantedA = await filed(input('王娜', '钱磊', ID_X, { respondentRegion: '320106' }), clerkA);
  await accepted(app.grantedA, clerkA);
  order.A = await granted(app.grantedA, w.judge.accountId);
  app.revokedA = await filed(input('冯雪', '钱磊', idNumber('32010219850101006')), clerkA);
  await accepted(app.revokedA, clerkA);
  order.revokedA = await granted(app.revokedA, w.judge.accountId);
  await t.app.ordersService.modifyOrder(staffActor(w.judge.accountId), order.revokedA, {
    change: 'revoke',
    reasons: '申请人申请撤销',
  });
  // Court B: one filed, one granted (respondent living in 玄武).
  app.filedB = await filed(
    input('褚萍', '赵刚', idNumber('32010619860101007'), { region: '320106' }),
    clerkB,
  );
  app.grantedB = await filed(
    input('卫兰', '蒋涛', idNumber('32010619870101008'), { region: '320106', respondentRegion: '320102' }),
    clerkB,
  );
  await accepted(app.grantedB, clerkB);
  order.B = await granted(app.grantedB, w.judgeB.accountId);
}, 120_000);
afterAll(async () => t?.close());

describe('the docket', () => {
  /** The docket through searchDocket (filters in the body); without a name, listDocket must answer the same. */
  const ids = async (query: Record<string, unknown>, who: SignedIn = w.clerk) => {
    const r = await as(who).POST('/api/orders/docket/search', { body: query as never });
    expect(r.response.status, JSON.stringify(r.error)).toBe(200);
    const found = r.data!.items.map((i) => i.id);
    if (!('name' in query)) {
      const listed = await as(who).GET('/api/orders/docket', { params: { query: query as never } });
      expect(listed.data!.items.map((i) => i.id)).toEqual(found);
    }
    return found;
  };

  it('lists the open docket by time left, and filters by clock state', async () => {
    expect(await ids({})).toEqual([app.red, app.amber, app.onTime, app.filed]);
    expect(await ids({ clock: 'ok' })).toEqual([app.onTime]);
    expect(await ids({ clock: 'warning' })).toEqual([app.amber]);
    expect(await ids({ clock: 'breached' })).toEqual([app.red]);
    const items = (await as(w.clerk).GET('/api/orders/docket', { params: { query: {} } })).data!.items;
    expect(items.map((i) => i.clock)).toEqual(['breached', 'warning', 'ok', null]);
  });

  it('filters by urgency and status', async () => {
    expect(await ids({ urgent: true })).toEqual([app.onTime]);
    expect(await ids({ urgent: false })).toEqual([app.red, app.amber, app.filed]);
    expect(await ids({ status: ['submitted'] })).toEqual([app.filed]);
    expect((await ids({ status: ['granted'] })).sort()).toEqual([app.grantedA, app.revokedA].sort());
    expect((await ids({ status: ['granted', 'submitted'] })).length).toBe(3);
    const bad = await as(w.clerk).GET('/api/orders/docket', {
      params: { query: { status: ['draft' as never] } },
    });
    expect(bad.response.status).toBe(400);
  });

  it('finds by the applicant’s or respondent’s name (spaces and width ignored), receipt number and case number', async () => {
    expect(await ids({ name: '张丽' })).toEqual([app.filed]);
    expect(await ids({ name: ' 赵 刚 ' })).toEqual([app.filed]);
    expect(await ids({ name: '赵' })).toEqual([]);
    expect(await ids({ name: '钱磊', status: ['granted'] })).toHaveLength(2);
    const receipt = (await as(w.clerk).POST('/api/orders/docket/search', { body: { name: '孙梅' } })).data!
      .items[0]!.receiptNumber;
    expect(await ids({ receiptNumber: receipt })).toEqual([app.amber]);
    expect(await ids({ receiptNumber: receipt.replace(/-/g, '').toLowerCase() })).toEqual([app.amber]);
    const caseNumber = (
      await t.db
        .selectFrom('order_application')
        .select('case_number')
        .where('id', '=', app.red!)
        .executeTakeFirstOrThrow()
    ).case_number!;
    expect(await ids({ caseNumber })).toEqual([app.red]);
    const bad = await as(w.clerk).GET('/api/orders/docket', {
      params: { query: { receiptNumber: '12-34' } },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('shows a court only its own docket: the other court’s application is not found by any filter', async () => {
    expect(await ids({ name: '赵刚' }, w.judgeB)).toEqual([app.filedB]);
    expect(await ids({ name: '赵刚' })).toEqual([app.filed]);
    const receiptB = (await as(w.judgeB).POST('/api/orders/docket/search', { body: { name: '褚萍' } })).data!
      .items[0]!.receiptNumber;
    expect(await ids({ receiptNumber: receiptB })).toEqual([]);
  });

  it('audits a list read: the filters by name only, and each case shown', async () => {
    const before = await t.db
      .selectFrom('audit_event')
      .select('seq')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(await ids({ name: '吴芳', clock: 'breached' })).toEqual([app.red]);
    const events = await t.db
      .selectFrom('audit_event')
      .select(['event', 'record_type', 'record_id', 'details'])
      .where('seq', '>', before.seq)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => [e.event, e.record_id])).toEqual([
      ['orders.list_read', null],
      ['record.read', app.red],
    ]);
    expect(events[0]!.details).toEqual({ list: 'docket', filters: 'clock,name', count: 1 });
    expect(JSON.stringify(events)).not.toContain('吴芳');
  });
});

describe('a cursor walk', () => {
  it('repeats and skips nothing, even when applications arrive during the walk', async () => {
    const extra: string[] = [];
    for (let i = 0; i < 7; i++)
      extra.push(
        await filed(input(`翻页${i}`, `对方${i}`, idNumber(`3201021990010110${i}`)), w.clerk.accountId),
      );
    const all = (
      await as(w.clerk).GET('/api/orders/docket', { params: { query: { limit: 100 } } })
    ).data!.items.map((i) => i.id);
    expect(all).toHaveLength(11);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await as(w.clerk).GET('/api/orders/docket', {
        params: { query: { limit: 3, ...(cursor ? { cursor } : {}) } },
      });
      expect(r.response.status, JSON.stringify(r.error)).toBe(200);
      seen.push(...r.data!.items.map((i) => i.id));
      cursor = r.data!.nextCursor ?? undefined;
      // A new filing mid-walk sorts last (no clock, filed now): the walk reaches it once.
      if (pages === 0)
        extra.push(await filed(input('途中', '途中人', idNumber('32010219900101200')), w.clerk.accountId));
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...all, extra[extra.length - 1]]);
  });

  it('walks orders in force, the inbox and service tasks the same way', async () => {
    const walk = async (path: '/api/orders/service-tasks' | '/api/orders/orders', who: SignedIn) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await as(who).GET(path, { params: { query: { limit: 1, ...(cursor ? { cursor } : {}) } } });
        expect(r.response.status).toBe(200);
        seen.push(...r.data!.items.map((i) => i.id));
        cursor = r.data!.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    };
    const tasks = await walk('/api/orders/service-tasks', w.clerk);
    expect(tasks).toHaveLength(8);
    expect(new Set(tasks).size).toBe(8);
    const orders = await walk('/api/orders/orders', community);
    expect(orders.sort()).toEqual([order.A, order.B].sort());
  });

  it('refuses a cursor it did not give out (400), never a silent first page', async () => {
    for (const cursor of [
      'nonsense',
      Buffer.from('["a"]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ]) {
      const r = await as(w.clerk).GET('/api/orders/docket', { params: { query: { cursor } } });
      expect(r.response.status).toBe(400);
    }
    // Well-formed, but not a time or an id a list could have given out: 400 too, not a database error.
    for (const parts of [
      ['x', 'y', 'z'],
      ['2026-02-31 10:00:00+00', '2026-02-01 10:00:00+00', '00000000-0000-4000-8000-000000000000'],
      ['infinity', '2026-02-01 10:00:00+00', 'not-a-uuid'],
    ]) {
      const bad = await as(w.clerk).GET('/api/orders/docket', {
        params: { query: { cursor: Buffer.from(JSON.stringify(parts)).toString('base64url') } },
      });
      expect(bad.response.status, parts.join()).toBe(400);
    }
    const fine = await as(w.clerk).GET('/api/orders/docket', {
      params: {
        query: {
          cursor: Buffer.from(
            JSON.stringify(['infinity', '2026-02-01 10:00:00.5+08', '00000000-0000-4000-8000-000000000000']),
          ).toString('base64url'),
        },
      },
    });
    expect(fine.response.status).toBe(200);
  });
});

describe('orders in force', () => {
  /** Through searchOrdersInForce (body); without a name or ID number, listOrdersInForce must answer the same. */
  const ids = async (who: SignedIn, query: Record<string, unknown> = {}) => {
    const r = await as(who).POST('/api/orders/orders/search', { body: query as never });
    expect(r.response.status, JSON.stringify(r.error)).toBe(200);
    const found = r.data!.items.map((i) => i.id).sort();
    if (!('respondentName' in query) && !('respondentIdNumber' in query)) {
      const listed = await as(who).GET('/api/orders/orders', { params: { query: query as never } });
      expect(listed.data!.items.map((i) => i.id).sort()).toEqual(found);
    }
    return found;
  };

  it('reaches the issuing court’s own, the police of its area, and committees of the region; not revoked ones', async () => {
    expect(await ids(w.judge)).toEqual([order.A]);
    expect(await ids(w.clerk)).toEqual([order.A]);
    expect(await ids(w.judgeB)).toEqual([order.B]);
    expect(await ids(w.officer)).toEqual([order.A]);
    expect(await ids(w.officerElsewhere)).toEqual([]);
    expect(await ids(community)).toEqual([order.A, order.B].sort());
  });

  it('shows measures, validity and the respondent, never the applicant or her address', async () => {
    const r = await as(w.officer).GET('/api/orders/orders', { params: { query: {} } });
    const item = r.data!.items[0]!;
    expect(item).toMatchObject({
      id: order.A,
      measures: ['no_violence', 'keep_away'],
      respondent: { name: '钱磊', idNumber: ID_X, regionCode: '320106' },
    });
    expect(Date.parse(item.validUntil)).toBeGreaterThan(Date.now() + 150 * 24 * HOUR);
    const text = JSON.stringify(r.data);
    for (const secret of ['王娜', '南京市玄武区梅园新村', '13800138000']) expect(text).not.toContain(secret);
    expect(Object.keys(item).sort()).toEqual([
      'caseNumber',
      'id',
      'measures',
      'respondent',
      'validFrom',
      'validUntil',
    ]);
  });

  it('searches by the respondent’s name, ID number (any case, spaces) and region (a city finds its districts)', async () => {
    expect(await ids(community, { respondentName: '钱磊' })).toEqual([order.A]);
    expect(await ids(community, { respondentName: '钱' })).toEqual([]);
    expect(await ids(community, { respondentIdNumber: ID_X.toLowerCase() })).toEqual([order.A]);
    expect(await ids(community, { respondentIdNumber: `${ID_X.slice(0, 6)} ${ID_X.slice(6)}` })).toEqual([
      order.A,
    ]);
    expect(await ids(community, { respondentIdNumber: idNumber('32010219850101006') })).toEqual([]);
    expect(await ids(community, { regionCode: '320106' })).toEqual([order.A]);
    expect(await ids(community, { regionCode: '320102' })).toEqual([order.B]);
    expect(await ids(community, { regionCode: '320100' })).toEqual([order.A, order.B].sort());
    expect(await ids(community, { regionCode: '32' })).toEqual([order.A, order.B].sort());
    expect(await ids(community, { regionCode: '11' })).toEqual([]);
    expect(await ids(community, { respondentName: '钱磊', regionCode: '320102' })).toEqual([]);
    // Another area's police cannot find it by any search.
    expect(await ids(w.officerElsewhere, { respondentIdNumber: ID_X })).toEqual([]);
    const bad = await as(community).GET('/api/orders/orders', { params: { query: { regionCode: '3201x' } } });
    expect(bad.response.status).toBe(400);
  });
});

describe('the blind index', () => {
  it('holds keyed hashes only, indexes rows written before it, and follows a rename', async () => {
    const terms = await t.db.selectFrom('order_search_term').select(['term']).execute();
    expect(terms.length).toBeGreaterThan(20);
    for (const { term } of terms) {
      expect(term.length).toBe(32);
      expect(term.toString('utf8')).not.toMatch(/钱磊|3201/);
    }
    // As if written before migration 0021: no index at all. A search finds nothing until the start's sync.
    await t.db.deleteFrom('order_search_term').execute();
    await t.db.deleteFrom('order_search_source').execute();
    expect(
      (await as(w.officer).POST('/api/orders/orders/search', { body: { respondentIdNumber: ID_X } })).data!
        .items,
    ).toEqual([]);
    expect(await t.app.ordersSearch.sync()).toBeGreaterThan(0);
    expect(
      (
        await as(w.officer).POST('/api/orders/orders/search', { body: { respondentIdNumber: ID_X } })
      ).data!.items.map((i) => i.id),
    ).toEqual([order.A]);
    // Written through the API: indexed in the writing transaction; a rename finds the new name and no longer the old one.
    const created = await as(w.clerk).POST('/api/orders/applications', {
      body: {
        channel: 'oral',
        application: input('改名前', '旧名', idNumber('32010219910101300')) as ApiApplication,
      },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const id = created.data!.id;
    expect(
      await t.db
        .selectFrom('order_search_source')
        .select('application_id')
        .where('application_id', '=', id)
        .execute(),
    ).toHaveLength(1);
    const renamed = await as(w.clerk).PUT('/api/orders/applications/{id}', {
      params: { path: { id } },
      body: { application: input('改名后', '新名', idNumber('32010219910101300')) as ApiApplication },
    });
    expect(renamed.response.status, JSON.stringify(renamed.error)).toBe(200);
    await t.app.ordersService.submit(staffActor(w.clerk.accountId), id);
    const find = async (name: string) =>
      (await as(w.clerk).POST('/api/orders/docket/search', { body: { name } })).data!.items.map((i) => i.id);
    expect(await find('新名')).toEqual([id]);
    expect(await find('改名后')).toEqual([id]);
    expect(await find('旧名')).toEqual([]);
  });
});

describe('the violations inbox and service tasks', () => {
  let byPolice: string;
  let bySurvivor: string;

  it('lists reported violations awaiting decision, oldest first; filters by reporter and status', async () => {
    const report = await as(w.officer).POST('/api/orders/orders/{id}/violations', {
      params: { path: { id: order.A! } },
      body: { occurredOn: '2026-11-20', description: '被申请人在申请人单位门口等候。' },
    });
    expect(report.response.status, JSON.stringify(report.error)).toBe(200);
    byPolice = report.data!.id;
    bySurvivor = (
      await t.app.ordersService.reportViolation(
        {
          audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
          ref: 'survivor',
          accountId: null,
        },
        order.A!,
        { reportedBy: 'survivor', occurredOn: '2026-11-21', description: '他又打电话威胁我。' },
      )
    ).id;
    const inbox = await as(w.judge).GET('/api/orders/violations', { params: { query: {} } });
    expect(inbox.data!.items.map((v) => [v.id, v.reportedBy, v.description])).toEqual([
      [byPolice, 'police', '被申请人在申请人单位门口等候。'],
      [bySurvivor, 'survivor', '他又打电话威胁我。'],
    ]);
    expect(
      (
        await as(w.clerk).GET('/api/orders/violations', { params: { query: { reportedBy: 'survivor' } } })
      ).data!.items.map((v) => v.id),
    ).toEqual([bySurvivor]);
    expect((await as(w.judgeB).GET('/api/orders/violations', { params: { query: {} } })).data!.items).toEqual(
      [],
    );
    const decided = await as(w.judge).POST('/api/orders/violations/{id}/decision', {
      params: { path: { id: byPolice } },
      body: { outcome: 'admonition', reasons: '训诫' },
    });
    expect(decided.response.status).toBe(200);
    expect(
      (await as(w.judge).GET('/api/orders/violations', { params: { query: {} } })).data!.items.map(
        (v) => v.id,
      ),
    ).toEqual([bySurvivor]);
    expect(
      (
        await as(w.judge).GET('/api/orders/violations', { params: { query: { status: 'decided' } } })
      ).data!.items.map((v) => [v.id, v.outcome]),
    ).toEqual([[byPolice, 'admonition']]);
  });

  it('lists service tasks of the court’s orders, open by default; filters by party and status', async () => {
    const open = await as(w.clerk).GET('/api/orders/service-tasks', { params: { query: {} } });
    expect(open.data!.items).toHaveLength(8);
    expect(new Set(open.data!.items.map((s) => s.orderId))).toEqual(new Set([order.A, order.revokedA]));
    const respondents = await as(w.clerk).GET('/api/orders/service-tasks', {
      params: { query: { party: 'respondent' } },
    });
    const task = respondents.data!.items.find((s) => s.orderId === order.A)!;
    expect(respondents.data!.items.every((s) => s.party === 'respondent')).toBe(true);
    await as(w.clerk).POST('/api/orders/service-tasks/{id}', {
      params: { path: { id: task.id } },
      body: { method: 'post', servedAt: new Date().toISOString(), serverName: '李书记员' },
    });
    const done = await as(w.judge).GET('/api/orders/service-tasks', {
      params: { query: { status: 'done' } },
    });
    expect(done.data!.items.map((s) => [s.id, s.method])).toEqual([[task.id, 'post']]);
    expect(
      (
        await as(w.clerk).GET('/api/orders/service-tasks', { params: { query: { party: 'respondent' } } })
      ).data!.items.map((s) => s.orderId),
    ).toEqual([order.revokedA]);
    const b = await as(w.judgeB).GET('/api/orders/service-tasks', { params: { query: {} } });
    expect(new Set(b.data!.items.map((s) => s.orderId))).toEqual(new Set([order.B]));
  });

  it('answers 404 when another court or area names these records', async () => {
    const [violation] = await t.db
      .selectFrom('order_violation')
      .select('id')
      .where('status', '=', 'reported')
      .execute();
    const decide = await as(w.judgeB).POST('/api/orders/violations/{id}/decision', {
      params: { path: { id: violation!.id } },
      body: { outcome: 'admonition', reasons: 'x' },
    });
    expect(decide.response.status).toBe(404);
    const report = await as(w.officerElsewhere).POST('/api/orders/orders/{id}/violations', {
      params: { path: { id: order.A! } },
      body: { occurredOn: '2026-11-20', description: 'x' },
    });
    expect(report.response.status).toBe(404);
    const [task] = await t.db
      .selectFrom('order_service_task')
      .select('id')
      .where('order_id', '=', order.A!)
      .where('status', '=', 'open')
      .execute();
    const serve = await as(w.judgeB).POST('/api/orders/service-tasks/{id}', {
      params: { path: { id: task!.id } },
      body: { method: 'post', servedAt: new Date().toISOString(), serverName: 'x' },
    });
    expect(serve.response.status).toBe(404);
  });
});

describe('access to every new operation', () => {
  const OPERATIONS = [
    '/api/orders/docket',
    '/api/orders/orders',
    '/api/orders/violations',
    '/api/orders/service-tasks',
  ] as const;
  const SEARCHES = ['/api/orders/docket/search', '/api/orders/orders/search'] as const;

  it('answers 401 without a session', async () => {
    for (const path of OPERATIONS) {
      const r = await apiClient(t.app).GET(path, { params: { query: {} } });
      expect(r.response.status, path).toBe(401);
    }
    for (const path of SEARCHES) {
      const r = await apiClient(t.app).POST(path, { body: {} });
      expect(r.response.status, path).toBe(401);
    }
  });

  it('answers 404 to a role without the action', async () => {
    const allowed: Record<(typeof OPERATIONS)[number], SignedIn[]> = {
      '/api/orders/docket': [w.judge, w.clerk],
      '/api/orders/orders': [w.judge, w.clerk, w.officer, community],
      '/api/orders/violations': [w.judge, w.clerk],
      '/api/orders/service-tasks': [w.judge, w.clerk],
    };
    const everyone = [w.judge, w.clerk, w.officer, community, w.federationOfficer, w.caseworker];
    for (const path of OPERATIONS)
      for (const who of everyone) {
        const r = await as(who).GET(path, { params: { query: {} } });
        expect(r.response.status, `${path}`).toBe(allowed[path].includes(who) ? 200 : 404);
      }
    for (const path of SEARCHES)
      for (const who of everyone) {
        const r = await as(who).POST(path, { body: {} });
        const twin = path.replace('/search', '') as (typeof OPERATIONS)[number];
        expect(r.response.status, path).toBe(allowed[twin].includes(who) ? 200 : 404);
      }
    // A search is a POST: without its form token it is refused (403) and nothing is read.
    const noToken = await apiClient(t.app, { cookie: w.clerk.cookie }).POST('/api/orders/docket/search', {
      body: { name: '张丽' },
    });
    expect(noToken.response.status).toBe(403);
  });
});

describe('page routes and their API twins', () => {
  it('takes names and ID numbers only in a body, never in a URL', async () => {
    const document = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    }>();
    const inQuery = (path: string) => (document.paths[path]?.get?.parameters ?? []).map((p) => p.name);
    expect(inQuery('/api/orders/docket')).toContain('receiptNumber');
    expect(inQuery('/api/orders/docket')).not.toContain('name');
    expect(inQuery('/api/orders/orders')).toContain('regionCode');
    expect(inQuery('/api/orders/orders')).not.toContain('respondentName');
    expect(inQuery('/api/orders/orders')).not.toContain('respondentIdNumber');
  });

  it('every state-changing orders page names an API operation that exists', async () => {
    const document = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    const operationIds = new Set(
      Object.values(document.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId)),
    );
    const pages = t.app.routeRegistry.filter(
      (r) => r.method === 'POST' && r.url.startsWith('/orders/') && 'action' in r.access,
    );
    expect(pages.length).toBeGreaterThan(15);
    for (const page of pages) {
      expect(page.operation, page.url).toBeDefined();
      expect(operationIds.has(page.operation), `${page.url} → ${page.operation}`).toBe(true);
    }
    expect(pages.find((p) => p.url === '/orders/applications/oral')?.operation).toBe(
      'createOrderApplication',
    );
  });

  it('the docket page filters and pages through the same use case as the API', async () => {
    const page = async (url: string) => {
      const res = await t.app.inject({ url, headers: { cookie: w.clerk.cookie } });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      return res.body;
    };
    const all = await page('/orders/docket');
    expect(all).toContain('name="receiptNumber"');
    for (const id of [app.red, app.amber, app.onTime, app.filed]) expect(all).toContain(id);
    const red = await page('/orders/docket?clock=breached&urgent=&status=&name=&receiptNumber=&caseNumber=');
    expect(red).toContain(app.red);
    expect(red).not.toContain(app.amber);
    // A search by name is posted (the name stays out of the URL): the form posts, and names no GET filter.
    expect(all).toMatch(/<form method="post" action="\/orders\/docket" class="filters/);
    const posted = await t.app.inject({
      method: 'POST',
      url: '/orders/docket',
      headers: { cookie: w.clerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(w.clerk.csrf)}&name=${encodeURIComponent('孙梅')}&clock=&status=`,
    });
    expect(posted.statusCode, posted.body.slice(0, 300)).toBe(200);
    expect(posted.body).toContain(app.amber);
    expect(posted.body).not.toContain(app.red);
    const linked = await page(`/orders/docket?name=${encodeURIComponent('孙梅')}`);
    expect(linked).toContain(app.red);
    // More than a page (50): a link to the next one, with the same filters.
    for (let i = 0; i < 45; i++)
      await filed(
        input(`批量${i}`, `对象${i}`, idNumber(`32010219920101${String(100 + i)}`)),
        w.clerk.accountId,
      );
    const first = await page('/orders/docket?status=submitted');
    const next = /href="([^"]*cursor=[^"]+)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    expect(next).toContain('status=submitted');
    const second = await page(next!.replace(/&amp;/g, '&'));
    expect(second).toContain('/orders/applications/');
    expect(second).not.toMatch(/href="[^"]*cursor=/);
  });

  it('the oral application a clerk records on the page is the same as the API’s (channel oral, on the docket once filed)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/orders/applications/oral',
      headers: { cookie: w.clerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(w.clerk.csrf)}`,
    });
    expect(res.statusCode, res.body).toBe(303);
    const viaPage = /\/orders\/applications\/([0-9a-f-]{36})\/edit/.exec(res.headers.location as string)![1]!;
    const viaApi = await as(w.clerk).POST('/api/orders/applications', {
      body: { channel: 'oral', application: { consentOnline: false } },
    });
    const rows = await t.db
      .selectFrom('order_application')
      .select(['id', 'channel', 'status', 'created_by'])
      .where('id', 'in', [viaPage, viaApi.data!.id])
      .execute();
    expect(rows.map((r) => [r.channel, r.status, r.created_by])).toEqual([
      ['oral', 'draft', w.clerk.accountId],
      ['oral', 'draft', w.clerk.accountId],
    ]);
  });
});
