/**
 * Tables the orders module owns (migration 0006_orders): applications and their timeline, review tasks for
 * police and federation, the respondent's questioning, orders, service tasks, notifications, violations,
 * police written warnings with follow-up visits, case-number counters and the clock's fired alerts.
 * Personal particulars (applicant address and phone, respondent identity, facts, opinions) are sealed with
 * the keyring under `order_<table>.<column>:<id>`; plain columns hold codes, dates and identifiers only.
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export interface OrderApplicationTable {
  id: string;
  status: 'draft' | 'submitted' | 'returned' | 'accepted' | 'granted' | 'rejected';
  channel: 'portal' | 'ngo' | 'oral';
  /** The survivor's portal case (help request) when she applied there or the NGO case came from one. */
  help_request_id: string | null;
  /** The NGO desk's case id when started from a case. */
  origin_case_ref: string | null;
  /** The evidence vault owner the chosen items belong to. */
  evidence_owner_ref: string | null;
  /** Staff account who created it (clerk recording an oral application, NGO caseworker), or null for the portal. */
  created_by: string | null;
  proxy_kind: string | null;
  /** Sealed JSON of ApplicationInput (names, addresses, phones, ID numbers, facts, victim's wishes). */
  particulars: Buffer;
  relationship: string | null;
  measures: TextArray;
  urgent: boolean;
  venue_basis: string;
  /** GB/T 2260 code the court was chosen by (region only, no address). */
  venue_region_code: string | null;
  court_id: string | null;
  court_region_code: string | null;
  evidence_ids: TextArray;
  consent_online: boolean;
  consent_electronic_service: boolean;
  case_number: string | null;
  submitted_at: NullableTimestamp;
  accepted_at: NullableTimestamp;
  ruling_due_at: NullableTimestamp;
  decided_at: NullableTimestamp;
  /** Sealed reasons (return, rejection). */
  court_note: Buffer | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OrderEventTable {
  id: Generated<string>;
  application_id: string;
  kind: string;
  at: Timestamp;
  /** `staff:<id>`, `survivor`, `system`. */
  actor_ref: string;
  /** Codes only (measure lists, outcome, channel); never personal data. */
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  /** Shown on the survivor's timeline. */
  visible_to_applicant: boolean;
}

export interface OrderReviewTaskTable {
  id: string;
  application_id: string;
  agency: 'police' | 'federation' | 'committee';
  organisation_id: string;
  organisation_region_code: string;
  status: 'open' | 'submitted' | 'more_requested';
  /** Sealed: the agency's opinion text. */
  opinion: Buffer | null;
  /** Police verification counts (call-outs, earlier warnings, incidents on record); no personal data. */
  verification: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  recommendation: string | null;
  /** Sealed: what the judge asked for when requesting more. */
  request_note: Buffer | null;
  submitted_by: string | null;
  submitted_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface OrderQuestioningTable {
  id: string;
  application_id: string;
  channel: string;
  questioned_at: Timestamp;
  responded: boolean;
  /** Sealed answer (null when he stayed silent: SPC 7, silence does not block an order). */
  answer: Buffer | null;
  recorded_by: string;
  created_at: CreatedAt;
}

export interface ProtectionOrderTable {
  id: string;
  application_id: string;
  case_number: string;
  court_id: string;
  court_region_code: string;
  measures: TextArray;
  /** Sealed JSON: other measure, distance/places, free-text terms. */
  terms: Buffer;
  valid_from: Timestamp;
  valid_until: Timestamp;
  status: 'in_force' | 'revoked' | 'expired';
  /** SHA-256 of the public check token (the QR code carries the token; the case number alone opens nothing). */
  check_token_hash: Buffer;
  /** Sealed token, so the PDF can be re-issued with the same QR code. */
  check_token: Buffer;
  reconsideration_requested_at: NullableTimestamp;
  reconsideration_outcome: string | null;
  decided_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OrderServiceTaskTable {
  id: string;
  order_id: string;
  party: 'respondent' | 'applicant' | 'police' | 'committee';
  status: 'open' | 'done';
  method: string | null;
  served_by: string | null;
  /** Sealed: the name of the person who served, as written on the proof of service. */
  server_name: Buffer | null;
  served_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface OrderNotificationTable {
  id: string;
  application_id: string;
  recipient: 'applicant' | 'court' | 'police' | 'committee' | 'respondent';
  channel: 'in_app' | 'sms' | 'email';
  template: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  sent_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface OrderViolationTable {
  id: string;
  order_id: string;
  reported_by: 'survivor' | 'police';
  reporter_ref: string;
  occurred_on: string;
  /** Sealed description. */
  description: Buffer;
  evidence_ids: TextArray;
  status: 'reported' | 'decided';
  outcome: string | null;
  fine_yuan: number | null;
  detention_days: number | null;
  /** Sealed reasons. */
  reasons: Buffer | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface PoliceWarningTable {
  id: string;
  organisation_id: string;
  region_code: string;
  warning_number: string;
  /** Link to the survivor's portal case, so the warning appears as evidence in a later application. */
  help_request_id: string | null;
  /** Sealed JSON: abuser's identity, victim's name, facts. */
  particulars: Buffer;
  issued_by: string;
  issued_at: Timestamp;
  delivered_abuser_at: NullableTimestamp;
  delivered_victim_at: NullableTimestamp;
  committee_notified_at: NullableTimestamp;
  follow_up_due_at: Timestamp;
  created_at: CreatedAt;
}

export interface PoliceWarningVisitTable {
  id: Generated<string>;
  warning_id: string;
  visited_at: Timestamp;
  visited_by: string;
  /** Sealed notes. */
  notes: Buffer;
  created_at: CreatedAt;
}

export interface OrderCaseCounterTable {
  court_id: string;
  year: number;
  last: number;
}

/** Alerts the clock has fired: the unique key makes each fire exactly once across processes and restarts. */
export interface OrderAlertTable {
  subject_id: string;
  kind: string;
  due_at: Timestamp;
  fired_at: CreatedAt;
}

/** Her answer, per application and item, before an NGO-chosen file reaches a court (null while she has not answered). */
export interface OrderEvidenceConsentTable {
  application_id: string;
  evidence_id: string;
  help_request_id: string;
  asked_by: string;
  asked_at: CreatedAt;
  answer: 'allowed' | 'refused' | null;
  answered_at: NullableTimestamp;
}

/** Blind index of names and ID numbers (migration 0021): HMAC of the normalised value, never the value. */
export interface OrderSearchTermTable {
  application_id: string;
  field: 'applicant_name' | 'respondent_name' | 'respondent_id' | 'respondent_region';
  term: Buffer;
}

/** Which version of an application's particulars (its `updated_at`) the blind index holds. */
export interface OrderSearchSourceTable {
  application_id: string;
  source_updated_at: Timestamp;
}

export interface OrdersTables {
  order_application: OrderApplicationTable;
  order_event: OrderEventTable;
  order_review_task: OrderReviewTaskTable;
  order_questioning: OrderQuestioningTable;
  protection_order: ProtectionOrderTable;
  order_service_task: OrderServiceTaskTable;
  order_notification: OrderNotificationTable;
  order_violation: OrderViolationTable;
  police_warning: PoliceWarningTable;
  police_warning_visit: PoliceWarningVisitTable;
  order_case_counter: OrderCaseCounterTable;
  order_alert: OrderAlertTable;
  order_evidence_consent: OrderEvidenceConsentTable;
  order_search_term: OrderSearchTermTable;
  order_search_source: OrderSearchSourceTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends OrdersTables {}
}
