/**
 * Rate limiting with counters stored in PostgreSQL, so limits hold across any number of app processes.
 * Subjects (a network address, a case code, an account) are stored only as an HMAC with a key derived from
 * the master key: the table never holds an IP address or a case code.
 *
 * Used two ways: as the store behind @fastify/rate-limit (per route, per network) and directly by modules
 * through `RateLimiter.hit` (e.g. guesses of a case secret, sign-in attempts).
 */
import { sql } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { FastifyRateLimitStore, FastifyRateLimitOptions } from '@fastify/rate-limit';
import type { Db } from '../db/database.ts';
import { GroupCommit } from './group-commit.ts';
import { hmacSha256 } from './crypto.ts';
import { GuessThrottle } from './throttle.ts';

export interface RateDecision {
  allowed: boolean;
  hits: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/**
 * Requests the global per-network limiter never refuses: quick exit (any method), and reading pages — `GET` /
 * `HEAD` of anything but the API and the staff console (survivor and knowledge pages, their assets). Many
 * survivors may share one carrier-grade NAT address; one flooding client there must not take the pages and
 * quick exit from the rest. Writes, the API and staff pages keep the limit.
 */
export function neverGloballyLimited(request: FastifyRequest): boolean {
  const path = (request.url.split('?')[0] ?? '').replace(/^\/en(?=\/|$)/, '') || '/';
  if (path === '/exit') return true;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return !/^\/(api|staff)(\/|$)/.test(path);
}

interface Hit {
  key: string;
  windowMs: number;
}

export class RateLimiter {
  /** Failure counters with back-off for guessing (sign-in, case secrets): see platform/throttle.ts. */
  readonly guesses: GuessThrottle;

  constructor(
    private readonly db: Db,
    private readonly hmacKey: Buffer,
  ) {
    this.guesses = new GuessThrottle(db, (namespace, subject) => this.keyFor(namespace, subject));
  }

  /** Opaque key for a subject in a namespace (e.g. `help.secret`, `net`). */
  keyFor(namespace: string, subject: string): string {
    return (
      namespace +
      ':' +
      hmacSha256(this.hmacKey)
        .update(namespace + '\0' + subject)
        .digest('base64url')
    );
  }

  /**
   * Count one hit against a key in a fixed window; the first hit opens the window.
   *
   * Hits are group-committed: while one upsert is in flight, the hits that arrive meanwhile queue up and go
   * together in the next statement (one row per key, keys in a fixed order so two processes cannot
   * deadlock). An idle server sends each hit at once; a busy one sends one statement for many requests
   * instead of one each. Each caller still learns its own exact count: with n hits on a key in a batch,
   * the callers get hits - n + 1 … hits, in arrival order.
   */
  count(key: string, windowMs: number): Promise<{ hits: number; resetInMs: number }> {
    return this.hits.submit({ key, windowMs });
  }

  private readonly hits = new GroupCommit<Hit, { hits: number; resetInMs: number }>(
    (batch) => this.countBatch(batch),
    // One statement at a time: at a steady 1,000 requests/s fewer, larger batches gave the shorter tail and
    // more throughput (intake and counters both at 1 in flight: p99 13-22 ms; intake 4 and counters 2: 41-50 ms).
    { maxInFlight: 1, maxBatch: 500 },
  );

  private async countBatch(batch: Hit[]): Promise<{ hits: number; resetInMs: number }[]> {
    const byKey = new Map<string, number[]>();
    batch.forEach((hit, i) => byKey.set(hit.key, [...(byKey.get(hit.key) ?? []), i]));
    const keys = [...byKey.keys()].sort();
    const { rows } = await sql<{ key: string; hits: number; reset_ms: string }>`
      insert into rate_limit_counter as c (key, hits, window_ends_at)
      select k, n, clock_timestamp() + make_interval(secs => w)
      from unnest(${keys}::text[], ${keys.map((k) => byKey.get(k)!.length)}::int[], ${keys.map((k) => batch[byKey.get(k)![0]!]!.windowMs / 1000)}::float8[]) as t(k, n, w)
      order by k
      on conflict (key) do update set
        hits = case when c.window_ends_at <= clock_timestamp() then excluded.hits else c.hits + excluded.hits end,
        window_ends_at = case when c.window_ends_at <= clock_timestamp() then excluded.window_ends_at else c.window_ends_at end
      returning key, hits, greatest(0, ceil(extract(epoch from (window_ends_at - clock_timestamp())) * 1000))::text as reset_ms`.execute(
      this.db,
    );
    const results: { hits: number; resetInMs: number }[] = [];
    for (const row of rows) {
      const positions = byKey.get(row.key) ?? [];
      positions.forEach(
        (position, i) =>
          (results[position] = {
            hits: row.hits - positions.length + 1 + i,
            resetInMs: Number(row.reset_ms),
          }),
      );
    }
    if (rows.length !== keys.length) throw new Error('rate limit upsert returned no row for a key');
    return results;
  }

  async hit(
    namespace: string,
    subject: string,
    limit: { max: number; windowMs: number },
  ): Promise<RateDecision> {
    const { hits, resetInMs } = await this.count(this.keyFor(namespace, subject), limit.windowMs);
    return { allowed: hits <= limit.max, hits, resetInMs };
  }

  /** Forget a subject's counter (e.g. after a successful sign-in). */
  async reset(namespace: string, subject: string): Promise<void> {
    await this.db
      .deleteFrom('rate_limit_counter')
      .where('key', '=', this.keyFor(namespace, subject))
      .execute();
  }

  /** Remove counters whose window ended, and guess throttles past their memory; run by a periodic job. */
  async sweep(): Promise<number> {
    const result = await this.db
      .deleteFrom('rate_limit_counter')
      .where('window_ends_at', '<', sql<Date>`now() - interval '1 minute'`)
      .executeTakeFirst();
    return Number(result.numDeletedRows) + (await this.guesses.sweep());
  }

  /** A store class for @fastify/rate-limit backed by this limiter: one counter per network and route. */
  fastifyStore(): new (options: FastifyRateLimitOptions) => FastifyRateLimitStore {
    const count = (key: string, windowMs: number) => this.count(key, windowMs);
    const keyFor = (namespace: string, subject: string) => this.keyFor(namespace, subject);
    return class PostgresRateLimitStore implements FastifyRateLimitStore {
      constructor(
        _options: FastifyRateLimitOptions,
        private readonly namespace = 'net',
      ) {}
      incr(
        key: string,
        callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
        timeWindow = 60_000,
      ): void {
        count(keyFor(this.namespace, key), timeWindow)
          .then(({ hits, resetInMs }) => callback(null, { current: hits, ttl: resetInMs }))
          .catch((error: unknown) => callback(error as Error));
      }
      child(params: object): FastifyRateLimitStore {
        // The plugin passes the merged route parameters, with the route itself under `routeInfo`.
        const route = (params as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
        const name =
          route && typeof route.url === 'string' ? `${String(route.method)} ${route.url}` : 'custom';
        return new PostgresRateLimitStore({}, `net:${name}`);
      }
    };
  }
}
