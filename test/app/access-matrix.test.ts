/**
 * The access matrix: every registered route × every role × a record of their own organisation and one of
 * another organisation (in another region). The expected answer is read straight from the policy data; any
 * allow the policy does not grant — or any refusal of what it grants — fails. Signed-out callers get 401 (or
 * the sign-in page) on every non-public route, a route without a rule cannot be registered, and the OpenAPI
 * security requirement of every operation matches its rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { MissingAccessRuleError } from '../../src/platform/access.ts';
import { routesWithoutRules, type RequestAccess } from '../../src/platform/access-guard.ts';
import { allActions, ROLES, ruleFor, type Role, type Scope } from '../../src/platform/access-policy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor } from '../support/identity-fixtures.ts';
import type { BodySamples, RecordFixture, RecordFixtureContext } from '../support/access-fixtures/types.ts';
import { loadBodySamples, loadRecordFixtures, makeRoleActor } from '../support/role-fixtures.ts';

let t: TestApp;
const seen = new Map<string, { access: RequestAccess | undefined; status: number }>();
interface RoleFixture {
  role: Role;
  accountId: string;
  context: RecordFixtureContext;
}
const fixtures: RoleFixture[] = [];
const recordFixtures: RecordFixture[] = [];
let bodySamples: BodySamples = {};

beforeAll(async () => {
  t = await createTestApp({
    // Every route × every role from one address: the global per-address limit (300 a minute) is not what is tested.
    env: { ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
    configure(app) {
      app.addHook('onResponse', async (request: FastifyRequest, reply) => {
        const tag = request.headers['x-matrix'];
        if (typeof tag === 'string') seen.set(tag, { access: request.access, status: reply.statusCode });
      });
    },
  });
  // Each module that registers a record type adds its fixture in test/support/access-fixtures/<module>.ts.
  recordFixtures.push(...(await loadRecordFixtures()));
  bodySamples = await loadBodySamples();
  for (const role of ROLES) {
    const context = await makeRoleActor(t, role);
    fixtures.push({ role, accountId: context.actorAccountId, context });
  }
});

afterAll(async () => t?.close());

/** What the policy data says, worked out here independently of the gate's own code. */
function expectedAllowed(action: string, role: Role, relation: 'own' | 'other' | 'none'): boolean {
  const scope: Scope | undefined = ruleFor(action)?.roles[role];
  if (scope === undefined) return false;
  if (relation === 'none') return true;
  // Fixture records are never the actor's own nor assigned to them; "other" is another organisation in another region.
  if (relation === 'own') return scope === 'organisation' || scope === 'region' || scope === 'all';
  return scope === 'all';
}

function urlFor(url: string, id: string | undefined): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' && id ? id : 'x'));
}

