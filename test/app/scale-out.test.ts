/**
 * Two app processes on one PostgreSQL behind a round-robin proxy: rate limits are counted across both,
 * and outbox work is relayed and run exactly once even though both processes relay.
 * (Sessions and upload resumption across processes are covered by the identity and evidence tests.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../support/test-app.ts';
import { startRoundRobinProxy, startServerProcess, type RoundRobinProxy, type ServerProcess } from '../support/processes.ts';

let database: { url: string; drop(): Promise<void> };
let servers: ServerProcess[] = [];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, ANXIN_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'), ANXIN_TRUST_PROXY: '1', ANXIN_RATE_LIMIT_PER_MINUTE: '12' };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  proxy = await startRoundRobinProxy(servers.map((s) => s.url));
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(servers.map((s) => s.stop()));
  await database?.drop();
});

describe('two processes behind a proxy', () => {
  it('share one rate limit per network', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i += 1) statuses.push((await fetch(`${proxy.url}/`)).status);
    expect(proxy.counts[0]).toBeGreaterThan(5);
    expect(proxy.counts[1]).toBeGreaterThan(5);
    // 12 allowed in the window across both processes; per-process counters would have allowed 24.
    expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true);
    expect(statuses[12]).toBe(429);
  });

  it('relay each outbox row into the queue exactly once and run it once', { timeout: 90_000 }, async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = 150;
      // The rate-limit sweep is a real platform job with a handler in both processes.
      await client.query(
        `insert into outbox (topic, payload) select 'platform.rate-limit-sweep', jsonb_build_object('n', n) from generate_series(1, $1) n`,
        [rows],
      );
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows: done } = await client.query<{ n: string }>(
          `select count(*)::text as n from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId' and state = 'completed'`,
        );
        if (Number(done[0]?.n) >= rows) break;
        if (Date.now() > deadline) throw new Error(`only ${done[0]?.n} of ${rows} jobs completed`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const { rows: stats } = await client.query<{ jobs: string; distinct_rows: string; undispatched: string }>(`
        select (select count(*) from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId')::text as jobs,
               (select count(distinct data->>'outboxId') from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId')::text as distinct_rows,
               (select count(*) from outbox where dispatched_at is null)::text as undispatched`);
      expect(stats[0]).toEqual({ jobs: String(rows), distinct_rows: String(rows), undispatched: '0' });
    } finally {
      await client.end();
    }
  });
});
