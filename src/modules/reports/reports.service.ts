/**
 * The work report: every figure for a period and the period of the same length before it, read from the
 * daily rollups (never from the records themselves), labelled in the report language and, for anything
 * published or exported, with small counts suppressed (reports.suppress.ts). Definitions of every figure are
 * in docs/work-report.md.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Locale } from '../../platform/i18n/catalog.ts';
import {
  AGE_BANDS,
  GENDERS,
  PROVINCES,
  RELATIONSHIPS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
} from '../help/help.model.ts';
import { USAGE_CHANNELS } from '../help/help.usage.ts';
import { CLOSING_OUTCOMES, REFERRAL_KINDS, REFERRAL_STATUSES } from '../helpline/helpline.model.ts';
import { CHANNELS as ORDER_CHANNELS, ENFORCEMENT } from '../orders/orders.model.ts';
import { FORM_GROUPS, RESPONSE_BUCKETS, SOURCES, addDays, chinaDayOf, rollupsAsOf } from './reports.fold.ts';
import { reportsEn, reportsZh, type ReportsMessageKey } from './reports.messages.ts';
import type { BreakdownT, CrossTabT, FigureT, WorkReportT } from './reports.schemas.ts';
import { gridOf, kindsOf, shareOf, suppressCount, suppressGrid, suppressList } from './reports.suppress.ts';

export const MAX_PERIOD_DAYS = 366;
/** Periods up to this many days are charted per day, longer ones per month. */
const DAILY_SERIES_MAX_DAYS = 62;

export interface WorkReportRequest {
  from: string;
  to: string;
  /** null: all organisations (platform admins). */
  organisationId: string | null;
  organisationName: string;
  locale: Locale;
  /** Counts 1 … threshold−1 are hidden; 1 hides nothing (internal view). */
  threshold: number;
  now?: Date;
}

export function reportText(
  locale: Locale,
  key: ReportsMessageKey,
  params?: Record<string, string | number>,
): string {
  const template = (locale === 'en' ? reportsEn : reportsZh)[key];
  return params
    ? template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
    : template;
}

/** Label of a dimension value; unknown codes are shown as they are. */
function labelOf(locale: Locale, prefix: string, key: string): string {
  if (prefix === 'region') {
    const province = PROVINCES.find((p) => p.code === key);
    if (province) return locale === 'en' ? province.en : province.zh;
  }
  const messages = locale === 'en' ? reportsEn : reportsZh;
  return (messages as Record<string, string>)[`reports.${prefix}.${key}`] ?? key;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** A valid period: from ≤ to, at most 366 days, real calendar days. */
/** A real calendar date (YYYY-MM-DD): 2026-19-33 has the shape but no day, and no ISO string to compare with. */
export function isCalendarDate(d: string): boolean {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(d) ? Date.parse(`${d}T00:00:00Z`) : NaN;
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === d;
}

export function isValidPeriod(from: string, to: string): boolean {
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) return false;
  return daysBetween(from, to) <= MAX_PERIOD_DAYS;
}

/** The default period: the last full 12 months up to yesterday… simply the 365 days ending today (China time). */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const to = chinaDayOf(now);
  return { from: addDays(to, -364), to };
}

type Period = 'cur' | 'prev';
interface Fact {
  n: number;
  total: number;
}

class Facts {
  private readonly map = new Map<string, Fact>();
  add(period: Period, source: string, dimension: string, value: string, n: number, total: number): void {
    this.map.set(`${period}|${source}|${dimension}|${value}`, { n, total });
  }
  n(period: Period, source: string, dimension: string, value = ''): number {
    return this.map.get(`${period}|${source}|${dimension}|${value}`)?.n ?? 0;
  }
  sumTotal(period: Period, source: string, dimension: string, value = ''): number {
    return this.map.get(`${period}|${source}|${dimension}|${value}`)?.total ?? 0;
  }
  /** Every value of a dimension seen in either period. */
  values(source: string, dimension: string): string[] {
    const found = new Set<string>();
    for (const key of this.map.keys()) {
      const [, s, d, v] = key.split('|') as [string, string, string, ...string[]];
      if (s === source && d === dimension) found.add(key.split('|').slice(3).join('|'));
      void v;
    }
    return [...found];
  }
  sumDimension(period: Period, source: string, dimension: string): number {
    let sum = 0;
    for (const [key, fact] of this.map)
      if (key.startsWith(`${period}|${source}|${dimension}|`)) sum += fact.n;
    return sum;
  }
}

