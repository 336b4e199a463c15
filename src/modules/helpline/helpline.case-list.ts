/**
 * The desk's lists for the JSON API (issue 14): every case the caller may see, newest first, filtered the ways
 * staff look for one (her case code when she phones in, status, danger level, assignee); the triage queue and
 * the hotline calls page by page. Cursors are opaque (src/platform/cursor.ts) and keyset-based, so a walk
 * over the pages neither repeats nor skips an item while cases arrive.
 *
 * Need-to-know exactly as the pages: only the caller's organisation; a lawyer or caseworker (scope `assigned`)
 * sees only the cases assigned to them, the supervisor every case of the organisation. Every case a list
 * shows is written to the audit trail as read.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { decodeCursor, encodeCursor, isDbTimestamp, pageSize } from '../../platform/cursor.ts';
import { AppError } from '../../platform/errors.ts';
import { CASE_CODE, normalizeCaseCode } from '../help/help.model.ts';
import { helpRequestIdByCaseCode } from '../help/help.desk-api.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { Scope } from '../../platform/access-policy.ts';
import { staffNames } from './helpline.directory.ts';
import { addDays, chinaInstant, compareTriage } from './helpline.model.ts';
import type { HelplineCore } from './helpline.core.ts';
import type { DeskActor, HotlineCall, QueueItem } from './helpline.service.ts';

type Executor = Db | Transaction<Database>;

export interface DeskCaseListItem {
  caseId: string;
  source: string;
  status: string;
  dangerLevel: string | null;
  victimMinor: boolean | null;
  requestType: string | null;
  province: string | null;
  receivedAt: Date;
  assignedTo: { id: string; name: string } | null;
  closedAt: Date | null;
}

export interface DeskCaseFilter {
  /** Her case code as she says it (any case, separators); only in a body, never in a URL. */
  caseCode?: string;
  status?: 'new' | 'in_progress' | 'closed';
  dangerLevel?: string;
  /** An account id, or `unassigned`. */
  assignee?: string;
  cursor?: string;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Scopes up to `assigned` reach the cases assigned to the caller; wider ones the caller's organisation only. */
const assignedOnly = (scope: Scope): boolean => scope === 'assigned' || scope === 'own';

// ---- Repository ----

/** One page of an organisation's cases, newest first, keyset on (received_at, id); `limit + 1` rows. */
export async function queryDeskCases(
  db: Executor,
  organisationId: string,
  filter: {
    assignedTo?: string;
    unassigned?: boolean;
    helpRequestId?: string;
    status?: string;
    dangerLevel?: string;
    after?: { receivedAt: string; id: string };
    limit: number;
  },
) {
  let query = db
    .selectFrom('helpline_case')
    .select([
      'id',
      'source',
      'status',
      'danger_level',
      'victim_minor',
      'request_type',
      'province',
      'received_at',
      'assigned_account_id',
      'closed_at',
    ])
    // The exact stored instant (microseconds), so the cursor compares like the database does.
    .select(sql<string>`received_at::text`.as('received_key'))
    .where('organisation_id', '=', organisationId);
  if (filter.assignedTo) query = query.where('assigned_account_id', '=', filter.assignedTo);
  if (filter.unassigned) query = query.where('assigned_account_id', 'is', null);
  if (filter.helpRequestId) query = query.where('help_request_id', '=', filter.helpRequestId);
  if (filter.status) query = query.where('status', '=', filter.status as 'new');
  if (filter.dangerLevel) query = query.where('danger_level', '=', filter.dangerLevel);
  if (filter.after) {
    const after = filter.after;
    query = query.where(
      sql<boolean>`(received_at, id) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  return query
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** One page of hotline calls, newest first, keyset on (started_at, id); `limit + 1` rows. */
export async function queryHotlineCalls(
  db: Executor,
  organisationId: string,
  filter: {
    registeredBy?: string;
    from?: Date;
    before?: Date;
    after?: { startedAt: string; id: string };
    limit: number;
  },
) {
  let query = db
    .selectFrom('helpline_hotline_call')
    .selectAll()
    .select(sql<string>`started_at::text`.as('started_key'))
    .where('organisation_id', '=', organisationId);
  if (filter.registeredBy) query = query.where('registered_by', '=', filter.registeredBy);
  if (filter.from) query = query.where('started_at', '>=', filter.from);
  if (filter.before) query = query.where('started_at', '<', filter.before);
  if (filter.after) {
    const after = filter.after;
    query = query.where(
      sql<boolean>`(started_at, id) < (${after.startedAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  return query
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function keysetOf(cursor: string | undefined, time: 't', id: 'id') {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, [time, id]);
  if (!UUID.test(key.id) || !isDbTimestamp(key.t))
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'validation.format' }] });
  return key;
}

