import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await setConnections(true).catch(() => undefined);
  await t?.close();
});

const dbName = () => new URL(t.databaseUrl).pathname.slice(1);

/** Take this test's database away (no connections allowed, existing ones cut) or give it back. */
async function setConnections(allowed: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`alter database ${dbName()} with allow_connections ${allowed ? 'true' : 'false'}`);
    if (!allowed)
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [dbName()],
      );
  } finally {
    await admin.end();
  }
}

describe('readiness when the database goes away and comes back', () => {
  it('answers 503 with a clear log line, then 200 again', async () => {
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
    await setConnections(false);
    const down = await t.app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'database unavailable' });
    expect(t.logs.join('')).toContain('database unreachable: /readyz answers 503 until it returns');
    // Pages that need no database keep working while it is down.
    expect((await t.app.inject('/')).statusCode).toBe(200);
    await setConnections(true);
    const up = await t.app.inject('/readyz');
    expect(up.statusCode).toBe(200);
    expect(t.logs.join('')).toContain('database reachable again; ready');
  });
});
