/**
 * What each source contributes to the daily rollups, as SQL over the source modules' records (read-only, see
 * docs/work-report.md). Every query yields rows (organisation, source, day, dimension, value, n, total) for a
 * *selection* of records:
 * - `days`: the records of some China-time days that were inserted before the fold's watermark — what a day's
 *   rollup is rebuilt from;
 * - `inserted`: the records inserted between two watermarks, whatever day they belong to — what the
 *   incremental fold adds (a call entered today for a day last month is counted on that day).
 * Only classification columns and timestamps are read, never a sealed field.
 */
import { sql, type RawBuilder } from 'kysely';

export type Selection =
  { kind: 'days'; start: Date; end: Date; before: Date } | { kind: 'inserted'; after: Date; before: Date };

export interface FactRow {
  organisation_id: string;
  source: string;
  day: string;
  dimension: string;
  value: string;
  n: number;
  total: number;
}

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

/**
 * THE rule for which help requests (and the desk cases that came from one) may be counted: consent that
 * allows statistics, not withdrawn since (PIPL 47: she may withdraw it, e.g. when she deletes her data — the
 * deletion queues a refold of the days she was counted on). Every help and desk fact reads it.
 */
export function countableHelpRequest(alias: string): RawBuilder<unknown> {
  if (!/^[a-z]\w*$/.test(alias)) throw new Error('bad alias');
  const bases = STATISTICS_CONSENT_BASES.map((b) => `'${b}'`).join(', ');
  return sql.raw(`(${alias}.consent_basis in (${bases}) and not ${alias}.statistics_withdrawn)`);
}

/** China-time day of a timestamp column, in SQL. */
const dayOf = (column: string) => sql.raw(`((${column} at time zone 'UTC') + interval '8 hours')::date`);

/** Bucket of a duration in minutes (same edges for every first response and closing). */
export const minutesBucket = (expr: string) =>
  sql.raw(
    `case when ${expr} is null then 'none' when ${expr} < 60 then 'lt_1h' when ${expr} < 240 then 'lt_4h' when ${expr} < 1440 then 'lt_24h' when ${expr} < 4320 then 'lt_72h' else 'gte_72h' end`,
  );

/** The records a selection takes: by the day of `dayColumn` (inserted before the watermark) or by insertion. */
function selected(selection: Selection, dayColumn: string, insertedColumn: string): RawBuilder<unknown> {
  const day = sql.ref(dayColumn);
  const inserted = sql.ref(insertedColumn);
  return selection.kind === 'days'
    ? sql`${day} >= ${selection.start} and ${day} < ${selection.end} and ${inserted} < ${selection.before}`
    : sql`${inserted} >= ${selection.after} and ${inserted} < ${selection.before}`;
}

/**
 * Help requests. Where the desk has classified the request's case, its assessment is counted (falling back to
 * her answer for a field the desk left empty), otherwise her own answers; `assessed_by` says which, once per
 * request (a request has at most one case). The first response is the first staff reply inserted before the
 * watermark (later replies are added by `helpFirstResponseDeltas`).
 */
