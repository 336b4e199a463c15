/**
 * The protection-order one-stop through the real app on a real PostgreSQL: an NGO case becomes an application
 * with two evidence files, validation names what is missing, routing finds the competent court, the court
 * accepts (case number, clock, parallel reviews), police and federation answer, the judge questions the
 * respondent and grants two measures, the PDF reads back right (pdftotext), the QR token verifies publicly,
 * service is recorded, the survivor sees her timeline and reports a violation, the court decides it. Every
 * action is refused (404) outside the access policy and audited when allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  APPLICANT_ADDRESS,
  auth,
  completeApplication,
  makeDeskCaseFor,
  makeEvidence,
  makeOrdersWorld,
  makeSurvivor,
  pdfText,
  type OrdersWorld,
} from '../support/orders.ts';

let t: TestApp;
let w: OrdersWorld;
let survivor: Awaited<ReturnType<typeof makeSurvivor>>;
let evidenceIds: string[];
let applicationId: string;
let orderId: string;
let checkToken: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
  survivor = await makeSurvivor(t);
  evidenceIds = await makeEvidence(t, `help-case:${survivor.helpRequestId}`);
}, 60_000);
afterAll(async () => t?.close());

async function auditCount(event: string, recordId?: string): Promise<number> {
  let q = t.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('event', '=', event);
  if (recordId) q = q.where('record_id', '=', recordId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

describe('protection-order one-stop', () => {
  it('starts from an NGO case as a draft and says exactly what is missing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/orders/applications',
      headers: auth(w.caseworker),
      payload: {
        channel: 'ngo',
        caseRef: await makeDeskCaseFor(t, w.ngo, survivor.helpRequestId, w.caseworker.accountId),
        helpRequestId: survivor.helpRequestId,
        application: { applicant: { name: '李梅', regionCode: '320102' }, evidenceIds },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ id: string; problems: { field: string; message: string }[] }>();
    applicationId = body.id;
    const fields = body.problems.map((p) => p.field).sort();
    expect(fields).toEqual([
      'consentOnline',
      'incidents',
      'measures',
      'relationship',
      'respondent.idNumber',
      'respondent.name',
    ]);
    expect(body.problems.find((p) => p.field === 'respondent.name')?.message).toBe(
      '请填写被申请人（施暴者）的姓名。',
    );
    // The draft is kept on the server, sealed: no name in the row's plain columns.
    const row = await t.db
      .selectFrom('order_application')
      .selectAll()
      .where('id', '=', applicationId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('draft');
    expect(row.particulars.toString('latin1')).not.toContain('李梅');
    // Filing an incomplete draft is refused with the same list and changes nothing.
    const submit = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/submit`,
      headers: { ...auth(w.caseworker), 'accept-language': 'en' },
      payload: {},
    });
    expect(submit.statusCode).toBe(400);
    expect(
      submit
        .json<{ error: { fields: { field: string; message: string }[] } }>()
        .error.fields.map((f) => f.field),
    ).toContain('consentOnline');
    expect(
      (
        await t.db
          .selectFrom('order_application')
          .select('status')
          .where('id', '=', applicationId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('draft');
  });

  it('a proxy must record the victim’s wishes', async () => {
    const input = {
      ...completeApplication(),
      proxy: { kind: 'womens_federation', name: '南京市妇联', reason: 'threatened' },
    };
    const problems = t.app.ordersService.problems(input as never);
    expect(problems.map((p) => p.field)).toEqual(['proxy.victimWishes']);
    expect(
      t.app.ordersService.problems({
        ...input,
        proxy: { ...input.proxy, victimWishes: '她希望他搬出去，不想离婚' },
      } as never),
    ).toEqual([]);
  });

  it('refuses evidence that is not from her own vault', async () => {
    const stranger = await makeEvidence(t, 'help-case:00000000-0000-4000-8000-000000000000', 1);
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/orders/applications/${applicationId}`,
      headers: auth(w.caseworker),
      payload: { application: completeApplication([...evidenceIds, ...stranger]) },
    });
    expect(put.statusCode).toBe(200);
    const submit = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/submit`,
      headers: auth(w.caseworker),
      payload: {},
    });
    expect(submit.statusCode).toBe(400);
    expect(
      submit.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field),
    ).toEqual(['evidenceIds']);
  });

  it('files the completed application with the competent court for her district', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/orders/applications/${applicationId}`,
      headers: auth(w.caseworker),
      payload: { application: completeApplication(evidenceIds) },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json<{ problems: unknown[] }>().problems).toEqual([]);
    // The NGO chose her files: filing waits until she has answered for each (issue 13), then goes through.
    const waiting = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/submit`,
      headers: auth(w.caseworker),
      payload: {},
    });
    expect(waiting.statusCode, waiting.body).toBe(409);
    await t.app.ordersService.consents.answer(
      survivor.helpRequestId,
      evidenceIds.map((evidenceId) => ({ applicationId, evidenceId, answer: 'allowed' as const })),
      { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/submit`,
      headers: auth(w.caseworker),
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      courtId: w.courtA,
      courtName: '南京市玄武区人民法院',
      receiptNumber: expect.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/),
    });
    // Her evidence is shared with the court on its custody chain, after her consent.
    for (const id of evidenceIds)
      expect((await t.app.evidence.custodyOf(id)).map((e) => [e.action, e.details.agency])).toEqual([
        ['upload', undefined],
        ['consent', 'court'],
        ['share', `court:${w.courtA}`],
      ]);
  });

  it('routes by the respondent’s residence or the place of violence when chosen (ADVL 25)', async () => {
    const s = t.app.ordersService;
    expect((await s.competentCourt({ ...completeApplication(), venueBasis: 'respondent' }))?.id).toBe(
      w.courtB,
    );
    expect(
      (
        await s.competentCourt({
          ...completeApplication(),
          venueBasis: 'violence',
          violenceRegionCode: '320102',
        })
      )?.id,
    ).toBe(w.courtA);
    expect(
      await s.competentCourt({ ...completeApplication(), applicant: { name: 'x', regionCode: '440106' } }),
    ).toBeUndefined();
  });

  it('shows the filed application on its court’s docket only', async () => {
    const mine = await t.app.inject({ url: '/api/orders/docket', headers: auth(w.clerk) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ items: { id: string; clock: string | null }[] }>().items.map((i) => i.id)).toEqual([
      applicationId,
    ]);
    const other = await t.app.inject({ url: '/api/orders/docket', headers: auth(w.judgeB) });
    expect(other.json<{ items: unknown[] }>().items).toEqual([]);
    for (const outsider of [w.officer, w.caseworker, w.federationOfficer]) {
      expect((await t.app.inject({ url: '/api/orders/docket', headers: auth(outsider) })).statusCode).toBe(
        404,
      );
    }
  });

  it('refuses the application to other courts, agencies and other NGO staff with 404, and audits every allowed read', async () => {
    for (const outsider of [w.judgeB, w.officer, w.federationOfficer, w.otherCaseworker]) {
      const res = await t.app.inject({
        url: `/api/orders/applications/${applicationId}`,
        headers: auth(outsider),
      });
      expect(res.statusCode).toBe(404);
    }
    const before = await auditCount('record.read', applicationId);
    for (const allowed of [w.judge, w.clerk, w.caseworker]) {
      expect(
        (await t.app.inject({ url: `/api/orders/applications/${applicationId}`, headers: auth(allowed) }))
          .statusCode,
      ).toBe(200);
    }
    expect(await auditCount('record.read', applicationId)).toBe(before + 3);
    // Accepting is the court's: another court's judge and the NGO get 404 and nothing changes.
    for (const outsider of [w.judgeB, w.caseworker, w.officer]) {
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/orders/applications/${applicationId}/accept`,
            headers: auth(outsider),
            payload: {},
          })
        ).statusCode,
      ).toBe(404);
    }
    expect(
      (
        await t.db
          .selectFrom('order_application')
          .select('status')
          .where('id', '=', applicationId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('submitted');
  });

  it('accepts: case number with 民保令, the 72-hour clock, review tasks to police and federation', async () => {
    const before = Date.now();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/accept`,
      headers: auth(w.clerk),
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ caseNumber: string; rulingDueAt: string; reviewTasks: number }>();
    expect(body.caseNumber).toMatch(/^（20\d\d）苏0102民保令1号$/);
    const due = Date.parse(body.rulingDueAt) - before;
    expect(due).toBeGreaterThanOrEqual(72 * 3_600_000 - 1000);
    expect(due).toBeLessThan(72 * 3_600_000 + 60_000);
    expect(body.reviewTasks).toBe(2);
    const docket = (await t.app.inject({ url: '/api/orders/docket', headers: auth(w.judge) })).json<{
      items: { clock: string; minutesLeft: number; reviewsTotal: number }[];
    }>();
    expect(docket.items[0]).toMatchObject({ clock: 'ok', reviewsTotal: 2 });
    expect(docket.items[0]?.minutesLeft).toBeGreaterThan(71 * 60);
    expect(await auditCount('orders.application_accepted', applicationId)).toBe(1);
  });

  it('sends parallel review tasks; police verify and the federation gives an opinion, without her address', async () => {
    const policeTasks = (await t.app.inject({ url: '/api/orders/reviews', headers: auth(w.officer) })).json<{
      items: { id: string; agency: string }[];
    }>().items;
    const fedTasks = (
      await t.app.inject({ url: '/api/orders/reviews', headers: auth(w.federationOfficer) })
    ).json<{ items: { id: string; agency: string }[] }>().items;
    expect(policeTasks.map((x) => x.agency)).toEqual(['police']);
    expect(fedTasks.map((x) => x.agency)).toEqual(['federation']);
    expect(
      (await t.app.inject({ url: '/api/orders/reviews', headers: auth(w.officerElsewhere) })).json<{
        items: unknown[];
      }>().items,
    ).toEqual([]);
    const policeTask = policeTasks[0]!.id;
    const view = await t.app.inject({ url: `/api/orders/reviews/${policeTask}`, headers: auth(w.officer) });
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('王强');
    expect(view.body).not.toContain(APPLICANT_ADDRESS);
    expect(view.body).not.toContain('13800138000');
    // Another station and the federation cannot open or answer the police task.
    for (const outsider of [w.officerElsewhere, w.federationOfficer, w.judge]) {
      expect(
        (await t.app.inject({ url: `/api/orders/reviews/${policeTask}`, headers: auth(outsider) }))
          .statusCode,
      ).toBe(404);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/orders/reviews/${policeTask}/opinion`,
            headers: auth(outsider),
            payload: { opinion: 'x', recommendation: 'grant' },
          })
        ).statusCode,
      ).toBe(404);
    }
    const police = await t.app.inject({
      method: 'POST',
      url: `/api/orders/reviews/${policeTask}/opinion`,
      headers: auth(w.officer),
      payload: {
        opinion: '10月3日出警一次，现场见申请人背部伤痕。',
        recommendation: 'grant',
        callOuts: 2,
        earlierWarnings: 1,
        incidentsOnRecord: 2,
      },
    });
    expect(police.statusCode, police.body).toBe(200);
    const fed = await t.app.inject({
      method: 'POST',
      url: `/api/orders/reviews/${fedTasks[0]!.id}/opinion`,
      headers: auth(w.federationOfficer),
      payload: { opinion: '申请人曾两次到妇联求助，情况属实。', recommendation: 'grant' },
    });
    expect(fed.statusCode, fed.body).toBe(200);
    expect(await auditCount('orders.review_submitted', applicationId)).toBe(2);
  });

  it('gives the judge one view: opinions, evidence with integrity, questioning recorded', async () => {
    const q = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/questioning`,
      headers: auth(w.judge),
      payload: { channel: 'phone', questionedAt: new Date().toISOString(), responded: false },
    });
    expect(q.statusCode, q.body).toBe(200);
    // Only a judge questions: the clerk gets 404.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/applications/${applicationId}/questioning`,
          headers: auth(w.clerk),
          payload: { channel: 'phone', questionedAt: new Date().toISOString(), responded: false },
        })
      ).statusCode,
    ).toBe(404);
    const view = (
      await t.app.inject({ url: `/api/orders/applications/${applicationId}`, headers: auth(w.judge) })
    ).json<{
      reviews: { agency: string; status: string; verification: unknown }[];
      evidence: { id: string; integrity: string }[];
    }>();
    expect(view.reviews.map((r) => [r.agency, r.status])).toEqual([
      ['federation', 'submitted'],
      ['police', 'submitted'],
    ]);
    expect(view.reviews.find((r) => r.agency === 'police')?.verification).toEqual({
      callOuts: 2,
      earlierWarnings: 1,
      incidentsOnRecord: 2,
    });
    expect(view.evidence.map((e) => [e.id, e.integrity])).toEqual(evidenceIds.map((id) => [id, 'intact']));
    const page = await t.app.inject({
      url: `/orders/applications/${applicationId}`,
      headers: { cookie: w.judge.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('验伤报告.pdf');
    expect(page.body).toContain('完整（SHA-256 与保管链核验通过）');
    expect(page.body).toContain('未回应（不影响作出保护令）');
  });

  it('refuses a validity beyond 6 months and a grant without measures', async () => {
    const long = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'grant', measures: ['no_violence'], validMonths: 7 },
    });
    expect(long.statusCode).toBe(400);
    const none = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'grant', measures: [], validMonths: 6 },
    });
    expect(none.statusCode).toBe(400);
    expect(
      await t.db
        .selectFrom('protection_order')
        .select('id')
        .where('application_id', '=', applicationId)
        .execute(),
    ).toEqual([]);
  });

  it('grants two measures for 6 months; the PDF reads back in Chinese and the respondent’s copy has no address', async () => {
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/applications/${applicationId}/decision`,
          headers: auth(w.judgeB),
          payload: { outcome: 'grant', measures: ['no_violence', 'no_contact'], validMonths: 6 },
        })
      ).statusCode,
    ).toBe(404);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/decision`,
      headers: auth(w.judge),
      payload: {
        outcome: 'grant',
        measures: ['no_violence', 'no_contact'],
        validMonths: 6,
        terms: '被申请人应于三日内交出申请人住所钥匙',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    orderId = res.json<{ orderId: string }>().orderId;
    const respondentCopy = await t.app.inject({
      url: `/api/orders/applications/${applicationId}/document?copy=respondent`,
      headers: auth(w.clerk),
    });
    expect(respondentCopy.statusCode).toBe(200);
    expect(respondentCopy.headers['content-type']).toBe('application/pdf');
    const text = pdfText(respondentCopy.rawPayload);
    const compact = text.replace(/\s+/g, '');
    for (const expected of [
      '南京市玄武区人民法院',
      '人身安全保护令',
      '民事裁定书',
      '苏0102民保令1号',
      '申请人：李梅',
      '被申请人：王强',
      '一、禁止被申请人对申请人实施家庭暴力',
      '二、禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属',
      '被申请人应于三日内交出申请人住所钥匙',
      '五日内向本院申请复议',
      '一千元以下罚款、十五日以下拘留',
    ]) {
      expect(compact).toContain(expected);
    }
    expect(compact).not.toContain('梅园新村');
    expect(compact).not.toContain('13800138000');
    const applicantCopy = pdfText(
      (
        await t.app.inject({
          url: `/api/orders/applications/${applicationId}/document?copy=applicant`,
          headers: auth(w.clerk),
        })
      ).rawPayload,
    ).replace(/\s+/g, '');
    expect(applicantCopy).toContain('梅园新村');
    const match = /order-check\/([A-Za-z0-9_-]+)/.exec(compact);
    expect(match).not.toBeNull();
    checkToken = match![1]!;
    expect(await auditCount('orders.document_issued', applicationId)).toBe(2);
    // The NGO caseworker cannot fetch the order document.
    expect(
      (
        await t.app.inject({
          url: `/api/orders/applications/${applicationId}/document?copy=court`,
          headers: auth(w.caseworker),
        })
      ).statusCode,
    ).toBe(404);
  });

  it('verifies from the QR token publicly: valid, until when, the court; nothing personal; case number alone opens nothing', async () => {
    const res = await t.app.inject({ url: `/api/order-check/${checkToken}` });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ valid: boolean; validUntil: string; court: string }>();
    expect(body).toMatchObject({ valid: true, court: '南京市玄武区人民法院', status: 'in_force' });
    expect(Object.keys(body).sort()).toEqual(['court', 'status', 'valid', 'validUntil']);
    const page = await t.app.inject({ url: `/order-check/${checkToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('有效');
    expect(page.body).not.toContain('李梅');
    expect(page.body).not.toContain('王强');
    const caseNumber = (
      await t.db
        .selectFrom('protection_order')
        .select('case_number')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).case_number;
    expect(
      (await t.app.inject({ url: `/api/order-check/${encodeURIComponent(caseNumber)}` })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: `/api/order-check/${'A'.repeat(32)}` })).statusCode).toBe(404);
  });

  it('records service on the respondent (who, how, when) and creates tasks for all four parties', async () => {
    const tasks = await t.db
      .selectFrom('order_service_task')
      .select(['id', 'party', 'status'])
      .where('order_id', '=', orderId)
      .orderBy('party')
      .execute();
    expect(tasks.map((x) => x.party)).toEqual(['applicant', 'committee', 'police', 'respondent']);
    const respondent = tasks.find((x) => x.party === 'respondent')!;
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/service-tasks/${respondent.id}`,
          headers: auth(w.judgeB),
          payload: { method: 'in_person', servedAt: new Date().toISOString(), serverName: '张书记员' },
        })
      ).statusCode,
    ).toBe(404);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/orders/service-tasks/${respondent.id}`,
      headers: auth(w.clerk),
      payload: { method: 'in_person', servedAt: new Date().toISOString(), serverName: '张书记员' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/orders/service-tasks/${respondent.id}`,
      headers: auth(w.clerk),
      payload: { method: 'in_person', servedAt: new Date().toISOString(), serverName: '张书记员' },
    });
    expect(again.statusCode).toBe(409);
    // Notifications went through the outbox (payloads carry identifiers only).
    const outbox = await t.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('topic', '=', 'orders.notify')
      .execute();
    expect(outbox.length).toBeGreaterThan(5);
    expect(JSON.stringify(outbox)).not.toContain('李梅');
  });

  it('shows the survivor her timeline in her portal and lets her report a violation in one step', async () => {
    const page = await t.app.inject({
      url: `/help/thread/orders/${applicationId}`,
      headers: { cookie: survivor.cookie },
    });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    for (const step of ['法院已收到申请', '法院已受理', '审查中', '法院已作出人身安全保护令', '保护令已送达'])
      expect(page.body).toContain(step);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(csrf).toBeDefined();
    const report = await t.app.inject({
      method: 'POST',
      url: `/help/thread/orders/${applicationId}/violation`,
      headers: { cookie: survivor.cookie },
      payload: {
        csrf: csrf!,
        occurredOn: '2026-11-20',
        description: '他又到我单位门口堵我。',
        evidenceIds: [evidenceIds[1]!, '00000000-0000-4000-8000-000000000000'],
      },
    });
    expect(report.statusCode, report.body).toBe(303);
    expect(
      (await t.app.inject({ url: String(report.headers.location), headers: { cookie: survivor.cookie } }))
        .body,
    ).toContain('已报告');
    // Only her own file is attached; an id from elsewhere is dropped.
    expect(
      (
        await t.db
          .selectFrom('order_violation')
          .select('evidence_ids')
          .where('order_id', '=', orderId)
          .executeTakeFirstOrThrow()
      ).evidence_ids,
    ).toEqual([evidenceIds[1]]);
    // Without her session the page is closed; another survivor's session gets 404.
    expect((await t.app.inject({ url: `/help/thread/orders/${applicationId}` })).statusCode).toBe(303);
    const other = await makeSurvivor(t);
    expect(
      (await t.app.inject({ url: `/help/thread/orders/${applicationId}`, headers: { cookie: other.cookie } }))
        .statusCode,
    ).toBe(404);
    expect(await auditCount('orders.application_read', applicationId)).toBeGreaterThanOrEqual(2);
  });

  it('the court decides the violation within ADVL 34 limits, and her timeline shows it', async () => {
    const violation = await t.db
      .selectFrom('order_violation')
      .select('id')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    const tooMuch = await t.app.inject({
      method: 'POST',
      url: `/api/orders/violations/${violation.id}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'fine', fineYuan: 1001, reasons: '违反禁止接触措施' },
    });
    expect(tooMuch.statusCode).toBe(400);
    const detention = await t.app.inject({
      method: 'POST',
      url: `/api/orders/violations/${violation.id}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'detention', detentionDays: 16, reasons: '违反禁止接触措施' },
    });
    expect(detention.statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/violations/${violation.id}/decision`,
          headers: auth(w.officer),
          payload: { outcome: 'fine', fineYuan: 500, reasons: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/orders/violations/${violation.id}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'fine', fineYuan: 1000, reasons: '违反禁止接触措施' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const timeline = (
      await t.app.inject({
        url: `/api/orders/applications/${applicationId}/timeline`,
        headers: auth(w.judge),
      })
    ).json<{ steps: { kind: string }[] }>();
    expect(timeline.steps.map((s) => s.kind)).toEqual([
      'received',
      'accepted',
      'in_review',
      'granted',
      'served',
      'violation_reported',
      'violation_decided',
    ]);
  });

  it('police report violations in their area and issue written warnings that reach later applications', async () => {
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/orders/${orderId}/violations`,
          headers: auth(w.officerElsewhere),
          payload: { occurredOn: '2026-11-20', description: '出警发现被申请人在申请人住所附近' },
        })
      ).statusCode,
    ).toBe(404);
    const report = await t.app.inject({
      method: 'POST',
      url: `/api/orders/orders/${orderId}/violations`,
      headers: auth(w.officer),
      payload: { occurredOn: '2026-11-20', description: '出警发现被申请人在申请人住所附近' },
    });
    expect(report.statusCode, report.body).toBe(200);
    const warning = await t.app.inject({
      method: 'POST',
      url: '/api/orders/warnings',
      headers: auth(w.officer),
      payload: {
        abuserName: '王强',
        victimName: '李梅',
        facts: '11月20日殴打李梅',
        helpRequestId: survivor.helpRequestId,
      },
    });
    expect(warning.statusCode, warning.body).toBe(201);
    const { id, followUpDueAt } = warning.json<{ id: string; followUpDueAt: string }>();
    expect(Date.parse(followUpDueAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3_600_000);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/orders/warnings',
          headers: auth(w.judge),
          payload: { abuserName: '王强', victimName: '李梅', facts: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/warnings/${id}/steps`,
          headers: auth(w.officerElsewhere),
          payload: { step: 'delivered_abuser' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/warnings/${id}/steps`,
          headers: auth(w.officer),
          payload: { step: 'delivered_abuser' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/warnings/${id}/steps`,
          headers: auth(w.officer),
          payload: { step: 'visit', notes: '回访：申请人安全' },
        })
      ).statusCode,
    ).toBe(200);
    const list = (await t.app.inject({ url: '/api/orders/warnings', headers: auth(w.officer) })).json<{
      items: { id: string; visits: number }[];
    }>();
    expect(list.items).toEqual([expect.objectContaining({ id, visits: 1 })]);
    const view = await t.app.ordersService.reviewView(applicationId);
    expect(view.warnings.map((x) => x.id)).toEqual([id]);
    expect(await auditCount('orders.warning_issued', id)).toBe(1);
  });

  it('modifies, extends and revokes only by the judge of the court, before expiry', async () => {
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/orders/${orderId}/changes`,
          headers: auth(w.clerk),
          payload: { change: 'revoke', reasons: '申请人申请撤销' },
        })
      ).statusCode,
    ).toBe(404);
    const modify = await t.app.inject({
      method: 'POST',
      url: `/api/orders/orders/${orderId}/changes`,
      headers: auth(w.judge),
      payload: {
        change: 'modify',
        measures: ['no_violence', 'no_contact', 'move_out'],
        reasons: '申请人申请增加迁出措施',
      },
    });
    expect(modify.statusCode, modify.body).toBe(200);
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/api/orders/orders/${orderId}/changes`,
      headers: auth(w.judge),
      payload: { change: 'revoke', reasons: '申请人申请撤销' },
    });
    expect(revoke.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/order-check/${checkToken}` })).json()).toMatchObject({
      valid: false,
      status: 'revoked',
    });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/orders/${orderId}/changes`,
          headers: auth(w.judge),
          payload: { change: 'extend', validMonths: 3, reasons: 'x' },
        })
      ).statusCode,
    ).toBe(409);
  });

  it('returns and transfers with a reason; a returned application can be completed and refiled', async () => {
    const second = await t.app.ordersService.saveDraft(
      {
        audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
        ref: 'survivor',
        accountId: null,
      },
      completeApplication(),
      { channel: 'portal', helpRequestId: survivor.helpRequestId },
    );
    await t.app.ordersService.submit(
      {
        audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
        ref: 'survivor',
        accountId: null,
      },
      second.id,
    );
    const ret = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${second.id}/return`,
      headers: auth(w.clerk),
      payload: { reason: '请补充被申请人的现住址' },
    });
    expect(ret.statusCode).toBe(200);
    const page = await t.app.inject({
      url: `/help/thread/orders/${second.id}`,
      headers: { cookie: survivor.cookie },
    });
    expect(page.body).toContain('请补充被申请人的现住址');
    await t.app.ordersService.submit(
      {
        audit: { accountId: null, roles: ['survivor'], organisationId: null, ip: null, userAgent: null },
        ref: 'survivor',
        accountId: null,
      },
      second.id,
    );
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/applications/${second.id}/transfer`,
          headers: auth(w.clerk),
          payload: { toCourtId: w.courtA, reason: 'x' },
        })
      ).statusCode,
    ).toBe(400);
    const transfer = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${second.id}/transfer`,
      headers: auth(w.clerk),
      payload: { toCourtId: w.courtB, reason: '被申请人住所地法院更便于送达' },
    });
    expect(transfer.statusCode, transfer.body).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/orders/docket', headers: auth(w.judgeB) }))
        .json<{ items: { id: string }[] }>()
        .items.map((i) => i.id),
    ).toEqual([second.id]);
    expect(
      (await t.app.inject({ url: `/api/orders/applications/${second.id}`, headers: auth(w.clerk) }))
        .statusCode,
    ).toBe(404);
    expect(await auditCount('orders.application_transferred', second.id)).toBe(1);
  });

  it('the survivor files her own application in the portal: draft kept, missing items listed, then filed', async () => {
    const list = await t.app.inject({ url: '/help/thread/orders', headers: { cookie: survivor.cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(list.body)![1]!;
    const start = await t.app.inject({
      method: 'POST',
      url: '/help/thread/orders',
      headers: { cookie: survivor.cookie },
      payload: { csrf },
    });
    expect(start.statusCode).toBe(303);
    const id = /orders\/([0-9a-f-]{36})$/.exec(String(start.headers.location))![1]!;
    const save = await t.app.inject({
      method: 'POST',
      url: `/help/thread/orders/${id}`,
      headers: { cookie: survivor.cookie },
      payload: { csrf, intent: 'save', 'applicant.name': '李梅', 'applicant.regionCode': '320102' },
    });
    expect(save.statusCode).toBe(200);
    expect(save.body).toContain('请填写被申请人（施暴者）的姓名。');
    expect(save.body).toContain('value="李梅"');
    const file = await t.app.inject({
      method: 'POST',
      url: `/help/thread/orders/${id}`,
      headers: { cookie: survivor.cookie },
      payload: {
        csrf,
        intent: 'submit',
        'applicant.name': '李梅',
        'applicant.regionCode': '320102',
        'respondent.name': '王强',
        'respondent.birthYear': '1988',
        relationship: 'spouse',
        'incidents.0.date': '2026-11-01',
        'incidents.0.description': '他打了我。',
        measures: ['no_violence', 'no_contact'],
        venueBasis: 'applicant',
        consentOnline: 'true',
        evidenceIds: evidenceIds,
      },
    });
    expect(file.statusCode, file.body).toBe(200);
    expect(file.body).toContain('已提交给 南京市玄武区人民法院');
    const row = await t.db
      .selectFrom('order_application')
      .select(['status', 'evidence_ids', 'channel'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'submitted', evidence_ids: evidenceIds, channel: 'portal' });
  });

  it('a clerk records an oral application on the same form (ADVL 24); NGO staff cannot', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/orders/applications/oral',
      headers: { cookie: w.clerk.cookie },
      payload: { _csrf: w.clerk.csrf },
    });
    expect(res.statusCode).toBe(303);
    const id = /applications\/([0-9a-f-]{36})\/edit$/.exec(String(res.headers.location))![1]!;
    const edit = await t.app.inject({
      url: `/orders/applications/${id}/edit`,
      headers: { cookie: w.clerk.cookie },
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('请填写申请人（受害人）的姓名。');
    expect(
      await t.db
        .selectFrom('order_application')
        .select(['channel', 'created_by'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ channel: 'oral', created_by: w.clerk.accountId });
    // Another clerk's draft is not hers to edit; NGO staff cannot record oral applications.
    expect(
      (await t.app.inject({ url: `/orders/applications/${id}/edit`, headers: { cookie: w.judge.cookie } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/orders/applications/oral',
          headers: { cookie: w.caseworker.cookie },
          payload: { _csrf: w.caseworker.csrf },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('logs no personal data', () => {
    const logs = t.logs.join('');
    for (const secret of ['李梅', '王强', APPLICANT_ADDRESS, '13800138000', checkToken])
      expect(logs).not.toContain(secret);
  });
});
