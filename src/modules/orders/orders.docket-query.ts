/**
 * The court's docket as a list (issue 14): its applications by time left on the legal clock, filtered by
 * clock state (on time / amber / red: `ok`, `warning`, `breached`), urgency, status, a name (applicant or
 * respondent, through the blind index) and the receipt or case number, one page at a time (keyset cursor
 * over due time, filing time and id, so a walk repeats and skips nothing while rows are added).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import {
  clockState,
  RULING_HOURS,
  RULING_WARNING_FRACTION,
  timeLeft,
  type ClockState,
} from './orders.model.ts';
import type { AuditActor } from '../../platform/audit.ts';
import { auditListRead, decodeCursor, pageOf, receiptPrefix } from './orders.lists.ts';
import type { OrdersSearchIndex } from './orders.search-index.ts';
import type { DocketRow } from './orders.service.ts';

export const DOCKET_STATUSES = ['submitted', 'accepted', 'returned', 'granted', 'rejected'] as const;
export const CLOCK_STATES = ['ok', 'warning', 'breached'] as const;

export interface DocketFilters {
  clock?: ClockState;
  urgent?: boolean;
  /** Default: the open docket (submitted and accepted). */
  status?: (typeof DOCKET_STATUSES)[number][];
  /** Applicant's or respondent's name (exact, after normalising). */
  name?: string;
  receiptNumber?: string;
  caseNumber?: string;
}

export interface DocketPage {
  items: (DocketRow & { minutesLeft: number | null })[];
  nextCursor: string | null;
}

const warnAfterHours = (urgent: boolean) =>
  (urgent ? RULING_HOURS.urgent : RULING_HOURS.normal) * (1 - RULING_WARNING_FRACTION);

export async function listDocketPage(
  db: Db,
  search: OrdersSearchIndex,
  now: Date,
  courtId: string,
  filters: DocketFilters,
  page: { cursor?: string; limit: number },
): Promise<DocketPage> {
  const after = decodeCursor(page.cursor, ['time', 'time', 'uuid']);
  const prefix = filters.receiptNumber ? receiptPrefix(filters.receiptNumber) : undefined;
  const due = sql<string>`coalesce(a.ruling_due_at, 'infinity'::timestamptz)`;
  const filed = sql<string>`coalesce(a.submitted_at, a.created_at)`;
  // When the amber warning starts: the same point as `rulingWarningAt` (a quarter of the clock left).
  const warnAt = sql`a.accepted_at + make_interval(hours => case when a.urgent then ${warnAfterHours(true)}::int else ${warnAfterHours(false)}::int end)`;
  let query = db
    .selectFrom('order_application as a')
    .select([
      'a.id',
      'a.case_number',
      'a.status',
      'a.urgent',
      'a.channel',
      'a.submitted_at',
      'a.accepted_at',
      'a.ruling_due_at',
    ])
    .select(sql<string>`${due}::text`.as('k_due'))
    .select(sql<string>`${filed}::text`.as('k_filed'))
    .select(
      sql<string>`(select count(*) filter (where t.status = 'submitted') || '/' || count(*) from order_review_task t where t.application_id = a.id)`.as(
        'reviews',
      ),
    )
    .where('a.court_id', '=', courtId)
    .where('a.status', 'in', filters.status?.length ? filters.status : ['submitted', 'accepted']);
  if (filters.urgent !== undefined) query = query.where('a.urgent', '=', filters.urgent);
  if (filters.caseNumber) query = query.where('a.case_number', '=', filters.caseNumber.trim());
  if (prefix) query = query.where(sql<boolean>`a.id::text like ${`${prefix}%`}`);
  if (filters.name) {
    const applicant = search.queryTerm('applicant_name', filters.name);
    const respondent = search.queryTerm('respondent_name', filters.name);
    if (!applicant || !respondent) return { items: [], nextCursor: null };
    query = query.where((eb) =>
      eb.or([
        eb('a.id', 'in', search.matching(db, 'applicant_name', applicant)),
        eb('a.id', 'in', search.matching(db, 'respondent_name', respondent)),
      ]),
    );
  }
  if (filters.clock) {
    const clocked = sql<boolean>`a.ruling_due_at is not null and a.accepted_at is not null`;
    query = query.where(
      filters.clock === 'breached'
        ? sql<boolean>`${clocked} and a.ruling_due_at <= ${now}`
        : filters.clock === 'warning'
          ? sql<boolean>`${clocked} and a.ruling_due_at > ${now} and ${warnAt} <= ${now}`
          : sql<boolean>`${clocked} and a.ruling_due_at > ${now} and ${warnAt} > ${now}`,
    );
  }
  if (after)
    query = query.where(
      sql<boolean>`(${due}, ${filed}, a.id) > (${after[0]}::timestamptz, ${after[1]}::timestamptz, ${after[2]}::uuid)`,
    );
  const rows = await query
    .orderBy(due)
    .orderBy(filed)
    .orderBy('a.id')
    .limit(page.limit + 1)
    .execute();
  const { rows: shown, nextCursor } = pageOf(rows, page.limit, (r) => [r.k_due, r.k_filed, r.id]);
  return {
    nextCursor,
    items: shown.map((r) => ({
      id: r.id,
      caseNumber: r.case_number,
      status: r.status,
      urgent: r.urgent,
      channel: r.channel,
      submittedAt: r.submitted_at,
      acceptedAt: r.accepted_at,
      rulingDueAt: r.ruling_due_at,
      clock:
        r.ruling_due_at && r.accepted_at ? clockState(r.ruling_due_at, r.accepted_at, r.urgent, now) : null,
      timeLeft: r.ruling_due_at ? timeLeft(r.ruling_due_at, now) : null,
      minutesLeft: r.ruling_due_at ? Math.round((r.ruling_due_at.getTime() - now.getTime()) / 60_000) : null,
      reviewsDone: Number(r.reviews.split('/')[0]),
      reviewsTotal: Number(r.reviews.split('/')[1]),
    })),
  };
}

/**
 * The docket as the court reads it, from the API (listDocket) and the docket page alike: one page of the list,
 * its read audited (the filters' names and each case shown).
 */
export async function readDocket(
  db: Db,
  search: OrdersSearchIndex,
  now: Date,
  reader: { courtId: string; audit: AuditActor },
  filters: DocketFilters,
  page: { cursor?: string; limit: number },
): Promise<DocketPage> {
  const result = await listDocketPage(db, search, now, reader.courtId, filters, page);
  await auditListRead(
    db,
    reader.audit,
    'docket',
    'orders.docket.list',
    { ...filters },
    result.items.map((r) => ({ type: 'order_application', id: r.id })),
  );
  return result;
}
