/**
 * Her consent, per item, before evidence an NGO chose from her vault reaches a court (issue 13): one row per
 * application and item, asked in her thread, answered by her (allowed / refused, when). The custody chain gains
 * a `consent` entry for each answer.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table order_evidence_consent (
      application_id uuid not null references order_application (id) on delete cascade,
      evidence_id uuid not null references evidence_item (id) on delete cascade,
      help_request_id uuid not null,
      asked_by text not null,
      asked_at timestamptz not null default now(),
      answer text check (answer in ('allowed', 'refused')),
      answered_at timestamptz,
      primary key (application_id, evidence_id),
      check ((answer is null) = (answered_at is null))
    )`.execute(db);
  await sql`create index order_evidence_consent_pending on order_evidence_consent (help_request_id) where answer is null`.execute(
    db,
  );
  await sql`alter table evidence_custody drop constraint evidence_custody_action_check`.execute(db);
  await sql`alter table evidence_custody add constraint evidence_custody_action_check
    check (action in ('upload', 'view', 'download', 'share', 'export', 'delete', 'check', 'consent'))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evidence_custody drop constraint evidence_custody_action_check`.execute(db);
  await sql`alter table evidence_custody add constraint evidence_custody_action_check
    check (action in ('upload', 'view', 'download', 'share', 'export', 'delete', 'check'))`.execute(db);
  await sql`drop table order_evidence_consent`.execute(db);
}
