/**
 * Orders in force (issue 14): what the police of the area, the residents' committee and the issuing court
 * need to enforce an order — its measures, its validity and who the respondent is (name, ID number, region).
 * Never the applicant: not her name, not her address, not the order's free-text terms (which may name her
 * home or work). Searchable by the respondent's name, ID number and region through the blind index; one page
 * at a time, soonest to expire first (keyset cursor over end of validity and id).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Scope } from '../../platform/access-policy.ts';
import type { ApplicationInput } from './orders.model.ts';
import { decodeCursor, pageOf } from './orders.lists.ts';
import type { OrdersSearchIndex } from './orders.search-index.ts';

export interface InForceFilters {
  respondentName?: string;
  respondentIdNumber?: string;
  /** GB/T 2260 code of where the respondent lives: a province, city or district finds all within it. */
  regionCode?: string;
}

export interface InForceItem {
  id: string;
  caseNumber: string;
  measures: string[];
  validFrom: Date;
  validUntil: Date;
  respondent: { name: string | null; idNumber: string | null; regionCode: string | null };
}

/** Whose orders the caller reaches: the issuing court's own, or every court's within the caller's region. */
export interface InForceReach {
  scope: Scope;
  organisationId: string;
  regionCode: string;
}

export async function listOrdersInForce(
  db: Db,
  search: OrdersSearchIndex,
  particulars: (row: { id: string; particulars: Buffer }) => ApplicationInput,
  now: Date,
  reach: InForceReach,
  filters: InForceFilters,
  page: { cursor?: string; limit: number },
): Promise<{ items: InForceItem[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, ['time', 'uuid']);
  const terms = [
    filters.respondentName !== undefined &&
      ({ field: 'respondent_name', value: filters.respondentName } as const),
    filters.respondentIdNumber !== undefined &&
      ({ field: 'respondent_id', value: filters.respondentIdNumber } as const),
    filters.regionCode !== undefined && ({ field: 'respondent_region', value: filters.regionCode } as const),
  ].filter((t) => t !== false);
  let query = db
    .selectFrom('protection_order as o')
    .innerJoin('order_application as a', 'a.id', 'o.application_id')
    .select([
      'o.id',
      'o.case_number',
      'o.measures',
      'o.valid_from',
      'o.valid_until',
      'a.id as application_id',
      'a.particulars',
    ])
    .select(sql<string>`o.valid_until::text`.as('k_until'))
    .where('o.status', '=', 'in_force')
    .where('o.valid_until', '>', now);
  if (reach.scope === 'all') {
    // every court
  } else if (reach.scope === 'region') {
    query = query.where((eb) =>
      eb.or([
        eb('o.court_id', '=', reach.organisationId),
        eb(sql<string>`o.court_region_code`, 'like', `${reach.regionCode}%`),
      ]),
    );
  } else {
    query = query.where('o.court_id', '=', reach.organisationId);
  }
  for (const t of terms) {
    const term = search.queryTerm(t.field, t.value);
    if (!term) return { items: [], nextCursor: null };
    query = query.where('a.id', 'in', search.matching(db, t.field, term));
  }
  if (after)
    query = query.where(sql<boolean>`(o.valid_until, o.id) > (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await query
    .orderBy('o.valid_until')
    .orderBy('o.id')
    .limit(page.limit + 1)
    .execute();
  const { rows: shown, nextCursor } = pageOf(rows, page.limit, (r) => [r.k_until, r.id]);
  return {
    nextCursor,
    items: shown.map((r) => {
      const respondent = particulars({ id: r.application_id, particulars: r.particulars }).respondent ?? {};
      return {
        id: r.id,
        caseNumber: r.case_number,
        measures: r.measures,
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        respondent: {
          name: respondent.name ?? null,
          idNumber: respondent.idNumber ?? null,
          regionCode: respondent.regionCode ?? null,
        },
      };
    }),
  };
}
