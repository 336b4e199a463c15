/**
 * The OpenAPI document: valid OpenAPI 3.1; every operation says who may call it (a security requirement and
 * the action it needs, or an explicit public reason) and documents at least one 4xx answer with the error
 * body. (That the committed client matches the document is CI's drift check: `npm run api:client` then
 * `git diff --exit-code src/client`.)
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  'x-access-action'?: string;
  'x-public-reason'?: string;
  responses?: Record<string, unknown>;
}

let t: TestApp;
let spec: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  t = await createTestApp();
  spec = (await t.app.inject('/api/openapi.json')).json();
});
afterAll(async () => t?.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([p, methods]) =>
    Object.entries(methods).map(([m, op]) => ({ where: `${m.toUpperCase()} ${p}`, op })),
  );

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('gives every operation an id, an access rule and a documented 4xx', () => {
    const problems: string[] = [];
    for (const { where, op } of operations()) {
      if (!op.operationId) problems.push(`${where}: no operationId`);
      const action = op['x-access-action'];
      const reason = op['x-public-reason'];
      if (reason) {
        if (JSON.stringify(op.security) !== '[]')
          problems.push(`${where}: public but security is ${JSON.stringify(op.security)}`);
      } else if (
        !action ||
        JSON.stringify(op.security) !== JSON.stringify([{ session: [] }, { systemToken: [action] }])
      ) {
        problems.push(`${where}: no access rule`);
      }
      const fourxx = Object.keys(op.responses ?? {}).filter((status) => /^4(\d\d|xx)$/i.test(status));
      // The load balancer's probes take no input, are never rate-limited and answer only 200 or 503.
      if (fourxx.length === 0 && !['GET /healthz', 'GET /readyz'].includes(where))
        problems.push(`${where}: no 4xx documented`);
      if (action && !(fourxx.includes('401') && fourxx.includes('404')))
        problems.push(`${where}: 401/404 of the access gate not documented`);
    }
    expect(problems).toEqual([]);
    expect(operations().length).toBeGreaterThan(70);
  });
});
