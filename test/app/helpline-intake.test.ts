/**
 * The hand-off from the portal to the desk (issue 13, "Intake and routing"): every help request and call-back
 * request reaches exactly one desk, exactly once, at any rate. The hand-off is the outbox row written by the
 * same statement as the request, taken by the desk's consumer in the transaction that creates the case.
 *
 * - A burst of more than 500 requests within 10 minutes: every one gets a case (the old intake read "the 500
 *   oldest since the newest case minus 10 minutes" and never saw the 501st).
 * - 3,000 requests filed within a minute through the public API from many addresses (behind the trusted proxy),
 *   with the background relay running and nobody reading the queue: each is on exactly one desk's queue within
 *   10 s of the last (a wait bound while polling the database, not a speed figure; speed is in bench/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import type { HelpRequestInput } from '../../src/modules/help/help.model.ts';

let t: TestApp;
let ngo: string;
let supervisor: SignedIn;

const request: HelpRequestInput = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我。',
  province: '11',
  forms: ['physical'],
  contact: {
    channel: 'phone',
    phone: '13800138000',
    windows: [{ from: '09:00', to: '11:00' }],
    noVoicemail: true,
    noSms: true,
  },
  consentSensitive: true,
};

beforeAll(async () => {
  t = await createTestApp({ env: { ANXIN_TRUST_PROXY: '1' } });
  ngo = await makeOrganisation(t, 'ngo', '110105', 'Beijing desk');
  const staff = await makeStaff(t, ngo, ['ngo_supervisor'], { name: '张督导' });
  await makeStaff(t, ngo, ['volunteer_lawyer'], { name: '李律师' });
  supervisor = await sessionFor(t, staff.accountId);
  await makeDesk(t, ngo, { provinces: ['11'], firstResponseMinutes: 60 });
});
afterAll(async () => {
  await t?.jobs.stop();
  await t?.close();
});

/** How many cases each of these help requests has (absent: none). */
async function casesPerRequest(ids: string[]): Promise<Map<string, number>> {
  const rows = await t.db
    .selectFrom('helpline_case')
    .select(['help_request_id', sql<string>`count(*)::text`.as('n')])
    .where('help_request_id', 'in', ids)
    .groupBy('help_request_id')
    .execute();
  return new Map(rows.map((r) => [r.help_request_id ?? '', Number(r.n)]));
}

async function idsOf(caseCodes: string[]): Promise<string[]> {
  const rows = await t.db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', 'in', caseCodes)
    .execute();
  return rows.map((r) => r.id);
}

describe('hand-off from the portal to the desk', () => {
  it('gives every request of a burst of more than 500 within 10 minutes a case, once', async () => {
    const created = await Promise.all(
      Array.from({ length: 620 }, () => t.app.help.createHelpRequest(request, 'zh-CN')),
    );
    const ids = created.map((c) => c.id);
    // The desk reads its queue (twice: a second pass must neither add nor repeat anything).
    for (let pass = 0; pass < 2; pass++) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/desk/queue?view=whole',
        headers: { cookie: supervisor.cookie },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const cases = await casesPerRequest(ids);
    expect(ids.filter((id) => cases.get(id) !== 1)).toHaveLength(0);
    // The hand-off rows are gone once acted on: nothing left to pile up.
    const left = await t.db
      .selectFrom('outbox')
      .select(sql<string>`count(*)::text`.as('n'))
      .where('topic', '=', 'help.request-created')
      .executeTakeFirstOrThrow();
    expect(left.n).toBe('0');
  });

  it('puts 3,000 requests filed within a minute through the API on exactly one desk queue each, by itself', async () => {
    await t.jobs.start();
    const total = 3000;
    const codes: string[] = [];
    let next = 0;
    // 40 clients at once, each request from its own network behind the trusted proxy (at most 12 a network, well
    // inside the per-network budget of requests sent without a proof of work).
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < total) {
          const n = next++;
          const address = `10.${n & 255}.${(n >> 8) & 255}.1`;
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/help/requests',
            remoteAddress: address,
            headers: { 'x-forwarded-for': address },
            payload: request,
          });
          expect(res.statusCode, res.body).toBe(201);
          codes.push(res.json<{ caseCode: string }>().caseCode);
        }
      }),
    );
    const lastFiledAt = Date.now();
    const ids = await idsOf(codes);
    expect(ids).toHaveLength(total);
    // Poll the database (never the queue page, which would take the intake itself) until every request is on a queue.
    let placed = 0;
    while (Date.now() - lastFiledAt < 10_000) {
      placed = (await casesPerRequest(ids)).size;
      if (placed === total) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(placed).toBe(total);
    const cases = await casesPerRequest(ids);
    expect([...cases.values()].every((n) => n === 1)).toBe(true);
    const desks = await t.db
      .selectFrom('helpline_case')
      .select(['organisation_id', 'status', sql<string>`count(*)::text`.as('n')])
      .where('help_request_id', 'in', ids)
      .groupBy(['organisation_id', 'status'])
      .execute();
    expect(desks).toEqual([{ organisation_id: ngo, status: 'new', n: String(total) }]);
  }, 180_000);
});
