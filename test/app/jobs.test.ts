import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToOutbox } from '../../src/platform/jobs.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  t = await createTestApp({
    configure(app) {
      app.jobs.handle('test.notify', async (payload) => {
        received.push(payload);
      });
    },
  });
  await t.jobs.start();
});
afterAll(async () => {
  await t?.jobs.stop();
  await t?.close();
});

async function until(predicate: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outbox and job queue', () => {
  it('runs work only when the transaction that asked for it commits, exactly once', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await addToOutbox(trx, 'test.notify', { caseId: 'rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    await t.db.transaction().execute(async (trx) => {
      await addToOutbox(trx, 'test.notify', { caseId: 'committed' });
    });
    await until(() => received.some((p) => p.caseId === 'committed'));
    // Relaying again must not send the same row twice.
    expect(await t.jobs.relayOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received.filter((p) => p.caseId === 'committed')).toHaveLength(1);
    expect(received.some((p) => p.caseId === 'rolled-back')).toBe(false);
    const row = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', 'test.notify')
      .executeTakeFirstOrThrow();
    expect(row.dispatched_at).toBeInstanceOf(Date);
    expect(row.job_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('holds work back until it is due', async () => {
    await addToOutbox(
      t.db,
      'test.notify',
      { caseId: 'later' },
      { availableAt: new Date(Date.now() + 60 * 60_000) },
    );
    expect(await t.jobs.relayOnce()).toBe(0);
  });
});
