/**
 * Fuzzing every operation in the OpenAPI document signed in as each staff role (a full session, with the form
 * token on state-changing requests): no 5xx, no crash, and a rejected request (4xx) changes nothing stored.
 *
 * So that the fuzzer gets past the gate, a path parameter is a real id half the time: for a route that names a
 * record type, fresh records of the access-matrix fixtures (test/support/access-fixtures) in the caller's
 * organisation and in another organisation, plus a desk case (with a real help request and an evidence item)
 * assigned to the caller; for other ids (referrals, duty shifts, uploads, published reports), whatever exists.
 *
 * Ids inside bodies that name records (`access.body`: the case or help request an application or a warning is
 * attached to) are, half the time, a record of the caller's organisation, of another organisation, or the caller's
 * own assigned case: any 2xx answer whose body named a record the policy keeps from the caller is an unexpected
 * allow, and there must be none.
 *
 * Runs per operation and role: FUZZ_ROLE_RUNS, by default FUZZ_RUNS divided by the number of roles, at least 3
 * (15 runs → 3 per role in CI; `npm run test:fuzz` → 30 per role).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ROLES, ROLE_ORGANISATION_KINDS, ruleFor, type Role } from '../../src/platform/access-policy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDeskCase, makeEvidenceItem } from '../support/access-fixtures/evidence.ts';
import type { RecordFixture, RecordFixtureContext } from '../support/access-fixtures/types.ts';
import { loadRecordFixtures, makeRoleActor, OWN_REGION } from '../support/role-fixtures.ts';
import {
  CHANGE_ALLOWED,
  existingPathValues,
  fileHelpRequest,
  fuzzOperation,
  loadOperations,
  StoredDataWatch,
  newTally,
  type FuzzTally,
  type Operation,
} from '../support/fuzz.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const ROLE_RUNS = Number(process.env.FUZZ_ROLE_RUNS ?? Math.max(3, Math.round(RUNS / ROLES.length)));
interface Caller {
  role: Role;
  context: RecordFixtureContext;
  session: SignedIn;
  /** A desk case of the caller's organisation assigned to the caller, its help request (with a file she shared with the caller's organisation), and that file. */
  assigned: { helpline_case: string; help_request: string; help_request_agency: string; evidence: string };
}

let t: TestApp;
let watch: StoredDataWatch;
let operations: Operation[] = [];
const callers: Caller[] = [];
const recordFixtures: RecordFixture[] = [];

beforeAll(async () => {
  // A high global limit so the fuzzer reaches the handlers rather than the rate limiter.
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '1000000', ANXIN_LOG_LEVEL: 'warn' } });
  operations = await loadOperations(t);
  recordFixtures.push(...(await loadRecordFixtures()));
  for (const role of ROLES) {
    const context = await makeRoleActor(t, role);
    const { helpRequestId } = await fileHelpRequest(t);
    await makeDeskCase(t, context.ownOrganisationId, OWN_REGION, helpRequestId, context.actorAccountId);
    const caseId = (
      await t.db
        .selectFrom('helpline_case')
        .select('id')
        .where('help_request_id', '=', helpRequestId)
        .executeTakeFirstOrThrow()
    ).id;
    const evidence = await makeEvidenceItem(t, `help-case:${helpRequestId}`);
    await t.db
      .insertInto('evidence_share')
      .values({
        id: randomUUID(),
        evidence_id: evidence,
        agency: AGENCY_OF_KIND[ROLE_ORGANISATION_KINDS[role][0] ?? 'ngo'] ?? 'ngo',
        organisation_id: context.ownOrganisationId,
        consented_by: 'survivor',
      })
      .execute();
    callers.push({
      role,
      context,
      session: await sessionFor(t, context.actorAccountId),
      assigned: {
        helpline_case: caseId,
        help_request: helpRequestId,
        help_request_agency: helpRequestId,
        evidence,
      },
    });
  }
  // Installed last: the seeding above is not under test.
  watch = await StoredDataWatch.open(t.databaseUrl, CHANGE_ALLOWED);
}, 120_000);
afterAll(async () => {
  await watch?.close();
  await t?.close();
});

const AGENCY_OF_KIND: Record<string, 'court' | 'police' | 'federation' | 'ngo'> = {
  court: 'court',
  police_station: 'police',
  womens_federation: 'federation',
};

const routeOf = (op: Operation) => {
  const url = op.path.replace(/\{(\w+)\}/g, ':$1');
  return t.app.routeRegistry.find((r) => r.url === url && r.method === op.method);
};

type Relation = 'own' | 'other' | 'assigned';
/** Body fields that name records: for each, the ids offered and how each relates to the caller. */
interface BodyRecords {
  fields: Record<string, { action: string; ids: Map<string, Relation> }>;
}

/** Fresh own/other records, and the caller's assigned one, for every body field of the operation that names a record. */
async function bodyRecordsFor(op: Operation, caller: Caller): Promise<BodyRecords> {
  const route = routeOf(op);
  const access = route && 'action' in route.access ? route.access : undefined;
  const fields: BodyRecords['fields'] = {};
  for (const [field, spec] of Object.entries(access?.body ?? {})) {
    const fixture = recordFixtures.find((f) => f.recordType === spec.record);
    if (!fixture || !access) continue;
    const made = await fixture.create(t, caller.context);
    const ids = new Map<string, Relation>([
      [made.own, 'own'],
      [made.other, 'other'],
    ]);
    const assigned = (caller.assigned as Record<string, string | undefined>)[spec.record];
    if (assigned) ids.set(assigned, 'assigned');
    fields[field] = { action: spec.action ?? access.action, ids };
  }
  return { fields };
}

