/**
 * Need-to-know on the ids inside the bodies of `createOrderApplication` and `issueWarning` (issue 13): a lawyer of
 * another NGO cannot attach a survivor's case or help request (and so cannot send her evidence to a court of their
 * choosing), `caseRef` must name a real case the caller may see, and a police officer links a written warning only
 * to a help request she shared with the station (evidence shared with it, or a review task of her application).
 * Refusals are the platform's need-to-know answer — 404, the same as for an id that does not exist — and change
 * nothing; an attach that is allowed is audited as a read of the case.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import {
  auth,
  completeApplication,
  makeDeskCaseFor,
  makeEvidence,
  makeOrdersWorld,
  makeSurvivor,
  type OrdersWorld,
} from '../support/orders.ts';

let t: TestApp;
let w: OrdersWorld;
/** Her request, with its desk case at w.ngo assigned to w.caseworker, and two files in her vault. */
let her: { helpRequestId: string; caseId: string; evidenceIds: string[] };
/** Another survivor, helped by another NGO. */
let other: { helpRequestId: string; caseId: string };
let lawyerB: SignedIn;
let supervisorA: SignedIn;

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  const survivor = await makeSurvivor(t);
  her = {
    helpRequestId: survivor.helpRequestId,
    caseId: await makeDeskCaseFor(t, w.ngo, survivor.helpRequestId, w.caseworker.accountId),
    evidenceIds: await makeEvidence(t, `help-case:${survivor.helpRequestId}`),
  };
  const ngoB = await makeOrganisation(t, 'ngo', '3201', '另一家社工机构');
  const lawyer = await makeStaff(t, ngoB, ['volunteer_lawyer']);
  lawyerB = await sessionFor(t, lawyer.accountId);
  const second = await makeSurvivor(t);
  other = {
    helpRequestId: second.helpRequestId,
    caseId: await makeDeskCaseFor(t, ngoB, second.helpRequestId, lawyer.accountId),
  };
  supervisorA = await sessionFor(t, (await makeStaff(t, w.ngo, ['ngo_supervisor'])).accountId);
}, 60_000);
afterAll(async () => t?.close());

const count = async (table: 'order_application' | 'police_warning'): Promise<number> =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const create = (who: SignedIn, body: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/api/orders/applications',
    headers: auth(who),
    payload: { channel: 'ngo', application: completeApplication(her.evidenceIds), ...body },
  });

const warn = (who: SignedIn, helpRequestId?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/orders/warnings',
    headers: auth(who),
    payload: {
      abuserName: '王强',
      victimName: '李梅',
      facts: '11月20日殴打李梅',
      ...(helpRequestId ? { helpRequestId } : {}),
    },
  });

/** The answer without its request id: a refusal must read exactly like the answer for an id that does not exist. */
const shape = (body: string) => {
  const { error } = JSON.parse(body) as { error: Record<string, unknown> };
  delete error.requestId;
  return error;
};

