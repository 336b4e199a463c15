/**
 * Folding source records into the daily rollups (`report_fact_day`). A day's rollup rows are a pure function
 * of the records created on that China-time day, so folding a day means: delete its rows, aggregate the day's
 * records again, insert. Each run folds the days since the watermark (less a slack for transactions that
 * were still open) and the last `RECENT_DAYS` days (answers and closings arrive after the request), in one
 * transaction under an advisory lock, so several app processes never fold at once and a report never sees a
 * half-folded day. A report then sums at most 366 days of rollup rows per source instead of scanning records.
 *
 * Sources read as they stand (see docs/work-report.md): the help module's `help_request` / `help_message`
 * (consent-gated) and `help_usage_day` (already anonymous per-day totals); the NGO desk's hotline calls, cases
 * (first response, closing) and referrals; the orders module's applications, orders, service and violations.
 * Only classification columns and timestamps are read, never a sealed field.
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
export const PSYCHOLOGICAL_FORMS = [
  'verbal_abuse',
  'belittling',
  'rumours',
  'threats',
  'death_threats',
  'slut_shaming',
] as const;
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

/** China-time day of a timestamp column, in SQL. */
const dayOf = (column: string) => sql.raw(`((${column} at time zone 'UTC') + interval '8 hours')::date`);

/** Bucket of a duration in minutes (same edges as the help requests' first response). */
const minutesBucket = (expr: string) =>
  sql.raw(
    `case when ${expr} is null then 'none' when ${expr} < 60 then 'lt_1h' when ${expr} < 240 then 'lt_4h' when ${expr} < 1440 then 'lt_24h' when ${expr} < 4320 then 'lt_72h' else 'gte_72h' end`,
  );

/**
 * Per-day facts of the help requests created in [start, end): what the rollup stores, computed from the
 * records themselves. The fold inserts it; the benchmark runs it over a whole year as the naive alternative.
 */
export function helpFactsQuery(start: Date, end: Date) {
  const psychological = sql.join(PSYCHOLOGICAL_FORMS.map((f) => sql.lit(f)));
  const bases = sql.join(STATISTICS_CONSENT_BASES.map((b) => sql.lit(b)));
  return sql<{
    organisation_id: string;
    source: string;
    day: string;
    dimension: string;
    value: string;
    n: number;
    total: number;
  }>`
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
    select '' as organisation_id, 'help' as source, day, dimension, value, count(*)::int as n, coalesce(sum(minutes), 0) as total
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
      union all select day, 'first_response', ${minutesBucket('response_minutes')}, greatest(response_minutes, 0) from r
    ) facts
    group by day, dimension, value
  `;
}

/** Rebuild the help-request rollups of the days `from`..`to` (inclusive, China time). */
export async function foldHelpDays(trx: Executor, from: string, to: string): Promise<void> {
  const start = startOfChinaDay(from);
  const end = startOfChinaDay(addDays(to, 1));
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', 'help')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  await sql`insert into report_fact_day (organisation_id, source, day, dimension, value, n, total) ${helpFactsQuery(start, end)}`.execute(
    trx,
  );
}

