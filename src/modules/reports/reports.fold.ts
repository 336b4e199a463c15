/**
 * Folding source records into the daily rollups (`report_fact_day`), incrementally.
 *
 * Each source has a watermark W (`report_fold_state.folded_until`): the rollups hold exactly the records
 * *inserted* before W (and, for help requests, the first staff replies inserted before W). A fold
 * - takes a new watermark W' — now, or earlier while a transaction that started before now is still open
 *   (its rows carry its start time and are not visible yet), so no row can be inserted before W' later;
 * - adds the records inserted in [W, W') to the days they belong to (upsert n = n + …): a call entered today
 *   for a day last month is counted on that day, and the cost follows the new rows, not the day's total;
 * - moves requests whose first staff reply arrived in [W, W') from "not answered" to their bucket;
 * - rebuilds some days whole (delete, aggregate the day's records inserted before W', insert): the days a
 *   `reports.refold` job names (a record changed: the desk classified a case, a backlog was entered, a
 *   survivor withdrew consent), the recent days of the sources whose records change state after insertion
 *   (desk cases are answered and closed, applications decided), and everything on a rebuild.
 * All in one transaction under an advisory lock, so several processes never fold at once and a report never
 * sees a half-folded day. A report then sums at most 366 days of rollup rows per source.
 *
 * Which records may be counted at all is one rule: `countableHelpRequest` in reports.fold-sources.ts.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import {
  deskFacts,
  helpFacts,
  helpFirstResponseDeltas,
  hotlineFacts,
  orderFacts,
  usageFacts,
  type FactRow,
  type Selection,
} from './reports.fold-sources.ts';

export { PSYCHOLOGICAL_FORMS, STATISTICS_CONSENT_BASES } from './reports.fold-sources.ts';

export const FOLD_TOPIC = 'reports.fold';
/** Outbox/job topic: rebuild the rollups of the days `from`..`to` (China time, inclusive). Idempotent. */
export const REFOLD_TOPIC = 'reports.refold';
/** Days the periodic job rebuilds for sources whose records change after insertion (answers, closings, decisions). */
export const RECENT_DAYS = 14;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

export const FORM_GROUPS = [
  'physical',
  'psychological',
  'sexual',
  'economic',
  'restriction',
  'stalking',
  'neglect',
] as const;

/** First-response buckets (upper bounds in minutes); 'none' = not answered yet. */
export const RESPONSE_BUCKETS = [
  { key: 'lt_1h', maxMinutes: 60 },
  { key: 'lt_4h', maxMinutes: 240 },
  { key: 'lt_24h', maxMinutes: 1440 },
  { key: 'lt_72h', maxMinutes: 4320 },
  { key: 'gte_72h', maxMinutes: Number.POSITIVE_INFINITY },
] as const;

export const SOURCES = ['help', 'usage', 'hotline', 'desk', 'orders'] as const;
export type FoldSource = (typeof SOURCES)[number];
/** Sources whose facts change after a record is inserted without a delta the incremental fold could add. */
const CHANGING: readonly FoldSource[] = ['usage', 'desk', 'orders'];

