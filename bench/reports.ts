/**
 * The work report at national scale: one year with 1,000,000 help requests (60 % answered by staff) and
 * 10,000,000 usage events (`BENCH_QUICK=1`: a tenth of each), generated with SQL `generate_series` straight
 * into the help module's tables. Then, in the same run:
 *  - folding the rollups from scratch (once) and incrementally (what the 5-minute job does);
 *  - building the year's report from the rollups (internal figures, and suppressed for publication), and its PDF;
 *  - the naive alternative: the same figures by GROUP BY over the raw records (help requests with their
 *    first staff reply, and a raw usage-event log — which Anxin deliberately never keeps).
 * Uses DATABASE_URL when given (a fresh database is created beside it), else a fresh embedded PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { connectDatabase } from '../src/db/database.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import {
  addDays,
  chinaDayOf,
  foldRollups,
  helpFactsQuery,
  startOfChinaDay,
} from '../src/modules/reports/reports.fold.ts';
import { renderReportPdf } from '../src/modules/reports/reports.pdf.ts';
import { buildWorkReport } from '../src/modules/reports/reports.service.ts';
import { freePort } from './_support.ts';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const PROVINCES = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
];

const seconds = (ms: number) => Math.round(ms) / 1000;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Median of `runs` timings, in milliseconds. */
async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const quick = process.env.BENCH_QUICK === '1';
  const requests = quick ? 100_000 : 1_000_000;
  const usageEvents = quick ? 1_000_000 : 10_000_000;

  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let url: string;
  if (process.env.DATABASE_URL) {
    const name = `anxin_bench_reports_${Date.now().toString(36)}`;
    await ensureDatabase(process.env.DATABASE_URL, name);
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-reports-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    url = embedded.url;
  }
  const handle = connectDatabase(url, { max: 4, applicationName: 'anxin-bench-reports' });
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const today = chinaDayOf(new Date());
    const from = addDays(today, -364);
    const yearStart = startOfChinaDay(from);

    // ---- generate a year of records ----
    const alphabet = sql.lit(ALPHABET);
    const provinces = sql.lit(`{${PROVINCES.join(',')}}`);
    const generate = await timed(async () => {
      await sql`select setseed(0.42)`.execute(db);
      await sql`
        insert into help_request (id, case_code, secret_hash, request_type, age_band, gender, is_minor, province, forms, relationship,
          children_witnessed, contact_channel, contact_sealed, consent_basis, consent_version, consented_at, danger_level, locale, status, created_at)
        select gen_random_uuid(),
          (select string_agg(substr(${alphabet}, ((i / (31::bigint ^ k)::bigint) % 31)::int + 1, 1), '' order by k)
             from generate_series(0, 3) k) || '-' ||
          (select string_agg(substr(${alphabet}, ((i / (31::bigint ^ (k + 4))::bigint) % 31)::int + 1, 1), '' order by k)
             from generate_series(0, 3) k),
          '\\x00'::bytea,
          case when r1 < 0.849 then 'domestic_violence' when r1 < 0.92 then 'sexual_harassment' when r1 < 0.97 then 'sexual_assault' else 'other' end,
          age, gender, age in ('under_14', '14_17'),
          (${provinces}::text[])[1 + floor(r3 * ${PROVINCES.length})::int],
          array_remove(array[
            case when r4 < 0.6 then 'physical' end, case when r5 < 0.45 then 'verbal_abuse' end, case when r5 > 0.7 then 'threats' end,
            case when r6 < 0.2 then 'belittling' end, case when r6 > 0.9 then 'economic' end, case when r4 > 0.95 then 'sexual' end
          ], null),
          case when r7 < 0.5 then 'spouse' when r7 < 0.65 then 'parent_to_child' when r7 < 0.75 then 'partner' when r7 < 0.85 then 'former_spouse' else 'other' end,
          case when r8 < 0.25 then true when r8 < 0.7 then false end,
          'in_app', '\\x00'::bytea, 'separate_consent', 'bench', now(),
          case when r9 < 0.2 then 'high' when r9 < 0.5 then 'increased' when r9 < 0.6 then 'variable' end,
          'zh-CN', 'open', ${yearStart}::timestamptz + (r10 * 365 * interval '1 day')
        from (
          select i, random() r1, random() r3, random() r4, random() r5, random() r6, random() r7, random() r8, random() r9, random() r10,
            (array['under_14','14_17','18_29','30_39','40_49','50_59','60_plus'])[1 + floor(random() * 7)::int] as age,
            (array['female','female','female','female','female','female','female','male','male','not_said'])[1 + floor(random() * 10)::int] as gender
          from generate_series(1, ${requests}) i
        ) g
      `.execute(db);
      // 60 % answered by staff, after 10 minutes to 3 days.
      await sql`
        insert into help_message (id, help_request_id, author, staff_ref, body_sealed, created_at)
        select gen_random_uuid(), id, 'staff', 'bench', '\\x00'::bytea, created_at + (10 + random() * 4320) * interval '1 minute'
        from help_request where random() < 0.6
      `.execute(db);
      // The raw usage log a tracking analytics product would keep (Anxin does not: it only keeps per-day totals).
      await sql`create unlogged table bench_usage_event (at timestamptz not null, channel text not null, first_today boolean not null, first_ever boolean not null)`.execute(
        db,
      );
      await sql`
        insert into bench_usage_event
        select ${yearStart}::timestamptz + (random() * 365 * interval '1 day'),
          case when random() < 0.7 then 'miniprogram' else 'web' end, r < 0.6, r < 0.06
        from (select random() as r from generate_series(1, ${usageEvents})) g
      `.execute(db);
      await sql`
        insert into help_usage_day (day, channel, page_views, opens, users, new_users)
        select ((at at time zone 'UTC') + interval '8 hours')::date, channel, count(*), count(*),
          count(*) filter (where first_today), count(*) filter (where first_ever)
        from bench_usage_event group by 1, 2
      `.execute(db);
      await sql`analyze`.execute(db);
    });

    // ---- rollups ----
    const fullFold = await timed(() => foldRollups(db, { rebuild: true }));
    const incrementalFold = await median(3, () => foldRollups(db));
    const onReadFold = await median(3, () => foldRollups(db, { recentDays: 0 }));
    const rollupRows = Number(
      (await sql<{ n: string }>`select count(*)::text as n from report_fact_day`.execute(db)).rows[0]?.n ?? 0,
    );

    // ---- the report from rollups ----
    const request = {
      from,
      to: today,
      organisationId: null,
      organisationName: 'bench',
      locale: 'zh-CN' as const,
    };
    const internal = await median(5, () => buildWorkReport(db, { ...request, threshold: 1 }));
    const published = await median(5, () => buildWorkReport(db, { ...request, threshold: 5 }));
    const report = await buildWorkReport(db, { ...request, threshold: 5 });
    await renderReportPdf(report); // the font is parsed once per process; measure the steady state
    const pdf = await median(3, () => renderReportPdf(report));

    // ---- the naive way: GROUP BY over the raw records for the same year ----
    const end = startOfChinaDay(addDays(today, 1));
    const naiveHelp = await median(3, () =>
      sql`select dimension, value, sum(n) as n, sum(total) as total from (${helpFactsQuery(yearStart, end)}) f group by dimension, value`.execute(
        db,
      ),
    );
    const naiveUsage = await median(3, () =>
      sql`select channel, count(*) as opens, count(*) filter (where first_today) as users, count(*) filter (where first_ever) as new_users,
            count(distinct ((at at time zone 'UTC') + interval '8 hours')::date) as days
          from bench_usage_event where at >= ${yearStart} and at < ${end} group by channel`.execute(db),
    );
    // Check that both ways agree on the headline figures.
    const naiveTotal = Number(
      (
        await sql<{
          n: string;
        }>`select count(*)::text as n from help_request where created_at >= ${yearStart} and created_at < ${end}`.execute(
          db,
        )
      ).rows[0]?.n,
    );
    const usageTotal = Number(
      (
        await sql<{
          n: string;
        }>`select count(*)::text as n from bench_usage_event where at >= ${yearStart} and at < ${end}`.execute(
          db,
        )
      ).rows[0]?.n,
    );

    return {
      scale: { helpRequests: requests, staffReplies: '≈60 %', usageEvents, days: 365, quick },
      generateSeconds: seconds(generate.ms),
      rollups: {
        rows: rollupRows,
        fullFoldSeconds: seconds(fullFold.ms),
        jobFoldLast14DaysMs: incrementalFold,
        onReadFoldTodayMs: onReadFold,
      },
      reportFromRollupsMs: { internal, publishedWithSuppression: published, pdfRender: pdf },
      naiveGroupByMs: {
        helpRequests: naiveHelp,
        usageEvents: naiveUsage,
        total: Math.round((naiveHelp + naiveUsage) * 10) / 10,
      },
      speedup: Math.round(((naiveHelp + naiveUsage) / published) * 10) / 10,
      agree: {
        helpRequests: report.helpRequests.total.value === naiveTotal,
        opens: report.usage.opens.value === usageTotal,
      },
    };
  } finally {
    await handle.close();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