/** Copy the help module's anonymous per-day usage totals for the days `from`..`to`. */
export async function foldUsageDays(trx: Executor, from: string, to: string): Promise<void> {
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', 'usage')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    select '', 'usage', u.day, m.dimension, u.channel, m.n, 0
    from help_usage_day u
    cross join lateral (values ('opens', u.opens), ('users', u.users), ('new_users', u.new_users), ('page_views', u.page_views)) as m(dimension, n)
    where u.day >= ${from}::date and u.day <= ${to}::date
  `.execute(trx);
}

/** The NGO desk's hotline calls, per organisation and day of the call. */
export async function foldHotlineDays(trx: Executor, from: string, to: string): Promise<void> {
  const start = startOfChinaDay(from);
  const end = startOfChinaDay(addDays(to, 1));
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', 'hotline')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    with c as (
      select organisation_id::text as org, ${dayOf('started_at')} as day, category,
        coalesce(province, 'unknown') as province, coalesce(caller_age_band, 'not_said') as age_band,
        coalesce(caller_gender, 'not_said') as gender,
        case when coalesce(caller_minor, caller_age_band in ('under_14', '14_17')) then 'minor'
             when caller_minor = false or caller_age_band is not null then 'adult' else 'unknown' end as minor,
        duration_seconds / 60.0 as minutes, follow_up_needed
      from helpline_hotline_call
      where started_at >= ${start} and started_at < ${end}
    )
    select org, 'hotline', day, dimension, value, count(*)::int, coalesce(sum(minutes), 0)
    from (
      select org, day, 'total' as dimension, '' as value, minutes from c
      union all select org, day, 'type', category, null from c
      union all select org, day, 'region', province, null from c
      union all select org, day, 'age_gender', age_band || '|' || gender, null from c
      union all select org, day, 'minor_gender', minor || '|' || gender, null from c
      union all select org, day, 'follow_up', case when follow_up_needed then 'yes' else 'no' end, null from c
    ) facts
    group by org, day, dimension, value
  `.execute(trx);
}

