/**
 * The survivor's journal (incidents she records, with files attached from the evidence vault) and her consent
 * to share an item with one agency (PIPL 23: separate consent per agency, who and when; withdrawal kept).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table evidence_journal_entry (
      id uuid primary key,
      owner_ref text not null,
      incident_date text not null check (incident_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      evidence_type text not null,
      description bytea not null,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index evidence_journal_entry_owner on evidence_journal_entry (owner_ref, incident_date)`.execute(
    db,
  );
  await sql`
    create table evidence_share (
      id uuid primary key,
      evidence_id uuid not null references evidence_item (id) on delete cascade,
      agency text not null check (agency in ('court', 'police', 'federation', 'ngo')),
      organisation_id uuid not null references organisation (id),
      consented_by text not null,
      consented_at timestamptz not null default now(),
      withdrawn_at timestamptz,
      withdrawn_by text
    )`.execute(db);
  await sql`create unique index evidence_share_live on evidence_share (evidence_id, organisation_id) where withdrawn_at is null`.execute(
    db,
  );
  await sql`create index evidence_share_organisation on evidence_share (organisation_id) where withdrawn_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table evidence_share`.execute(db);
  await sql`drop table evidence_journal_entry`.execute(db);
}
