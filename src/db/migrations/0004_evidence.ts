/** The evidence vault: uploads in progress, their encrypted segments, stored items and the custody log. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_upload')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[0-9a-f]{32}$'`))
    .addColumn('owner_ref', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('journal_entry_id', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('received', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`received >= 0 and received <= size`),
    )
    .addColumn('meta', 'bytea', (c) => c.notNull())
    .addColumn('evidence_type', 'text', (c) => c.notNull())
    .addColumn('incident_date', 'text', (c) => c.check(sql`incident_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('receiving')
        .check(sql`state in ('receiving', 'processing')`),
    )
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_upload_owner').on('evidence_upload').column('owner_ref').execute();
  await db.schema.createIndex('evidence_upload_expires').on('evidence_upload').column('expires_at').execute();

  await db.schema
    .createTable('evidence_upload_segment')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('evidence_upload.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull().check(sql`idx >= 0`))
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('plain_bytes', 'bigint', (c) => c.notNull().check(sql`plain_bytes > 0`))
    .addPrimaryKeyConstraint('evidence_upload_segment_pk', ['upload_id', 'idx'])
    .execute();

  await db.schema
    .createTable('evidence_item')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('upload_id', 'text', (c) => c.notNull().unique())
    .addColumn('owner_ref', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('journal_entry_id', 'text')
    .addColumn('evidence_type', 'text', (c) => c.notNull())
    .addColumn('incident_date', 'text', (c) => c.check(sql`incident_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('meta', 'bytea', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('preview_key', 'text')
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('evidence_item_owner')
    .on('evidence_item')
    .columns(['owner_ref', 'uploaded_at'])
    .execute();
  await db.schema
    .createIndex('evidence_item_journal')
    .on('evidence_item')
    .column('journal_entry_id')
    .execute();

  await db.schema
    .createTable('evidence_custody')
    .addColumn('evidence_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 1`))
    .addColumn('action', 'text', (c) =>
      c.notNull().check(sql`action in ('upload', 'view', 'download', 'share', 'export', 'delete')`),
    )
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('prev_hash', 'text', (c) => c.notNull().check(sql`prev_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('hash', 'text', (c) => c.notNull().check(sql`hash ~ '^[0-9a-f]{64}$'`))
    .addPrimaryKeyConstraint('evidence_custody_pk', ['evidence_id', 'seq'])
    .execute();
  // Append-only: no row of the custody log can be changed or removed, not even by the application's own role.
  await sql`
    create function evidence_custody_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'evidence_custody is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger evidence_custody_no_update before update or delete on evidence_custody
    for each row execute function evidence_custody_append_only()`.execute(db);
  await sql`create trigger evidence_custody_no_truncate before truncate on evidence_custody
    for each statement execute function evidence_custody_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evidence_custody').execute();
  await sql`drop function if exists evidence_custody_append_only()`.execute(db);
  await db.schema.dropTable('evidence_item').execute();
  await db.schema.dropTable('evidence_upload_segment').execute();
  await db.schema.dropTable('evidence_upload').execute();
}