/** The NGO desk's cases (by day received: first response, closing) and referrals (by day made). */
export async function foldDeskDays(trx: Executor, from: string, to: string): Promise<void> {
  const start = startOfChinaDay(from);
  const end = startOfChinaDay(addDays(to, 1));
  const bases = sql.join(STATISTICS_CONSENT_BASES.map((b) => sql.lit(b)));
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', 'desk')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    with c as (
      select k.organisation_id::text as org, ${dayOf('k.received_at')} as day, k.source as case_source,
        extract(epoch from (k.first_responded_at - k.received_at)) / 60.0 as response_minutes,
        extract(epoch from (k.closed_at - k.received_at)) / 60.0 as close_minutes,
        k.closing_outcome
      from helpline_case k
      left join help_request h on h.id = k.help_request_id
      where k.received_at >= ${start} and k.received_at < ${end}
        and (k.help_request_id is null or h.consent_basis in (${bases}))
    ),
    r as (
      select k.organisation_id::text as org, ${dayOf('r.created_at')} as day, r.kind, r.status
      from helpline_referral r
      join helpline_case k on k.id = r.case_id
      left join help_request h on h.id = k.help_request_id
      where r.created_at >= ${start} and r.created_at < ${end}
        and (k.help_request_id is null or h.consent_basis in (${bases}))
    )
    select org, 'desk', day, dimension, value, count(*)::int, coalesce(sum(minutes), 0)
    from (
      select org, day, 'total' as dimension, '' as value, null::float8 as minutes from c
      union all select org, day, 'case_source', case_source, null from c
      union all select org, day, 'first_response', ${minutesBucket('response_minutes')}, greatest(response_minutes, 0) from c
      union all select org, day, 'closed', '', greatest(close_minutes, 0) from c where close_minutes is not null
      union all select org, day, 'close_time', ${minutesBucket('close_minutes')}, greatest(close_minutes, 0) from c where close_minutes is not null
      union all select org, day, 'outcome', closing_outcome, null from c where closing_outcome is not null
      union all select org, day, 'referral_kind', kind, null from r
      union all select org, day, 'referral_status', status, null from r
    ) facts
    group by org, day, dimension, value
  `.execute(trx);
}

/**
 * Protection orders, per court: applications by the day they were submitted (accepted, decided, time from
 * acceptance to decision against the legal limit — 24 h when urgent, 72 h otherwise — and whether the order
 * was served on the respondent), and violations by the day they were reported.
 */
export async function foldOrderDays(trx: Executor, from: string, to: string): Promise<void> {
  const start = startOfChinaDay(from);
  const end = startOfChinaDay(addDays(to, 1));
  await trx
    .deleteFrom('report_fact_day')
    .where('source', '=', 'orders')
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  await sql`
    insert into report_fact_day (organisation_id, source, day, dimension, value, n, total)
    with a as (
      select coalesce(a.court_id::text, '') as org, ${dayOf('a.submitted_at')} as day, a.status, a.channel, a.urgent,
        a.accepted_at is not null as accepted,
        case when a.decided_at is not null and a.status in ('granted', 'rejected') then a.status end as decision,
        case when a.decided_at is not null and a.accepted_at is not null then extract(epoch from (a.decided_at - a.accepted_at)) / 3600.0 end as decision_hours,
        exists (
          select 1 from protection_order o join order_service_task t on t.order_id = o.id
          where o.application_id = a.id and t.party = 'respondent' and t.status = 'done'
        ) as served
      from order_application a
      where a.submitted_at is not null and a.submitted_at >= ${start} and a.submitted_at < ${end}
    ),
    v as (
      select o.court_id::text as org, ${dayOf('v.created_at')} as day, v.status, v.outcome
      from order_violation v join protection_order o on o.id = v.order_id
      where v.created_at >= ${start} and v.created_at < ${end}
    )
    select org, 'orders', day, dimension, value, count(*)::int, coalesce(sum(hours), 0)
    from (
      select org, day, 'applied' as dimension, '' as value, null::float8 as hours from a
      union all select org, day, 'channel', channel, null from a
      union all select org, day, 'urgent', case when urgent then 'yes' else 'no' end, null from a
      union all select org, day, 'status', status, null from a
      union all select org, day, 'accepted', '', null from a where accepted
      union all select org, day, 'decision', decision, decision_hours from a where decision is not null
      union all select org, day, 'decision_limit',
        case when decision_hours <= case when urgent then 24 else 72 end then 'within' else 'over' end, decision_hours
        from a where decision is not null and decision_hours is not null
      union all select org, day, 'decision_time',
        case when decision_hours < 1 then 'lt_1h' when decision_hours < 24 then 'lt_24h' when decision_hours < 72 then 'lt_72h' else 'gte_72h' end, decision_hours
        from a where decision is not null and decision_hours is not null
      union all select org, day, 'served', '', null from a where served
      union all select org, day, 'violation', '', null from v
      union all select org, day, 'violation_status', status, null from v
      union all select org, day, 'violation_outcome', outcome, null from v where outcome is not null
    ) facts
    group by org, day, dimension, value
  `.execute(trx);
}

const FOLDERS: Record<FoldSource, (trx: Executor, from: string, to: string) => Promise<void>> = {
  help: foldHelpDays,
  usage: foldUsageDays,
  hotline: foldHotlineDays,
  desk: foldDeskDays,
  orders: foldOrderDays,
};

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

export interface FoldResult {
  folded: boolean;
  days: Record<string, { from: string; to: string } | null>;
}

/**
 * Fold every source up to `now`. Returns `folded: false` when another process holds the fold lock (it is
 * doing the same work). `rebuild` folds everything from the first record (after a change of rules);
 * `recentDays` (default 14) is how many past days are folded again whatever the watermark: the job uses the
 * default, a report being opened only brings today up to date (0).
 */
export async function foldRollups(
  db: Db,
  options: { now?: Date; rebuild?: boolean; recentDays?: number } = {},
): Promise<FoldResult> {
  const recentDays = options.recentDays ?? RECENT_DAYS;
  const now = options.now ?? new Date();
  const today = chinaDayOf(now);
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(hashtext('anxin.reports.fold')) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return { folded: false, days: {} };
    const result: FoldResult = { folded: true, days: {} };
    for (const source of SOURCES) {
      const state = await trx
        .selectFrom('report_fold_state')
        .select('folded_until')
        .where('source', '=', source)
        .executeTakeFirst();
      let from: string | undefined;
      if (state && !options.rebuild) {
        const sinceWatermark = chinaDayOf(new Date(state.folded_until.getTime() - SLACK_MS));
        const recent = addDays(today, -recentDays);
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
  return rows.reduce<Date | null>(
    (min, r) => (min === null || r.folded_until < min ? r.folded_until : min),
    null,
  );
}
