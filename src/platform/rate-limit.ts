/**
 * Rate limiting with counters stored in PostgreSQL, so limits hold across any number of app processes.
 * Subjects (a network address, a case code, an account) are stored only as an HMAC with a key derived from
 * the master key: the table never holds an IP address or a case code.
 *
 * Used two ways: as the store behind @fastify/rate-limit (per route, per network) and directly by modules
 * through `RateLimiter.hit` (e.g. guesses of a case secret, sign-in attempts).
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyRateLimitStore, FastifyRateLimitOptions } from '@fastify/rate-limit';
import type { Db } from '../db/database.ts';

export interface RateDecision {
  allowed: boolean;
  hits: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly hmacKey: Buffer,
  ) {}

  /** Opaque key for a subject in a namespace (e.g. `help.secret`, `net`). */
  keyFor(namespace: string, subject: string): string {
    return (
      namespace +
      ':' +
      createHmac('sha256', this.hmacKey)
        .update(namespace + '\0' + subject)
        .digest('base64url')
    );
  }

  /** Count one hit against a key in a fixed window; the first hit opens the window. */
  async count(key: string, windowMs: number): Promise<{ hits: number; resetInMs: number }> {
    const { rows } = await sql<{ hits: number; reset_ms: string }>`
      insert into rate_limit_counter as c (key, hits, window_ends_at)
      values (${key}, 1, clock_timestamp() + make_interval(secs => ${windowMs / 1000}))
      on conflict (key) do update set
        hits = case when c.window_ends_at <= clock_timestamp() then 1 else c.hits + 1 end,
        window_ends_at = case when c.window_ends_at <= clock_timestamp() then excluded.window_ends_at else c.window_ends_at end
      returning hits, greatest(0, ceil(extract(epoch from (window_ends_at - clock_timestamp())) * 1000))::text as reset_ms`.execute(
      this.db,
    );
    const row = rows[0];
    if (!row) throw new Error('rate limit upsert returned no row');
    return { hits: row.hits, resetInMs: Number(row.reset_ms) };
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

  /** Remove counters whose window ended; run by a periodic job. */
  async sweep(): Promise<number> {
    const result = await this.db
      .deleteFrom('rate_limit_counter')
      .where('window_ends_at', '<', sql<Date>`now() - interval '1 minute'`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
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
