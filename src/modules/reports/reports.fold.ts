/**
 * Folding source records into the daily rollups (`report_fact_day`). A day's rollup rows are a pure function
 * of the records created on that China-time day, so folding a day means: delete its rows, aggregate the day's
 * records again, insert. Each run folds the days since the watermark (less a slack for transactions that
 * were still open) and the last `RECENT_DAYS` days (answers and closings arrive after the request), in one
 * transaction under an advisory lock, so several app processes never fold at once and a report never sees a
 * half-folded day. A report then sums at most 366 days of rollup rows per source instead of scanning records.
 *
 * Sources read as they stand (see docs/work-report.md): the help module's `help_request` / `help_message`
 * (consent-gated) and `help_usage_day` (already anonymous per-day totals).
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export const FOLD_TOPIC = 'reports.fold';
/** Days folded again on every run, whatever the watermark: first responses arrive after the request. */
export const RECENT_DAYS = 14;
/** Transactions open longer than this when the watermark moved may still add rows to an earlier day. */
const SLACK_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Bases of processing under which a help request may be counted in anonymous statistics. */
export const STATISTICS_CONSENT_BASES = ['separate_consent', 'minor_emergency'] as const;

/** Forms of violence grouped as in the NGO's report: the psychological forms count as one group. */
export const PSYCHOLOGICAL_FORMS = ['verbal_abuse', 'belittling', 'rumours', 'threats', 'death_threats', 'slut_shaming'] as const;
export const FORM_GROUPS = ['physical', 'psychological', 'sexual', 'economic', 'restriction', 'stalking', 'neglect'] as const;

/** First-response buckets (upper bounds in minutes); 'none' = not answered yet. */
export const RESPONSE_BUCKETS = [
  { key: 'lt_1h', maxMinutes: 60 },
  { key: 'lt_4h', maxMinutes: 240 },
  { key: 'lt_24h', maxMinutes: 1440 },
  { key: 'lt_72h', maxMinutes: 4320 },
  { key: 'gte_72h', maxMinutes: Number.POSITIVE_INFINITY },
] as const;

export const SOURCES = ['help', 'usage'] as const;
export type FoldSource = (typeof SOURCES)[number];

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

/** Rebuild the help-request rollups of the days `from`..`to` (inclusive, China time). */
export async function foldHelpDays(trx: Executor, from: string, to: string): Promise<void> {
  const start = startOfChinaDay(from);
  const end = startOfChinaDay(addDays(to, 1));
  await trx.deleteFrom('report_fact_day').where('source', '=', 'help').where('day', '>=', from).where('day', '<=', to).execute();
  const psychological = sql.join(PSYCHOLOGICAL_FORMS.map((f) => sql.lit(f)));
  const bases = sql.join(STATISTICS_CONSENT_BASES.map((b) => sql.lit(b)));
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    with r as (
      select
        ((h.created_at at time zone 'UTC') + interval '8 hours')::date as day,
        h.request_type,
        coalesce(h.province, 'unknown') as province,
        coalesce(h.age_band, 'not_said') as age_band,
        coalesce(h.gender, 'not_said') as gender,
        case when h.is_minor then 'minor' when h.is_minor = false then 'adult' else 'unknown' end as minor,
        h.forms,
        array(select distinct case when f in (${psychological}) then 'psychological' else f end from unnest(h.forms) f) as groups,
        coalesce(h.relationship, 'not_said') as relationship,
        case when h.children_witnessed then 'yes' when h.children_witnessed = false then 'no' else 'not_said' end as witnessed,
        coalesce(h.danger_level, 'not_assessed') as danger,
        extract(epoch from (
          select min(m.created_at) from help_message m where m.help_request_id = h.id and m.author = 'staff'
        ) - h.created_at) / 60.0 as response_minutes
      from help_request h
      where h.created_at >= ${start} and h.created_at < ${end}
        and h.consent_basis in (${bases})
    )
    select '', 'help', day, dimension, value, count(*)::int, coalesce(sum(minutes), 0)
    from (
      select day, 'total' as dimension, '' as value, null::float8 as minutes from r
      union all select day, 'type', request_type, null from r
      union all select day, 'region', province, null from r
      union all select day, 'age_gender', age_band || '|' || gender, null from r
      union all select day, 'minor_gender', minor || '|' || gender, null from r
      union all select day, 'form', f, null from r cross join unnest(r.forms) f
      union all select day, 'form_group', g, null from r cross join unnest(r.groups) g
      union all select day, 'form_group_pair', a || '|' || b, null from r cross join unnest(r.groups) a cross join unnest(r.groups) b where a < b
      union all select day, 'forms_none', '', null from r where cardinality(r.forms) = 0
      union all select day, 'relationship', relationship, null from r
      union all select day, 'children_witnessed', witnessed, null from r
      union all select day, 'danger', danger, null from r
      union all select day, 'first_response',
        case
          when response_minutes is null then 'none'
          when response_minutes < 60 then 'lt_1h'
          when response_minutes < 240 then 'lt_4h'
          when response_minutes < 1440 then 'lt_24h'
          when response_minutes < 4320 then 'lt_72h'
          else 'gte_72h'
        end,
        greatest(response_minutes, 0)
      from r
    ) facts
    group by day, dimension, value
  `.execute(trx);
}

/** Copy the help module's anonymous per-day usage totals for the days `from`..`to`. */
export async function foldUsageDays(trx: Executor, from: string, to: string): Promise<void> {
  await trx.deleteFrom('report_fact_day').where('source', '=', 'usage').where('day', '>=', from).where('day', '<=', to).execute();
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    select '', 'usage', u.day, m.dimension, u.channel, m.n, 0
    from help_usage_day u
    cross join lateral (values ('opens', u.opens), ('users', u.users), ('new_users', u.new_users), ('page_views', u.page_views)) as m(dimension, n)
    where u.day >= ${from}::date and u.day <= ${to}::date
  `.execute(trx);
}

