/**
 * Protection orders in the work report: applications filed, accepted and decided through the orders API,
 * orders served and a violation decided; the court's report returns exactly those counts, the time to
 * decision against the legal limit, and hides them when they are small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import {
  auth,
  completeApplication,
  makeDeskCaseFor,
  makeOrdersWorld,
  type OrdersWorld,
} from '../support/orders.ts';
import { addDays, chinaDayOf } from '../../src/modules/reports/reports.fold.ts';
import type { WorkReportT } from '../../src/modules/reports/reports.schemas.ts';

let t: TestApp;
let w: OrdersWorld;
let admin: SignedIn;
const today = chinaDayOf(new Date());
const period = `from=${addDays(today, -29)}&to=${today}`;

async function ok(
  method: 'POST' | 'PUT',
  url: string,
  who: SignedIn,
  payload: object,
  status = 200,
): Promise<Record<string, unknown>> {
  const res = await t.app.inject({ method, url, headers: auth(who), payload });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
  return res.json<Record<string, unknown>>();
}

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  admin = await sessionFor(
    t,
    (await makeStaff(t, await makeOrganisation(t, 'platform_operator', '11'), ['platform_admin'])).accountId,
  );
  // Seven applications filed by the NGO caseworker: six accepted (two of them urgent), four granted, one
  // rejected, one still under review, one not yet accepted. Two orders served; one violation, fined.
  const orderIds: string[] = [];
  for (let i = 0; i < 7; i++) {
    const created = await ok(
      'POST',
      '/api/orders/applications',
      w.caseworker,
      {
        channel: 'ngo',
        caseRef: await makeDeskCaseFor(t, w.ngo, null, w.caseworker.accountId),
        application: completeApplication(),
      },
      201,
    );
    const id = String(created.id);
    await ok('POST', `/api/orders/applications/${id}/submit`, w.caseworker, {});
    if (i === 6) continue;
    await ok('POST', `/api/orders/applications/${id}/accept`, w.clerk, i < 2 ? { urgent: true } : {});
    if (i === 5) continue;
    const decision =
      i < 4
        ? { outcome: 'grant', measures: ['no_violence', 'no_contact'], validMonths: 6 }
        : { outcome: 'reject', reasons: '证据不足以证明存在家庭暴力的现实危险' };
    const decided = await ok('POST', `/api/orders/applications/${id}/decision`, w.judge, decision);
    if (i < 4) orderIds.push(String(decided.orderId));
  }
  for (const orderId of orderIds.slice(0, 2)) {
    const task = await t.db
      .selectFrom('order_service_task')
      .select('id')
      .where('order_id', '=', orderId)
      .where('party', '=', 'respondent')
      .executeTakeFirstOrThrow();
    await ok('POST', `/api/orders/service-tasks/${task.id}`, w.clerk, {
      method: 'in_person',
      servedAt: new Date().toISOString(),
      serverName: '张书记员',
    });
  }
  const violation = await ok('POST', `/api/orders/orders/${orderIds[0]}/violations`, w.officer, {
    occurredOn: today,
    description: '出警发现被申请人在申请人住所附近',
  });
  await ok('POST', `/api/orders/violations/${String(violation.id)}/decision`, w.judge, {
    outcome: 'fine',
    fineYuan: 500,
    reasons: '违反禁止接触措施',
  });
});
afterAll(async () => t?.close());

async function report(query: string): Promise<WorkReportT> {
  const res = await t.app.inject({
    url: `/api/reports/work-report?${query}`,
    headers: { cookie: admin.cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<WorkReportT>();
}

describe('protection orders in the work report', () => {
  it('counts applications, decisions, the legal limit, service and violations of the court exactly', async () => {
    const r = await report(`${period}&organisation=${w.courtA}&suppress=false`);
    const o = r.protectionOrders;
    expect(o.applied.value).toBe(7);
    expect(o.accepted.value).toBe(6);
    expect(o.granted.value).toBe(4);
    expect(o.rejected.value).toBe(1);
    expect(o.grantedShare).toBeCloseTo(0.8, 10);
    expect(o.urgent).toBe(2);
    expect(o.byChannel.rows.find((x) => x.key === 'ngo')?.count).toBe(7);
    // Decided within seconds of acceptance: all five within the 72/24-hour limit.
    expect(o.decidedWithinLimit).toBe(5);
    expect(o.decidedOverLimit).toBe(0);
    expect(o.withinLimitShare).toBe(1);
    expect(o.timeToDecision.rows.find((x) => x.key === 'lt_1h')?.count).toBe(5);
    expect(o.averageHoursToDecision).toBeLessThan(1);
    expect(o.served.value).toBe(2);
    expect(o.violations.value).toBe(1);
    expect(o.violationOutcomes.rows.find((x) => x.key === 'fine')?.count).toBe(1);
    // Another court's report has none of them; all organisations together have all of them.
    expect(
      (await report(`${period}&organisation=${w.courtB}&suppress=false`)).protectionOrders.applied.value,
    ).toBe(0);
    expect((await report(`${period}&organisation=all&suppress=false`)).protectionOrders.applied.value).toBe(
      7,
    );
  });

  it('hides the small counts when suppressed, and anything that would give them away', async () => {
    const o = (await report(`${period}&organisation=${w.courtA}`)).protectionOrders;
    expect(o.applied.value).toBe(7);
    expect(o.accepted.value).toBe(6);
    // 4 granted and 1 rejected add up to the decided: both hidden, and so is the share between them.
    expect(o.granted.value).toBeNull();
    expect(o.rejected.value).toBeNull();
    expect(o.grantedShare).toBeNull();
    expect(o.urgent).toBeNull();
    expect(o.served.value).toBeNull();
    expect(o.violations.value).toBeNull();
    // Five decisions together are not a small number: their average time is published.
    expect(o.averageHoursToDecision).toBeLessThan(1);
    expect(o.decidedWithinLimit).toBe(5);
  });

  it('shows each console its dashboard, and no other', async () => {
    const dd = (html: string) => [...html.matchAll(/<dd>([^<]*)<\/dd>/g)].map((m) => m[1]);
    const court = await t.app.inject({
      url: '/en/reports/dashboard/court',
      headers: { cookie: w.judge.cookie },
    });
    expect(court.statusCode).toBe(200);
    expect(court.body).toContain('Applications on the docket');
    // Docket 2 (one accepted and undecided, one to accept), 1 to accept, 0 urgent open, 0 overdue, 5 decided, all in time.
    expect(dd(court.body).slice(0, 6)).toEqual(['2', '1', '0', '0', '5', '100.0%']);
    const police = await t.app.inject({
      url: '/en/reports/dashboard/police',
      headers: { cookie: w.officer.cookie },
    });
    expect(police.statusCode).toBe(200);
    expect(police.body).toContain('Follow-up visits overdue');
    const federation = await t.app.inject({
      url: '/en/reports/dashboard/federation',
      headers: { cookie: w.federationOfficer.cookie },
    });
    expect(federation.statusCode).toBe(200);
    expect(federation.body).toContain('Opinions to give');
    for (const [url, outsider] of [
      ['/reports/dashboard/court', w.officer],
      ['/reports/dashboard/police', w.judge],
      ['/reports/dashboard/federation', w.caseworker],
      ['/reports/dashboard', w.judge],
    ] as const) {
      expect((await t.app.inject({ url, headers: { cookie: outsider.cookie } })).statusCode).toBe(404);
    }
    // No names or case numbers on a dashboard.
    for (const page of [court.body, police.body, federation.body]) expect(page).not.toContain('李梅');
  });
});
