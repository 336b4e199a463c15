/**
 * Tables the identity module owns: organisations, staff accounts and their roles, sign-in secrets,
 * sessions, invitations, break-glass grants, and the hash-chained audit trail. Other modules read none of
 * these directly: they go through the identity service (`request.staff`, `recordAudit`).
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrganisationTable {
  id: Generated<string>;
  kind: string;
  name: string;
  /** GB/T 2260 code of the most specific division known: 2 (province), 4 (city) or 6 (district) digits. */
  region_code: string;
  created_at: CreatedAt;
  disabled_at: NullableTimestamp;
}

export interface StaffAccountTable {
  id: Generated<string>;
  organisation_id: string;
  /** Lower-cased sign-in address. */
  email: string;
  display_name: string;
  /** argon2id PHC string; null until the invitation is accepted. */
  password_hash: string | null;
  status: 'invited' | 'active' | 'disabled';
  locale: 'zh-CN' | 'en';
  /** TOTP secret sealed with the keyring (context `staff_account.totp_secret:<id>`); null until enrolled. */
  totp_secret: Buffer | null;
  /** The last TOTP time step accepted: a code from this step or earlier is refused (no reuse). */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  mfa_enrolled_at: NullableTimestamp;
  password_changed_at: NullableTimestamp;
  created_at: CreatedAt;
  disabled_at: NullableTimestamp;
}

export interface StaffAccountRoleTable {
  account_id: string;
  role: string;
}

export interface StaffRecoveryCodeTable {
  id: Generated<string>;
  account_id: string;
  /** HMAC-SHA-256 of the code under a derived key; the code itself is shown once and never stored. */
  code_hash: Buffer;
  used_at: NullableTimestamp;
}

export interface StaffInvitationTable {
  id: Generated<string>;
  account_id: string;
  token_hash: Buffer;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface StaffSessionTable {
  id: Generated<string>;
  account_id: string;
  /** HMAC-SHA-256 of the cookie token: a database dump holds no usable session. */
  token_hash: Buffer;
  /** `mfa`: password checked, second factor due; `enrol`: TOTP enrolment due; `full`: signed in. */
  stage: 'mfa' | 'enrol' | 'full';
  /** A TOTP secret being enrolled, sealed (context `staff_session.pending_totp:<id>`). */
  pending_totp_secret: Buffer | null;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface StaffPasskeyTable {
  id: Generated<string>;
  account_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: ColumnType<string, string | number, string | number>;
  transports: ColumnType<string[], string[], string[]>;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
}

export interface StaffBreakGlassTable {
  id: Generated<string>;
  session_id: string;
  account_id: string;
  record_type: string;
  record_id: string;
  reason: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** A system (a court's case system, a police system) calling the API for its organisation; see system-clients.ts. */
export interface SystemClientTable {
  id: string;
  organisation_id: string;
  name: string;
  /** Access-policy actions it may perform (at most what its organisation's roles may do). */
  scopes: ColumnType<string[], string[], string[]>;
  /** HMAC-SHA-256 of the client secret under a derived key; the secret is shown once and never stored. */
  secret_hash: Buffer;
  created_by: string | null;
  created_at: CreatedAt;
  /** Set on revocation: every token of the client stops working at its next request. */
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
}

export interface IdentityTables {
  organisation: OrganisationTable;
  staff_account: StaffAccountTable;
  staff_account_role: StaffAccountRoleTable;
  staff_recovery_code: StaffRecoveryCodeTable;
  staff_invitation: StaffInvitationTable;
  staff_session: StaffSessionTable;
  staff_passkey: StaffPasskeyTable;
  staff_break_glass: StaffBreakGlassTable;
  system_client: SystemClientTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends IdentityTables {}
}
