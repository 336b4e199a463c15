/**
 * Systems that call the API on an organisation's behalf (a court's case system, a police system): their
 * clients (secret kept only as an HMAC; a revocation stamp checked on every request by primary key), their
 * webhook subscriptions (signing secret sealed, since we must sign with it) and the log of every delivery.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table system_client (
      id uuid primary key,
      organisation_id uuid not null references organisation (id),
      name text not null check (length(name) between 1 and 100),
      scopes text[] not null,
      secret_hash bytea not null,
      created_by uuid,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      revoked_by uuid
    )`.execute(db);
  await sql`create index system_client_organisation on system_client (organisation_id, created_at)`.execute(
    db,
  );
  await sql`
    create table webhook_subscription (
      id uuid primary key,
      client_id uuid not null references system_client (id),
      organisation_id uuid not null references organisation (id),
      url text not null,
      events text[] not null,
      secret bytea not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db);
  await sql`create index webhook_subscription_organisation on webhook_subscription (organisation_id) where disabled_at is null`.execute(
    db,
  );
  await sql`
    create table webhook_delivery (
      id uuid primary key,
      subscription_id uuid not null references webhook_subscription (id),
      event_id uuid not null,
      event text not null,
      payload jsonb not null,
      status text not null check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      last_status_code integer,
      last_error text,
      created_at timestamptz not null default now(),
      last_attempt_at timestamptz,
      next_attempt_at timestamptz,
      delivered_at timestamptz,
      unique (subscription_id, event_id)
    )`.execute(db);
  await sql`create index webhook_delivery_subscription on webhook_delivery (subscription_id, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table webhook_delivery`.execute(db);
  await sql`drop table webhook_subscription`.execute(db);
  await sql`drop table system_client`.execute(db);
}
