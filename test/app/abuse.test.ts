/**
 * One client behind a carrier-grade NAT address must not take Anxin from everyone behind it: pages and quick
 * exit are never refused by the global limiter, and help-request intake is admitted per network — widely with
 * a proof of work, within a smaller (but wider than one flood) budget without one.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadingZeroBits } from '../../src/platform/proof-of-work.ts';
import { CALLBACK_BUDGETS, INTAKE_BUDGETS, PROOF_HEADER } from '../../src/modules/help/help.admission.tsx';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const validRequest = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我。',
  contact: { channel: 'in_app', noVoicemail: true, noSms: true },
  consentSensitive: true,
};

/** What the help form's script and the Mini Program do: find a nonce for a challenge. */
function solve(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce++) {
    const proof = `${challenge}:${nonce}`;
    if (leadingZeroBits(createHash('sha256').update(proof).digest()) >= bits) return proof;
  }
}

describe('the global limiter on a shared address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => t?.close());

  it('never answers pages or quick exit with 429, while the API keeps its limit', async () => {
    const cgnat = '100.64.0.1';
    for (let i = 0; i < 6; i++) {
      for (const url of [
        '/',
        '/en',
        '/learn/domestic-violence',
        '/en/learn/minors',
        '/help/new',
        '/hotline',
        '/directory',
        '/exit',
        '/en/exit',
      ]) {
        const res = await t.app.inject({ url, remoteAddress: cgnat });
        expect(res.statusCode, `${url} #${i}`).not.toBe(429);
      }
    }
    const api = [];
    for (let i = 0; i < 5; i++)
      api.push((await t.app.inject({ url: '/api/directory', remoteAddress: cgnat })).statusCode);
    expect(api).toContain(429);
  });
});

describe('help-request intake behind one address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const file = (remoteAddress: string, proof?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress,
      headers: { 'accept-language': 'en', ...(proof ? { [PROOF_HEADER]: proof } : {}) },
      payload: validRequest,
    });
  const challenge = async () =>
    (await t.app.inject({ url: '/api/help/challenge', remoteAddress: '10.99.0.1' })).json<{
      challenge: string;
      bits: number;
      expiresAt: string;
      algorithm: string;
    }>();

  it('accepts requests without a proof within a per-network budget far wider than 60 an hour, then one with a proof', async () => {
    const cgnat = '100.64.1.1';
    for (let i = 0; i < INTAKE_BUDGETS.unproved.max; i++)
      expect((await file(cgnat)).statusCode, `request ${i + 1}`).toBe(201);
    const refused = await file(cgnat);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().error.message).toMatch(/^Too many attempts/);

    // Behind the same address, a survivor whose phone solved the challenge still gets through.
    const issued = await challenge();
    expect(issued.algorithm).toBe('sha256-leading-zero-bits');
    expect(issued.bits).toBe(t.config.proofOfWorkBits);
    const proof = solve(issued.challenge, issued.bits);
    expect((await file(cgnat, proof)).statusCode).toBe(201);
    expect(await t.db.selectFrom('proof_of_work_spent').select('id').execute()).toHaveLength(1);

    // A proof is good once; replayed, forged, too weak or expired, it counts as no proof (this budget is spent).
    const replayed = await file(cgnat, proof);
    expect(replayed.statusCode).toBe(429);
    const fresh = (await challenge()).challenge;
    const forged = fresh.replace(/^v1\.(\d+)\.\d+\./, 'v1.$1.0.');
    expect((await file(cgnat, `${forged}:0`)).statusCode).toBe(429);
    const weak =
      [...Array(64).keys()]
        .map((n) => `${fresh}:${n}`)
        .find((p) => leadingZeroBits(createHash('sha256').update(p).digest()) < issued.bits) ?? '';
    expect((await file(cgnat, weak)).statusCode).toBe(429);
    const old = t.app.proofOfWork.issue(Date.now() - 4 * 60 * 60_000);
    expect((await file(cgnat, solve(old.challenge, old.bits))).statusCode).toBe(429);
    expect(await t.db.selectFrom('help_request').select('id').execute()).toHaveLength(
      INTAKE_BUDGETS.unproved.max + 1,
    );
  });

  it('takes the proof from the help form, and without one (JavaScript off) keeps her words when the budget is spent', async () => {
    const network = '100.64.2.1';
    const form = (extra: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/en/help/new',
        remoteAddress: network,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          requestType: 'domestic_violence',
          narrative: 'He hit me again.',
          channel: 'in_app',
          noVoicemail: 'on',
          consentSensitive: 'on',
          ...extra,
        }).toString(),
      });
    const page = await t.app.inject({ url: '/en/help/new', remoteAddress: network });
    const issued = /name="proofChallenge" value="([^"]+)" data-bits="(\d+)"/.exec(page.body);
    expect(issued).not.toBeNull();
    expect(page.body).toMatch(/<script src="\/assets\/proof-of-work-[0-9a-f]+\.js" defer/);
    expect((await form({ proof: solve(issued![1]!, Number(issued![2])) })).statusCode).toBe(201);
    expect((await form({ proof: '' })).statusCode).toBe(201);

    // Spend this network's unproved budget (the API and the form share it).
    for (let i = 1; i < INTAKE_BUDGETS.unproved.max; i++) await file(network);
    const refused = await form({ proof: '' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toContain('Too many attempts');
    expect(refused.body).toContain('He hit me again.');
  });

  it('documents the proof for API clients', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<
        string,
        Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
      >;
    }>();
    expect(doc.paths['/api/help/challenge']?.get?.operationId).toBe('getHelpRequestChallenge');
    expect(doc.paths['/api/help/requests']?.post?.parameters).toContainEqual(
      expect.objectContaining({ name: PROOF_HEADER, in: 'header' }),
    );
  });
});

