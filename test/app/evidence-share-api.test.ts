/**
 * Her consents and grants through the API (issue 13): she withdraws a share with her thread token (not only on the
 * page), and an upload grant issued in her thread session stops working when that session ends — signed out
 * through the API, or expired — rather than living on for its 6 hours.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation } from '../support/identity-fixtures.ts';
import { makeEvidenceItem } from '../support/access-fixtures/evidence.ts';
import { fileHelpRequest } from '../support/fuzz.ts';

let t: TestApp;
let court: string;

beforeAll(async () => {
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '100000' } });
  court = await makeOrganisation(t, 'court', '110105', '北京市朝阳区人民法院');
}, 60_000);
afterAll(async () => t?.close());

async function openThread(caseCode: string, secret: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/thread',
    remoteAddress: `10.9.${randomBytes(1)[0]}.${randomBytes(1)[0]}`,
    payload: { caseCode, secret },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string }>().token;
}

async function survivor(): Promise<{ helpRequestId: string; token: string }> {
  const filed = await fileHelpRequest(t);
  return { helpRequestId: filed.helpRequestId, token: await openThread(filed.caseCode, filed.secret) };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('withdrawing a share through the API', () => {
  it('withdraws her consent with her thread token; another survivor, no token or a second try change nothing', async () => {
    const her = await survivor();
    const stranger = await survivor();
    const evidenceId = await makeEvidenceItem(t, `help-case:${her.helpRequestId}`);
    const shared = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: bearer(her.token),
      payload: { evidenceIds: [evidenceId], agency: 'court', organisationId: court, consent: true },
    });
    expect(shared.statusCode, shared.body).toBe(200);
    const share = await t.db
      .selectFrom('evidence_share')
      .select(['id'])
      .where('evidence_id', '=', evidenceId)
      .executeTakeFirstOrThrow();
    const url = `/api/help/thread/evidence/shares/${share.id}`;

    expect((await t.app.inject({ method: 'DELETE', url })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(stranger.token) })).statusCode).toBe(
      404,
    );
    expect(
      (
        await t.db
          .selectFrom('evidence_share')
          .select('withdrawn_at')
          .where('id', '=', share.id)
          .executeTakeFirstOrThrow()
      ).withdrawn_at,
    ).toBeNull();

    const res = await t.app.inject({ method: 'DELETE', url, headers: bearer(her.token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ withdrawn: true });
    const row = await t.db
      .selectFrom('evidence_share')
      .select(['withdrawn_at', 'withdrawn_by'])
      .where('id', '=', share.id)
      .executeTakeFirstOrThrow();
    expect(row.withdrawn_by).toBe('survivor');
    expect(row.withdrawn_at).toBeInstanceOf(Date);
    // Her journal no longer lists the share; withdrawing again is "not found".
    const journal = await t.app.inject({ url: '/api/help/thread/journal', headers: bearer(her.token) });
    expect(JSON.stringify(journal.json())).not.toContain(share.id);
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(her.token) })).statusCode).toBe(404);
  });
});

describe('her upload grant ends with her thread session', () => {
  const probe = (grant: string) =>
    t.app.inject({
      method: 'HEAD',
      url: `/api/evidence/uploads/${randomBytes(16).toString('hex')}`,
      headers: { 'tus-resumable': '1.0.0', 'anxin-upload-grant': grant },
    });

  async function grantOf(token: string): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/journal',
      headers: bearer(token),
      payload: { incidentDate: '2026-11-01', description: '他打了我。' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ upload: { token: string } }>().upload.token;
  }

  it('stops working when she signs out through the API', async () => {
    const her = await survivor();
    const grant = await grantOf(her.token);
    // While her session is open the grant is accepted (an unknown upload is simply not found).
    expect((await probe(grant)).statusCode).toBe(404);
    const out = await t.app.inject({ method: 'DELETE', url: '/api/help/thread', headers: bearer(her.token) });
    expect(out.statusCode, out.body).toBe(204);
    expect(
      (await t.app.inject({ url: '/api/help/thread/messages', headers: bearer(her.token) })).statusCode,
    ).toBe(401);
    const refused = await probe(grant);
    expect(refused.statusCode).toBe(401);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/evidence/uploads',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', 'anxin-upload-grant': grant },
    });
    expect(created.statusCode).toBe(401);
    expect(created.json<{ error: { code: string } }>().error.code).toBe('EVIDENCE_GRANT_INVALID');
    expect(
      await t.db
        .selectFrom('evidence_upload')
        .select('id')
        .where('owner_ref', '=', `help-case:${her.helpRequestId}`)
        .execute(),
    ).toEqual([]);
  });

  it('stops working when her thread session expires', async () => {
    const her = await survivor();
    const grant = await grantOf(her.token);
    expect((await probe(grant)).statusCode).toBe(404);
    await t.db
      .updateTable('help_thread_session')
      .set({ idle_expires_at: new Date(Date.now() - 1000) })
      .where('help_request_id', '=', her.helpRequestId)
      .execute();
    expect((await probe(grant)).statusCode).toBe(401);
  });
});
