/**
 * The orders module's answer to the vault's consent question (evidence.consent-sources.ts): the court of each
 * application she filed with an item, and of each violation report on an order carrying it — filing is her
 * consent to the court. For an application an NGO started, only the items she allowed when asked
 * (order_evidence_consent, issue 13); applications filed before consent was asked (no rows) keep their court.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export async function courtsHoldingEvidence(db: Kysely<Database>, evidenceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('order_application')
    .select(sql<string>`court_id`.as('id'))
    .where('status', '!=', 'draft')
    .where('court_id', 'is not', null)
    .where(sql<boolean>`${evidenceId} = any(evidence_ids)`)
    .where(
      sql<boolean>`(channel <> 'ngo'
        or exists (select 1 from order_evidence_consent c where c.application_id = order_application.id and c.evidence_id = ${evidenceId} and c.answer = 'allowed')
        or not exists (select 1 from order_evidence_consent c where c.application_id = order_application.id))`,
    )
    .union(
      db
        .selectFrom('order_violation as v')
        .innerJoin('protection_order as o', 'o.id', 'v.order_id')
        .select(sql<string>`o.court_id`.as('id'))
        .where(sql<boolean>`${evidenceId} = any(v.evidence_ids)`),
    )
    .execute();
  return rows.map((r) => r.id).filter((id): id is string => typeof id === 'string');
}
