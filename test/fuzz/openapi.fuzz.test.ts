/**
 * Fuzzing every operation in the OpenAPI document with generated requests (fast-check), anonymously: no 5xx,
 * no crash, and a rejected request (4xx) changes nothing that is stored. FUZZ_RUNS sets the runs per operation
 * (short in CI, long with `npm run test:fuzz`). Signed in as each staff role: roles.fuzz.test.ts; with her
 * thread token: survivor.fuzz.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  CHANGE_ALLOWED,
  existingPathValues,
  fuzzOperation,
  loadOperations,
  StoredDataWatch,
  type Operation,
} from '../support/fuzz.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);

let t: TestApp;
let watch: StoredDataWatch;
let operations: Operation[] = [];

beforeAll(async () => {
  // A high global limit so the fuzzer reaches the handlers rather than the rate limiter.
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '1000000', ANXIN_LOG_LEVEL: 'warn' } });
  watch = await StoredDataWatch.open(t.databaseUrl, CHANGE_ALLOWED);
  operations = await loadOperations(t);
});
afterAll(async () => {
  await watch?.close();
  await t?.close();
});

describe('fuzzing every API operation anonymously', () => {
  it('finds operations to fuzz', () => {
    expect(operations.map((o) => o.operationId)).toEqual(
      expect.arrayContaining(['getHealth', 'getReadiness']),
    );
  });

  it('never answers 5xx, and a rejected request changes nothing stored', async () => {
    for (const op of operations)
      await fuzzOperation(
        t,
        watch,
        op,
        { name: 'anonymous', headers: {}, realPathValues: await existingPathValues(t, op) },
        RUNS,
      );
  });
});
