/**
 * Webhook deliveries survive a kill -9 of the app: an event is waiting in the outbox; the receiver (a real
 * HTTP server on 127.0.0.1) refuses every attempt until the app has been killed, so the delivery can only
 * succeed after the restart; it is then delivered exactly once, with a signature the receiver verifies.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/database.ts';
import { Keyring } from '../../src/platform/crypto.ts';
import { verifySignature } from '../../src/modules/webhooks/webhooks.signature.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { createTestDatabase } from '../support/test-app.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function until(what: string, check: () => Promise<boolean>, deadlineMs = 180_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('webhooks through kill -9', () => {
  it('delivers a pending delivery once after the restart', { timeout: 600_000 }, async () => {
    let killed = false;
    const received: { status: number; delivery: string; body: string; signature: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = killed ? 204 : 503;
        received.push({
          status,
          delivery: String(req.headers['anxin-delivery']),
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['anxin-signature']),
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const address = receiver.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;

    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-webhook-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const masterKey = randomBytes(32);
    const keyring = new Keyring(masterKey);
    const handle = connectDatabase(database.url, { max: 2 });
    cleanups.push(() => handle.close());
    const db = handle.db;

    // A court, its system client and its subscription, and an event waiting in the outbox.
    const court = await db
      .insertInto('organisation')
      .values({ kind: 'court', name: '玄武区人民法院', region_code: '320102' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const clientId = randomUUID();
    const clientSecret = randomBytes(32).toString('base64url');
    await db
      .insertInto('system_client')
      .values({
        id: clientId,
        organisation_id: court.id,
        name: '法院案件系统',
        scopes: ['orders.docket.list'],
        secret_hash: createHmac('sha256', keyring.deriveKey('identity.system-secret'))
          .update(clientSecret)
          .digest(),
      })
      .execute();
    const subscriptionId = randomUUID();
    const secret = 'whsec_crash_test_secret';
    await db
      .insertInto('webhook_subscription')
      .values({
        id: subscriptionId,
        client_id: clientId,
        organisation_id: court.id,
        url,
        events: ['application.submitted'],
        secret: keyring.sealText(secret, `webhook_subscription.secret:${subscriptionId}`),
      })
      .execute();
    const applicationId = randomUUID();
    await db
      .insertInto('outbox')
      .values({
        topic: 'webhooks.event',
        payload: JSON.stringify({
          eventId: randomUUID(),
          event: 'application.submitted',
          occurredAt: new Date().toISOString(),
          organisationIds: [court.id],
          applicationId,
        }),
        available_at: new Date(),
      })
      .execute();

    const env = {
      DATABASE_URL: database.url,
      ANXIN_DATA_DIR: dataDir,
      ANXIN_MASTER_KEY: masterKey.toString('base64'),
      ANXIN_CLAMD: 'none',
      ANXIN_WEBHOOK_URL_PREFIXES: 'http://127.0.0.1:',
      ANXIN_WEBHOOK_RETRY_BASE_MS: '500',
    };
    let server: ServerProcess = await startServerProcess(env);
    cleanups.push(() => server.stop());
    // The first attempt is refused and logged, with the next one due later.
    await until('a refused attempt', async () => {
      const row = await db.selectFrom('webhook_delivery').select('attempts').executeTakeFirst();
      return (row?.attempts ?? 0) >= 1;
    });
    await server.kill();
    killed = true;
    const beforeRestart = received.length;
    expect(received.every((r) => r.status === 503)).toBe(true);

    server = await startServerProcess(env);
    await until('the delivery after the restart', async () => {
      const row = await db.selectFrom('webhook_delivery').select('status').executeTakeFirst();
      return row?.status === 'delivered';
    });
    const delivered = received.filter((r) => r.status === 204);
    expect(delivered).toHaveLength(1);
    expect(received.length).toBeGreaterThan(beforeRestart);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(1);
    const [only] = delivered;
    expect(verifySignature(secret, only!.body, only!.signature)).toBe(true);
    expect(JSON.parse(only!.body)).toMatchObject({
      type: 'application.submitted',
      organisationId: court.id,
      data: { applicationId },
    });
    const log = await db.selectFrom('webhook_delivery').selectAll().executeTakeFirstOrThrow();
    expect([log.status, log.attempts, log.last_status_code]).toEqual(['delivered', received.length, 204]);
  });
});
