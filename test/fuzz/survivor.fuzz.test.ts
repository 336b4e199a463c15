/**
 * Fuzzing every operation in the OpenAPI document as a signed-in survivor: with the thread token she gets
 * from openHelpThread (case code + secret) in `Authorization: Bearer`, on every request. No 5xx, no crash,
 * and a rejected request (4xx) changes nothing stored. FUZZ_RUNS runs per operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation } from '../support/identity-fixtures.ts';
import { makeDeskCase, makeEvidenceItem } from '../support/access-fixtures/evidence.ts';
import {
  CHANGE_ALLOWED,
  existingPathValues,
  fileHelpRequest,
  fuzzOperation,
  loadOperations,
  StoredDataWatch,
  newTally,
  type Operation,
} from '../support/fuzz.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);

let t: TestApp;
let watch: StoredDataWatch;
let operations: Operation[] = [];
let her: { caseCode: string; secret: string; token: string };

async function openThread(caseCode: string, secret: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/help/thread', payload: { caseCode, secret } });
  if (res.statusCode !== 200) throw new Error(`opening her thread answered ${res.statusCode}: ${res.body}`);
  return res.json<{ token: string }>().token;
}

/** A survivor whose request is on a desk, with an evidence item of hers, as after a few days of use. */
async function newSurvivor(): Promise<typeof her> {
  const filed = await fileHelpRequest(t);
  await makeDeskCase(t, await makeOrganisation(t, 'ngo', '110105'), '110105', filed.helpRequestId);
  await makeEvidenceItem(t, `help-case:${filed.helpRequestId}`);
  return {
    caseCode: filed.caseCode,
    secret: filed.secret,
    token: await openThread(filed.caseCode, filed.secret),
  };
}

/**
 * Her token, opened again if an operation ended her thread session — or, once the fuzzer has deleted her data
 * (deleteMyData: her code and secret open nothing any more, as promised), a new survivor's.
 */
async function liveToken(): Promise<string> {
  const res = await t.app.inject({
    url: '/api/help/thread/messages',
    headers: { authorization: `Bearer ${her.token}` },
  });
  if (res.statusCode !== 401) return her.token;
  const deleted = await t.db
    .selectFrom('help_request')
    .select('status')
    .where('case_code', '=', her.caseCode)
    .executeTakeFirst();
  if (deleted?.status === 'deleted') her = await newSurvivor();
  else her.token = await openThread(her.caseCode, her.secret);
  return her.token;
}

beforeAll(async () => {
  // A high global limit so the fuzzer reaches the handlers rather than the rate limiter.
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '1000000', ANXIN_LOG_LEVEL: 'warn' } });
  operations = await loadOperations(t);
  her = await newSurvivor();
  watch = await StoredDataWatch.open(t.databaseUrl, CHANGE_ALLOWED);
}, 60_000);
afterAll(async () => {
  await watch?.close();
  await t?.close();
});

describe('fuzzing every API operation with her thread token', () => {
  it('never answers 5xx, and a rejected request changes nothing stored', async () => {
    const tally = newTally();
    const failures: string[] = [];
    for (const op of operations) {
      const token = await liveToken();
      try {
        await fuzzOperation(
          t,
          watch,
          op,
          {
            name: 'survivor',
            headers: { authorization: `Bearer ${token}` },
            realPathValues: await existingPathValues(t, op),
          },
          RUNS,
          tally,
        );
      } catch (error) {
        failures.push(String((error as Error).cause ?? error).slice(0, 2000));
      }
    }
    console.log(
      `${operations.length} operations with her thread token, ${RUNS} runs each: ${tally.requests} requests ${JSON.stringify(tally.byClass)}; 2xx from ${[...tally.accepted].join(', ')}`,
    );
    expect(failures).toEqual([]);
    expect(tally.byClass['2xx'] ?? 0).toBeGreaterThan(0);
  });
});
