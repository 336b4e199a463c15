/**
 * Outbox hygiene and the desk's hand-off (issues 13 and 17).
 * - The statement-level NOTIFY trigger of 0001 goes: the relay polls (platform/jobs.ts), and a NOTIFY takes
 *   PostgreSQL's global notify lock at every commit that adds work, serialising the intake's writes.
 * - Pending rows are indexed by topic (`outbox_due`), so a poll looks only at the topics this process takes:
 *   rows of a topic nobody handles (kept a day, then swept) never slow it down. It replaces `outbox_pending`.
 * - Relayed rows are deleted once their job is done; the few waiting for that are found through a partial
 *   index, so the sweep never reads the table's history.
 * - A desk's coverage is approved by a platform admin (`approved_provinces`, `national`); what the supervisor
 *   lists in the settings (`provinces`) is only asked for. Desks as they stand keep what they took until an
 *   admin reviews it: their listed provinces become approved, and a desk that listed none (it took every
 *   province) becomes a national desk.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists outbox_notify on outbox`.execute(db);
  await sql`drop function if exists outbox_notify()`.execute(db);
  await sql`create index outbox_due on outbox (topic, available_at, id) where dispatched_at is null`.execute(
    db,
  );
  await sql`drop index if exists outbox_pending`.execute(db);
  await sql`create index outbox_relayed on outbox (dispatched_at) where dispatched_at is not null`.execute(
    db,
  );

  await sql`
    alter table helpline_desk_setting
      add column approved_provinces text[] not null default '{}',
      add column national boolean not null default false,
      add column approved_by uuid references staff_account (id),
      add column approved_at timestamptz`.execute(db);
  await sql`update helpline_desk_setting set approved_provinces = provinces, national = cardinality(provinces) = 0`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table helpline_desk_setting
      drop column approved_provinces, drop column national, drop column approved_by, drop column approved_at`.execute(
    db,
  );
  await sql`drop index if exists outbox_relayed`.execute(db);
  await sql`create index outbox_pending on outbox (available_at, id) where dispatched_at is null`.execute(db);
  await sql`drop index if exists outbox_due`.execute(db);
}
