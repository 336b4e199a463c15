/**
 * Sign-in for systems, through the generated client: a court's organisation admin registers its case system
 * with scopes from the access policy; the system gets a token by client credentials (form + Basic, JSON +
 * client_secret_post), lists its court's docket, accepts an application, is refused (404) outside its scopes
 * and outside its court, is revoked and refused at once; each call is in the audit trail under its own id
 * and name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let t: TestApp;
let w: OrdersWorld;
let admin: SignedIn;
let applicationId: string;
let otherCourtApplicationId: string;

const survivorActor = {
  audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
  ref: 'survivor',
  accountId: null,
};

/** A survivor's application filed with court A (her district) or court B (the respondent's). */
async function submittedApplication(venueBasis: 'applicant' | 'respondent'): Promise<string> {
  const survivor = await makeSurvivor(t);
  const draft = await t.app.ordersService.saveDraft(
    survivorActor,
    { ...completeApplication(), venueBasis },
    { channel: 'portal', helpRequestId: survivor.helpRequestId },
  );
  await t.app.ordersService.submit(survivorActor, draft.id);
  return draft.id;
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  const staff = await makeStaff(t, w.courtA, ['organisation_admin']);
  admin = await sessionFor(t, staff.accountId);
  applicationId = await submittedApplication('applicant');
  otherCourtApplicationId = await submittedApplication('respondent');
}, 60_000);
afterAll(async () => t?.close());

