/**
 * Fuzzing every operation in the OpenAPI document with generated requests (fast-check): no 5xx, no crash,
 * and a rejected request (4xx) changes nothing that is stored. FUZZ_RUNS sets the runs per operation
 * (short in CI, long with `npm run test:fuzz`).
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { fuzzValue, storedDataFingerprint, type JsonSchema } from '../support/fuzz.ts';

interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
/** Tables a rejected request may legitimately change, and why. */
const CHANGE_ALLOWED: Record<string, string> = {
  rate_limit_counter: 'every request counts against its network’s limit, accepted or not',
  kysely_migration_lock: 'migration bookkeeping',
};

let t: TestApp;
let operations: Operation[] = [];

beforeAll(async () => {
  // A high global limit so the fuzzer reaches the handlers rather than the rate limiter.
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '1000000', ANXIN_LOG_LEVEL: 'warn' } });
  const spec = (await t.app.inject('/api/openapi.json')).json<{ paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> }>();
  operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
});
afterAll(async () => t?.close());

const asText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function buildUrl(op: Operation, values: Record<string, unknown>): string {
  let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(asText(values[`path.${name}`] ?? 'x')));
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    const v = values[`query.${p.name}`];
    if (p.in === 'query' && v !== undefined) query.set(p.name, asText(v));
  }
  const qs = query.toString();
  if (qs) url += `?${qs}`;
  return url;
}

describe('fuzzing every API operation anonymously', () => {
  it('finds operations to fuzz', () => {
    expect(operations.map((o) => o.operationId)).toEqual(expect.arrayContaining(['getHealth', 'getReadiness']));
  });

  it('never answers 5xx, and a rejected request changes nothing stored', async () => {
    for (const op of operations) {
      const parameterArbs: Record<string, fc.Arbitrary<unknown>> = {};
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' || p.in === 'query') parameterArbs[`${p.in}.${p.name}`] = fuzzValue(p.schema);
      }
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const arb = fc.record({ params: fc.record(parameterArbs), body: op.requestBody ? fuzzValue(bodySchema) : fc.constant(undefined) });
      await fc.assert(
        fc.asyncProperty(arb, async ({ params, body }) => {
          const before = await storedDataFingerprint(t.databaseUrl, CHANGE_ALLOWED);
          const res = await t.app.inject({
            method: op.method as 'GET',
            url: buildUrl(op, params),
            // A different network per request, so per-route limits (e.g. 60 help requests an hour from one
            // network) do not turn the fuzzer away before it reaches the handlers.
            remoteAddress: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
            ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
          });
          expect(res.statusCode, `${op.operationId} answered ${res.statusCode}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const after = await storedDataFingerprint(t.databaseUrl, CHANGE_ALLOWED);
            expect(after, `${op.operationId} changed stored data on a ${res.statusCode}`).toBe(before);
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    }
  });
});
