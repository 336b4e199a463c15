/**
 * Anonymous usage counting (see docs/usage-counting.md). Nothing that could link two visits is kept: no
 * cookie, no address, no identifier; only per-day totals per channel. Page views are buffered in memory and
 * added to the day's row every few seconds, so a busy day never queues writes on one hot row; a client's
 * explicit report (`recordUsage`) is stored before it is acknowledged.
 */
import { sql } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.ts';

export const USAGE_CHANNELS = ['web', 'miniprogram', 'app'] as const;
export type UsageChannel = (typeof USAGE_CHANNELS)[number];

interface Counts {
  page_views: number;
  opens: number;
  users: number;
  new_users: number;
}

/** The calendar day in China time (UTC+8, no daylight saving), as YYYY-MM-DD. */
export function chinaDay(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * A page view is an "open" when the browser says it did not come from one of our own pages: typed, from a
 * bookmark, or from a link in another app (Sec-Fetch-Site `none` or `cross-site`). Browsers that send no
 * Sec-Fetch-Site count as an open on the home page only.
 */
export function isOpen(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'none' || site === 'cross-site') return true;
  if (site === undefined) return request.url === '/' || request.url.startsWith('/?');
  return false;
}

export class UsageCounter {
  private pending = new Map<string, Counts>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void,
    flushEveryMs = 5_000,
  ) {
    this.timer = setInterval(() => {
      void this.flush().catch(this.onError);
    }, flushEveryMs);
    this.timer.unref();
  }

  add(channel: UsageChannel, counts: Partial<Counts>, at = new Date()): void {
    const key = `${chinaDay(at)}|${channel}`;
    const current = this.pending.get(key) ?? { page_views: 0, opens: 0, users: 0, new_users: 0 };
    current.page_views += counts.page_views ?? 0;
    current.opens += counts.opens ?? 0;
    current.users += counts.users ?? 0;
    current.new_users += counts.new_users ?? 0;
    this.pending.set(key, current);
  }

  pageView(request: FastifyRequest): void {
    this.add('web', { page_views: 1, opens: isOpen(request) ? 1 : 0 });
  }

  /** Add counts at once (a client's explicit report): the request is answered only after they are stored. */
  async record(channel: UsageChannel, counts: Partial<Counts>, at = new Date()): Promise<void> {
    await this.upsert(chinaDay(at), channel, { page_views: 0, opens: 0, users: 0, new_users: 0, ...counts });
  }

  private async upsert(day: string, channel: string, c: Counts): Promise<void> {
    await this.db
      .insertInto('help_usage_day')
      .values({
        day,
        channel,
        page_views: c.page_views,
        opens: c.opens,
        users: c.users,
        new_users: c.new_users,
      })
      .onConflict((oc) =>
        oc.columns(['day', 'channel']).doUpdateSet({
          page_views: sql`help_usage_day.page_views + excluded.page_views`,
          opens: sql`help_usage_day.opens + excluded.opens`,
          users: sql`help_usage_day.users + excluded.users`,
          new_users: sql`help_usage_day.new_users + excluded.new_users`,
        }),
      )
      .execute();
  }

  /**
   * Write buffered counts; on failure they go back into the buffer for the next flush. Flushes run one
   * after another, so when this resolves every count added before the call is stored (the timer's flush
   * may be writing at the same moment).
   */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private flushing: Promise<void> = Promise.resolve();

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      for (const [key, c] of batch) {
        const [day = '', channel = 'web'] = key.split('|');
        await this.upsert(day, channel, c);
        batch.delete(key);
      }
    } finally {
      for (const [key, c] of batch) {
        const current = this.pending.get(key);
        if (current) {
          current.page_views += c.page_views;
          current.opens += c.opens;
          current.users += c.users;
          current.new_users += c.new_users;
        } else this.pending.set(key, c);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