describe('system clients', () => {
  let clientId: string;
  let secret: string;
  let accessToken: string;

  it('offers a court only the court’s own actions as scopes, and refuses others by name', async () => {
    const api = apiClient(t.app, auth(admin));
    const { data } = await api.GET('/api/system-clients/scopes');
    const scopes = Object.fromEntries((data?.items ?? []).map((i) => [i.scope, i.reach]));
    expect(scopes).toMatchObject({
      'orders.docket.list': 'organisation',
      'orders.application.accept': 'organisation',
      'orders.application.decide': 'organisation',
    });
    for (const notForCourts of [
      'orders.review.list',
      'orders.warning.issue',
      'identity.account.invite',
      'audit.event.list',
      'identity.session.read',
      'orders.application.edit',
    ])
      expect(scopes).not.toHaveProperty(notForCourts);
    const refused = await api.POST('/api/system-clients', {
      body: { name: '法院案件管理系统', scopes: ['orders.docket.list', 'orders.review.list'] },
      headers: { 'accept-language': 'en' },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error?.error.fields).toEqual([
      {
        field: 'scopes.1',
        message: expect.stringContaining(
          'This scope cannot be given to a system of this organisation: orders.review.list',
        ),
      },
    ]);
    expect(await t.db.selectFrom('system_client').select('id').execute()).toEqual([]);
    // A judge is not an organisation admin: 404.
    expect(
      (
        await apiClient(t.app, auth(w.judge)).POST('/api/system-clients', {
          body: { name: 'x', scopes: ['orders.docket.list'] },
        })
      ).response.status,
    ).toBe(404);
  });

  it('registers a client and shows its secret once; only an HMAC of it is stored', async () => {
    const api = apiClient(t.app, auth(admin));
    const { data, response } = await api.POST('/api/system-clients', {
      body: {
        name: '玄武区法院案件系统',
        scopes: ['orders.docket.list', 'orders.application.accept', 'orders.application.read'],
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    clientId = data!.clientId;
    secret = data!.clientSecret;
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const row = await t.db
      .selectFrom('system_client')
      .selectAll()
      .where('id', '=', clientId)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash.toString('utf8')).not.toContain(secret);
    expect(row.secret_hash.toString('base64url')).not.toBe(secret);
    const listed = await api.GET('/api/system-clients');
    expect(listed.data?.items.map((c) => [c.id, c.name, c.revokedAt])).toEqual([
      [clientId, '玄武区法院案件系统', null],
    ]);
    expect(JSON.stringify(listed.data)).not.toContain(secret);
  });

  it('issues tokens by client credentials (RFC 6749 §4.4) and refuses with the standard errors', async () => {
    const viaBasic = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    );
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
    expect(viaBasic.headers['cache-control']).toBe('no-store');
    expect(viaBasic.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'orders.application.accept orders.application.read orders.docket.list',
    });
    const viaJson = await apiClient(t.app).POST('/api/oauth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: 'orders.docket.list orders.application.accept',
      },
    });
    expect(viaJson.response.status).toBe(200);
    expect(viaJson.data?.scope).toBe('orders.application.accept orders.docket.list');
    accessToken = viaJson.data!.access_token;

    const wrong = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret.slice(0, -2) + 'xx') },
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toContain('Basic');
    expect(
      (
        await token({
          grant_type: 'client_credentials',
          client_id: '00000000-0000-4000-8000-000000000000',
          client_secret: secret,
        })
      ).json(),
    ).toMatchObject({ error: 'invalid_client' });
    expect(
      (
        await token(
          { grant_type: 'client_credentials', scope: 'orders.application.decide' },
          { authorization: basic(clientId, secret) },
        )
      ).json(),
    ).toMatchObject({ error: 'invalid_scope' });
    expect(
      (await token({ grant_type: 'password' }, { authorization: basic(clientId, secret) })).json(),
    ).toMatchObject({ error: 'unsupported_grant_type' });
    const both = await token(
      { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
      { authorization: basic(clientId, secret) },
    );
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('lists its court’s docket and accepts an application, audited under its own id', async () => {
    const system = apiClient(t.app, { authorization: `Bearer ${accessToken}` });
    const docket = await system.GET('/api/orders/docket');
    expect(docket.response.status).toBe(200);
    expect(docket.data?.items.map((i) => i.id)).toEqual([applicationId]);
    const accepted = await system.POST('/api/orders/applications/{id}/accept', {
      params: { path: { id: applicationId } },
      body: {},
    });
    expect(accepted.response.status, JSON.stringify(accepted.error)).toBe(200);
    expect(accepted.data?.caseNumber).toMatch(/保令/);
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['actor_account_id', 'actor_roles', 'organisation_id'])
      .where('event', '=', 'orders.application_accepted')
      .where('record_id', '=', applicationId)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_account_id: clientId, actor_roles: ['system'], organisation_id: w.courtA });
  });

  it('is refused with 404 outside its scopes and outside its court', async () => {
    const system = apiClient(t.app, { authorization: `Bearer ${accessToken}` });
    // Deciding is a judge's action the client was not given; reading was left out of this token.
    expect(
      (
        await system.POST('/api/orders/applications/{id}/decision', {
          params: { path: { id: applicationId } },
          body: { outcome: 'reject', reasons: '证据不足' } as never,
        })
      ).response.status,
    ).toBe(404);
    expect(
      (await system.GET('/api/orders/applications/{id}', { params: { path: { id: applicationId } } }))
        .response.status,
    ).toBe(404);
    // Another court's application, and a staff member's own session.
    expect(
      (
        await system.POST('/api/orders/applications/{id}/accept', {
          params: { path: { id: otherCourtApplicationId } },
          body: {},
        })
      ).response.status,
    ).toBe(404);
    expect((await system.GET('/api/staff/session')).response.status).toBe(404);
    expect(
      (
        await t.db
          .selectFrom('order_application')
          .select('status')
          .where('id', '=', otherCourtApplicationId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('submitted');
    // A token signed with another key is no token at all.
    const [head, body] = accessToken.split('.');
    expect(
      (
        await apiClient(t.app, { authorization: `Bearer ${head}.${body}.${'A'.repeat(43)}` }).GET(
          '/api/orders/docket',
        )
      ).response.status,
    ).toBe(401);
  });

  it('is refused at once when revoked, and every call it made is in the audit trail under its name', async () => {
    const system = apiClient(t.app, { authorization: `Bearer ${accessToken}` });
    expect((await system.GET('/api/orders/docket')).response.status).toBe(200);
    const revoked = await apiClient(t.app, auth(admin)).POST('/api/system-clients/{id}/revoke', {
      params: { path: { id: clientId } },
      body: {},
    });
    expect(revoked.response.status).toBe(200);
    const refused = await system.GET('/api/orders/docket');
    expect(refused.response.status).toBe(401);
    expect(refused.response.headers.get('www-authenticate')).toContain('invalid_token');
    expect(
      (await token({ grant_type: 'client_credentials' }, { authorization: basic(clientId, secret) }))
        .statusCode,
    ).toBe(401);

    const calls = await t.db
      .selectFrom('audit_event')
      .select(['details', 'actor_roles', 'organisation_id'])
      .where('event', '=', 'system.call')
      .where('actor_account_id', '=', clientId)
      .orderBy('seq')
      .execute();
    expect(calls.map((c) => [c.details.method, c.details.route, c.details.status])).toEqual([
      ['GET', '/api/orders/docket', 200],
      ['POST', '/api/orders/applications/:id/accept', 200],
      ['POST', '/api/orders/applications/:id/decision', 404],
      ['GET', '/api/orders/applications/:id', 404],
      ['POST', '/api/orders/applications/:id/accept', 404],
      ['GET', '/api/staff/session', 404],
      ['GET', '/api/orders/docket', 200],
      ['GET', '/api/orders/docket', 401],
    ]);
    expect(new Set(calls.map((c) => `${c.actor_roles.join()}|${c.organisation_id}`))).toEqual(
      new Set([`system|${w.courtA}`]),
    );
    expect(
      await t.db
        .selectFrom('audit_event')
        .select('event')
        .where('actor_account_id', '=', clientId)
        .where('event', 'in', ['system.token_issued', 'system.client_registered', 'system.client_revoked'])
        .execute(),
    ).toHaveLength(2);
    // The audit viewer names the system.
    const page = await t.app.inject({ url: '/staff/admin/audit', headers: { cookie: admin.cookie } });
    expect(page.body).toContain('玄武区法院案件系统');
  });
});
