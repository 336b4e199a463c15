import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counter')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('window_ends_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_counter_window_ends_at')
    .on('rate_limit_counter')
    .column('window_ends_at')
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('topic', 'text', (c) => c.notNull().check(sql`topic ~ '^[a-z][a-z0-9_.-]{1,99}$'`))
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('available_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('job_id', 'uuid')
    .execute();
  await sql`create index outbox_pending on outbox (available_at, id) where dispatched_at is null`.execute(db);
  // Wake the relay at once instead of waiting for its next poll.
  await sql`
    create function outbox_notify() returns trigger language plpgsql as $$
    begin perform pg_notify('anxin_outbox', ''); return null; end $$`.execute(db);
  await sql`create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('rate_limit_counter').execute();
}
