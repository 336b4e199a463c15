/**
 * Tables the helpline desk owns: per-organisation desk settings, cases (one per help request, call-back
 * request or hotline call that needed one), internal notes, hotline calls, call-back attempts, referrals,
 * mandatory reports and duty shifts. Free text (notes, call summaries, report details, outcomes) is sealed
 * with envelope encryption (`bytea`, context `table.column:id`); only classification fields are plain.
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface HelplineDeskSettingTable {
  organisation_id: string;
  /** Minutes from arrival until a first response is due. */
  first_response_minutes: number;
  /** Province codes the supervisor asks this desk to cover (a request: routing follows what is approved). */
  provinces: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: Timestamp;
  /** Province codes a platform admin approved: requests from these come here first. */
  approved_provinces: ColumnType<string[], string[] | undefined, string[]>;
  /** Approved as a national desk: takes requests no regional desk can (and call-backs, which carry no province). */
  national: ColumnType<boolean, boolean | undefined, boolean>;
  approved_by: string | null;
  approved_at: NullableTimestamp;
  /** Minutes after the supervisor was alerted (escalation level 1) until a still unclaimed case goes to the fallback desk. */
  handover_minutes: Generated<number>;
}

export interface HelplineCaseTable {
  id: string;
  organisation_id: string;
  /** The organisation's region (for region-scoped reads). */
  region_code: string;
  source: 'online' | 'callback' | 'hotline';
  /** The portal request this case answers (help module id); unique. */
  help_request_id: string | null;
  /** A call-back request made on its own (help module id); unique. */
  callback_id: string | null;
  status: Generated<'new' | 'in_progress' | 'closed'>;
  received_at: Timestamp;
  first_responded_at: NullableTimestamp;
  assigned_account_id: string | null;
  assigned_at: NullableTimestamp;
  danger_level: string | null;
  request_type: string | null;
  other_type_sealed: Buffer | null;
  forms: ColumnType<string[], string[] | undefined, string[]>;
  relationship: string | null;
  victim_minor: boolean | null;
  /** An adult without full capacity (desk flag): mandatory reporting applies as for a minor (ADVL 14). */
  lacks_capacity: Generated<boolean>;
  children_witnessed: boolean | null;
  age_band: string | null;
  gender: string | null;
  province: string | null;
  closed_at: NullableTimestamp;
  /** When the desk last classified the case (null: it holds her own answers, copied at intake). */
  classified_at: NullableTimestamp;
  closing_outcome: string | null;
  closing_note_sealed: Buffer | null;
  created_at: CreatedAt;
}

export interface HelplineCaseNoteTable {
  id: string;
  case_id: string;
  author_account_id: string;
  body_sealed: Buffer;
  created_at: CreatedAt;
}

export interface HelplineHotlineCallTable {
  id: string;
  organisation_id: string;
  case_id: string | null;
  registered_by: string;
  started_at: Timestamp;
  duration_seconds: number;
  caller_age_band: string | null;
  caller_gender: string | null;
  caller_minor: boolean | null;
  province: string | null;
  category: string;
  summary_sealed: Buffer;
  follow_up_needed: boolean;
  created_at: CreatedAt;
}

export interface HelplineCallbackAttemptTable {
  id: string;
  case_id: string;
  /** The help module's call-back request, when the attempt answers one. */
  callback_id: string | null;
  account_id: string;
  started_at: Timestamp;
  result: string | null;
  finished_at: NullableTimestamp;
}

export interface HelplineReferralTable {
  id: string;
  case_id: string;
  kind: string;
  agency_sealed: Buffer | null;
  status: string;
  outcome_sealed: Buffer | null;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface HelplineMandatoryReportTable {
  id: string;
  case_id: string;
  /** The reporting organisation is on record; the person who reported is sealed (ADVL 14: confidential). */
  reporter_sealed: Buffer;
  reported_at: Timestamp;
  channel: string;
  police_station_sealed: Buffer;
  reference_sealed: Buffer | null;
  details_sealed: Buffer | null;
  created_at: CreatedAt;
}

export interface HelplineDutyShiftTable {
  id: string;
  organisation_id: string;
  account_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_by: string;
  created_at: CreatedAt;
}

/** One escalation of an unclaimed case (helpline.escalation.ts): at most one per case and level. */
export interface HelplineCaseEscalationTable {
  case_id: string;
  /** 1: the supervisor on duty alerted; 2: handed to the fallback desk. */
  level: number;
  escalated_at: Timestamp;
  /** The deadline that passed (level 1: first response; level 2: level 1 + the desk's handover minutes). */
  due_at: Timestamp;
  from_organisation_id: string;
  /** Level 1: the supervisor on duty then (null: nobody was on duty; every supervisor of the desk sees it). */
  supervisor_account_id: string | null;
  /** Level 2: the desk the case was handed to. */
  to_organisation_id: string | null;
}

export interface HelplineTables {
  helpline_desk_setting: HelplineDeskSettingTable;
  helpline_case: HelplineCaseTable;
  helpline_case_note: HelplineCaseNoteTable;
  helpline_hotline_call: HelplineHotlineCallTable;
  helpline_callback_attempt: HelplineCallbackAttemptTable;
  helpline_referral: HelplineReferralTable;
  helpline_mandatory_report: HelplineMandatoryReportTable;
  helpline_duty_shift: HelplineDutyShiftTable;
  helpline_case_escalation: HelplineCaseEscalationTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends HelplineTables {}
}
