/**
 * Done when (issue 13): a data set spread over 365 days, with back-dated calls and reclassified cases, gives
 * a report equal to a direct count over the records. The records are made through the API (help requests
 * moved back in time by the fixture, since the portal stamps them itself; calls entered with past dates as a
 * desk does from a paper log; cases classified by the desk after the rollups were folded), the rollups are
 * kept up to date the way the server does (the periodic fold, the `reports.refold` jobs the writes asked
 * for), and every figure compared is counted again straight from the records in SQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  chinaDayOf,
  foldRollups,
  refoldDays,
  startOfChinaDay,
} from '../../src/modules/reports/reports.fold.ts';
import { refoldRequestOf } from '../../src/modules/reports/reports.jobs.ts';
import type { BreakdownT, WorkReportT } from '../../src/modules/reports/reports.schemas.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let supervisor: SignedIn;
let lawyer: SignedIn;
let ngoId: string;
let ip = 0;
const nextIp = () => `10.82.${Math.floor(++ip / 250)}.${ip % 250}`;
const today = chinaDayOf(new Date());
const yearFrom = addDays(today, -364);
const TYPES = ['domestic_violence', 'sexual_harassment', 'sexual_assault'] as const;
const as = (who: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload ? { payload } : {}),
  });

async function runRefoldJobs(): Promise<number> {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('topic', '=', 'reports.refold')
    .where('dispatched_at', 'is', null)
    .execute();
  for (const row of rows) {
    const request = refoldRequestOf(row.payload);
    if (request) await refoldDays(t.db, request.from, request.to, request.sources);
  }
  if (rows.length)
    await t.db
      .updateTable('outbox')
      .set({ dispatched_at: new Date() })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
  return rows.length;
}

beforeAll(async () => {
  t = await createTestApp();
  ngoId = await makeOrganisation(t, 'ngo', '110105', 'Year NGO');
  supervisor = await sessionFor(t, (await makeStaff(t, ngoId, ['ngo_supervisor'])).accountId);
  lawyer = await sessionFor(t, (await makeStaff(t, ngoId, ['volunteer_lawyer'])).accountId);
  await makeDesk(t, ngoId, { provinces: ['11'], national: true }); // Guangdong's requests too (no desk there)

  // 60 help requests over the year (the portal stamps its own time: the fixture moves them back).
  for (let i = 0; i < 60; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: {
        requestType: TYPES[i % 3],
        narrative: `第 ${i} 条`,
        province: i % 3 === 0 ? '44' : '11',
        forms: i % 2 === 0 ? ['physical'] : i % 5 === 0 ? ['threats'] : [],
        ...(i % 4 === 0 ? { ageBand: '30_39', gender: 'female' } : {}),
        ...(i % 3 === 0 ? { childrenWitnessed: i % 2 === 0 } : {}),
        contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
        consentSensitive: true,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const caseCode = res.json<{ caseCode: string }>().caseCode;
    const day = addDays(today, -((i * 37) % 365));
    await sql`update help_request set created_at = ${new Date(`${day}T00:00:0${i % 10}+08:00`)} where case_code = ${caseCode}`.execute(
      t.db,
    );
  }
  // The desk takes them in; a third are answered.
  await as(supervisor, 'GET', '/api/desk/queue?view=whole');
  const requests = await t.db.selectFrom('help_request').select('id').orderBy('created_at').execute();
  for (const r of requests.filter((_, i) => i % 3 === 0))
    await t.app.help.postStaffReply(t.db, r.id, 'staff-ref', '我们收到了。');
  // The rollups as the server keeps them, before the backlog and the classifications arrive.
  await foldRollups(t.db);

  // A paper log of 40 calls over the year, entered today; every fourth opens a case.
  for (let i = 0; i < 40; i++) {
    const day = addDays(today, -((i * 53 + 3) % 365));
    const res = await as(lawyer, 'POST', '/api/desk/calls', {
      startedAt: new Date(`${day}T${String(8 + (i % 12)).padStart(2, '0')}:30:00+08:00`).toISOString(),
      durationMinutes: 5 + (i % 7),
      callerAgeBand: i % 5 === 0 ? '14_17' : '30_39',
      callerGender: i % 2 ? 'female' : 'male',
      province: i % 4 === 0 ? '44' : '11',
      category: TYPES[i % 3],
      summary: '补录',
      followUpNeeded: i % 3 === 0,
      ...(i % 4 === 0 ? { openCase: true } : {}),
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  // The desk classifies 15 of the online cases, disagreeing with her answers.
  const cases = await t.db
    .selectFrom('helpline_case')
    .select('id')
    .where('source', '=', 'online')
    .orderBy('received_at')
    .execute();
  expect(cases.length).toBe(60);
  for (const [i, c] of cases.filter((_, j) => j % 4 === 1).entries()) {
    expect((await as(lawyer, 'POST', `/api/desk/cases/${c.id}/claim`)).statusCode).toBe(200);
    const res = await as(lawyer, 'PUT', `/api/desk/cases/${c.id}/classification`, {
      requestType: 'domestic_violence',
      forms: ['physical', 'verbal_abuse'],
      relationship: i % 2 ? 'spouse' : 'parent_to_child',
      childrenWitnessed: i % 3 === 0,
      ageBand: '18_29',
      gender: 'female',
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  // The server's way: the periodic fold and the refold jobs the writes asked for.
  await foldRollups(t.db);
  expect(await runRefoldJobs()).toBeGreaterThan(0);
}, 300_000);
afterAll(async () => t?.close());

/** A direct count over the records of the period: `select <key>, count(*) … group by 1`. */
async function direct(
  query: ReturnType<typeof sql<{ key: string; n: string }>>,
): Promise<Record<string, number>> {
  const rows = (await query.execute(t.db)).rows;
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
}
const counted = (b: BreakdownT): Record<string, number> =>
  Object.fromEntries(b.rows.filter((r) => (r.count ?? 0) > 0).map((r) => [r.key, r.count ?? 0]));

