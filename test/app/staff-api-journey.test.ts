/**
 * One whole staff journey through the generated typed client alone (issue 14: every read and write the orders
 * staff pages offer is an API operation): an NGO lawyer starts an application from her desk case and files it,
 * the court clerk finds it on the docket by its receipt number and accepts, police and the women's federation
 * give their opinions, the judge grants, the clerk records service, the police find the order in force by the
 * respondent's ID number and report a violation, and the judge decides it from the court's violations inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import {
  APPLICANT_ADDRESS,
  auth,
  completeApplication,
  makeDeskCaseFor,
  makeOrdersWorld,
  makeSurvivor,
  type OrdersWorld,
} from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import type { AnxinClient, paths } from '../../src/client/index.ts';

/** An application as the API takes it (the fixtures' ApplicationInput, with the API's literal types). */
type ApiApplication =
  paths['/api/orders/applications']['post']['requestBody']['content']['application/json']['application'];

let t: TestApp;
let w: OrdersWorld;
type Person = 'judge' | 'clerk' | 'officer' | 'federationOfficer' | 'caseworker';
let as: (who: Person) => AnxinClient;

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  as = (who) => apiClient(t.app, auth(w[who]));
}, 60_000);
afterAll(async () => t?.close());

describe('a staff journey through the API client alone', () => {
  it('goes from an NGO case to an order in force and a decided violation', async () => {
    // The NGO lawyer (a caseworker at the desk) starts the application from her desk case and files it.
    const survivor = await makeSurvivor(t);
    const caseRef = await makeDeskCaseFor(t, w.ngo, survivor.helpRequestId, w.caseworker.accountId);
    const ngo = as('caseworker');
    const created = await ngo.POST('/api/orders/applications', {
      body: { channel: 'ngo', caseRef, application: completeApplication() as ApiApplication },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const applicationId = created.data!.id;
    expect(created.data!.problems).toEqual([]);
    const filed = await ngo.POST('/api/orders/applications/{id}/submit', {
      params: { path: { id: applicationId } },
      body: {},
    });
    expect(filed.response.status, JSON.stringify(filed.error)).toBe(200);
    expect(filed.data).toMatchObject({ courtId: w.courtA });
    const receipt = filed.data!.receiptNumber;
    expect(receipt).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);

    // The clerk finds it on the docket by its receipt number (as read out on the phone: lower case, no dashes).
    const clerk = as('clerk');
    const found = await clerk.GET('/api/orders/docket', {
      params: { query: { receiptNumber: receipt.replace(/-/g, ' ').toLowerCase() } },
    });
    expect(found.response.status, JSON.stringify(found.error)).toBe(200);
    expect(found.data!.items.map((i) => [i.id, i.receiptNumber, i.status])).toEqual([
      [applicationId, receipt, 'submitted'],
    ]);
    const accepted = await clerk.POST('/api/orders/applications/{id}/accept', {
      params: { path: { id: applicationId } },
      body: {},
    });
    expect(accepted.response.status, JSON.stringify(accepted.error)).toBe(200);
    const caseNumber = accepted.data!.caseNumber;
    const byCase = await clerk.GET('/api/orders/docket', { params: { query: { caseNumber, clock: 'ok' } } });
    expect(byCase.data!.items.map((i) => i.id)).toEqual([applicationId]);

    // Police and the women's federation each find their review task and give their opinion.
    const police = as('officer');
    const policeTasks = await police.GET('/api/orders/reviews');
    const policeTask = policeTasks.data!.items.find((i) => i.caseNumber === caseNumber);
    expect(policeTask?.agency).toBe('police');
    const read = await police.GET('/api/orders/reviews/{id}', { params: { path: { id: policeTask!.id } } });
    expect(read.data!.respondentName).toBe('王强');
    expect(JSON.stringify(read.data)).not.toContain(APPLICANT_ADDRESS);
    const verified = await police.POST('/api/orders/reviews/{id}/opinion', {
      params: { path: { id: policeTask!.id } },
      body: {
        opinion: '10月3日出警一次，现场见申请人背部伤痕。',
        recommendation: 'grant',
        callOuts: 1,
        earlierWarnings: 0,
        incidentsOnRecord: 1,
      },
    });
    expect(verified.response.status, JSON.stringify(verified.error)).toBe(200);
    const federation = as('federationOfficer');
    const fedTask = (await federation.GET('/api/orders/reviews')).data!.items.find(
      (i) => i.caseNumber === caseNumber,
    );
    const opinion = await federation.POST('/api/orders/reviews/{id}/opinion', {
      params: { path: { id: fedTask!.id } },
      body: { opinion: '申请人曾两次到妇联求助，情况属实。', recommendation: 'grant' },
    });
    expect(opinion.response.status, JSON.stringify(opinion.error)).toBe(200);

    // The judge reads the application with both opinions and grants.
    const judge = as('judge');
    const view = await judge.GET('/api/orders/applications/{id}', {
      params: { path: { id: applicationId } },
    });
    expect(view.data!.reviews.map((r) => [r.agency, r.status]).sort()).toEqual([
      ['federation', 'submitted'],
      ['police', 'submitted'],
    ]);
    const granted = await judge.POST('/api/orders/applications/{id}/decision', {
      params: { path: { id: applicationId } },
      body: { outcome: 'grant', measures: ['no_violence', 'no_contact'], validMonths: 6 },
    });
    expect(granted.response.status, JSON.stringify(granted.error)).toBe(200);
    const orderId = granted.data!.orderId!;

    // The clerk records service on the respondent from the court's open service tasks.
    const tasks = await clerk.GET('/api/orders/service-tasks', {
      params: { query: { party: 'respondent' } },
    });
    const serviceTask = tasks.data!.items.find((s) => s.orderId === orderId);
    expect(serviceTask).toMatchObject({ party: 'respondent', status: 'open', caseNumber });
    const served = await clerk.POST('/api/orders/service-tasks/{id}', {
      params: { path: { id: serviceTask!.id } },
      body: { method: 'in_person', servedAt: new Date().toISOString(), serverName: '张书记员' },
    });
    expect(served.response.status, JSON.stringify(served.error)).toBe(200);
    const done = await clerk.GET('/api/orders/service-tasks', {
      params: { query: { status: 'done', party: 'respondent' } },
    });
    expect(done.data!.items.map((s) => [s.id, s.method])).toEqual([[serviceTask!.id, 'in_person']]);

    // The police of the area find the order in force by the respondent's ID number: measures, validity, him.
    const inForce = await police.POST('/api/orders/orders/search', {
      body: { respondentIdNumber: '320102 19880101 1236' },
    });
    expect(inForce.response.status, JSON.stringify(inForce.error)).toBe(200);
    expect(inForce.data!.items).toHaveLength(1);
    const order = inForce.data!.items[0]!;
    expect(order).toMatchObject({
      id: orderId,
      caseNumber,
      measures: ['no_violence', 'no_contact'],
      respondent: { name: '王强', idNumber: '320102198801011236', regionCode: '320106' },
    });
    expect(JSON.stringify(inForce.data)).not.toContain(APPLICANT_ADDRESS);
    expect(JSON.stringify(inForce.data)).not.toContain('李梅');

    // They report a violation; it lands in the court's inbox, and the judge decides it.
    const reported = await police.POST('/api/orders/orders/{id}/violations', {
      params: { path: { id: orderId } },
      body: { occurredOn: '2026-11-20', description: '被申请人在申请人单位门口拦截并辱骂申请人。' },
    });
    expect(reported.response.status, JSON.stringify(reported.error)).toBe(200);
    const inbox = await judge.GET('/api/orders/violations');
    expect(inbox.data!.items.map((v) => [v.id, v.reportedBy, v.status, v.caseNumber])).toEqual([
      [reported.data!.id, 'police', 'reported', caseNumber],
    ]);
    const decided = await judge.POST('/api/orders/violations/{id}/decision', {
      params: { path: { id: reported.data!.id } },
      body: { outcome: 'fine', fineYuan: 500, reasons: '违反禁止骚扰的裁定。' },
    });
    expect(decided.response.status, JSON.stringify(decided.error)).toBe(200);
    expect((await judge.GET('/api/orders/violations')).data!.items).toEqual([]);
    const history = await judge.GET('/api/orders/violations', { params: { query: { status: 'decided' } } });
    expect(history.data!.items.map((v) => [v.id, v.outcome])).toEqual([[reported.data!.id, 'fine']]);

    // Her timeline shows each step, read through the API.
    const timeline = await ngo.GET('/api/orders/applications/{id}/timeline', {
      params: { path: { id: applicationId } },
    });
    expect(timeline.data!.steps.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['received', 'accepted', 'violation_reported', 'violation_decided']),
    );
  });
});