/** What the policy data says about a record of this relation, worked out independently of the gate. */
function policyAllows(action: string, role: Role, relation: Relation | undefined): boolean {
  const scope = ruleFor(action)?.roles[role];
  if (!scope || !relation) return false;
  if (relation === 'other') return scope === 'all';
  if (relation === 'own') return scope === 'organisation' || scope === 'region' || scope === 'all';
  return scope !== 'own';
}

/** Real values for the operation's path parameters, as this caller. */
async function realPathValues(op: Operation, caller: Caller): Promise<Record<string, string[]>> {
  const values: Record<string, string[]> = {};
  const url = op.path.replace(/\{(\w+)\}/g, ':$1');
  const route = t.app.routeRegistry.find((r) => r.url === url && r.method === op.method);
  const recordType = route && 'action' in route.access ? route.access.record : undefined;
  if (recordType) {
    const fixture = recordFixtures.find((f) => f.recordType === recordType);
    if (fixture) {
      // Fresh records for every operation: earlier operations may have changed them (claimed, closed…).
      const made = await fixture.create(t, caller.context);
      const assigned = (caller.assigned as Record<string, string | undefined>)[recordType];
      values.id = [made.own, made.other, ...(assigned ? [assigned] : [])];
    }
  }
  Object.assign(values, await existingPathValues(t, op));
  return values;
}

/** The caller's session, signed in again if an operation ended it. */
async function liveSession(caller: Caller): Promise<SignedIn> {
  const row = await t.db
    .selectFrom('staff_session')
    .select('revoked_at')
    .where('id', '=', caller.session.sessionId)
    .executeTakeFirst();
  if (!row || row.revoked_at) caller.session = await sessionFor(t, caller.context.actorAccountId);
  return caller.session;
}

describe('fuzzing every API operation signed in as each staff role', () => {
  it('signs in every role', () => {
    expect(callers.map((c) => c.role)).toEqual([...ROLES]);
    expect(operations.length).toBeGreaterThan(process.env.FUZZ_OPERATIONS ? 0 : 50);
  });

  it('never answers 5xx, and a rejected request changes nothing stored', async () => {
    const failures: string[] = [];
    const unexpectedAllows: string[] = [];
    const tallies = new Map<Role, FuzzTally>(ROLES.map((role) => [role, newTally()]));
    for (const op of operations) {
      for (const caller of callers) {
        const session = await liveSession(caller);
        const real = await realPathValues(op, caller);
        const bodyRecords = await bodyRecordsFor(op, caller);
        try {
          await fuzzOperation(
            t,
            watch,
            op,
            {
              name: caller.role,
              headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, accept: 'application/json' },
              realPathValues: real,
              realIds: [
                caller.context.actorAccountId,
                caller.context.ownOrganisationId,
                ...Object.values(real).flat(),
              ],
              bodyIds: () =>
                Object.fromEntries(
                  Object.entries(bodyRecords.fields).map(([field, f]) => [field, [...f.ids.keys()]]),
                ),
              onAnswer: (_op, body, status) => {
                if (status >= 300 || !body || typeof body !== 'object') return;
                for (const [field, f] of Object.entries(bodyRecords.fields)) {
                  const value = (body as Record<string, unknown>)[field];
                  if (value === undefined || value === null || value === '') continue;
                  const relation = typeof value === 'string' ? f.ids.get(value) : undefined;
                  if (!policyAllows(f.action, caller.role, relation))
                    unexpectedAllows.push(
                      `${op.operationId} as ${caller.role}: body.${field} named ${relation ?? 'an unknown'} record, answered ${status}`,
                    );
                }
              },
            },
            ROLE_RUNS,
            tallies.get(caller.role),
          );
        } catch (error) {
          // Every failing operation and role in one report, rather than only the first.
          failures.push(String((error as Error).cause ?? error).slice(0, 2000));
        }
      }
    }
    console.log(
      `${operations.length} operations × ${ROLES.length} roles, ${ROLE_RUNS} runs each:\n` +
        [...tallies]
          .map(
            ([role, tally]) =>
              `  ${role}: ${tally.requests} requests ${JSON.stringify(tally.byClass)}, ${tally.accepted.size} operations answered 2xx`,
          )
          .join('\n') +
        `\n  never 2xx for any role: ${operations
          .filter((op) => ![...tallies.values()].some((x) => x.accepted.has(op.operationId)))
          .map((op) => op.operationId)
          .join(', ')}` +
        (watch.busy.size
          ? `\n  still writing between requests (waited for): ${[...watch.busy].join(' | ')}`
          : ''),
    );
    expect(failures).toEqual([]);
    expect(unexpectedAllows).toEqual([]);
    // Every role got past the gate somewhere (not just 401/404 everywhere).
    if (!process.env.FUZZ_OPERATIONS)
      for (const [role, tally] of tallies) expect(tally.byClass['2xx'] ?? 0, role).toBeGreaterThan(0);
  });
});
