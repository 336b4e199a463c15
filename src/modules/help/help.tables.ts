/**
 * Tables the help module owns: help requests (the online consultation), their messages, the survivor's
 * short-lived thread sessions, call-back requests, the directory of services and anonymous usage counters.
 * Sensitive values (narrative, messages, contact details, code word, danger answers) are sealed with
 * envelope encryption (`bytea`, context `table.column:id`); only classification fields are stored plain.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface HelpRequestTable {
  id: string;
  /** Short code she writes down (e.g. `K7QM-4TZP`); opens nothing without the secret. */
  case_code: string;
  /** HMAC-SHA-256 of the secret under a key derived for this purpose; the secret itself is never stored. */
  secret_hash: Buffer;
  request_type: string;
  /** Free text for "other", sealed. */
  other_type_sealed: Buffer | null;
  age_band: string | null;
  gender: string | null;
  is_minor: boolean | null;
  province: string | null;
  city: string | null;
  forms: ColumnType<string[], string[] | undefined, string[]>;
  relationship: string | null;
  children_witnessed: boolean | null;
  /** How she may be contacted: none, in_app, phone, sms, email. The details are in `contact_sealed`. */
  contact_channel: string;
  /** JSON {phone?, email?, windows, codeWord?, noVoicemail, noSms}, sealed. */
  contact_sealed: Buffer;
  /** Legal basis of processing: `separate_consent` (PIPL 29) or `minor_emergency` (under 14, guardian may be the abuser: PIPL 13). */
  consent_basis: string;
  consent_version: string;
  consented_at: Timestamp;
  /** Never contact a guardian (under-14s whose guardian may be the abuser). */
  no_guardian_contact: boolean;
  /** She withdrew her consent to statistics (PIPL 47): the report fold leaves this request out. */
  statistics_withdrawn: Generated<boolean>;
  danger_level: string | null;
  danger_score: number | null;
  danger_answers_sealed: Buffer | null;
  locale: string;
  /** She chose plain page titles: every thread session of hers uses them. */
  neutral_titles: boolean;
  status: Generated<string>;
  created_at: Generated<Date>;
  /** When her thread was last opened with code and secret (she is shown this). */
  last_opened_at: NullableTimestamp;
  last_survivor_message_at: NullableTimestamp;
  last_staff_reply_at: NullableTimestamp;
}

export interface HelpMessageTable {
  id: string;
  /** Order of writing within the thread. */
  seq: Generated<string>;
  help_request_id: string;
  author: 'survivor' | 'staff';
  /** Opaque reference to the staff member (identity module); null for the survivor. */
  staff_ref: string | null;
  /** Who answered, as she is told: `lawyer`, `caseworker` or `staff` (null for her own messages). */
  staff_role: ColumnType<
    'lawyer' | 'caseworker' | 'staff' | null,
    'lawyer' | 'caseworker' | 'staff' | null | undefined,
    never
  >;
  body_sealed: Buffer;
  created_at: Generated<Date>;
}

export interface HelpThreadSessionTable {
  id: string;
  /** HMAC-SHA-256 of the cookie token; the token itself is never stored. */
  token_hash: Buffer;
  help_request_id: string;
  neutral_titles: boolean;
  /** When the thread had been opened before this session (shown to her). */
  previous_open_at: Date | null;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
}

export interface HelpCallbackTable {
  id: string;
  /** Set when asked for from her thread; null for a call-back asked for on its own. */
  help_request_id: string | null;
  /** JSON {phone, windows, codeWord?, noVoicemail, noSms}, sealed. */
  contact_sealed: Buffer;
  consent_version: string;
  locale: string;
  status: Generated<string>;
  created_at: Generated<Date>;
}

export interface HelpDirectoryEntryTable {
  id: Generated<string>;
  kind: string;
  /** GB/T 2260 province code (two digits), or `00` for national services. */
  province: string;
  city_zh: string | null;
  city_en: string | null;
  name_zh: string;
  name_en: string;
  phone: string | null;
  address_zh: string | null;
  hours_zh: string | null;
  hours_en: string | null;
  active: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface HelpUsageDayTable {
  day: ColumnType<string, string, string>;
  channel: string;
  page_views: Generated<number>;
  opens: Generated<number>;
  users: Generated<number>;
  new_users: Generated<number>;
}

export interface HelpTables {
  help_request: HelpRequestTable;
  help_message: HelpMessageTable;
  help_thread_session: HelpThreadSessionTable;
  help_callback: HelpCallbackTable;
  help_directory_entry: HelpDirectoryEntryTable;
  help_usage_day: HelpUsageDayTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends HelpTables {}
}
