/**
 * Identity: organisations, staff accounts, roles, sign-in factors, sessions, invitations, break-glass
 * grants, and the append-only, hash-chained audit trail (see src/platform/audit.ts).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organisation (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('ngo','court','police_station','womens_federation','community_committee','platform_operator')),
      name text not null check (length(name) between 1 and 200),
      region_code text not null check (region_code ~ '^[0-9]{2}([0-9]{2}){0,2}$'),
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db);
  await sql`create index organisation_region on organisation (region_code text_pattern_ops)`.execute(db);

  await sql`
    create table staff_account (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id),
      email text not null unique check (email = lower(email) and length(email) between 3 and 254),
      display_name text not null check (length(display_name) between 1 and 100),
      password_hash text,
      status text not null default 'invited' check (status in ('invited','active','disabled')),
      locale text not null default 'zh-CN' check (locale in ('zh-CN','en')),
      totp_secret bytea,
      totp_last_step bigint,
      mfa_enrolled_at timestamptz,
      password_changed_at timestamptz,
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      check (status = 'invited' or password_hash is not null)
    )`.execute(db);
  await sql`create index staff_account_organisation on staff_account (organisation_id)`.execute(db);

  await sql`
    create table staff_account_role (
      account_id uuid not null references staff_account (id) on delete cascade,
      role text not null check (role ~ '^[a-z_]{2,40}$'),
      primary key (account_id, role)
    )`.execute(db);

  await sql`
    create table staff_recovery_code (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references staff_account (id) on delete cascade,
      code_hash bytea not null unique,
      used_at timestamptz
    )`.execute(db);

  await sql`
    create table staff_invitation (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references staff_account (id) on delete cascade,
      token_hash bytea not null unique,
      created_by uuid references staff_account (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  await sql`
    create table staff_session (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references staff_account (id) on delete cascade,
      token_hash bytea not null unique,
      stage text not null check (stage in ('mfa','enrol','full')),
      pending_totp_secret bytea,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index staff_session_account on staff_session (account_id) where revoked_at is null`.execute(
    db,
  );

  await sql`
    create table staff_passkey (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references staff_account (id) on delete cascade,
      credential_id text not null unique,
      public_key bytea not null,
      counter bigint not null default 0,
      transports text[] not null default '{}',
      created_at timestamptz not null default now(),
      last_used_at timestamptz
    )`.execute(db);

  await sql`
    create table staff_break_glass (
      id uuid primary key default gen_random_uuid(),
      session_id uuid not null references staff_session (id) on delete cascade,
      account_id uuid not null references staff_account (id) on delete cascade,
      record_type text not null,
      record_id text not null,
      reason text not null check (length(reason) between 10 and 500),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index staff_break_glass_lookup on staff_break_glass (session_id, record_type, record_id)`.execute(
    db,
  );

  await sql`
    create table audit_event (
      seq bigint primary key,
      occurred_at timestamptz not null,
      actor_account_id uuid,
      actor_roles text[] not null default '{}',
      organisation_id uuid,
      event text not null check (event ~ '^[a-z][a-z0-9_.]{1,99}$'),
      record_type text,
      record_id text,
      ip text,
      user_agent text,
      break_glass boolean not null default false,
      reason text,
      details jsonb not null default '{}'::jsonb,
      prev_hash bytea not null,
      hash bytea not null
    )`.execute(db);
  await sql`create index audit_event_actor on audit_event (actor_account_id, occurred_at)`.execute(db);
  await sql`create index audit_event_record on audit_event (record_type, record_id)`.execute(db);
  await sql`create index audit_event_organisation on audit_event (organisation_id, occurred_at)`.execute(db);
  await sql`
    create table audit_chain_head (
      id smallint primary key check (id = 1),
      seq bigint not null,
      hash bytea not null
    )`.execute(db);
  await sql`insert into audit_chain_head (id, seq, hash) values (1, 0, '\\x'::bytea || decode(repeat('00', 32), 'hex'))`.execute(
    db,
  );

  // Append-only: the application never updates or deletes audit rows; the database refuses it too.
  // (A database superuser can still get round a trigger; the hash chain is what makes that detectable.)
  await sql`
    create function audit_event_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_event is append-only'; end $$`.execute(db);
  await sql`create trigger audit_event_no_update before update or delete on audit_event for each row execute function audit_event_append_only()`.execute(
    db,
  );
  await sql`create trigger audit_event_no_truncate before truncate on audit_event for each statement execute function audit_event_append_only()`.execute(
    db,
  );
  await sql`create trigger audit_chain_head_no_delete before delete on audit_chain_head for each row execute function audit_event_append_only()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_chain_head',
    'audit_event',
    'staff_break_glass',
    'staff_passkey',
    'staff_session',
    'staff_invitation',
    'staff_recovery_code',
    'staff_account_role',
    'staff_account',
    'organisation',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists audit_event_append_only()`.execute(db);
}