describe('call-back requests behind one address (not a flat 60 an hour)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const callback = { phone: '13800138000', noVoicemail: true, noSms: true, consentSensitive: true };
  const ask = (remoteAddress: string, proof?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/help/callbacks',
      remoteAddress,
      headers: { 'accept-language': 'en', ...(proof ? { [PROOF_HEADER]: proof } : {}) },
      payload: callback,
    });
  const challenge = async () =>
    (await t.app.inject({ url: '/api/help/challenge', remoteAddress: '10.99.0.2' })).json<{
      challenge: string;
      bits: number;
    }>();
  const callbacks = async () => (await t.db.selectFrom('help_callback').select('id').execute()).length;

  it('accepts the 61st call-back from one address within the hour, with a proof and without', async () => {
    const cgnat = '100.64.3.1';
    for (let i = 0; i < 60; i++) expect((await ask(cgnat)).statusCode, `call-back ${i + 1}`).toBe(201);
    const issued = await challenge();
    expect((await ask(cgnat, solve(issued.challenge, issued.bits))).statusCode).toBe(201);
    expect((await ask(cgnat)).statusCode).toBe(201);
    expect(await callbacks()).toBe(62);
  });

  it('keeps a per-network budget without a proof, and still lets a proved call-back through', async () => {
    const cgnat = '100.64.4.1';
    const before = await callbacks();
    for (let i = 0; i < CALLBACK_BUDGETS.unproved.max; i++)
      expect((await ask(cgnat)).statusCode, `call-back ${i + 1}`).toBe(201);
    const refused = await ask(cgnat);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const issued = await challenge();
    const proof = solve(issued.challenge, issued.bits);
    expect((await ask(cgnat, proof)).statusCode).toBe(201);
    // A proof is good once.
    expect((await ask(cgnat, proof)).statusCode).toBe(429);
    // Help requests from the same address have their own budget.
    const filed = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: cgnat,
      headers: { 'accept-language': 'en' },
      payload: validRequest,
    });
    expect(filed.statusCode).toBe(201);
    expect(await callbacks()).toBe(before + CALLBACK_BUDGETS.unproved.max + 1);
  });

  it('takes the proof from the call-back form, and keeps what she entered when the budget is spent', async () => {
    const network = '100.64.5.1';
    const form = (extra: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/en/callback',
        remoteAddress: network,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          phone: '13800138001',
          noVoicemail: 'on',
          consentSensitive: 'on',
          ...extra,
        }).toString(),
      });
    const page = await t.app.inject({ url: '/en/callback', remoteAddress: network });
    const issued = /name="proofChallenge" value="([^"]+)" data-bits="(\d+)"/.exec(page.body);
    expect(issued).not.toBeNull();
    expect(page.body).toMatch(/<script src="\/assets\/proof-of-work-[0-9a-f]+\.js" defer/);
    expect((await form({ proof: solve(issued![1]!, Number(issued![2])) })).statusCode).toBe(303);
    expect((await form({ proof: '' })).statusCode).toBe(303);
    // Spend this network's unproved call-back budget (the API and the form share it).
    for (let i = 1; i < CALLBACK_BUDGETS.unproved.max; i++) await ask(network);
    const refused = await form({ proof: '' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toContain('Too many attempts');
    expect(refused.body).toContain('13800138001');
  });

  it('documents the proof on requestCallback', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    }>();
    expect(doc.paths['/api/help/callbacks']?.post?.parameters).toContainEqual(
      expect.objectContaining({ name: PROOF_HEADER, in: 'header' }),
    );
  });
});
