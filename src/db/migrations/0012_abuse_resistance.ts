/**
 * Abuse resistance without lockouts (issue 13): failure counters with back-off for guessing (per source,
 * per subject, per network; keys are HMACs, never an address, a case code or an e-mail), and the spent
 * proof-of-work challenges of the help-request intake (single use until they expire).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guess_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    // The HMAC of the guessed subject (account e-mail, case code), so clearing a subject clears every source.
    .addColumn('subject_key', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('guess_throttle_subject_key')
    .on('guess_throttle')
    .column('subject_key')
    .execute();
  await db.schema
    .createIndex('guess_throttle_expires_at')
    .on('guess_throttle')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('proof_of_work_spent')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('proof_of_work_spent_expires_at')
    .on('proof_of_work_spent')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('proof_of_work_spent').execute();
  await db.schema.dropTable('guess_throttle').execute();
}
