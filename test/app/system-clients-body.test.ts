/**
 * A system client names records in request bodies under its own scopes (issue 14 review finding): the
 * need-to-know check on ids inside bodies (`access.body`) evaluates the system's scopes like the check on `:id`
 * does — before, a system was refused every id in a body. No operation a system may be granted takes ids in its
 * body today, so a probe route declares one: a court's case system naming its own court's application is let
 * through; another court's application is the same 404 as one that does not exist, and the handler never runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import { makeStaff, sessionFor } from '../support/identity-fixtures.ts';
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
let bearer: Record<string, string>;
const reached: string[] = [];

const survivorActor = {
  audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
  ref: 'survivor',
  accountId: null,
};

/** A survivor's application filed with court A (her district) or court B (the respondent's). */
async function filedWith(venueBasis: 'applicant' | 'respondent'): Promise<string> {
  const survivor = await makeSurvivor(t);
  const draft = await t.app.ordersService.saveDraft(
    survivorActor,
    { ...completeApplication(), venueBasis },
    { channel: 'portal', helpRequestId: survivor.helpRequestId },
  );
  await t.app.ordersService.submit(survivorActor, draft.id);
  return draft.id;
}

beforeAll(async () => {
  t = await createTestApp({
    configure: (app) =>
      app.post(
        '/api/test/probe-body-id',
        {
          config: {
            access: {
              action: 'orders.docket.list',
              body: { applicationId: { record: 'order_application', action: 'orders.application.read' } },
            },
          },
        },
        async (request) => {
          reached.push((request.body as { applicationId: string }).applicationId);
          return { ok: true };
        },
      ),
  });
  w = await makeOrdersWorld(t);
  const admin = await sessionFor(t, (await makeStaff(t, w.courtA, ['organisation_admin'])).accountId);
  const registered = await apiClient(t.app, auth(admin)).POST('/api/system-clients', {
    body: {
      name: '玄武区法院案件系统',
      scopes: ['orders.docket.list', 'orders.application.read'],
    },
  });
  expect(registered.response.status, JSON.stringify(registered.error)).toBe(201);
  const token = await t.app.inject({
    method: 'POST',
    url: '/api/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: registered.data!.clientId,
      client_secret: registered.data!.clientSecret,
    }).toString(),
  });
  expect(token.statusCode, token.body).toBe(200);
  bearer = { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` };
}, 60_000);
afterAll(async () => t?.close());

describe('a system client naming records in a body', () => {
  const probe = (applicationId: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/test/probe-body-id',
      headers: { ...bearer, 'content-type': 'application/json' },
      payload: { applicationId },
    });

  it('may name its own court’s application, under its scopes', async () => {
    const own = await filedWith('applicant');
    const res = await probe(own);
    expect(res.statusCode, res.body).toBe(200);
    expect(reached).toEqual([own]);
  });

  it('is refused (404) another court’s application, as if it did not exist', async () => {
    const elsewhere = await filedWith('respondent');
    const before = reached.length;
    expect((await probe(elsewhere)).statusCode).toBe(404);
    expect((await probe('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect(reached).toHaveLength(before);
  });
});