function figure(value: number | null, previous: number | null): FigureT {
  const change = value !== null && previous !== null && previous !== 0 ? (value - previous) / previous : null;
  return { value, previous, change };
}

export async function buildWorkReport(db: Db, request: WorkReportRequest): Promise<WorkReportT> {
  const { from, to, locale, threshold } = request;
  const days = daysBetween(from, to);
  const prevTo = addDays(from, -1);
  const prevFrom = addDays(from, -days);
  const orgs = request.organisationId === null ? null : ['', request.organisationId];
  const t = (key: ReportsMessageKey, params?: Record<string, string | number>) =>
    reportText(locale, key, params);
  const k = threshold;
  const suppress = k > 1;

  const rows = await db
    .selectFrom('report_fact_day')
    .select([
      sql<Period>`case when day >= ${from}::date then 'cur' else 'prev' end`.as('period'),
      'source',
      'dimension',
      'value',
      sql<string>`sum(n)`.as('n'),
      sql<number>`sum(total)`.as('total'),
    ])
    .where('source', 'in', [...SOURCES])
    .$if(orgs !== null, (q) => q.where('organisation_id', 'in', orgs ?? []))
    .where('day', '>=', prevFrom)
    .where('day', '<=', to)
    .groupBy([sql`1`, 'source', 'dimension', 'value'])
    .execute();
  const facts = new Facts();
  for (const r of rows) facts.add(r.period, r.source, r.dimension, r.value, Number(r.n), Number(r.total));

  const granularity: 'day' | 'month' = days <= DAILY_SERIES_MAX_DAYS ? 'day' : 'month';
  const seriesRows = await db
    .selectFrom('report_fact_day')
    .select([
      sql<string>`to_char(day, ${granularity === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'})`.as('point'),
      'source',
      'dimension',
      sql<string>`sum(n)`.as('n'),
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('source', '=', 'help'), eb('dimension', '=', 'total')]),
        eb.and([eb('source', '=', 'usage'), eb('dimension', 'in', ['opens', 'new_users'])]),
      ]),
    )
    .$if(orgs !== null, (q) => q.where('organisation_id', 'in', orgs ?? []))
    .where('day', '>=', from)
    .where('day', '<=', to)
    .groupBy([sql`1`, 'source', 'dimension'])
    .execute();

  // ---- headline counts ----
  const totalRaw = { cur: facts.n('cur', 'help', 'total'), prev: facts.n('prev', 'help', 'total') };
  const total = {
    cur: suppress ? suppressCount(totalRaw.cur, k) : totalRaw.cur,
    prev: suppress ? suppressCount(totalRaw.prev, k) : totalRaw.prev,
  };

  /**
   * Counts by one dimension. Single-valued breakdowns add up to their base (all requests, all calls …), so
   * they are suppressed as one line with it; multiple-valued ones (forms) cell by cell. Usage is not suppressed.
   */
  const breakdown = (
    id: string,
    titleKey: ReportsMessageKey,
    dimension: string,
    keys: readonly string[],
    prefix: string,
    options: {
      multiple?: boolean;
      sort?: boolean;
      source?: string;
      base?: Record<Period, number>;
      headline?: readonly string[];
    } = {},
  ): BreakdownT => {
    const source = options.source ?? 'help';
    const seen = facts.values(source, dimension);
    let ordered = [...keys, ...seen.filter((v) => !keys.includes(v)).sort()];
    if (options.sort)
      ordered = ordered
        .filter((v) => seen.includes(v))
        .sort(
          (a, b) =>
            facts.n('cur', source, dimension, b) - facts.n('cur', source, dimension, a) || a.localeCompare(b),
        );
    const raw = (period: Period) => ordered.map((v) => facts.n(period, source, dimension, v));
    const baseRaw =
      options.base ??
      (source === 'help'
        ? totalRaw
        : {
            cur: facts.sumDimension('cur', source, dimension),
            prev: facts.sumDimension('prev', source, dimension),
          });
    const suppressHere = suppress && source !== 'usage';
    const publish = (period: Period): { counts: (number | null)[]; total: number | null } => {
      const counts = raw(period);
      if (!suppressHere) return { counts, total: baseRaw[period] };
      if (options.multiple)
        return { counts: counts.map((c) => suppressCount(c, k)), total: suppressCount(baseRaw[period], k) };
      return suppressList(
        counts,
        k,
        Math.max(
          baseRaw[period],
          counts.reduce((a, b) => a + b, 0),
        ),
        kindsOf(ordered, options.headline),
      );
    };
    const cur = publish('cur');
    const prev = publish('prev');
    return {
      id,
      title: t(titleKey),
      multiple: options.multiple ?? false,
      base: cur.total,
      rows: ordered.map((key, i) => ({
        key,
        label: labelOf(locale, prefix, key),
        count: cur.counts[i] ?? null,
        share: shareOf(cur.counts[i] ?? null, cur.total),
        previous: prev.counts[i] ?? null,
      })),
    };
  };

  const crossTab = (
    id: string,
    titleKey: ReportsMessageKey,
    dimension: string,
    rowKeys: readonly string[],
    rowPrefix: string,
    colKeys: readonly string[],
    colPrefix: string,
    source = 'help',
    headlineRows: readonly string[] = [],
  ) => {
    const grid = (period: Period) =>
      gridOf(rowKeys.map((r) => colKeys.map((c) => facts.n(period, source, dimension, `${r}|${c}`))));
    const kinds = { rows: kindsOf(rowKeys, headlineRows), cols: kindsOf(colKeys) };
    const publish = (period: Period) => {
      const g = grid(period);
      return suppress
        ? suppressGrid(g, k, kinds)
        : { cells: g.cells, rowTotals: g.rowTotals, colTotals: g.colTotals, total: g.total };
    };
    const cur = publish('cur');
    const prev = publish('prev');
    const tab: CrossTabT = {
      id,
      title: t(titleKey),
      rows: rowKeys.map((key) => ({ key, label: labelOf(locale, rowPrefix, key) })),
      columns: colKeys.map((key) => ({ key, label: labelOf(locale, colPrefix, key) })),
      cells: cur.cells,
      rowTotals: cur.rowTotals,
      columnTotals: cur.colTotals,
      total: cur.total,
    };
    return { tab, cur, prev };
  };

  const ages = [...AGE_BANDS, 'not_said'];
  const ageGender = crossTab(
    'ageGender',
    'reports.help.ageGender',
    'age_gender',
    ages,
    'age',
    GENDERS,
    'gender',
  );
  const marginBreakdown = (
    id: string,
    titleKey: ReportsMessageKey,
    keys: readonly string[],
    prefix: string,
    cur: (number | null)[],
    prev: (number | null)[],
    whole: number | null = total.cur,
  ): BreakdownT => ({
    id,
    title: t(titleKey),
    multiple: false,
    base: whole,
    rows: keys.map((key, i) => ({
      key,
      label: labelOf(locale, prefix, key),
      count: cur[i] ?? null,
      share: shareOf(cur[i] ?? null, whole),
      previous: prev[i] ?? null,
    })),
  });
  const byAgeBand = marginBreakdown(
    'byAgeBand',
    'reports.help.byAgeBand',
    ages,
    'age',
    ageGender.cur.rowTotals,
    ageGender.prev.rowTotals,
  );
  const byGender = marginBreakdown(
    'byGender',
    'reports.help.byGender',
    GENDERS,
    'gender',
    ageGender.cur.colTotals,
    ageGender.prev.colTotals,
  );

  const minorGender = crossTab(
    'minorGender',
    'reports.help.minorGender',
    'minor_gender',
    ['minor', 'adult', 'unknown'],
    'minor',
    GENDERS,
    'gender',
    'help',
    ['minor'],
  );
  const groupByGender = (row: number, id: string, titleKey: ReportsMessageKey): BreakdownT => {
    const whole = minorGender.cur.rowTotals[row] ?? null;
    return {
      id,
      title: t(titleKey),
      multiple: false,
      base: whole,
      rows: GENDERS.map((g, c) => {
        const count = minorGender.cur.cells[row]?.[c] ?? null;
        return {
          key: g,
          label: labelOf(locale, 'gender', g),
          count,
          share: shareOf(count, whole),
          previous: minorGender.prev.cells[row]?.[c] ?? null,
        };
      }),
    };
  };
  const minorsCount = figure(minorGender.cur.rowTotals[0] ?? null, minorGender.prev.rowTotals[0] ?? null);
  const adultsCount = figure(minorGender.cur.rowTotals[1] ?? null, minorGender.prev.rowTotals[1] ?? null);

  // Physical with psychological: published as "both" and "physical only" adding up to "physical".
  const physicalRaw = facts.n('cur', 'help', 'form_group', 'physical');
  const bothRaw = facts.n('cur', 'help', 'form_group_pair', 'physical|psychological');
  const co = suppress
    ? suppressList([bothRaw, physicalRaw - bothRaw], k, physicalRaw, ['headline', 'normal'])
    : { counts: [bothRaw, physicalRaw - bothRaw], total: physicalRaw };

  const relationship = breakdown(
    'relationship',
    'reports.help.relationship',
    'relationship',
    [...RELATIONSHIPS, 'not_said'],
    'relationship',
    { headline: ['parent_to_child', 'child_to_parent'] },
  );
  const relCount = (key: string) => relationship.rows.find((r) => r.key === key)?.count ?? null;
  const p2c = relCount('parent_to_child');
  const c2p = relCount('child_to_parent');
  const parentChildCount = p2c !== null && c2p !== null ? p2c + c2p : null;

  const buckets = breakdown(
    'firstResponse',
    'reports.help.firstResponse',
    'first_response',
    [...RESPONSE_BUCKETS.map((b) => b.key), 'none'],
    'response',
  );
  const bucketCount = (key: string) => buckets.rows.find((r) => r.key === key)?.count ?? null;
  const noneRaw = facts.n('cur', 'help', 'first_response', 'none');
  const answeredRaw = totalRaw.cur - noneRaw;
  const unanswered = bucketCount('none');
  const answered = total.cur !== null && unanswered !== null ? total.cur - unanswered : null;
  const withinDayParts = ['lt_1h', 'lt_4h', 'lt_24h'].map(bucketCount);
  const withinDay = withinDayParts.every((v) => v !== null)
    ? withinDayParts.reduce<number>((a, b) => a + (b ?? 0), 0)
    : null;
  let minutes = 0;
  for (const b of RESPONSE_BUCKETS) minutes += facts.sumTotal('cur', 'help', 'first_response', b.key);
  const averageHours = answeredRaw > 0 && (!suppress || answeredRaw >= k) ? minutes / answeredRaw / 60 : null;

  // ---- usage ----
  const usageSum = (period: Period, dimension: string) =>
    USAGE_CHANNELS.reduce((a, c) => a + facts.n(period, 'usage', dimension, c), 0) +
    facts
      .values('usage', dimension)
      .filter((v) => !(USAGE_CHANNELS as readonly string[]).includes(v))
      .reduce((a, v) => a + facts.n(period, 'usage', dimension, v), 0);
  const perDay = (v: number | null) => (v === null ? null : v / days);
  const usageFigure = (dimension: string, divide = false) => {
    const cur = usageSum('cur', dimension);
    const prev = usageSum('prev', dimension);
    return divide ? figure(cur / days, prev / days) : figure(cur, prev);
  };

  // ---- series ----
  const points = new Map<string, { helpRequests: number; opens: number; newUsers: number }>();
  for (const r of seriesRows) {
    const point = points.get(r.point) ?? { helpRequests: 0, opens: 0, newUsers: 0 };
    if (r.source === 'help') point.helpRequests += Number(r.n);
    else if (r.dimension === 'opens') point.opens += Number(r.n);
    else point.newUsers += Number(r.n);
    points.set(r.point, point);
  }
  const periods: string[] = [];
  if (granularity === 'day') for (let d = from; d <= to; d = addDays(d, 1)) periods.push(d);
  else for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = nextMonth(m)) periods.push(m);
  const helpSeriesRaw = periods.map((p) => points.get(p)?.helpRequests ?? 0);
  const helpSeries = suppress ? suppressList(helpSeriesRaw, k, totalRaw.cur).counts : helpSeriesRaw;

  // ---- hotline calls, the NGO desk, protection orders ----
  const publishCount = (v: number) => (suppress ? suppressCount(v, k) : v);
  const rawPair = (source: string, dimension: string, value = '') => ({
    cur: facts.n('cur', source, dimension, value),
    prev: facts.n('prev', source, dimension, value),
  });
  const figureOf = (raw: Record<Period, number>) => figure(publishCount(raw.cur), publishCount(raw.prev));
  /** An average over `n` records, published only when `n` itself is. */
  const averageOf = (sum: number, n: number, divide = 1) =>
    n > 0 && (!suppress || n >= k) ? sum / n / divide : null;

  const hotRaw = rawPair('hotline', 'total');
  const hotTotal = figureOf(hotRaw);
  const hotAgeGender = crossTab(
    'hotlineAgeGender',
    'reports.hotline.ageGender',
    'age_gender',
    ages,
    'age',
    GENDERS,
    'gender',
    'hotline',
  );
  const hotMinorGender = crossTab(
    'hotlineMinorGender',
    'reports.hotline.minorGender',
    'minor_gender',
    ['minor', 'adult', 'unknown'],
    'minor',
    GENDERS,
    'gender',
    'hotline',
    ['minor'],
  );
  const hotMinors = hotMinorGender.cur.rowTotals[0] ?? null;
  const hotlineCalls = {
    total: hotTotal,
    perDay: figure(perDay(hotTotal.value), perDay(hotTotal.previous)),
    averageMinutes: averageOf(facts.sumTotal('cur', 'hotline', 'total'), hotRaw.cur),
    byType: breakdown('hotlineByType', 'reports.hotline.byType', 'type', REQUEST_TYPES, 'type', {
      source: 'hotline',
      base: hotRaw,
    }),
    byRegion: breakdown('hotlineByRegion', 'reports.hotline.byRegion', 'region', [], 'region', {
      source: 'hotline',
      base: hotRaw,
      sort: true,
    }),
    byAgeBand: marginBreakdown(
      'hotlineByAgeBand',
      'reports.hotline.byAgeBand',
      ages,
      'age',
      hotAgeGender.cur.rowTotals,
      hotAgeGender.prev.rowTotals,
      hotTotal.value,
    ),
    byGender: marginBreakdown(
      'hotlineByGender',
      'reports.hotline.byGender',
      GENDERS,
      'gender',
      hotAgeGender.cur.colTotals,
      hotAgeGender.prev.colTotals,
      hotTotal.value,
    ),
    ageGender: hotAgeGender.tab,
    minorGender: hotMinorGender.tab,
    minors: { count: hotMinors, share: shareOf(hotMinors, hotTotal.value) },
    followUp: breakdown('hotlineFollowUp', 'reports.hotline.followUp', 'follow_up', ['yes', 'no'], 'yesno', {
      source: 'hotline',
      base: hotRaw,
    }),
  };

  const casesRaw = rawPair('desk', 'total');
  const closedRaw = rawPair('desk', 'closed');
  const referralsRaw = {
    cur: facts.sumDimension('cur', 'desk', 'referral_kind'),
    prev: facts.sumDimension('prev', 'desk', 'referral_kind'),
  };
  const deskResponse = breakdown(
    'deskFirstResponse',
    'reports.desk.firstResponse',
    'first_response',
    [...RESPONSE_BUCKETS.map((b) => b.key), 'none'],
    'response',
    { source: 'desk', base: casesRaw },
  );
  const deskBucket = (key: string) => deskResponse.rows.find((r) => r.key === key)?.count ?? null;
  const deskWithinDayParts = ['lt_1h', 'lt_4h', 'lt_24h'].map(deskBucket);
  const deskNone = deskBucket('none');
  const deskResponded = deskResponse.base !== null && deskNone !== null ? deskResponse.base - deskNone : null;
  const deskRespondedRaw = casesRaw.cur - facts.n('cur', 'desk', 'first_response', 'none');
  let deskResponseMinutes = 0;
  for (const b of RESPONSE_BUCKETS)
    deskResponseMinutes += facts.sumTotal('cur', 'desk', 'first_response', b.key);
  const desk = {
    cases: figureOf(casesRaw),
    bySource: breakdown(
      'deskBySource',
      'reports.desk.bySource',
      'case_source',
      ['online', 'callback', 'hotline'],
      'caseSource',
      { source: 'desk', base: casesRaw },
    ),
    firstResponse: {
      withinDayShare: deskWithinDayParts.every((v) => v !== null)
        ? shareOf(
            deskWithinDayParts.reduce<number>((a, b) => a + (b ?? 0), 0),
            deskResponded,
          )
        : null,
      averageHours: averageOf(deskResponseMinutes, deskRespondedRaw, 60),
      buckets: deskResponse,
    },
    closed: figureOf(closedRaw),
    averageDaysToClose: averageOf(facts.sumTotal('cur', 'desk', 'closed'), closedRaw.cur, 1440),
    timeToClose: breakdown(
      'deskTimeToClose',
      'reports.desk.timeToClose',
      'close_time',
      RESPONSE_BUCKETS.map((b) => b.key),
      'response',
      { source: 'desk', base: closedRaw },
    ),
    outcomes: breakdown('deskOutcomes', 'reports.desk.outcomes', 'outcome', CLOSING_OUTCOMES, 'outcome', {
      source: 'desk',
      base: closedRaw,
    }),
    referrals: figureOf(referralsRaw),
    referralsByKind: breakdown(
      'referralsByKind',
      'reports.desk.referralsByKind',
      'referral_kind',
      REFERRAL_KINDS,
      'referral',
      { source: 'desk', base: referralsRaw },
    ),
    referralsByStatus: breakdown(
      'referralsByStatus',
      'reports.desk.referralsByStatus',
      'referral_status',
      REFERRAL_STATUSES,
      'referralStatus',
      { source: 'desk', base: referralsRaw },
    ),
  };

  const appliedRaw = rawPair('orders', 'applied');
  const grantedRaw = rawPair('orders', 'decision', 'granted');
  const rejectedRaw = rawPair('orders', 'decision', 'rejected');
  const decidedRaw = { cur: grantedRaw.cur + rejectedRaw.cur, prev: grantedRaw.prev + rejectedRaw.prev };
  const decisionTime = breakdown(
    'timeToDecision',
    'reports.orders.timeToDecision',
    'decision_time',
    ['lt_1h', 'lt_24h', 'lt_72h', 'gte_72h'],
    'decisionTime',
    { source: 'orders', base: decidedRaw },
  );
  // Granted and rejected add up to the decided: suppressed together, so neither follows from the other.
  const decisions = suppress
    ? suppressList([grantedRaw.cur, rejectedRaw.cur], k)
    : { counts: [grantedRaw.cur, rejectedRaw.cur], total: decidedRaw.cur };
  const decisionsPrev = suppress
    ? suppressList([grantedRaw.prev, rejectedRaw.prev], k)
    : { counts: [grantedRaw.prev, rejectedRaw.prev], total: decidedRaw.prev };
  const limit = suppress
    ? suppressList(
        [
          facts.n('cur', 'orders', 'decision_limit', 'within'),
          facts.n('cur', 'orders', 'decision_limit', 'over'),
        ],
        k,
      )
    : {
        counts: [
          facts.n('cur', 'orders', 'decision_limit', 'within'),
          facts.n('cur', 'orders', 'decision_limit', 'over'),
        ],
        total: facts.sumDimension('cur', 'orders', 'decision_limit'),
      };
  const violationsRaw = rawPair('orders', 'violation');
  const protectionOrders = {
    applied: figureOf(appliedRaw),
    accepted: figureOf(rawPair('orders', 'accepted')),
    granted: figure(decisions.counts[0] ?? null, decisionsPrev.counts[0] ?? null),
    rejected: figure(decisions.counts[1] ?? null, decisionsPrev.counts[1] ?? null),
    grantedShare: shareOf(decisions.counts[0] ?? null, decisions.total),
    urgent: publishCount(facts.n('cur', 'orders', 'urgent', 'yes')),
    byChannel: breakdown(
      'ordersByChannel',
      'reports.orders.byChannel',
      'channel',
      ORDER_CHANNELS,
      'orderChannel',
      { source: 'orders', base: appliedRaw },
    ),
    decidedWithinLimit: limit.counts[0] ?? null,
    decidedOverLimit: limit.counts[1] ?? null,
    withinLimitShare: shareOf(limit.counts[0] ?? null, limit.total),
    averageHoursToDecision: averageOf(
      facts.sumTotal('cur', 'orders', 'decision', 'granted') +
        facts.sumTotal('cur', 'orders', 'decision', 'rejected'),
      decidedRaw.cur,
    ),
    timeToDecision: decisionTime,
    served: figureOf(rawPair('orders', 'served')),
    violations: figureOf(violationsRaw),
    violationOutcomes: breakdown(
      'violationOutcomes',
      'reports.orders.violationOutcomes',
      'violation_outcome',
      ENFORCEMENT,
      'enforcement',
      { source: 'orders', base: violationsRaw },
    ),
  };

  const asOf = await rollupsAsOf(db);
  return {
    period: { from, to, days },
    previousPeriod: { from: prevFrom, to: prevTo },
    organisation: { id: request.organisationId, name: request.organisationName },
    language: locale,
    generatedAt: (request.now ?? new Date()).toISOString(),
    rollupsAsOf: asOf ? asOf.toISOString() : null,
    suppression: { applied: suppress, threshold: k },
    series: {
      granularity,
      points: periods.map((p, i) => ({
        period: p,
        helpRequests: helpSeries[i] ?? null,
        opens: points.get(p)?.opens ?? 0,
        newUsers: points.get(p)?.newUsers ?? 0,
      })),
    },
    usage: {
      users: usageFigure('new_users'),
      opens: usageFigure('opens'),
      newUsersPerDay: usageFigure('new_users', true),
      opensPerDay: usageFigure('opens', true),
      averageDailyUsers: usageFigure('users', true),
      pageViews: usageFigure('page_views'),
      byChannel: breakdown('byChannel', 'reports.usage.byChannel', 'opens', USAGE_CHANNELS, 'channel', {
        source: 'usage',
      }),
    },
    helpRequests: {
      total: figure(total.cur, total.prev),
      perDay: figure(perDay(total.cur), perDay(total.prev)),
      assessedBy: breakdown(
        'assessedBy',
        'reports.help.assessedBy',
        'assessed_by',
        ['desk', 'self'],
        'assessedBy',
      ),
      byType: breakdown('byType', 'reports.help.byType', 'type', REQUEST_TYPES, 'type'),
      byRegion: breakdown('byRegion', 'reports.help.byRegion', 'region', [], 'region', { sort: true }),
      byAgeBand,
      byGender,
      ageGender: ageGender.tab,
      minorGender: minorGender.tab,
      minors: {
        count: minorsCount,
        share: shareOf(minorsCount.value, total.cur),
        byGender: groupByGender(0, 'minorsByGender', 'reports.help.minorsByGender'),
      },
      adults: {
        count: adultsCount,
        share: shareOf(adultsCount.value, total.cur),
        byGender: groupByGender(1, 'adultsByGender', 'reports.help.adultsByGender'),
      },
      forms: breakdown('forms', 'reports.help.forms', 'form', VIOLENCE_FORMS, 'form', { multiple: true }),
      formGroups: breakdown('formGroups', 'reports.help.formGroups', 'form_group', FORM_GROUPS, 'form', {
        multiple: true,
      }),
      formGroupPairs: pairBreakdown(),
      physicalWithPsychological: {
        physical: co.total,
        both: co.counts[0] ?? null,
        share: shareOf(co.counts[0] ?? null, co.total),
      },
      relationship,
      parentChild: { count: parentChildCount, share: shareOf(parentChildCount, total.cur) },
      childrenWitnessed: breakdown(
        'childrenWitnessed',
        'reports.help.childrenWitnessed',
        'children_witnessed',
        ['yes', 'no', 'not_said'],
        'witnessed',
        { headline: ['yes'] },
      ),
      danger: breakdown(
        'danger',
        'reports.help.danger',
        'danger',
        ['high', 'increased', 'variable', 'not_assessed'],
        'danger',
      ),
      firstResponse: {
        answered,
        unanswered,
        withinDayShare: shareOf(withinDay, answered),
        averageHours,
        buckets,
      },
    },
    hotlineCalls,
    desk,
    protectionOrders,
  };

  function pairBreakdown(): BreakdownT {
    const keys: string[] = [];
    for (const a of FORM_GROUPS) for (const b of FORM_GROUPS) if (a < b) keys.push(`${a}|${b}`);
    const present = keys.filter(
      (key) =>
        facts.n('cur', 'help', 'form_group_pair', key) > 0 ||
        facts.n('prev', 'help', 'form_group_pair', key) > 0,
    );
    present.sort(
      (x, y) =>
        facts.n('cur', 'help', 'form_group_pair', y) - facts.n('cur', 'help', 'form_group_pair', x) ||
        x.localeCompare(y),
    );
    return {
      id: 'formGroupPairs',
      title: t('reports.help.formPairs'),
      multiple: true,
      base: total.cur,
      rows: present.map((key) => {
        const cur = facts.n('cur', 'help', 'form_group_pair', key);
        const prev = facts.n('prev', 'help', 'form_group_pair', key);
        const count = suppress ? suppressCount(cur, k) : cur;
        const [a = '', b = ''] = key.split('|');
        return {
          key,
          label: `${labelOf(locale, 'form', a)} + ${labelOf(locale, 'form', b)}`,
          count,
          share: shareOf(count, total.cur),
          previous: suppress ? suppressCount(prev, k) : prev,
        };
      }),
    };
  }
}

function nextMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
