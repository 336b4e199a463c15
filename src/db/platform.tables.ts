/** Tables owned by the platform layer: rate-limit counters and the transactional outbox. */
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

export interface PlatformTables {
  rate_limit_counter: RateLimitCounterTable;
  outbox: OutboxTable;
  guess_throttle: GuessThrottleTable;
  proof_of_work_spent: ProofOfWorkSpentTable;
}
