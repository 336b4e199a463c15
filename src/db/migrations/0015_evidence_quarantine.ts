/**
 * Quarantine (issue 17): an upload is never refused because the malware scanner is away. Its item is stored
 * encrypted as `pending` ("awaiting check": she sees it, nobody else can open, bundle or be sent it), a job
 * scans it when a scanner answers and records the verdict once: `clean`, or `infected` (its bytes removed, she
 * is told). The verdict of a later scan goes on the item's custody chain as a `check` entry.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table evidence_item
      add column scan_state text not null default 'clean' check (scan_state in ('pending', 'clean', 'infected')),
      add column scanned_at timestamptz`.execute(db);
  await sql`create index evidence_item_pending on evidence_item (uploaded_at) where scan_state = 'pending'`.execute(
    db,
  );
  await sql`alter table evidence_custody drop constraint evidence_custody_action_check`.execute(db);
  await sql`
    alter table evidence_custody add constraint evidence_custody_action_check
      check (action in ('upload', 'view', 'download', 'share', 'export', 'delete', 'check'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table evidence_custody drop constraint evidence_custody_action_check`.execute(db);
  await sql`
    alter table evidence_custody add constraint evidence_custody_action_check
      check (action in ('upload', 'view', 'download', 'share', 'export', 'delete'))`.execute(db);
  await sql`drop index evidence_item_pending`.execute(db);
  await sql`alter table evidence_item drop column scanned_at, drop column scan_state`.execute(db);
}
