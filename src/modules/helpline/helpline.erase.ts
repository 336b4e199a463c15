/**
 * Her deletion request (PIPL 47) as the NGO desk sees it, in the caller's transaction: the desk case that came
 * from her help request is closed (if it was open) and redacted — its notes and every sealed free text are
 * removed, so their data keys are gone with them. The classification the desk recorded stays for the
 * anonymous statistics unless she withdrew her consent to them (the fold reads that flag on her request).
 * Mandatory reports to the police (ADVL 14) are records the NGO must keep and stay.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** Returns the China-time days the desk facts of the case are counted on (for a report refold). */
export async function redactDeskCase(
  trx: Transaction<Database>,
  helpRequestId: string,
  now: Date,
): Promise<{ cases: number; days: string[] }> {
  const cases = await trx
    .selectFrom('helpline_case')
    .select(['id', 'received_at', 'status'])
    .where('help_request_id', '=', helpRequestId)
    .forUpdate()
    .execute();
  const days: string[] = [];
  for (const k of cases) {
    await trx.deleteFrom('helpline_case_note').where('case_id', '=', k.id).execute();
    await trx
      .updateTable('helpline_referral')
      .set({ agency_sealed: null, outcome_sealed: null })
      .where('case_id', '=', k.id)
      .execute();
    await trx
      .updateTable('helpline_case')
      .set({
        other_type_sealed: null,
        closing_note_sealed: null,
        ...(k.status === 'closed' ? {} : { status: 'closed', closed_at: now, closing_outcome: 'withdrawn' }),
      })
      .where('id', '=', k.id)
      .execute();
    const referralDays = await trx
      .selectFrom('helpline_referral')
      .select(sql<string>`((created_at at time zone 'UTC') + interval '8 hours')::date::text`.as('day'))
      .where('case_id', '=', k.id)
      .execute();
    days.push(chinaDay(k.received_at), ...referralDays.map((r) => r.day));
  }
  return { cases: cases.length, days };
}

export const chinaDay = (at: Date): string =>
  new Date(at.getTime() + 8 * 60 * 60_000).toISOString().slice(0, 10);
