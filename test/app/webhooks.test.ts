/**
 * Webhooks for systems, through the generated client and a real HTTP receiver on 127.0.0.1: a court's system
 * subscribes itself; filing an application writes its event in the same transaction (outbox); the fan-out is
 * idempotent; a failed attempt is logged and retried after back-off; the delivery carries identifiers only
 * and a signature that the receiver example in docs/webhooks.md verifies; the log is readable through the API
 * by the system and its admin, and by nobody else.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/modules/webhooks/webhooks.signature.ts';
import { apiClient } from '../support/api-client.ts';
import { makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import {
  auth,
  completeApplication,
  makeOrdersWorld,
  makeSurvivor,
  type OrdersWorld,
} from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let t: TestApp;
let w: OrdersWorld;
let admin: SignedIn;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const answers: number[] = [];

const survivorActor = {
  audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
  ref: 'survivor',
  accountId: null,
};

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/anxin-hook`;
  t = await createTestApp({
    env: { ANXIN_WEBHOOK_URL_PREFIXES: 'http://127.0.0.1:', ANXIN_WEBHOOK_RETRY_BASE_MS: '1000' },
  });
  w = await makeOrdersWorld(t);
  admin = await sessionFor(t, (await makeStaff(t, w.courtA, ['organisation_admin'])).accountId);
}, 60_000);
afterAll(async () => {
  await t?.close();
  receiver?.close();
});

/** The receiver example of docs/webhooks.md, taken from the page itself and loaded as a module. */
async function docsExample(): Promise<{
  verifyAnxinSignature(secret: string, body: string, header: unknown): boolean;
}> {
  const page = await readFile(path.resolve(import.meta.dirname, '../../docs/webhooks.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(page)?.[1];
  if (!code) throw new Error('docs/webhooks.md has no js example');
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'anxin-webhook-doc-')), 'receiver.mjs');
  await writeFile(file, code);
  return import(file) as never;
}