/** The China-time calendar day (UTC+8, no daylight saving) of an instant, as YYYY-MM-DD. */
export function chinaDayOf(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a China-time day starts. */
export function startOfChinaDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

type Executor = Db | Transaction<Database>;

/** Per-day facts of the help requests created in [start, end), as the records stand (the benchmark's naive side). */
export function helpFactsQuery(start: Date, end: Date) {
  return helpFacts({ kind: 'days', start, end, before: new Date(8.64e15) });
}

const insertFacts = (trx: Executor, facts: ReturnType<typeof helpFacts>) =>
  sql`insert into report_fact_day (organisation_id, source, day, dimension, value, n, total) select organisation_id, source, day::date, dimension, value, n, total from (${facts}) f`.execute(
    trx,
  );

const addFacts = (trx: Executor, facts: ReturnType<typeof helpFacts>) =>
  sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    select organisation_id, source, day::date, dimension, value, n, total from (${facts}) f
    on conflict (source, organisation_id, day, dimension, value)
    do update set n = report_fact_day.n + excluded.n, total = report_fact_day.total + excluded.total
  `.execute(trx);

/** Rebuild one source's rollups of the days `from`..`to` from its records inserted before `before`. */
async function rebuildDays(
  trx: Executor,
  source: FoldSource,
  from: string,
  to: string,
  before: Date,
): Promise<void> {
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', source)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  const days: Selection = {
    kind: 'days',
    start: startOfChinaDay(from),
    end: startOfChinaDay(addDays(to, 1)),
    before,
  };
  switch (source) {
    case 'help':
      return void (await insertFacts(trx, helpFacts(days)));
    case 'hotline':
      return void (await insertFacts(trx, hotlineFacts(days)));
    case 'desk':
      return void (await insertFacts(trx, deskFacts(days)));
    case 'orders':
      return void (await insertFacts(trx, orderFacts(days.start, days.end)));
    case 'usage':
      return void (await insertFacts(trx, usageFacts(from, to)));
  }
}

/** Add what was inserted in [after, before) to one source's rollups. */
async function foldInserted(
  trx: Executor,
  source: FoldSource,
  after: Date,
  before: Date,
  today: string,
): Promise<void> {
  const inserted: Selection = { kind: 'inserted', after, before };
  switch (source) {
    case 'help': {
      await addFacts(trx, helpFacts(inserted));
      const moved = (await helpFirstResponseDeltas(after, before).execute(trx)).rows;
      await applyFirstResponses(trx, moved);
      return;
    }
    case 'hotline':
      return void (await addFacts(trx, hotlineFacts(inserted)));
    case 'desk':
      return void (await addFacts(trx, deskFacts(inserted)));
    case 'usage':
    case 'orders':
      // Few rows a day, and they change in place: today is rebuilt whole.
      return rebuildDays(trx, source, today, today, before);
  }
}

async function applyFirstResponses(
  trx: Executor,
  moved: { day: string; bucket: string; n: number; minutes: number }[],
): Promise<void> {
  const key = (day: string, value: string) =>
    sql`source = 'help' and organisation_id = '' and day = ${day}::date and dimension = 'first_response' and value = ${value}`;
  for (const m of moved) {
    await sql`update report_fact_day set n = n - ${m.n} where ${key(m.day, 'none')}`.execute(trx);
    await sql`delete from report_fact_day where ${key(m.day, 'none')} and n = 0`.execute(trx);
    await sql`
      insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
      values ('', 'help', ${m.day}::date, 'first_response', ${m.bucket}, ${m.n}, ${m.minutes})
      on conflict (source, organisation_id, day, dimension, value)
      do update set n = report_fact_day.n + excluded.n, total = report_fact_day.total + excluded.total
    `.execute(trx);
  }
}

const EARLIEST: Record<FoldSource, ReturnType<typeof sql.raw>> = {
  help: sql.raw('select min(created_at) as first from help_request'),
  usage: sql.raw(
    `select min(day)::timestamp at time zone 'UTC' - interval '8 hours' as first from help_usage_day`,
  ),
  hotline: sql.raw('select min(started_at) as first from helpline_hotline_call'),
  // Referrals are made after their case is received, so the first case received is early enough.
  desk: sql.raw('select min(received_at) as first from helpline_case'),
  orders: sql.raw('select min(submitted_at) as first from order_application'),
};

async function earliestDay(trx: Executor, source: FoldSource): Promise<string | undefined> {
  const row = await sql<{ first: Date | null }>`${EARLIEST[source]}`.execute(trx);
  const first = row.rows[0]?.first;
  return first ? chinaDayOf(new Date(first)) : undefined;
}

/**
 * The new watermark: now, or the start of the oldest transaction still open on this database. Rows carry
 * their transaction's start time (`created_at` defaults to now()), so a row not visible yet is stamped at or
 * after that start and will be folded next time. (Referrals are stamped by the application's clock; one
 * committed a moment late is picked up by the periodic rebuild of the desk's recent days.)
 */
async function horizon(trx: Executor): Promise<Date> {
  const row = await sql<{ at: Date }>`
    select least(now(), coalesce((
      select min(xact_start) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null
        and backend_type = 'client backend' and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')
    ), now())) as at
  `.execute(trx);
  return new Date(row.rows[0]!.at);
}

export interface FoldResult {
  folded: boolean;
  days: Record<string, { from: string; to: string } | null>;
}

export interface FoldOptions {
  now?: Date;
  /** Rebuild every source from its first record (after a change of rules). */
  rebuild?: boolean;
  /** Past days rebuilt whole for the sources whose records change after insertion (default 14; 0 on reading a report). */
  recentDays?: number;
  /** Days to rebuild whole for every source (a `reports.refold` job, `anxin reports refold`). */
  refold?: { from: string; to: string; sources?: readonly FoldSource[] };
  /** Wait for another process's fold to finish instead of skipping (jobs, the command line). */
  wait?: boolean;
}

/**
 * Fold every source up to now. Returns `folded: false` when another process holds the fold lock and `wait`
 * is not set (it is doing the same work).
 */
export async function foldRollups(db: Db, options: FoldOptions = {}): Promise<FoldResult> {
  const recentDays = options.recentDays ?? RECENT_DAYS;
  const today = chinaDayOf(options.now ?? new Date());
  return db.transaction().execute(async (trx) => {
    if (options.wait) await sql`select pg_advisory_xact_lock(hashtext('anxin.reports.fold'))`.execute(trx);
    else {
      const lock = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(hashtext('anxin.reports.fold')) as locked`.execute(trx);
      if (!lock.rows[0]?.locked) return { folded: false, days: {} };
    }
    const until = await horizon(trx);
    const result: FoldResult = { folded: true, days: {} };
    for (const source of SOURCES) {
      const state = await trx
        .selectFrom('report_fold_state')
        .select('folded_until')
        .where('source', '=', source)
        .executeTakeFirst();
      let rebuilt: { from: string; to: string } | null = null;
      if (!state || options.rebuild) {
        const first = await earliestDay(trx, source);
        if (first !== undefined && first <= today) rebuilt = { from: first, to: today };
        await trx.deleteFrom('report_fact_day').where('source', '=', source).execute();
        if (rebuilt) await rebuildDays(trx, source, rebuilt.from, rebuilt.to, until);
      } else {
        if (state.folded_until < until) await foldInserted(trx, source, state.folded_until, until, today);
        const ranges: { from: string; to: string }[] = [];
        if (recentDays > 0 && CHANGING.includes(source))
          ranges.push({ from: addDays(today, -recentDays), to: today });
        if (options.refold && (options.refold.sources ?? SOURCES).includes(source))
          ranges.push(options.refold);
        for (const range of ranges) await rebuildDays(trx, source, range.from, range.to, until);
        rebuilt = ranges.length
          ? {
              from: ranges.map((r) => r.from).sort()[0]!,
              to: ranges
                .map((r) => r.to)
                .sort()
                .at(-1)!,
            }
          : null;
      }
      result.days[source] = rebuilt;
      await trx
        .insertInto('report_fold_state')
        .values({ source, folded_until: until, updated_at: new Date() })
        .onConflict((oc) => oc.column('source').doUpdateSet({ folded_until: until, updated_at: new Date() }))
        .execute();
    }
    return result;
  });
}

