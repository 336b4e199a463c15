/**
 * What her deletion request (PIPL 47) means for her protection-order applications, in the caller's transaction:
 * drafts never filed are hers and go; an application once filed (and its order, violation reports and the
 * evidence filed with them) is a court record the law makes the court keep, and stays.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** Filed applications of her thread, and the evidence ids the court holds through them or their orders. */
export async function courtRecordsOf(
  trx: Transaction<Database>,
  helpRequestId: string,
): Promise<{ applications: number; evidenceIds: Set<string> }> {
  const filed = await trx
    .selectFrom('order_application')
    .select(['id', 'evidence_ids'])
    .where('help_request_id', '=', helpRequestId)
    .where('status', '<>', 'draft')
    .execute();
  const evidenceIds = new Set(filed.flatMap((a) => a.evidence_ids));
  if (filed.length) {
    const violations = await trx
      .selectFrom('order_violation as v')
      .innerJoin('protection_order as o', 'o.id', 'v.order_id')
      .select('v.evidence_ids')
      .where(
        'o.application_id',
        'in',
        filed.map((a) => a.id),
      )
      .execute();
    for (const v of violations) for (const id of v.evidence_ids) evidenceIds.add(id);
  }
  return { applications: filed.length, evidenceIds };
}

/** Her drafts never filed (their events and consent requests go with them); returns how many. */
export async function deleteDraftApplications(
  trx: Transaction<Database>,
  helpRequestId: string,
): Promise<number> {
  const result = await trx
    .deleteFrom('order_application')
    .where('help_request_id', '=', helpRequestId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