export function helpFacts(selection: Selection) {
  const psychological = sql.join(PSYCHOLOGICAL_FORMS.map((f) => sql.lit(f)));
  return sql<FactRow>`
    with r as (
      select
        ((h.created_at at time zone 'UTC') + interval '8 hours')::date as day,
        case when k.id is null then 'self' else 'desk' end as assessed_by,
        coalesce(k.request_type, h.request_type) as request_type,
        coalesce(k.province, h.province, 'unknown') as province,
        coalesce(k.age_band, h.age_band, 'not_said') as age_band,
        coalesce(k.gender, h.gender, 'not_said') as gender,
        case when coalesce(k.victim_minor, h.is_minor) then 'minor' when coalesce(k.victim_minor, h.is_minor) = false then 'adult' else 'unknown' end as minor,
        f.forms,
        array(select distinct case when x in (${psychological}) then 'psychological' else x end from unnest(f.forms) x) as groups,
        coalesce(k.relationship, h.relationship, 'not_said') as relationship,
        case when coalesce(k.children_witnessed, h.children_witnessed) then 'yes'
             when coalesce(k.children_witnessed, h.children_witnessed) = false then 'no' else 'not_said' end as witnessed,
        coalesce(k.danger_level, h.danger_level, 'not_assessed') as danger,
        extract(epoch from (
          select min(m.created_at) from help_message m
          where m.help_request_id = h.id and m.author = 'staff' and m.created_at < ${selection.before}
        ) - h.created_at) / 60.0 as response_minutes
      from help_request h
      left join helpline_case k on k.help_request_id = h.id and k.classified_at is not null
      cross join lateral (select case when k.id is not null and cardinality(k.forms) > 0 then k.forms else h.forms end as forms) f
      where ${selected(selection, 'h.created_at', 'h.created_at')}
        and ${countableHelpRequest('h')}
    )
    select '' as organisation_id, 'help' as source, day::text as day, dimension, value, count(*)::int as n, coalesce(sum(minutes), 0) as total
    from (
      select day, 'total' as dimension, '' as value, null::float8 as minutes from r
      union all select day, 'assessed_by', assessed_by, null from r
      union all select day, 'type', request_type, null from r
      union all select day, 'region', province, null from r
      union all select day, 'age_gender', age_band || '|' || gender, null from r
      union all select day, 'minor_gender', minor || '|' || gender, null from r
      union all select day, 'form', x, null from r cross join unnest(r.forms) x
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

/**
 * First staff replies inserted between two watermarks to requests folded before them: each such request
 * moves from "not answered yet" to its response bucket. Rows: the day, the bucket, how many, their minutes.
 */
export function helpFirstResponseDeltas(after: Date, before: Date) {
  return sql<{ day: string; bucket: string; n: number; minutes: number }>`
    with first as (
      select m.help_request_id, min(m.created_at) as at from help_message m
      where m.author = 'staff' and m.created_at >= ${after} and m.created_at < ${before}
      group by m.help_request_id
    ), moved as (
      select ${dayOf('h.created_at')} as day, extract(epoch from (first.at - h.created_at)) / 60.0 as minutes
      from first join help_request h on h.id = first.help_request_id
      where h.created_at < ${after} and ${countableHelpRequest('h')}
        and not exists (select 1 from help_message e where e.help_request_id = h.id and e.author = 'staff' and e.created_at < ${after})
    )
    select day::text as day, ${minutesBucket('minutes')} as bucket, count(*)::int as n, coalesce(sum(greatest(minutes, 0)), 0) as minutes
    from moved group by 1, 2
  `;
}

/** The NGO desk's hotline calls, per organisation and day of the call (not the day it was entered). */
export function hotlineFacts(selection: Selection) {
  return sql<FactRow>`
    with c as (
      select organisation_id::text as org, ${dayOf('started_at')} as day, category,
        coalesce(province, 'unknown') as province, coalesce(caller_age_band, 'not_said') as age_band,
        coalesce(caller_gender, 'not_said') as gender,
        case when coalesce(caller_minor, caller_age_band in ('under_14', '14_17')) then 'minor'
             when caller_minor = false or caller_age_band is not null then 'adult' else 'unknown' end as minor,
        duration_seconds / 60.0 as minutes, follow_up_needed
      from helpline_hotline_call
      where ${selected(selection, 'started_at', 'created_at')}
    )
    select org as organisation_id, 'hotline' as source, day::text as day, dimension, value, count(*)::int as n, coalesce(sum(minutes), 0) as total
    from (
      select org, day, 'total' as dimension, '' as value, minutes from c
      union all select org, day, 'type', category, null from c
      union all select org, day, 'region', province, null from c
      union all select org, day, 'age_gender', age_band || '|' || gender, null from c
      union all select org, day, 'minor_gender', minor || '|' || gender, null from c
      union all select org, day, 'follow_up', case when follow_up_needed then 'yes' else 'no' end, null from c
    ) facts
    group by org, day, dimension, value
  `;
}

/** The NGO desk's cases (by day received: first response, closing) and referrals (by day made). */
export function deskFacts(selection: Selection) {
  return sql<FactRow>`
    with c as (
      select k.organisation_id::text as org, ${dayOf('k.received_at')} as day, k.source as case_source,
        extract(epoch from (k.first_responded_at - k.received_at)) / 60.0 as response_minutes,
        extract(epoch from (k.closed_at - k.received_at)) / 60.0 as close_minutes,
        k.closing_outcome
      from helpline_case k
      left join help_request h on h.id = k.help_request_id
      where ${selected(selection, 'k.received_at', 'k.created_at')}
        and (k.help_request_id is null or ${countableHelpRequest('h')})
    ),
    r as (
      select k.organisation_id::text as org, ${dayOf('r.created_at')} as day, r.kind, r.status
      from helpline_referral r
      join helpline_case k on k.id = r.case_id
      left join help_request h on h.id = k.help_request_id
      where ${selected(selection, 'r.created_at', 'r.created_at')}
        and (k.help_request_id is null or ${countableHelpRequest('h')})
    )
    select org as organisation_id, 'desk' as source, day::text as day, dimension, value, count(*)::int as n, coalesce(sum(minutes), 0) as total
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
  `;
}

/**
 * Protection orders, per court: applications by the day they were submitted (accepted, decided, time from
 * acceptance to decision against the legal limit — 24 h when urgent, 72 h otherwise — and whether the order
 * was served on the respondent), and violations by the day they were reported. Always folded by days (few
 * records, and their state changes after submission).
 */
export function orderFacts(start: Date, end: Date) {
  return sql<FactRow>`
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
    select org as organisation_id, 'orders' as source, day::text as day, dimension, value, count(*)::int as n, coalesce(sum(hours), 0) as total
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
  `;
}

/** The help module's anonymous per-day usage totals (already anonymous counts; copied as they are). */
export function usageFacts(from: string, to: string) {
  return sql<FactRow>`
    select '' as organisation_id, 'usage' as source, u.day::text as day, m.dimension, u.channel as value, m.n, 0 as total
    from help_usage_day u
    cross join lateral (values ('opens', u.opens), ('users', u.users), ('new_users', u.new_users), ('page_views', u.page_views)) as m(dimension, n)
    where u.day >= ${from}::date and u.day <= ${to}::date
  `;
}
