/**
 * The orders module's tables (see src/modules/orders/orders.tables.ts). The docket index serves "accepted
 * applications of a court, by time left"; the alert key makes each clock alert fire once.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table order_application (
      id uuid primary key,
      status text not null check (status in ('draft', 'submitted', 'returned', 'accepted', 'granted', 'rejected')),
      channel text not null check (channel in ('portal', 'ngo', 'oral')),
      help_request_id uuid,
      origin_case_ref text,
      evidence_owner_ref text,
      created_by uuid,
      proxy_kind text,
      particulars bytea not null,
      relationship text,
      measures text[] not null default '{}',
      urgent boolean not null default false,
      venue_basis text not null default 'applicant',
      venue_region_code text,
      court_id uuid,
      court_region_code text,
      evidence_ids text[] not null default '{}',
      consent_online boolean not null default false,
      consent_electronic_service boolean not null default false,
      case_number text unique,
      submitted_at timestamptz,
      accepted_at timestamptz,
      ruling_due_at timestamptz,
      decided_at timestamptz,
      court_note bytea,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index order_application_docket on order_application (court_id, status, ruling_due_at, submitted_at);
    create index order_application_help on order_application (help_request_id) where help_request_id is not null;

    create table order_event (
      id bigserial primary key,
      application_id uuid not null references order_application (id) on delete cascade,
      kind text not null,
      at timestamptz not null,
      actor_ref text not null,
      details jsonb not null default '{}',
      visible_to_applicant boolean not null default true
    );
    create index order_event_application on order_event (application_id, at, id);

    create table order_review_task (
      id uuid primary key,
      application_id uuid not null references order_application (id) on delete cascade,
      agency text not null check (agency in ('police', 'federation', 'committee')),
      organisation_id uuid not null,
      organisation_region_code text not null,
      status text not null check (status in ('open', 'submitted', 'more_requested')),
      opinion bytea,
      verification jsonb,
      recommendation text,
      request_note bytea,
      submitted_by uuid,
      submitted_at timestamptz,
      created_at timestamptz not null default now(),
      unique (application_id, agency)
    );
    create index order_review_task_org on order_review_task (organisation_id, status, created_at);

    create table order_questioning (
      id uuid primary key,
      application_id uuid not null references order_application (id) on delete cascade,
      channel text not null,
      questioned_at timestamptz not null,
      responded boolean not null,
      answer bytea,
      recorded_by uuid not null,
      created_at timestamptz not null default now()
    );

    create table protection_order (
      id uuid primary key,
      application_id uuid not null unique references order_application (id) on delete cascade,
      case_number text not null unique,
      court_id uuid not null,
      court_region_code text not null,
      measures text[] not null,
      terms bytea not null,
      valid_from timestamptz not null,
      valid_until timestamptz not null,
      status text not null check (status in ('in_force', 'revoked', 'expired')),
      check_token_hash bytea not null unique,
      check_token bytea not null,
      reconsideration_requested_at timestamptz,
      reconsideration_outcome text,
      decided_by uuid not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index protection_order_expiry on protection_order (status, valid_until);

    create table order_service_task (
      id uuid primary key,
      order_id uuid not null references protection_order (id) on delete cascade,
      party text not null check (party in ('respondent', 'applicant', 'police', 'committee')),
      status text not null check (status in ('open', 'done')),
      method text,
      served_by uuid,
      server_name bytea,
      served_at timestamptz,
      created_at timestamptz not null default now(),
      unique (order_id, party)
    );

    create table order_notification (
      id uuid primary key,
      application_id uuid not null references order_application (id) on delete cascade,
      recipient text not null,
      channel text not null check (channel in ('in_app', 'sms', 'email')),
      template text not null,
      status text not null check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      sent_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index order_notification_application on order_notification (application_id, created_at);

    create table order_violation (
      id uuid primary key,
      order_id uuid not null references protection_order (id) on delete cascade,
      reported_by text not null check (reported_by in ('survivor', 'police')),
      reporter_ref text not null,
      occurred_on date not null,
      description bytea not null,
      evidence_ids text[] not null default '{}',
      status text not null check (status in ('reported', 'decided')),
      outcome text check (outcome in ('admonition', 'fine', 'detention', 'referral', 'no_violation')),
      fine_yuan integer check (fine_yuan between 1 and 1000),
      detention_days integer check (detention_days between 1 and 15),
      reasons bytea,
      decided_by uuid,
      decided_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index order_violation_order on order_violation (order_id, created_at);

    create table police_warning (
      id uuid primary key,
      organisation_id uuid not null,
      region_code text not null,
      warning_number text not null unique,
      help_request_id uuid,
      particulars bytea not null,
      issued_by uuid not null,
      issued_at timestamptz not null,
      delivered_abuser_at timestamptz,
      delivered_victim_at timestamptz,
      committee_notified_at timestamptz,
      follow_up_due_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index police_warning_help on police_warning (help_request_id) where help_request_id is not null;
    create index police_warning_org on police_warning (organisation_id, issued_at);

    create table police_warning_visit (
      id bigserial primary key,
      warning_id uuid not null references police_warning (id) on delete cascade,
      visited_at timestamptz not null,
      visited_by uuid not null,
      notes bytea not null,
      created_at timestamptz not null default now()
    );

    create table order_case_counter (
      court_id uuid not null,
      year integer not null,
      last integer not null,
      primary key (court_id, year)
    );

    create table order_alert (
      subject_id uuid not null,
      kind text not null,
      due_at timestamptz not null,
      fired_at timestamptz not null default now(),
      primary key (subject_id, kind, due_at)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists order_alert, order_case_counter, police_warning_visit, police_warning, order_violation,
      order_notification, order_service_task, protection_order, order_questioning, order_review_task, order_event,
      order_application cascade
  `.execute(db);
}
