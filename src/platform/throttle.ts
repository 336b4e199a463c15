/**
 * Guessing throttles without lockouts. A guess (a password, a case secret, a TOTP code) is counted only when
 * it fails, against three scopes at once:
 *
 * - the **source** (this network guessing this subject): a few free failures, then waits that double with each
 *   further failure — the guesser is slowed down, nobody else is;
 * - the **subject** (the account or case code, from any network): a ceiling much higher than the source's, then
 *   short, bounded waits — a guesser spread over many networks is slowed down, and the rightful person waits at
 *   most `capMs` (never a hard lock);
 * - the **network** (any subject): stops one network sweeping many subjects.
 *
 * A success does not count, and clears the source and subject for that subject. Waits are answered as 429 with
 * `Retry-After`. Counters are forgotten `memoryMs` after the last failure. Keys are HMACs (through the rate
 * limiter's key), never an address, an e-mail or a case code; `subject_key` lets an admin clear a subject
 * from every source at once.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from './errors.ts';

export interface BackoffPolicy {
  /** Failures before the first wait (after the `free`-th failure the source waits `baseMs`). */
  free: number;
  /** The first wait; each further failure doubles it. */
  baseMs: number;
  /** The longest wait. */
  capMs: number;
  /** Failures are forgotten this long after the last one. */
  memoryMs: number;
}

export interface GuessPolicies {
  source: BackoffPolicy;
  subject: BackoffPolicy;
  network: BackoffPolicy;
}

interface Scope {
  key: string;
  subjectKey: string | null;
  policy: BackoffPolicy;
}

/** What a guess may do now: go ahead, or wait this many seconds. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** One attempt at guessing `subject` (named within `name`, e.g. `identity.password`) from `network`. */
export class GuessAttempt {
  constructor(
    private readonly throttle: GuessThrottle,
    private readonly scopes: Scope[],
  ) {}

  /** Whether this source may guess now (read only: asking counts nothing). */
  check(): Promise<ThrottleDecision> {
    return this.throttle.decide(this.scopes);
  }

  /** Like `check`, but refuses with RATE_LIMITED (429, `Retry-After`). */
  async assertAllowed(): Promise<void> {
    const decision = await this.check();
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
  }

  /** Count a failed guess in every scope. */
  failed(): Promise<void> {
    return this.throttle.countFailure(this.scopes);
  }

  /** The rightful person got in: forget this source's and the subject's failures (not the network's). */
  succeeded(): Promise<void> {
    return this.throttle.forget(this.scopes.filter((s) => s.subjectKey !== null).map((s) => s.key));
  }
}

export function rateLimited(seconds: number): AppError {
  const wait = Math.max(1, Math.ceil(seconds));
  return new AppError('RATE_LIMITED', {
    params: { seconds: wait },
    headers: { 'retry-after': String(wait) },
  });
}

export class GuessThrottle {
  constructor(
    private readonly db: Db,
    private readonly keyFor: (namespace: string, subject: string) => string,
  ) {}

  attempt(name: string, subject: string, network: string, policies: GuessPolicies): GuessAttempt {
    const subjectKey = this.subjectKey(name, subject);
    return new GuessAttempt(this, [
      { key: this.keyFor(`${name}.source`, network + '\0' + subject), subjectKey, policy: policies.source },
      { key: this.keyFor(`${name}.subject`, subject), subjectKey, policy: policies.subject },
      { key: this.keyFor(`${name}.net`, network), subjectKey: null, policy: policies.network },
    ]);
  }

  /**
   * Clear every throttle on a subject (all sources and the subject itself; not the networks' counts over all
   * subjects); returns how many counters were removed. Pass a transaction to clear with its audit event.
   */
  async clearSubject(name: string, subject: string, executor: Kysely<Database> = this.db): Promise<number> {
    const result = await executor
      .deleteFrom('guess_throttle')
      .where('subject_key', '=', this.subjectKey(name, subject))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async decide(scopes: Scope[]): Promise<ThrottleDecision> {
    const row = await this.db
      .selectFrom('guess_throttle')
      .select(
        sql<string | null>`ceil(extract(epoch from max(blocked_until) - clock_timestamp()))::text`.as('wait'),
      )
      .where(
        'key',
        'in',
        scopes.map((s) => s.key),
      )
      .where('blocked_until', '>', sql<Date>`clock_timestamp()`)
      .where('expires_at', '>', sql<Date>`clock_timestamp()`)
      .executeTakeFirst();
    const wait = Number(row?.wait ?? 0);
    return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true };
  }

  async countFailure(scopes: Scope[]): Promise<void> {
    const sorted = [...scopes].sort((a, b) => (a.key < b.key ? -1 : 1));
    const column = <T>(pick: (s: Scope) => T) => sorted.map(pick);
    // One statement for every scope, keys in a fixed order so concurrent failures cannot deadlock. After the
    // n-th failure within memory the source waits 0 while n < free, then min(cap, base * 2^(n - free)).
    await sql`
      with input as (
        select * from unnest(
          ${column((s) => s.key)}::text[], ${column((s) => s.subjectKey)}::text[], ${column((s) => s.policy.free)}::int[],
          ${column((s) => s.policy.baseMs / 1000)}::float8[], ${column((s) => s.policy.capMs / 1000)}::float8[], ${column((s) => s.policy.memoryMs / 1000)}::float8[]
        ) as t(k, s, free, base, cap, memory)
      )
      insert into guess_throttle as g (key, subject_key, failures, blocked_until, expires_at)
      select k, s, 1,
        clock_timestamp() + make_interval(secs => case when free > 1 then 0 else least(cap, base) end),
        clock_timestamp() + make_interval(secs => memory)
      from input order by k
      on conflict (key) do update set
        failures = case when g.expires_at <= clock_timestamp() then 1 else g.failures + 1 end,
        blocked_until = clock_timestamp() + make_interval(secs => (
          select case
            when n < i.free then 0
            else least(i.cap, i.base * power(2, least(n - i.free, 40)))
          end
          from input i, lateral (select case when g.expires_at <= clock_timestamp() then 1 else g.failures + 1 end as n) as m
          where i.k = excluded.key
        )),
        expires_at = clock_timestamp() + make_interval(secs => (select i.memory from input i where i.k = excluded.key))`.execute(
      this.db,
    );
  }

  async forget(keys: string[]): Promise<void> {
    if (keys.length) await this.db.deleteFrom('guess_throttle').where('key', 'in', keys).execute();
  }

  /** Remove counters whose memory ended; run with the rate-limit sweep. */
  async sweep(): Promise<number> {
    const result = await this.db
      .deleteFrom('guess_throttle')
      .where('expires_at', '<', sql<Date>`now()`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private subjectKey(name: string, subject: string): string {
    return this.keyFor(`${name}.subject-of`, subject);
  }
}
