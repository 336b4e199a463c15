/**
 * Reports that add up under real use (issue 13): calls entered long after their day (a backlog from a paper
 * log) are counted on that day, the write asks for its day to be folded again (`reports.refold`, written in
 * the same transaction) and `anxin reports refold` rebuilds on demand; the desk's classification of a request
 * reaches the report, once, and the report says whose classification it counts.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chinaDayOf, foldRollups, refoldDays } from '../../src/modules/reports/reports.fold.ts';
import { refoldRequestOf } from '../../src/modules/reports/reports.jobs.ts';
import type { WorkReportT } from '../../src/modules/reports/reports.schemas.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let supervisor: SignedIn;
let lawyer: SignedIn;
let ip = 0;
const nextIp = () => `10.81.${Math.floor(++ip / 250)}.${ip % 250}`;
const today = chinaDayOf(new Date());
const root = path.resolve(import.meta.dirname, '../..');

beforeAll(async () => {
  t = await createTestApp();
  const ngo = await makeOrganisation(t, 'ngo', '110105', 'Refold NGO');
  supervisor = await sessionFor(t, (await makeStaff(t, ngo, ['ngo_supervisor'])).accountId);
  lawyer = await sessionFor(t, (await makeStaff(t, ngo, ['volunteer_lawyer'])).accountId);
  await makeDesk(t, ngo, { provinces: ['11'] });
});
afterAll(async () => t?.close());

const as = (who: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload ? { payload } : {}),
  });

async function report(query: string): Promise<WorkReportT> {
  const res = await as(supervisor, 'GET', `/api/reports/work-report?${query}&suppress=false`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<WorkReportT>();
}
const count = (b: { rows: { key: string; count: number | null }[] }, key: string) =>
  b.rows.find((r) => r.key === key)?.count;

/** Every `reports.refold` request in the outbox, run as the job runs them. */
async function runRefoldJobs(): Promise<{ from: string; to: string; sources?: string[] }[]> {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('topic', '=', 'reports.refold')
    .where('dispatched_at', 'is', null)
    .execute();
  const requests = rows.map((r) => refoldRequestOf(r.payload));
  for (const request of requests) {
    expect(request).not.toBeNull();
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
  return requests.filter((r) => r !== null);
}

const snapshot = async () =>
  (
    await sql<{
      row: string;
    }>`select concat_ws('|', source, organisation_id, day, dimension, value, n, round(total::numeric, 3)) as row from report_fact_day order by 1`.execute(
      t.db,
    )
  ).rows.map((r) => r.row);

describe('back-dated records', () => {
  it('counts a call entered 40 days after it was taken, on its own day, and asks for that day to be folded again', async () => {
    await foldRollups(t.db); // the rollups exist and are up to date before the backlog arrives
    const day = addDays(today, -40);
    const startedAt = new Date(`${day}T10:00:00+08:00`).toISOString();
    const call = await as(lawyer, 'POST', '/api/desk/calls', {
      startedAt,
      durationMinutes: 12,
      callerAgeBand: '30_39',
      callerGender: 'female',
      province: '11',
      category: 'domestic_violence',
      summary: '纸质登记补录',
      followUpNeeded: false,
      openCase: true,
    });
    expect(call.statusCode, call.body).toBe(201);
    // The periodic fold (new rows since the last one) counts it on the day of the call.
    await foldRollups(t.db);
    const r = await report(`from=${day}&to=${day}`);
    expect(r.hotlineCalls.total.value).toBe(1);
    expect(count(r.hotlineCalls.byType, 'domestic_violence')).toBe(1);
    expect(r.desk.cases.value).toBe(1);
    expect(r.hotlineCalls.averageMinutes).toBe(12);
    // The write asked for its day to be folded again, in its own transaction; folding it again changes nothing.
    const before = await snapshot();
    expect(await runRefoldJobs()).toEqual([{ from: day, to: day, sources: ['hotline', 'desk'] }]);
    expect(await snapshot()).toEqual(before);
    // A call entered on its own day asks for nothing.
    const now = await as(lawyer, 'POST', '/api/desk/calls', {
      startedAt: new Date().toISOString(),
      durationMinutes: 3,
      category: 'other',
      summary: '当天来电',
      followUpNeeded: false,
    });
    expect(now.statusCode, now.body).toBe(201);
    expect(await runRefoldJobs()).toEqual([]);
  });

  it(
    'rebuilds days on demand with `anxin reports refold --from --to`, and refuses a bad date',
    { timeout: 120_000 },
    async () => {
      await foldRollups(t.db);
      const expected = await snapshot();
      const day = addDays(today, -40);
      await sql`delete from report_fact_day where day = ${day}::date`.execute(t.db);
      expect(await snapshot()).not.toEqual(expected);
      const env = {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: t.databaseUrl,
        ANXIN_MASTER_KEY: t.config.masterKey ?? '',
      };
      const cli = (args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'reports', ...args], {
          cwd: root,
          env,
          encoding: 'utf8',
        });
      const done = cli(['refold', '--from', addDays(day, -1), '--to', addDays(day, 1)]);
      expect(done.status, done.stderr).toBe(0);
      expect(done.stdout).toContain(`hotline  ${addDays(day, -1)} – ${addDays(day, 1)}`);
      expect(await snapshot()).toEqual(expected);
      const bad = cli(['refold', '--from', '2026-02-30']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('--from must be a calendar date');
      expect(await snapshot()).toEqual(expected);
      // Without dates: everything from the first record, the same rollups again.
      expect(cli(['refold']).status).toBe(0);
      expect(await snapshot()).toEqual(expected);
    },
  );
});

describe("the desk's classification", () => {
  it('counts the desk’s assessment of a request instead of her answers, once, and says which', async () => {
    const filed = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: {
        requestType: 'sexual_harassment',
        narrative: '我不知道这算不算家暴。',
        province: '11',
        forms: [],
        contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
        consentSensitive: true,
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const request = await t.db
      .selectFrom('help_request')
      .select(['id', 'created_at'])
      .where('case_code', '=', filed.json<{ caseCode: string }>().caseCode)
      .executeTakeFirstOrThrow();
    const period = `from=${today}&to=${today}`;
    await foldRollups(t.db);
    const own = await report(period);
    expect(own.helpRequests.total.value).toBe(1);
    expect(count(own.helpRequests.byType, 'sexual_harassment')).toBe(1);
    expect(count(own.helpRequests.assessedBy, 'self')).toBe(1);
    expect(count(own.helpRequests.assessedBy, 'desk')).toBe(0);

    await as(supervisor, 'GET', '/api/desk/queue?view=whole');
    const desk = await t.db
      .selectFrom('helpline_case')
      .select('id')
      .where('help_request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect((await as(lawyer, 'POST', `/api/desk/cases/${desk.id}/claim`)).statusCode).toBe(200);
    const classified = await as(lawyer, 'PUT', `/api/desk/cases/${desk.id}/classification`, {
      requestType: 'domestic_violence',
      forms: ['physical', 'threats'],
      relationship: 'spouse',
      childrenWitnessed: true,
      ageBand: '30_39',
      gender: 'female',
      dangerLevel: 'high',
    });
    expect(classified.statusCode, classified.body).toBe(200);
    expect(await runRefoldJobs()).toEqual([
      { from: chinaDayOf(request.created_at), to: chinaDayOf(request.created_at), sources: ['help'] },
    ]);

    const r = await report(period);
    const h = r.helpRequests;
    expect(h.total.value).toBe(1);
    expect(count(h.byType, 'domestic_violence')).toBe(1);
    expect(count(h.byType, 'sexual_harassment')).toBe(0);
    expect(count(h.formGroups, 'physical')).toBe(1);
    expect(count(h.formGroups, 'psychological')).toBe(1);
    expect(count(h.relationship, 'spouse')).toBe(1);
    expect(count(h.childrenWitnessed, 'yes')).toBe(1);
    expect(count(h.danger, 'high')).toBe(1);
    expect(count(h.byGender, 'female')).toBe(1);
    // Her answer stands where the desk left the field empty (the province).
    expect(count(h.byRegion, '11')).toBe(1);
    expect(count(h.assessedBy, 'desk')).toBe(1);
    expect(count(h.assessedBy, 'self')).toBe(0);

    // The report says which, on the page and in the CSV.
    const page = await as(supervisor, 'GET', `/reports?${period}`);
    expect(page.body).toContain('分类依据');
    expect(page.body).toContain('服务台评估');
    const csv = await as(supervisor, 'GET', `/en/reports/export.csv?${period}&table=assessedBy`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('The desk’s assessment');
  });
});
