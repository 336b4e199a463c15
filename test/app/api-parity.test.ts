/**
 * The JSON API is the one way in (issue 14): a page can do nothing the API cannot. Every page route that
 * changes state names its twin operation (`config.operation`), and this test finds that operation in the
 * OpenAPI document with the same access rule: the same policy action for a staff page, public (her thread
 * token or nothing) for a survivor page. Both handlers call the same use-case function; the journeys through
 * the generated client (survivor-api-journey, staff-api-journey) exercise the API side end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

interface Operation {
  operationId?: string;
  'x-access-action'?: string;
  'x-public-reason'?: string;
}

let t: TestApp;
let byId: Map<string, { where: string; op: Operation }>;

beforeAll(async () => {
  t = await createTestApp();
  const spec = (await t.app.inject('/api/openapi.json')).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  byId = new Map();
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, op] of Object.entries(methods))
      if (op.operationId) byId.set(op.operationId, { where: `${method.toUpperCase()} ${path}`, op });
});
afterAll(async () => t?.close());

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const pageWrites = () =>
  t.app.routeRegistry.filter((r) => STATE_CHANGING.has(r.method) && !r.url.startsWith('/api/'));

describe('every page action is an API operation', () => {
  it('lists the page routes that change state', () => {
    // The portal, the desk, the court, the police and the admin pages all post forms.
    expect(pageWrites().length).toBeGreaterThan(60);
  });

  it('finds the twin operation of each, with the same access rule', () => {
    const problems: string[] = [];
    for (const route of pageWrites()) {
      const where = `${route.method} ${route.url}`;
      if (!route.operation) {
        problems.push(`${where}: names no API operation (config.operation)`);
        continue;
      }
      const twin = byId.get(route.operation);
      if (!twin) {
        problems.push(`${where}: operation ${route.operation} is not in the OpenAPI document`);
        continue;
      }
      const pageRule = 'public' in route.access ? 'public' : route.access.action;
      const apiRule = twin.op['x-public-reason'] ? 'public' : twin.op['x-access-action'];
      if (pageRule !== apiRule)
        problems.push(`${where}: access ${pageRule}, but its twin ${twin.where} needs ${apiRule}`);
    }
    expect(problems).toEqual([]);
  });
});