describe('a year of records', () => {
  for (const [name, from, to] of [
    ['the whole year', yearFrom, today],
    ['a quarter in the middle', addDays(today, -200), addDays(today, -110)],
  ] as const) {
    it(`gives a report equal to a direct count over the records: ${name}`, async () => {
      const res = await as(
        supervisor,
        'GET',
        `/api/reports/work-report?from=${from}&to=${to}&suppress=false`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json<WorkReportT>();
      const start = startOfChinaDay(from);
      const end = startOfChinaDay(addDays(to, 1));
      // Help requests: the desk's assessment where it classified the case, her answers where not.
      const help = (key: string) => sql<{ key: string; n: string }>`
        select ${sql.raw(key)} as key, count(*) as n
        from help_request h left join helpline_case k on k.help_request_id = h.id and k.classified_at is not null
        where h.created_at >= ${start} and h.created_at < ${end} and h.consent_basis in ('separate_consent', 'minor_emergency')
        group by 1`;
      const total = Object.values(await direct(help(`''`))).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(0);
      expect(r.helpRequests.total.value).toBe(total);
      expect(counted(r.helpRequests.byType)).toEqual(
        await direct(help('coalesce(k.request_type, h.request_type)')),
      );
      expect(counted(r.helpRequests.byRegion)).toEqual(await direct(help('h.province')));
      expect(counted(r.helpRequests.assessedBy)).toEqual(
        await direct(help(`case when k.id is null then 'self' else 'desk' end`)),
      );
      expect(counted(r.helpRequests.childrenWitnessed)).toEqual(
        await direct(
          help(
            `case coalesce(k.children_witnessed, h.children_witnessed) when true then 'yes' when false then 'no' else 'not_said' end`,
          ),
        ),
      );
      expect(counted(r.helpRequests.relationship)).toEqual(
        await direct(help(`coalesce(k.relationship, h.relationship, 'not_said')`)),
      );
      expect(counted(r.helpRequests.byGender)).toEqual(
        await direct(help(`coalesce(k.gender, h.gender, 'not_said')`)),
      );
      const physical = await direct(
        help(
          `'physical' = any(case when k.id is not null and cardinality(k.forms) > 0 then k.forms else h.forms end)::text`,
        ),
      );
      expect(r.helpRequests.formGroups.rows.find((x) => x.key === 'physical')?.count).toBe(
        physical.true ?? 0,
      );
      const answered = await direct(
        help(
          `exists (select 1 from help_message m where m.help_request_id = h.id and m.author = 'staff')::text`,
        ),
      );
      expect(r.helpRequests.firstResponse.answered).toBe(answered.true ?? 0);
      // Hotline calls (entered today, counted on the day of the call) and desk cases of the organisation.
      const calls = (key: string) => sql<{ key: string; n: string }>`
        select ${sql.raw(key)} as key, count(*) as n from helpline_hotline_call
        where organisation_id = ${ngoId} and started_at >= ${start} and started_at < ${end} group by 1`;
      expect(r.hotlineCalls.total.value).toBe(
        Object.values(await direct(calls(`''`))).reduce((a, b) => a + b, 0),
      );
      expect(counted(r.hotlineCalls.byType)).toEqual(await direct(calls('category')));
      expect(counted(r.hotlineCalls.byRegion)).toEqual(await direct(calls('province')));
      expect(counted(r.hotlineCalls.followUp)).toEqual(
        await direct(calls(`case when follow_up_needed then 'yes' else 'no' end`)),
      );
      const cases = await direct(sql<{ key: string; n: string }>`
        select source as key, count(*) as n from helpline_case
        where organisation_id = ${ngoId} and received_at >= ${start} and received_at < ${end} group by 1`);
      expect(counted(r.desk.bySource)).toEqual(cases);
    });
  }
});
