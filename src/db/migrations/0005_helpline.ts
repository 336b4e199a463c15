/**
 * The helpline desk (src/modules/helpline/helpline.tables.ts): desk settings, cases, notes, hotline calls,
 * call-back attempts, referrals, mandatory reports and duty shifts. Help requests and staff accounts are
 * referred to by id only: they belong to other modules.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table helpline_desk_setting (
      organisation_id uuid primary key references organisation (id),
      first_response_minutes integer not null check (first_response_minutes between 5 and 10080),
      provinces text[] not null default '{}',
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table helpline_case (
      id uuid primary key,
      organisation_id uuid not null references organisation (id),
      region_code text not null,
      source text not null check (source in ('online','callback','hotline')),
      help_request_id uuid unique,
      callback_id uuid unique,
      status text not null default 'new' check (status in ('new','in_progress','closed')),
      received_at timestamptz not null,
      first_responded_at timestamptz,
      assigned_account_id uuid references staff_account (id),
      assigned_at timestamptz,
      danger_level text check (danger_level in ('high','increased','variable')),
      request_type text,
      other_type_sealed bytea,
      forms text[] not null default '{}',
      relationship text,
      victim_minor boolean,
      children_witnessed boolean,
      age_band text,
      gender text,
      province text,
      closed_at timestamptz,
      closing_outcome text,
      closing_note_sealed bytea,
      created_at timestamptz not null default now(),
      check ((status = 'closed') = (closed_at is not null))
    )`.execute(db);
  await sql`create index helpline_case_queue on helpline_case (organisation_id, status, received_at)`.execute(
    db,
  );
  await sql`create index helpline_case_assigned on helpline_case (assigned_account_id) where status <> 'closed'`.execute(
    db,
  );

  await sql`
    create table helpline_case_note (
      id uuid primary key,
      case_id uuid not null references helpline_case (id) on delete cascade,
      author_account_id uuid not null references staff_account (id),
      body_sealed bytea not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index helpline_case_note_case on helpline_case_note (case_id, created_at)`.execute(db);

  await sql`
    create table helpline_hotline_call (
      id uuid primary key,
      organisation_id uuid not null references organisation (id),
      case_id uuid references helpline_case (id) on delete set null,
      registered_by uuid not null references staff_account (id),
      started_at timestamptz not null,
      duration_seconds integer not null check (duration_seconds between 0 and 86400),
      caller_age_band text,
      caller_gender text,
      caller_minor boolean,
      province text,
      category text not null,
      summary_sealed bytea not null,
      follow_up_needed boolean not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index helpline_hotline_call_org on helpline_hotline_call (organisation_id, started_at desc)`.execute(
    db,
  );

  await sql`
    create table helpline_callback_attempt (
      id uuid primary key,
      case_id uuid not null references helpline_case (id) on delete cascade,
      callback_id uuid,
      account_id uuid not null references staff_account (id),
      started_at timestamptz not null,
      result text check (result in ('reached_confirmed','code_word_not_confirmed','not_reached')),
      finished_at timestamptz
    )`.execute(db);

  await sql`
    create table helpline_referral (
      id uuid primary key,
      case_id uuid not null references helpline_case (id) on delete cascade,
      kind text not null,
      agency_sealed bytea,
      status text not null check (status in ('proposed','made','accepted','declined','completed')),
      outcome_sealed bytea,
      created_by uuid not null references staff_account (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index helpline_referral_case on helpline_referral (case_id)`.execute(db);

  await sql`
    create table helpline_mandatory_report (
      id uuid primary key,
      case_id uuid not null references helpline_case (id) on delete cascade,
      reporter_sealed bytea not null,
      reported_at timestamptz not null,
      channel text not null,
      police_station_sealed bytea not null,
      reference_sealed bytea,
      details_sealed bytea,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index helpline_mandatory_report_case on helpline_mandatory_report (case_id)`.execute(db);

  await sql`
    create table helpline_duty_shift (
      id uuid primary key,
      organisation_id uuid not null references organisation (id),
      account_id uuid not null references staff_account (id),
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      created_by uuid not null references staff_account (id),
      created_at timestamptz not null default now(),
      check (ends_at > starts_at and ends_at - starts_at <= interval '24 hours')
    )`.execute(db);
  await sql`create index helpline_duty_shift_time on helpline_duty_shift (starts_at, ends_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'helpline_duty_shift',
    'helpline_mandatory_report',
    'helpline_referral',
    'helpline_callback_attempt',
    'helpline_hotline_call',
    'helpline_case_note',
    'helpline_case',
    'helpline_desk_setting',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
