/** Tables owned by the platform layer: rate-limit counters, the transactional outbox and the audit trail. */
import type { ColumnType, Generated } from 'kysely';

export interface RateLimitCounterTable {
  /** HMAC of the limited subject (network, case code, account), never the raw value. */
  key: string;
  hits: number;
  window_ends_at: ColumnType<Date, Date | string, Date | string>;
}

/** Failed guesses with back-off (platform/throttle.ts); keys and subject keys are HMACs. */
export interface GuessThrottleTable {
  key: string;
  subject_key: string | null;
  failures: number;
  blocked_until: ColumnType<Date, Date | string, Date | string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

/** Proof-of-work challenges already used (platform/proof-of-work.ts), kept until they expire. */
export interface ProofOfWorkSpentTable {
  id: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface OutboxTable {
  id: Generated<string>;
  topic: string;
  /** Identifiers only: personal data never travels through the outbox. */
  payload: ColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, never, never>;
  available_at: ColumnType<Date, Date | string | undefined, Date | string>;
  dispatched_at: ColumnType<Date | null, never, Date | string | null>;
  job_id: ColumnType<string | null, never, string | null>;
}

/** The hash-chained audit trail (platform/audit.ts); written by every module, append-only. */
export interface AuditEventTable {
  /** Gapless position in the chain (assigned under a lock from `audit_chain_head`). */
  seq: ColumnType<string, string | number, never>;
  occurred_at: ColumnType<Date, Date, never>;
  actor_account_id: ColumnType<string | null, string | null, never>;
  actor_roles: ColumnType<string[], string[], never>;
  organisation_id: ColumnType<string | null, string | null, never>;
  event: ColumnType<string, string, never>;
  record_type: ColumnType<string | null, string | null, never>;
  record_id: ColumnType<string | null, string | null, never>;
  ip: ColumnType<string | null, string | null, never>;
  user_agent: ColumnType<string | null, string | null, never>;
  break_glass: ColumnType<boolean, boolean, never>;
  reason: ColumnType<string | null, string | null, never>;
  details: ColumnType<Record<string, string | number | boolean | null>, string, never>;
  prev_hash: ColumnType<Buffer, Buffer, never>;
  hash: ColumnType<Buffer, Buffer, never>;
}

export interface AuditChainHeadTable {
  id: number;
  seq: ColumnType<string, string | number, string | number>;
  hash: Buffer;
}

export interface PlatformTables {
  rate_limit_counter: RateLimitCounterTable;
  outbox: OutboxTable;
  guess_throttle: GuessThrottleTable;
  proof_of_work_spent: ProofOfWorkSpentTable;
  audit_event: AuditEventTable;
  audit_chain_head: AuditChainHeadTable;
}