// ---- Use cases ----

/**
 * Every case the caller may see, newest first, one page. A case code that matches no request (or is not a
 * case code at all) finds nothing; nothing about other organisations' cases is revealed.
 */
export async function listDeskCases(
  db: Db,
  actor: DeskActor,
  scope: Scope,
  filter: DeskCaseFilter,
): Promise<Page<DeskCaseListItem>> {
  const limit = pageSize(filter.limit, 50, 100);
  const key = keysetOf(filter.cursor, 't', 'id');
  let helpRequestId: string | undefined;
  if (filter.caseCode !== undefined && filter.caseCode.trim() !== '') {
    const code = normalizeCaseCode(filter.caseCode.trim());
    helpRequestId = CASE_CODE.test(code) ? await helpRequestIdByCaseCode(db, code) : undefined;
    if (!helpRequestId) return { items: [], nextCursor: null };
  }
  if (filter.assignee !== undefined && filter.assignee !== 'unassigned' && !UUID.test(filter.assignee))
    throw new AppError('VALIDATION', { fields: [{ field: 'assignee', message: 'validation.format' }] });
  const mine = assignedOnly(scope);
  // A lawyer asking for someone else's (or unassigned) cases sees none of them: only hers are in her scope.
  if (mine && filter.assignee !== undefined && filter.assignee !== actor.accountId)
    return { items: [], nextCursor: null };
  const assignedTo = mine
    ? actor.accountId
    : filter.assignee !== undefined && filter.assignee !== 'unassigned'
      ? filter.assignee
      : undefined;
  const rows = await queryDeskCases(db, actor.organisationId, {
    ...(assignedTo ? { assignedTo } : {}),
    ...(filter.assignee === 'unassigned' ? { unassigned: true } : {}),
    ...(helpRequestId ? { helpRequestId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.dangerLevel ? { dangerLevel: filter.dangerLevel } : {}),
    ...(key ? { after: { receivedAt: key.t, id: key.id } } : {}),
    limit,
  });
  const page = rows.slice(0, limit);
  const names = await staffNames(db, actor.organisationId, [
    ...new Set(page.flatMap((r) => (r.assigned_account_id ? [r.assigned_account_id] : []))),
  ]);
  // Every case shown is a read of that case, on the audit trail.
  if (page.length > 0)
    await db.transaction().execute(async (trx) => {
      for (const r of page)
        await recordAudit(trx, {
          event: 'record.read',
          actor: actor.audit,
          record: { type: 'helpline_case', id: r.id },
          details: { action: 'helpline.case.list' },
        });
    });
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      caseId: r.id,
      source: r.source,
      status: r.status,
      dangerLevel: r.danger_level,
      victimMinor: r.victim_minor,
      requestType: r.request_type,
      province: r.province,
      receivedAt: r.received_at,
      assignedTo: r.assigned_account_id
        ? { id: r.assigned_account_id, name: names.get(r.assigned_account_id) ?? '' }
        : null,
      closedAt: r.closed_at,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.received_key, id: last.id }) : null,
  };
}

/** A queue item as listed: with its escalation (helpline.escalation.ts) when it has one. */
type Listed = QueueItem & { escalation?: { level: number } | null };

/** Escalated cases still unclaimed come first, the higher level first (helpline.escalation.ts). */
const escalationRank = (item: Listed): number =>
  item.assignedTo === null ? (item.escalation?.level ?? 0) : 0;

