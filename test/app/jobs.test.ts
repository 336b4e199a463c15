import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { addToOutbox, dueProbe } from '../../src/platform/jobs.ts';
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
    // Delivered: the row is gone (the outbox does not grow with history).
    const left = await t.db.selectFrom('outbox').selectAll().where('topic', '=', 'test.notify').execute();
    expect(left).toEqual([]);
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

  it('discards rows no handler takes once they are a day old, and relayed rows whose job is done', async () => {
    const stale = await addToOutbox(t.db, 'nobody.listens', { n: 1 });
    const fresh = await addToOutbox(t.db, 'nobody.listens', { n: 2 });
    await sql`update outbox set created_at = now() - interval '25 hours' where id = ${stale}`.execute(t.db);
    // A relayed row whose handler's own delete did not happen (its job is completed or gone).
    const stranded = await addToOutbox(t.db, 'test.notify', { caseId: 'stranded' });
    await sql`update outbox set dispatched_at = now() - interval '1 hour', job_id = gen_random_uuid() where id = ${stranded}`.execute(
      t.db,
    );
    expect(await t.jobs.sweepOnce()).toBe(2);
    const ids = (await t.db.selectFrom('outbox').select('id').execute()).map((r) => r.id);
    expect(ids).toContain(fresh);
    expect(ids).not.toContain(stale);
    expect(ids).not.toContain(stranded);
  });

  it('polls at a cost that does not grow with history or with rows of topics nobody takes', async () => {
    // 20,000 pending rows of a topic no handler takes and 20,000 relayed ones: an idle poll reads a few pages.
    await sql`insert into outbox (topic, payload) select 'nobody.listens', '{}'::jsonb from generate_series(1, 20000)`.execute(
      t.db,
    );
    await sql`insert into outbox (topic, payload, dispatched_at) select 'test.notify', '{}'::jsonb, now() from generate_series(1, 20000)`.execute(
      t.db,
    );
    await sql`analyze outbox`.execute(t.db);
    const probe = dueProbe(['test.notify', 'orders.notify']).compile(t.db);
    const result = await t.db.executeQuery<{
      'QUERY PLAN': [{ Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }];
    }>(CompiledQuery.raw(`explain (analyze, buffers, format json) ${probe.sql}`, [...probe.parameters]));
    const plan = result.rows[0]?.['QUERY PLAN'][0].Plan;
    expect(plan, JSON.stringify(result.rows[0])).toBeDefined();
    expect((plan?.['Shared Hit Blocks'] ?? 0) + (plan?.['Shared Read Blocks'] ?? 0)).toBeLessThan(20);
    await sql`delete from outbox`.execute(t.db);
  });
});