describe('access matrix', () => {
  it('every route × every role × own/other organisation matches the policy exactly', async () => {
    const routes = t.app.routeRegistry.filter((r) => 'action' in r.access && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(10);
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const access = route.access as { action: string; record?: string };
      for (const fixture of fixtures) {
        const relations: ('own' | 'other' | 'none')[] = access.record ? ['own', 'other'] : ['none'];
        // Fresh records for every route and role: earlier calls may have changed them (claimed, closed…).
        let made: { own: string; other: string } | undefined;
        if (access.record) {
          const maker = recordFixtures.find((f) => f.recordType === access.record);
          if (!maker) {
            mismatches.push(
              `${route.method} ${route.url}: no fixture for record type "${access.record}" — add one in test/support/access-fixtures/`,
            );
            continue;
          }
          made = await maker.create(t, fixture.context);
        }
        for (const relation of relations) {
          const id = made && relation !== 'none' ? made[relation] : undefined;
          const tag = `${route.method} ${route.url} ${fixture.role} ${relation}`;
          // A fresh session each time: sign-out routes end the session they are called with.
          const session = await sessionFor(t, fixture.accountId);
          const response = await t.app.inject({
            method: route.method as 'GET',
            url: urlFor(route.url, id),
            headers: {
              cookie: session.cookie,
              'x-csrf-token': session.csrf,
              'x-matrix': tag,
              accept: 'application/json',
            },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          checked += 1;
          const expected = expectedAllowed(access.action, fixture.role, relation);
          const decided = seen.get(tag)?.access?.decision.allowed ?? false;
          const refused = response.statusCode === 404 || response.statusCode === 401;
          if (
            decided !== expected ||
            (expected ? refused && response.statusCode === 401 : !refused || response.statusCode !== 404)
          ) {
            mismatches.push(
              `${tag}: policy ${expected ? 'allows' : 'denies'}, gate ${decided ? 'allowed' : 'denied'}, status ${response.statusCode}`,
            );
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(routes.length * ROLES.length - 1);
  }, 600_000);

  // Ids inside bodies (`access.body`, e.g. attaching another organisation's survivor to an application or a
  // warning): each declared field × every role × a record of their own organisation and of another one. Allowed
  // only when the route's action is granted and the body record lies in the scope the policy gives for its action.
  it('every id a body names × every role × own/other organisation matches the policy exactly (0 unexpected allows)', async () => {
    const routes = t.app.routeRegistry.filter(
      (r) => 'action' in r.access && r.access.body && r.method !== 'HEAD',
    );
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /api/orders/applications', 'POST /api/orders/warnings']),
    );
    const mismatches: string[] = [];
    let unexpectedAllows = 0;
    for (const route of routes) {
      const access = route.access as {
        action: string;
        body: Record<string, { record: string; action?: string }>;
      };
      const sample = bodySamples[`${route.method} ${route.url}`];
      if (!sample) {
        mismatches.push(
          `${route.method} ${route.url}: no body sample — add one to bodySamples in test/support/access-fixtures/`,
        );
        continue;
      }
      for (const [field, spec] of Object.entries(access.body)) {
        const maker = recordFixtures.find((f) => f.recordType === spec.record);
        if (!maker) {
          mismatches.push(
            `${route.method} ${route.url} body.${field}: no fixture for record type "${spec.record}"`,
          );
          continue;
        }
        for (const fixture of fixtures) {
          const made = await maker.create(t, fixture.context);
          for (const relation of ['own', 'other'] as const) {
            const tag = `${route.method} ${route.url} body.${field} ${fixture.role} ${relation}`;
            const session = await sessionFor(t, fixture.accountId);
            const response = await t.app.inject({
              method: route.method as 'POST',
              url: route.url,
              headers: {
                cookie: session.cookie,
                'x-csrf-token': session.csrf,
                'x-matrix': tag,
                accept: 'application/json',
              },
              payload: { ...sample, [field]: made[relation] },
            });
            const expected =
              expectedAllowed(access.action, fixture.role, 'none') &&
              expectedAllowed(spec.action ?? access.action, fixture.role, relation);
            const seenAccess = seen.get(tag)?.access;
            const decided =
              (seenAccess?.decision.allowed ?? false) && (seenAccess?.body?.[field]?.allowed ?? false);
            if (decided && !expected) unexpectedAllows += 1;
            if (
              decided !== expected ||
              (expected ? [401, 404].includes(response.statusCode) : response.statusCode !== 404)
            ) {
              mismatches.push(
                `${tag}: policy ${expected ? 'allows' : 'denies'}, gate ${decided ? 'allowed' : 'denied'}, status ${response.statusCode} ${response.body.slice(0, 120)}`,
              );
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(unexpectedAllows).toBe(0);
  }, 300_000);

  it('refuses every non-public route to someone not signed in (401, or the sign-in page), before the handler', async () => {
    for (const route of t.app.routeRegistry) {
      if ('public' in route.access || route.method === 'HEAD') continue;
      const tag = `anon ${route.method} ${route.url}`;
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: urlFor(route.url, '00000000-0000-4000-8000-000000000000'),
        headers: { 'x-matrix': tag },
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      expect(seen.get(tag)?.access, tag).toBeUndefined();
      if (route.method === 'GET' && !route.url.startsWith('/api/')) {
        expect(response.statusCode, tag).toBe(303);
        expect(response.headers.location, tag).toMatch(/^\/staff\/sign-in/);
      } else {
        expect(response.statusCode, tag).toBe(401);
      }
    }
  });

  it('declares every operation’s OpenAPI security from the same rule', () => {
    const spec = t.app.swagger() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    let operations = 0;
    for (const route of t.app.routeRegistry) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const operation = spec.paths[path]?.[route.method.toLowerCase()];
      if (!operation) continue; // hidden pages
      operations += 1;
      expect(operation.security, `${route.method} ${route.url}`).toEqual(
        'public' in route.access ? [] : [{ session: [] }, { systemToken: [route.access.action] }],
      );
    }
    expect(operations).toBeGreaterThan(2);
  });

  it('names an action with a rule on every non-public route, and every policy action names known roles', () => {
    // A module that declares { action } without adding the action to the policy fails here.
    expect(routesWithoutRules(t.app)).toEqual([]);
    expect(allActions().length).toBeGreaterThan(50);
    for (const action of allActions()) {
      const rule = ruleFor(action)!;
      for (const role of Object.keys(rule.roles)) expect(ROLES, action).toContain(role);
    }
  });
});

describe('a route without a rule', () => {
  it('cannot be registered: the app fails to build', async () => {
    await expect(
      createTestApp({
        configure(app) {
          app.get(
            '/api/unguarded',
            { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
            async () => ({ ok: true }),
          );
        },
      }),
    ).rejects.toBeInstanceOf(MissingAccessRuleError);
  });

  it('naming an action the policy does not define is refused to every role and reported', async () => {
    const probe = await createTestApp({
      configure(app) {
        app.get(
          '/api/unknown-action',
          { config: { access: { action: 'nobody.defined.this' } } },
          async () => ({ ok: true }),
        );
      },
    });
    try {
      expect(routesWithoutRules(probe.app)).toContain('GET /api/unknown-action (nobody.defined.this)');
      expect(probe.logs.join('')).toContain('nobody.defined.this');
      const org = await makeOrganisation(probe, 'platform_operator');
      const admin = await makeStaff(probe, org, [...ROLES]);
      const session = await sessionFor(probe, admin.accountId);
      const response = await probe.app.inject({
        url: '/api/unknown-action',
        headers: { cookie: session.cookie },
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await probe.close();
    }
  });
});
