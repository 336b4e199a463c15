/**
 * Reports that add up (issue 13): the desk's classification reaches the report, and the fold becomes
 * incremental by insertion time.
 * - `helpline_case.classified_at`: when the desk last classified the case (null: the case still holds her own
 *   answers, copied at intake). Filled for existing cases from the audit trail's `helpline.case_classified`.
 * - Indexes on insertion time for the rows the incremental fold reads (hotline calls, cases, referrals, staff
 *   replies), so each fold reads only what arrived since the last one.
 * - The fold watermarks are reset: they now mean "rows inserted before this instant are folded", which the
 *   old ones did not guarantee; the next fold rebuilds the rollups once.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table helpline_case add column classified_at timestamptz`.execute(db);
  await sql`
    update helpline_case k set classified_at = a.at
    from (
      select record_id, max(occurred_at) as at from audit_event
      where event = 'helpline.case_classified' and record_type = 'helpline_case'
      group by record_id
    ) a
    where a.record_id = k.id::text`.execute(db);
  await sql`create index report_hotline_call_inserted on helpline_hotline_call (created_at)`.execute(db);
  await sql`create index report_case_inserted on helpline_case (created_at)`.execute(db);
  await sql`create index report_referral_inserted on helpline_referral (created_at)`.execute(db);
  await sql`create index report_staff_reply_inserted on help_message (created_at) where author = 'staff'`.execute(
    db,
  );
  await sql`delete from report_fold_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists report_staff_reply_inserted`.execute(db);
  await sql`drop index if exists report_referral_inserted`.execute(db);
  await sql`drop index if exists report_case_inserted`.execute(db);
  await sql`drop index if exists report_hotline_call_inserted`.execute(db);
  await sql`alter table helpline_case drop column classified_at`.execute(db);
  await sql`delete from report_fold_state`.execute(db);
}