describe('createOrderApplication: only a case the caller may see', () => {
  it('refuses another NGO’s lawyer her case or her help request with 404, like a case that does not exist, and stores nothing', async () => {
    const before = await count('order_application');
    const missing = await create(lawyerB, { caseRef: randomUUID() });
    expect(missing.statusCode).toBe(404);
    for (const body of [
      { caseRef: her.caseId, helpRequestId: her.helpRequestId },
      { helpRequestId: her.helpRequestId },
      { caseRef: her.caseId },
    ]) {
      const res = await create(lawyerB, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(404);
      expect(shape(res.body)).toEqual(shape(missing.body));
    }
    expect(await count('order_application')).toBe(before);
    // Her files were never shared with any court.
    for (const id of her.evidenceIds)
      expect((await t.app.evidence.custodyOf(id)).map((e) => e.action)).toEqual(['upload']);
  });

  it('refuses a caseRef that names no case, and a case and a help request that do not belong together', async () => {
    const before = await count('order_application');
    expect((await create(w.caseworker, { caseRef: 'case-1' })).statusCode).toBe(404);
    expect(
      (await create(w.caseworker, { caseRef: her.caseId, helpRequestId: other.helpRequestId })).statusCode,
    ).toBe(404);
    expect(
      (await create(w.caseworker, { caseRef: other.caseId, helpRequestId: her.helpRequestId })).statusCode,
    ).toBe(404);
    // A colleague not assigned to her case may not start one from it either.
    expect((await create(w.otherCaseworker, { caseRef: her.caseId })).statusCode).toBe(404);
    // A clerk's oral application names no NGO case or help request.
    const oral = await t.app.inject({
      method: 'POST',
      url: '/api/orders/applications',
      headers: auth(w.clerk),
      payload: { channel: 'oral', helpRequestId: her.helpRequestId, application: completeApplication() },
    });
    expect(oral.statusCode).toBe(404);
    expect(await count('order_application')).toBe(before);
  });

  it('starts the application from her case for the assigned caseworker and the supervisor, takes the help request from the case, and audits the read', async () => {
    const res = await create(w.caseworker, { caseRef: her.caseId });
    expect(res.statusCode, res.body).toBe(201);
    const row = await t.db
      .selectFrom('order_application')
      .selectAll()
      .where('id', '=', res.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      help_request_id: her.helpRequestId,
      origin_case_ref: her.caseId,
      evidence_owner_ref: `help-case:${her.helpRequestId}`,
    });
    const reads = await t.db
      .selectFrom('audit_event')
      .select(['details'])
      .where('event', '=', 'record.read')
      .where('record_type', '=', 'helpline_case')
      .where('record_id', '=', her.caseId)
      .execute();
    expect(reads.map((r) => r.details)).toContainEqual({ action: 'helpline.case.startOrder' });
    const bySupervisor = await create(supervisorA, { helpRequestId: her.helpRequestId });
    expect(bySupervisor.statusCode, bySupervisor.body).toBe(201);
    const second = await t.db
      .selectFrom('order_application')
      .select(['help_request_id', 'origin_case_ref'])
      .where('id', '=', bySupervisor.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    expect(second).toEqual({ help_request_id: her.helpRequestId, origin_case_ref: her.caseId });
  });
});

describe('issueWarning: only a help request she shared with the station', () => {
  it('refuses to link a warning to a survivor who shared nothing with the station, and stores nothing', async () => {
    const before = await count('police_warning');
    const missing = await warn(w.officer, randomUUID());
    expect(missing.statusCode).toBe(404);
    const res = await warn(w.officer, her.helpRequestId);
    expect(res.statusCode).toBe(404);
    expect(shape(res.body)).toEqual(shape(missing.body));
    // The staff page's form is the same operation.
    const page = await t.app.inject({
      method: 'POST',
      url: '/orders/warnings',
      headers: auth(w.officer),
      payload: { abuserName: '王强', victimName: '李梅', facts: '殴打', helpRequestId: her.helpRequestId },
    });
    expect(page.statusCode).toBe(404);
    expect(await count('police_warning')).toBe(before);
    // Without a link the warning is issued as before.
    expect((await warn(w.officer)).statusCode).toBe(201);
  });

  it('links it once she shared a file with that station, and only for that station, while the share stands', async () => {
    const shareId = randomUUID();
    await t.db
      .insertInto('evidence_share')
      .values({
        id: shareId,
        evidence_id: her.evidenceIds[0] ?? '',
        agency: 'police',
        organisation_id: w.police,
        consented_by: 'survivor',
      })
      .execute();
    expect((await warn(w.officerElsewhere, her.helpRequestId)).statusCode).toBe(404);
    const res = await warn(w.officer, her.helpRequestId);
    expect(res.statusCode, res.body).toBe(201);
    const row = await t.db
      .selectFrom('police_warning')
      .select(['help_request_id', 'organisation_id'])
      .where('id', '=', res.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ help_request_id: her.helpRequestId, organisation_id: w.police });
    await t.db
      .updateTable('evidence_share')
      .set({ withdrawn_at: new Date(), withdrawn_by: 'survivor' })
      .where('id', '=', shareId)
      .execute();
    expect((await warn(w.officer, her.helpRequestId)).statusCode).toBe(404);
  });
});
