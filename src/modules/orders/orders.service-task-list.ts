/**
 * The court's service and notification tasks (issue 14): for each order it issued, who must be served or
 * notified (respondent, applicant, police, residents' committee), open ones first by age; with
 * `status=done`, how and when each was served. One page at a time (keyset cursor over creation and id).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ServiceParty } from './orders.model.ts';
import { decodeCursor, pageOf } from './orders.lists.ts';

export interface ServiceTaskFilters {
  status?: 'open' | 'done';
  party?: ServiceParty;
}

export interface ServiceTaskItem {
  id: string;
  orderId: string;
  applicationId: string;
  caseNumber: string;
  party: ServiceParty;
  status: 'open' | 'done';
  method: string | null;
  servedAt: Date | null;
  createdAt: Date;
}

export async function listServiceTasks(
  db: Db,
  courtId: string,
  filters: ServiceTaskFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: ServiceTaskItem[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, ['time', 'uuid']);
  let query = db
    .selectFrom('order_service_task as s')
    .innerJoin('protection_order as o', 'o.id', 's.order_id')
    .select([
      's.id',
      's.order_id',
      'o.application_id',
      'o.case_number',
      's.party',
      's.status',
      's.method',
      's.served_at',
      's.created_at',
    ])
    .select(sql<string>`s.created_at::text`.as('k_at'))
    .where('o.court_id', '=', courtId)
    .where('s.status', '=', filters.status ?? 'open');
  if (filters.party) query = query.where('s.party', '=', filters.party);
  if (after)
    query = query.where(sql<boolean>`(s.created_at, s.id) > (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await query
    .orderBy('s.created_at')
    .orderBy('s.id')
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
      party: r.party,
      status: r.status,
      method: r.method,
      servedAt: r.served_at,
      createdAt: r.created_at,
    })),
  };
}