describe('webhooks', () => {
  let token: string;
  let subscriptionId: string;
  let secret: string;
  let applicationId: string;

  it('lets a system subscribe itself to events, only at a URL under the configured prefixes', async () => {
    const registered = await apiClient(t.app, auth(admin)).POST('/api/system-clients', {
      body: { name: '玄武区法院案件系统', scopes: ['orders.docket.list'] },
    });
    const issued = await apiClient(t.app).POST('/api/oauth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: registered.data!.clientId,
        client_secret: registered.data!.clientSecret,
      },
    });
    token = issued.data!.access_token;
    const system = apiClient(t.app, { authorization: `Bearer ${token}`, 'accept-language': 'en' });
    const outside = await system.POST('/api/webhooks/subscriptions', {
      body: { url: 'https://203.0.113.9/hook', events: ['application.submitted'] },
    });
    expect(outside.response.status).toBe(400);
    expect(outside.error?.error.fields?.[0]).toEqual({
      field: 'url',
      message: expect.stringContaining('http://127.0.0.1:'),
    });
    const created = await system.POST('/api/webhooks/subscriptions', {
      body: { url: receiverUrl, events: ['application.submitted', 'application.accepted'] },
    });
    expect(created.response.status).toBe(201);
    subscriptionId = created.data!.id;
    secret = created.data!.secret;
    const row = await t.db
      .selectFrom('webhook_subscription')
      .select('secret')
      .where('id', '=', subscriptionId)
      .executeTakeFirstOrThrow();
    expect(row.secret.toString('latin1')).not.toContain(secret);
    expect((await system.GET('/api/webhooks/subscriptions')).data?.items.map((s) => s.id)).toEqual([
      subscriptionId,
    ]);
  });

  it('writes the event with the change, fans it out once, and retries a failed delivery after back-off', async () => {
    const survivor = await makeSurvivor(t);
    const draft = await t.app.ordersService.saveDraft(survivorActor, completeApplication(), {
      channel: 'portal',
      helpRequestId: survivor.helpRequestId,
    });
    await t.app.ordersService.submit(survivorActor, draft.id);
    applicationId = draft.id;
    const events = await t.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('topic', '=', 'webhooks.event')
      .execute();
    expect(events.map((e) => [e.payload.event, e.payload.applicationId, e.payload.organisationIds])).toEqual([
      ['application.submitted', applicationId, [w.courtA]],
    ]);
    const payload = events[0]!.payload;
    await t.app.webhooks.fanOut(payload);
    await t.app.webhooks.fanOut(payload);
    const deliveries = await t.db.selectFrom('webhook_delivery').selectAll().execute();
    expect(deliveries).toHaveLength(1);
    const deliveryId = deliveries[0]!.id;

    answers.push(503);
    await t.app.webhooks.deliver(deliveryId);
    const failed = await t.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect([failed.status, failed.attempts, failed.last_status_code, failed.last_error]).toEqual([
      'pending',
      1,
      503,
      'HTTP 503',
    ]);
    const retry = await t.db
      .selectFrom('outbox')
      .select(['available_at', 'payload'])
      .where('topic', '=', 'webhooks.deliver')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(retry.payload.deliveryId).toBe(deliveryId);
    expect(retry.available_at.getTime()).toBe(failed.next_attempt_at!.getTime());
    expect(failed.next_attempt_at!.getTime() - failed.last_attempt_at!.getTime()).toBe(1000);

    await t.app.webhooks.deliver(deliveryId);
    await t.app.webhooks.deliver(deliveryId); // already delivered: nothing is sent again
    expect(received).toHaveLength(2);
    const done = await t.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect([done.status, done.attempts, done.last_status_code]).toEqual(['delivered', 2, 204]);
  });

  it('signs each delivery so the receiver example of docs/webhooks.md verifies it, and carries identifiers only', async () => {
    const last = received.at(-1)!;
    expect(last.headers['anxin-event']).toBe('application.submitted');
    expect(last.headers['anxin-delivery']).toBe(received[0]!.headers['anxin-delivery']);
    const header = String(last.headers['anxin-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const example = await docsExample();
    expect(example.verifyAnxinSignature(secret, last.body, header)).toBe(true);
    expect(verifySignature(secret, last.body, header)).toBe(true);
    // A changed body, another secret, or an old timestamp fail.
    expect(example.verifyAnxinSignature(secret, last.body.replace(applicationId, randomUUID()), header)).toBe(
      false,
    );
    expect(example.verifyAnxinSignature(`${secret}x`, last.body, header)).toBe(false);
    expect(verifySignature(secret, last.body, header, 300, new Date(Date.now() + 600_000))).toBe(false);
    const body = JSON.parse(last.body) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.any(String),
      type: 'application.submitted',
      createdAt: expect.any(String),
      organisationId: w.courtA,
      data: { applicationId },
    });
    for (const personal of ['李梅', '王强', '13800138000', '320102198801011234'])
      expect(last.body).not.toContain(personal);
  });

  it('shows the delivery log to the system and its admin, and to nobody else', async () => {
    const log = await apiClient(t.app, { authorization: `Bearer ${token}` }).GET(
      '/api/webhooks/subscriptions/{id}/deliveries',
      { params: { path: { id: subscriptionId } } },
    );
    expect(log.data?.items.map((d) => [d.event, d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['application.submitted', 'delivered', 2, 204],
    ]);
    expect(
      (
        await apiClient(t.app, auth(admin)).GET('/api/webhooks/subscriptions/{id}/deliveries', {
          params: { path: { id: subscriptionId } },
        })
      ).response.status,
    ).toBe(200);
    const otherAdmin = await sessionFor(t, (await makeStaff(t, w.courtB, ['organisation_admin'])).accountId);
    expect(
      (
        await apiClient(t.app, auth(otherAdmin)).GET('/api/webhooks/subscriptions/{id}/deliveries', {
          params: { path: { id: subscriptionId } },
        })
      ).response.status,
    ).toBe(404);
    expect(
      (
        await apiClient(t.app, auth(w.judge)).GET('/api/webhooks/subscriptions/{id}/deliveries', {
          params: { path: { id: subscriptionId } },
        })
      ).response.status,
    ).toBe(404);
  });
});