/** Triage order, made total by the case id (ties in danger, age and arrival). */
const triageOrder = (a: Listed, b: Listed): number =>
  escalationRank(b) - escalationRank(a) ||
  compareTriage(
    { dangerLevel: a.dangerLevel, isMinor: a.victimMinor, receivedAt: a.receivedAt },
    { dangerLevel: b.dangerLevel, isMinor: b.victimMinor, receivedAt: b.receivedAt },
  ) ||
  (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0);

/**
 * One page of the queue (already in triage order): the items after the cursor's item in that order. The
 * cursor holds the last item's sort key, not a position, so a case claimed meanwhile shifts nothing.
 */
/**
 * The queue position a cursor holds, or a VALIDATION error naming `cursor` — checked before the queue is read
 * (reading it takes new requests in), so a bad cursor changes nothing.
 */
export function queueCursor(cursor: string): Listed {
  const key = decodeCursor(cursor, ['e', 'd', 'm', 'r', 'id']);
  const receivedAt = new Date(key.r);
  const level = Number(key.e);
  if (
    Number.isNaN(receivedAt.getTime()) ||
    !['', 'true', 'false'].includes(key.m) ||
    !Number.isInteger(level) ||
    level < 0
  )
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'validation.format' }] });
  return {
    caseId: key.id,
    dangerLevel: key.d || null,
    victimMinor: key.m === '' ? null : key.m === 'true',
    receivedAt,
    assignedTo: null,
    escalation: level > 0 ? { level } : null,
  } as Listed;
}

export function pageQueue<T extends Listed>(
  items: T[],
  options: { cursor?: string; limit?: number },
): Page<T> {
  const limit = pageSize(options.limit, 100, 500);
  const sorted = [...items].sort(triageOrder);
  const anchor = options.cursor === undefined ? undefined : queueCursor(options.cursor);
  const rest = anchor ? sorted.filter((item) => triageOrder(item, anchor) > 0) : sorted;
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor:
      rest.length > limit && last
        ? encodeCursor({
            e: String(escalationRank(last)),
            d: last.dangerLevel ?? '',
            m: last.victimMinor === null ? '' : String(last.victimMinor),
            r: last.receivedAt.toISOString(),
            id: last.caseId,
          })
        : null,
  };
}

const isCalendarDay = (day: string): boolean => {
  const at = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
};

/**
 * Hotline calls, newest first, one page: of the organisation (supervisor) or those the caller registered;
 * `from`/`to` are China-time days, both included. The summary shows only to whoever registered the call, as
 * on the calls page.
 */
export async function listCallsPage(
  core: HelplineCore,
  actor: DeskActor,
  scope: Scope,
  filter: { from?: string; to?: string; cursor?: string; limit?: number },
): Promise<Page<HotlineCall>> {
  const limit = pageSize(filter.limit, 50, 200);
  const key = keysetOf(filter.cursor, 't', 'id');
  // A day that is not in the calendar (2020-02-49) is refused, naming the field, like one out of order.
  for (const field of ['from', 'to'] as const) {
    const day = filter[field];
    if (day !== undefined && !isCalendarDay(day))
      throw new AppError('VALIDATION', { fields: [{ field, message: 'validation.format' }] });
  }
  if (filter.from && filter.to && filter.from > filter.to)
    throw new AppError('VALIDATION', { fields: [{ field: 'from', message: 'validation.format' }] });
  const rows = await queryHotlineCalls(core.db, actor.organisationId, {
    ...(scope === 'own' || scope === 'assigned' ? { registeredBy: actor.accountId } : {}),
    ...(filter.from ? { from: chinaInstant(filter.from, '00:00') } : {}),
    ...(filter.to ? { before: chinaInstant(addDays(filter.to, 1), '00:00') } : {}),
    ...(key ? { after: { startedAt: key.t, id: key.id } } : {}),
    limit,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    // The summary shows only to whoever registered the call (not `onCase`: this is the register, not a case).
    items: page.map((c) => core.callView(c, actor, false)),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.started_key, id: last.id }) : null,
  };
}
