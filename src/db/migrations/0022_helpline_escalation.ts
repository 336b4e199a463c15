/**
 * Escalation of unclaimed cases (issue 13): one row per case and level, never two (the primary key), so however
 * many app processes run the escalation job each level happens once. Level 1: the first-response deadline
 * passed with nobody claiming the case, the desk's supervisor on duty is alerted. Level 2: still unclaimed
 * `handover_minutes` later (per desk, default 60), the case is handed to the fallback desk.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table helpline_desk_setting
      add column handover_minutes integer not null default 60 check (handover_minutes between 5 and 10080)`.execute(
    db,
  );
  await sql`
    create table helpline_case_escalation (
      case_id uuid not null references helpline_case (id) on delete cascade,
      level smallint not null check (level in (1, 2)),
      escalated_at timestamptz not null,
      due_at timestamptz not null,
      from_organisation_id uuid not null references organisation (id),
      supervisor_account_id uuid references staff_account (id),
      to_organisation_id uuid references organisation (id),
      primary key (case_id, level),
      check ((level = 2) = (to_organisation_id is not null)),
      check (level = 1 or supervisor_account_id is null)
    )`.execute(db);
  await sql`create index helpline_case_escalation_moved on helpline_case_escalation (from_organisation_id, escalated_at)
    where level = 2`.execute(db);
  // What the job looks for every minute: open cases nobody has claimed or answered.
  await sql`create index helpline_case_waiting on helpline_case (received_at)
    where assigned_account_id is null and first_responded_at is null and status <> 'closed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index helpline_case_waiting`.execute(db);
  await sql`drop table helpline_case_escalation`.execute(db);
  await sql`alter table helpline_desk_setting drop column handover_minutes`.execute(db);
}
