/**
 * The court's violations inbox (issue 14): violations of its orders reported by the police or by her,
 * waiting for the enforcement decision (ADVL 34), oldest first; with `status=decided`, the ones decided.
 * One page at a time (keyset cursor over arrival and id).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { decodeCursor, pageOf } from './orders.lists.ts';

export interface ViolationFilters {
  status?: 'reported' | 'decided';
  reportedBy?: 'survivor' | 'police';
}

export interface ViolationItem {
  id: string;
  orderId: string;
  applicationId: string;
  caseNumber: string;
  reportedBy: 'survivor' | 'police';
  occurredOn: string;
  reportedAt: Date;
  description: string;
  evidenceCount: number;
  status: 'reported' | 'decided';
  outcome: string | null;
}

export async function listViolationsInbox(
  db: Db,
  keyring: Keyring,
  courtId: string,
  filters: ViolationFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: ViolationItem[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, ['time', 'uuid']);
  let query = db
    .selectFrom('order_violation as v')
    .innerJoin('protection_order as o', 'o.id', 'v.order_id')
    .select([
      'v.id',
      'v.order_id',
      'o.application_id',
      'o.case_number',
      'v.reported_by',
      'v.occurred_on',
      'v.created_at',
      'v.description',
      'v.evidence_ids',
      'v.status',
      'v.outcome',
    ])
    .select(sql<string>`v.created_at::text`.as('k_at'))
    .where('o.court_id', '=', courtId)
    .where('v.status', '=', filters.status ?? 'reported');
  if (filters.reportedBy) query = query.where('v.reported_by', '=', filters.reportedBy);
  if (after)
    query = query.where(sql<boolean>`(v.created_at, v.id) > (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await query
    .orderBy('v.created_at')
    .orderBy('v.id')
    .limit(page.limit + 1)
    .execute();
  const { rows: shown, nextCursor } = pageOf(rows, page.limit, (r) => [r.k_at, r.id]);
  return {
    nextCursor,
    items: shown.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      applicationId: r.application_id,
      caseNumber: r.case_number,
      reportedBy: r.reported_by,
      occurredOn: r.occurred_on,
      reportedAt: r.created_at,
      description: keyring.openText(r.description, `order_violation.description:${r.id}`),
      evidenceCount: r.evidence_ids.length,
      status: r.status,
      outcome: r.outcome,
    })),
  };
}