const FOLDERS: Record<FoldSource, (trx: Executor, from: string, to: string) => Promise<void>> = {
  help: foldHelpDays,
  usage: foldUsageDays,
};

async function earliestDay(trx: Executor, source: FoldSource): Promise<string | undefined> {
  if (source === 'help') {
    const row = await trx.selectFrom('help_request').select((eb) => eb.fn.min('created_at').as('first')).executeTakeFirst();
    return row?.first ? chinaDayOf(new Date(row.first)) : undefined;
  }
  const row = await sql<{ first: string | null }>`select min(day)::text as first from help_usage_day`.execute(trx);
  return row.rows[0]?.first ?? undefined;
}

export interface FoldResult {
  folded: boolean;
  days: Record<string, { from: string; to: string } | null>;
}

/**
 * Fold every source up to `now`. Returns `folded: false` when another process holds the fold lock (it is
 * doing the same work). `rebuild` folds everything from the first record (after a change of rules).
 */
export async function foldRollups(db: Db, options: { now?: Date; rebuild?: boolean } = {}): Promise<FoldResult> {
  const now = options.now ?? new Date();
  const today = chinaDayOf(now);
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext('anxin.reports.fold')) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return { folded: false, days: {} };
    const result: FoldResult = { folded: true, days: {} };
    for (const source of SOURCES) {
      const state = await trx.selectFrom('report_fold_state').select('folded_until').where('source', '=', source).executeTakeFirst();
      let from: string | undefined;
      if (state && !options.rebuild) {
        const sinceWatermark = chinaDayOf(new Date(state.folded_until.getTime() - SLACK_MS));
        const recent = addDays(today, -RECENT_DAYS);
        from = sinceWatermark < recent ? sinceWatermark : recent;
      } else {
        from = await earliestDay(trx, source);
      }
      if (from !== undefined && from <= today) {
        await FOLDERS[source](trx, from, today);
        result.days[source] = { from, to: today };
      } else {
        result.days[source] = null;
      }
      await trx
        .insertInto('report_fold_state')
        .values({ source, folded_until: now, updated_at: new Date() })
        .onConflict((oc) => oc.column('source').doUpdateSet({ folded_until: now, updated_at: new Date() }))
        .execute();
    }
    return result;
  });
}

/** When the rollups were last brought up to date (the oldest watermark over all sources). */
export async function rollupsAsOf(db: Executor): Promise<Date | null> {
  const rows = await db.selectFrom('report_fold_state').select(['source', 'folded_until']).execute();
  if (rows.length < SOURCES.length) return null;
  return rows.reduce<Date | null>((min, r) => (min === null || r.folded_until < min ? r.folded_until : min), null);
}