/** Rebuild the days `from`..`to` of every source (or those named): the `reports.refold` job and the command line. */
export async function refoldDays(
  db: Db,
  from: string,
  to: string,
  sources?: readonly FoldSource[],
): Promise<FoldResult> {
  return foldRollups(db, {
    recentDays: 0,
    wait: true,
    refold: { from, to, ...(sources ? { sources } : {}) },
  });
}

/** The outbox payload asking for the days a write touched to be folded again (for `addToOutbox`). */
export function refoldPayload(
  days: readonly Date[],
  sources?: readonly FoldSource[],
): { from: string; to: string; sources?: FoldSource[] } {
  const sorted = days.map(chinaDayOf).sort();
  return {
    from: sorted[0] ?? chinaDayOf(new Date()),
    to: sorted.at(-1) ?? chinaDayOf(new Date()),
    ...(sources ? { sources: [...sources] } : {}),
  };
}

/** When the rollups were last brought up to date (the oldest watermark over all sources). */
export async function rollupsAsOf(db: Executor): Promise<Date | null> {
  const rows = await db.selectFrom('report_fold_state').select(['source', 'folded_until']).execute();
  if (rows.length < SOURCES.length) return null;
  return rows.reduce<Date | null>(
    (min, r) => (min === null || r.folded_until < min ? r.folded_until : min),
    null,
  );
}

/** When a fold last ran (to decide whether a report should fold first), or null before the first. */
export async function lastFoldedAt(db: Executor): Promise<Date | null> {
  const row = await db
    .selectFrom('report_fold_state')
    .select(sql<Date | null>`min(updated_at)`.as('at'))
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

/** Before a report is read: fold what arrived since the last fold, when that was longer ago than `maxAgeMs`. */
export async function foldIfStale(db: Db, maxAgeMs = 60_000): Promise<void> {
  const at = await lastFoldedAt(db);
  if (at && Date.now() - at.getTime() < maxAgeMs) return;
  await foldRollups(db, { recentDays: 0 });
}

export type { FactRow };
