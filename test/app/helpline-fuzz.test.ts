/**
 * The desk's JSON API fuzzed while signed in (the anonymous fuzz tier only reaches the gate): generated
 * parameters and bodies from the OpenAPI document, on a real case and on made-up ids, as the supervisor (who
 * may do everything on the organisation's cases). No 5xx ever; a rejected request changes nothing stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { fuzzValue, storedDataFingerprint, type JsonSchema } from '../support/fuzz.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';

interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
/** Tables a rejected request may change, and why. */
const CHANGE_ALLOWED: Record<string, string> = {
  rate_limit_counter: 'every request counts against its network’s limit',
  guess_throttle: 'a wrong password, code or secret is counted, so the guessing network waits',
  staff_session: 'the gate records when the session was last used',
  kysely_migration_lock: 'migration bookkeeping',
};
/** A refused call-back is written to the audit trail on purpose (who tried to call her outside her rules). */
const AUDITED_REFUSALS = new Set(['startCallback']);

let t: TestApp;
let supervisor: SignedIn;
let caseId: string;
let operations: Operation[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '1000000', ANXIN_LOG_LEVEL: 'warn' } });
  const ngo = await makeOrganisation(t, 'ngo', '110105');
  const staff = await makeStaff(t, ngo, ['ngo_supervisor']);
  await makeDesk(t, ngo, { provinces: ['11'] });
  supervisor = await sessionFor(t, staff.accountId);
  const filed = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    payload: {
      requestType: 'domestic_violence',
      narrative: '他打我。',
      province: '11',
      forms: ['physical'],
      consentSensitive: true,
      contact: {
        channel: 'phone',
        phone: '13800138000',
        windows: [{ from: '09:00', to: '11:00' }],
        codeWord: '买菜',
        noVoicemail: true,
        noSms: true,
      },
    },
  });
  expect(filed.statusCode).toBe(201);
  await t.app.inject({ url: '/api/desk/queue', headers: { cookie: supervisor.cookie } });
  caseId = (await t.db.selectFrom('helpline_case').select('id').executeTakeFirstOrThrow()).id;
  const spec = (await t.app.inject('/api/openapi.json')).json<{
    paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
  }>();
  operations = Object.entries(spec.paths)
    .filter(([path]) => path.startsWith('/api/desk/') || path === '/api/hotline/hours')
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
}, 60_000);
afterAll(async () => t?.close());

const asText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

describe('desk API fuzzed while signed in', () => {
  it('covers every required operation', () => {
    expect(operations.map((o) => o.operationId)).toEqual(
      expect.arrayContaining([
        'listTriageQueue',
        'assignCase',
        'replyToSurvivor',
        'addCaseNote',
        'classifyCase',
        'registerHotlineCall',
        'listHotlineCalls',
        'startCallback',
        'createReferral',
        'recordMandatoryReport',
        'closeCase',
      ]),
    );
  });

  it('never answers 5xx, and a rejected request changes nothing stored', async () => {
    for (const op of operations) {
      const parameterArbs: Record<string, fc.Arbitrary<unknown>> = {};
      for (const p of op.parameters ?? []) {
        if (p.in === 'path')
          parameterArbs[`path.${p.name}`] =
            p.name === 'id' ? fc.oneof(fc.constant(caseId), fuzzValue(p.schema)) : fuzzValue(p.schema);
        if (p.in === 'query') parameterArbs[`query.${p.name}`] = fuzzValue(p.schema);
      }
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const arb = fc.record({
        params: fc.record(parameterArbs),
        body: op.requestBody ? fuzzValue(bodySchema) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(arb, async ({ params, body }) => {
          let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
            encodeURIComponent(asText(params[`path.${name}`] ?? 'x')),
          );
          const query = new URLSearchParams();
          for (const p of op.parameters ?? [])
            if (p.in === 'query' && params[`query.${p.name}`] !== undefined)
              query.set(p.name, asText(params[`query.${p.name}`]));
          if (query.toString()) url += `?${query.toString()}`;
          const before = await storedDataFingerprint(t.databaseUrl, CHANGE_ALLOWED);
          const res = await t.app.inject({
            method: op.method as 'GET',
            url,
            headers: {
              cookie: supervisor.cookie,
              'x-csrf-token': supervisor.csrf,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
          });
          expect(
            res.statusCode,
            `${op.operationId} answered ${res.statusCode}: ${res.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (res.statusCode >= 400 && !(AUDITED_REFUSALS.has(op.operationId) && res.statusCode === 409)) {
            expect(
              await storedDataFingerprint(t.databaseUrl, CHANGE_ALLOWED),
              `${op.operationId} changed stored data on a ${res.statusCode}`,
            ).toBe(before);
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    }
  }, 600_000);
});
