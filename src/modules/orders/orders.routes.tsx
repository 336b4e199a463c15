/**
 * The orders JSON API and the staff pages (court docket and the judge's one view, police/federation review
 * tasks, police written warnings), plus the public check page the order's QR code opens. Each state-changing
 * operation is defined once and served twice: as JSON under `/api/orders/…` and as a form post under
 * `/orders/…` that redirects back to the page (or shows what was wrong). Access is declared per route and
 * enforced by the identity gate (404 outside the policy); reads of a record are audited by the gate.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { CsrfField, StaffBar } from '../identity/components.tsx';
import { grantedScope } from '../../platform/access-policy.ts';
import { regionName } from '../identity/regions.ts';
import {
  chinaDate,
  MEASURES,
  QUESTIONING_CHANNELS,
  SERVICE_METHODS,
  ENFORCEMENT,
  type ApplicationInput,
  type ClockState,
} from './orders.model.ts';
import * as S from './orders.schemas.ts';
import type { OrdersActor, OrdersService } from './orders.service.ts';
import type { OrderCopy } from './orders.pdf.ts';
import { deskCaseOf } from './orders.seams.ts';
import { receiptNumber } from './orders.lists.ts';
import {
  DocketFilterForm,
  DocketPageBody,
  DocketPageQuery,
  docketForPage,
  NextPage,
  type DocketPageFilters,
} from './orders.docket-page.tsx';
import { ordersZh } from './orders.messages.ts';

export function staffActor(request: FastifyRequest): OrdersActor {
  const staff = requireStaff(request);
  return { audit: auditActorFrom(request), ref: `staff:${staff.accountId}`, accountId: staff.accountId };
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function formatDateTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

export function formatDay(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'long',
  }).format(date);
}

export function clockText(
  request: FastifyRequest,
  clock: ClockState | null,
  left: { hours: number; minutes: number } | null,
): string {
  if (!clock || !left) return request.t('orders.clock.notStarted');
  return request.t(`orders.clock.${clock}`, { hours: left.hours, minutes: left.minutes });
}

function staffPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: preact.ComponentChildren,
  status = 200,
): FastifyReply {
  return sendPage(request, reply, {
    survivor: false,
    status,
    title,
    body: (
      <>
        <StaffBar request={request} />
        <h1>{title}</h1>
        {body}
      </>
    ),
  });
}

interface OperationDef {
  operationId: string;
  summary: string;
  /** Path after `/api/orders` and `/orders`. */
  path: string;
  action: string;
  record?: string;
  body: TSchema;
  response: TSchema;
  run(request: FastifyRequest, body: Record<string, unknown>, id: string): Promise<Record<string, unknown>>;
  /** Where the page form goes back to. */
  back(id: string, result: Record<string, unknown>): string;
}

const FormToken = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
/** A warning is linked to her help request only where she shared it with the station (API and page alike). */
const WARNING_ACCESS = {
  action: 'orders.warning.issue',
  body: { helpRequestId: { record: 'help_request_agency', action: 'orders.warning.linkCase' } },
};

export function ordersRoutes(app: FastifyInstance, service: OrdersService): void {
  app.staffConsoleLinks.push(
    { action: 'orders.docket.list', href: '/orders/docket', label: 'orders.console.docket' },
    { action: 'orders.review.list', href: '/orders/reviews', label: 'orders.console.reviews' },
    { action: 'orders.warning.list', href: '/orders/warnings', label: 'orders.console.warnings' },
  );

  // ------------------------------------------------------------------ state-changing operations (API + form)
  const appBack = (id: string) => `/orders/applications/${id}`;
  const operations: OperationDef[] = [
    {
      operationId: 'submitOrderApplication',
      summary: 'File a draft with the competent court (lists everything missing otherwise)',
      path: '/applications/:id/submit',
      action: 'orders.application.edit',
      record: 'order_application',
      body: Type.Object({}),
      response: Type.Object({
        courtId: S.Uuid,
        courtName: Type.String(),
        receiptNumber: Type.String({
          description: 'What the court’s docket finds it by until it has a case number',
        }),
      }),
      run: async (request, _body, id) => ({
        ...(await service.submit(staffActor(request), id)),
        receiptNumber: receiptNumber(id),
      }),
      back: (id) => `/orders/applications/${id}`,
    },
    {
      operationId: 'acceptOrderApplication',
      summary: 'Accept: starts the 72-hour (24 urgent) clock and the parallel reviews',
      path: '/applications/:id/accept',
      action: 'orders.application.accept',
      record: 'order_application',
      body: S.AcceptBody,
      response: Type.Object({
        caseNumber: Type.String(),
        rulingDueAt: Type.String({ format: 'date-time' }),
        reviewTasks: Type.Integer(),
      }),
      run: async (request, body, id) => {
        const r = await service.accept(staffActor(request), id, {
          ...(body.urgent === true ? { urgent: true } : {}),
        });
        return { ...r, rulingDueAt: r.rulingDueAt.toISOString() };
      },
      back: appBack,
    },
    {
      operationId: 'returnOrderApplication',
      summary: 'Return to the applicant for more information, with the reason',
      path: '/applications/:id/return',
      action: 'orders.application.return',
      record: 'order_application',
      body: S.ReasonBody,
      response: S.Ok,
      run: async (request, body, id) => {
        await service.returnForInformation(staffActor(request), id, String(body.reason));
        return { ok: true };
      },
      back: () => '/orders/docket',
    },
    {
      operationId: 'transferOrderApplication',
      summary: 'Transfer to another court, with the reason',
      path: '/applications/:id/transfer',
      action: 'orders.application.transfer',
      record: 'order_application',
      body: S.TransferBody,
      response: Type.Object({ courtName: Type.String() }),
      run: async (request, body, id) =>
        service.transfer(staffActor(request), id, String(body.toCourtId), String(body.reason)),
      back: () => '/orders/docket',
    },
    {
      operationId: 'requestMoreInformation',
      summary: 'Ask the police, the federation/committee or the applicant for more',
      path: '/applications/:id/request-more',
      action: 'orders.application.requestMore',
      record: 'order_application',
      body: S.RequestMoreBody,
      response: S.Ok,
      run: async (request, body, id) => {
        await service.requestMore(staffActor(request), id, body.from as 'police', String(body.note));
        return { ok: true };
      },
      back: appBack,
    },
    {
      operationId: 'recordRespondentQuestioning',
      summary: 'Record the questioning of the respondent (channel, time, answer or silence)',
      path: '/applications/:id/questioning',
      action: 'orders.application.questioning',
      record: 'order_application',
      body: S.QuestioningBody,
      response: S.Ok,
      run: async (request, body, id) => {
        await service.recordQuestioning(staffActor(request), id, {
          channel: String(body.channel),
          questionedAt: new Date(String(body.questionedAt)),
          responded: body.responded === true,
          ...(typeof body.answer === 'string' ? { answer: body.answer } : {}),
        });
        return { ok: true };
      },
      back: appBack,
    },
    {
      operationId: 'decideOrderApplication',
      summary: 'Grant with measures, validity (≤ 6 months) and terms, or reject with reasons',
      path: '/applications/:id/decision',
      action: 'orders.application.decide',
      record: 'order_application',
      body: S.DecisionBody,
      response: Type.Object({ orderId: Type.Union([S.Uuid, Type.Null()]), caseNumber: Type.String() }),
      run: async (request, body, id) =>
        service.decide(staffActor(request), id, body as unknown as Parameters<OrdersService['decide']>[2]),
      back: appBack,
    },
    {
      operationId: 'submitAgencyOpinion',
      summary: 'Police verification or federation/committee opinion on a review task',
      path: '/reviews/:id/opinion',
      action: 'orders.review.submit',
      record: 'order_review_task',
      body: S.OpinionBody,
      response: S.Ok,
      run: async (request, body, id) => {
        await service.submitAgencyOpinion(
          staffActor(request),
          id,
          body as unknown as Parameters<OrdersService['submitAgencyOpinion']>[2],
        );
        return { ok: true };
      },
      back: (id) => `/orders/reviews/${id}`,
    },
    {
      operationId: 'recordService',
      summary: 'Record service or notification of the order (who served, how, when)',
      path: '/service-tasks/:id',
      action: 'orders.order.service',
      record: 'order_service_task',
      body: S.ServiceBody,
      response: Type.Object({ applicationId: S.Uuid, party: Type.String() }),
      run: async (request, body, id) =>
        service.recordService(staffActor(request), id, {
          method: body.method as 'in_person',
          servedAt: new Date(String(body.servedAt)),
          serverName: String(body.serverName),
        }),
      back: (_id, result) => appBack(String(result.applicationId)),
    },
    {
      operationId: 'modifyOrder',
      summary: 'Modify, extend or revoke an order in force (ADVL 30)',
      path: '/orders/:id/changes',
      action: 'orders.order.modify',
      record: 'protection_order',
      body: S.ModifyBody,
      response: Type.Object({ applicationId: S.Uuid }),
      run: async (request, body, id) => {
        await service.modifyOrder(
          staffActor(request),
          id,
          body as unknown as Parameters<OrdersService['modifyOrder']>[2],
        );
        return { applicationId: (await service.loadOrder(id)).application_id };
      },
      back: (_id, result) => appBack(String(result.applicationId)),
    },
    {
      operationId: 'requestReconsideration',
      summary: 'Register a request for reconsideration (once, within 5 days)',
      path: '/orders/:id/reconsideration',
      action: 'orders.order.reconsideration',
      record: 'protection_order',
      body: Type.Object({}),
      response: Type.Object({ applicationId: S.Uuid }),
      run: async (request, _body, id) => {
        await service.requestReconsideration(staffActor(request), id);
        return { applicationId: (await service.loadOrder(id)).application_id };
      },
      back: (_id, result) => appBack(String(result.applicationId)),
    },
    {
      operationId: 'decideReconsideration',
      summary: 'Decide a reconsideration: upheld or revoked',
      path: '/orders/:id/reconsideration/decision',
      action: 'orders.order.modify',
      record: 'protection_order',
      body: S.ReconsiderationDecisionBody,
      response: Type.Object({ applicationId: S.Uuid }),
      run: async (request, body, id) => {
        await service.decideReconsideration(staffActor(request), id, body.outcome as 'upheld');
        return { applicationId: (await service.loadOrder(id)).application_id };
      },
      back: (_id, result) => appBack(String(result.applicationId)),
    },
    {
      operationId: 'reportViolation',
      summary: 'Police report a violation of an order in their area, with evidence',
      path: '/orders/:id/violations',
      action: 'orders.violation.reportPolice',
      record: 'protection_order',
      body: S.ViolationBody,
      response: Type.Object({ id: S.Uuid }),
      run: async (request, body, id) =>
        service.reportViolation(staffActor(request), id, {
          reportedBy: 'police',
          occurredOn: String(body.occurredOn),
          description: String(body.description),
          evidenceIds: (body.evidenceIds as string[] | undefined) ?? [],
        }),
      back: () => '/orders/reviews',
    },
    {
      operationId: 'decideViolation',
      summary:
        'The court’s enforcement decision: admonition, fine ≤ 1,000 yuan, detention ≤ 15 days, referral',
      path: '/violations/:id/decision',
      action: 'orders.violation.decide',
      record: 'order_violation',
      body: S.ViolationDecisionBody,
      response: Type.Object({ applicationId: S.Uuid }),
      run: async (request, body, id) => {
        await service.decideViolation(
          staffActor(request),
          id,
          body as unknown as Parameters<OrdersService['decideViolation']>[2],
        );
        const row = await app.db
          .selectFrom('order_violation as v')
          .innerJoin('protection_order as o', 'o.id', 'v.order_id')
          .select('o.application_id')
          .where('v.id', '=', id)
          .executeTakeFirstOrThrow();
        return { applicationId: row.application_id };
      },
      back: (_id, result) => appBack(String(result.applicationId)),
    },
    {
      operationId: 'updateWarning',
      summary: 'Record delivery of a written warning, committee notice, or a follow-up visit',
      path: '/warnings/:id/steps',
      action: 'orders.warning.update',
      record: 'police_warning',
      body: S.WarningStepBody,
      response: S.Ok,
      run: async (request, body, id) => {
        await service.updateWarning(
          staffActor(request),
          id,
          body.step as 'visit',
          typeof body.notes === 'string' ? body.notes : undefined,
        );
        return { ok: true };
      },
      back: () => '/orders/warnings',
    },
  ];

  for (const op of operations) {
    app.post(
      `/api/orders${op.path}`,
      {
        config: { access: { action: op.action, ...(op.record ? { record: op.record } : {}) } },
        schema: {
          operationId: op.operationId,
          tags: ['orders'],
          summary: op.summary,
          params: S.IdParams,
          body: op.body,
          response: { 200: op.response },
        },
      },
      async (request) =>
        op.run(
          request,
          (request.body ?? {}) as Record<string, unknown>,
          (request.params as { id: string }).id,
        ),
    );
    // An unticked checkbox is simply absent from a form post: booleans are optional there (absent = false).
    const properties = Object.fromEntries(
      Object.entries((op.body as unknown as { properties: Record<string, TSchema> }).properties).map(
        ([k, v]) => {
          const type = (v as { type?: unknown }).type;
          // A blank number field arrives as '' (dropped below, so "not given").
          return [
            k,
            type === 'boolean'
              ? Type.Optional(v)
              : type === 'integer' || type === 'number'
                ? Type.Optional(Type.Union([Type.Literal(''), v]))
                : v,
          ];
        },
      ),
    );
    const formBody = Type.Object({ ...properties, ...FormToken });
    app.post(
      `/orders${op.path}`,
      {
        config: {
          access: { action: op.action, ...(op.record ? { record: op.record } : {}) },
          operation: op.operationId,
        },
        schema: { hide: true, params: S.IdParams, body: formBody },
      },
      async (request, reply) => {
        const id = (request.params as { id: string }).id;
        const body = { ...((request.body ?? {}) as Record<string, unknown>) };
        delete body._csrf;
        // Empty form fields mean "not given".
        for (const [k, v] of Object.entries(body)) if (v === '') delete body[k];
        try {
          const result = await op.run(request, body, id);
          return reply.redirect(request.localePath(op.back(id, result)), 303);
        } catch (error) {
          if (error instanceof AppError && (error.code === 'VALIDATION' || error.code === 'CONFLICT')) {
            const problems = error.options.fields ?? [];
            return staffPage(
              request,
              reply,
              request.t(
                error.options.message ??
                  (error.code === 'VALIDATION' ? 'error.validation' : 'error.conflict'),
                error.options.params,
              ),
              <>
                <ul class="problems">
                  {problems.map((p) => (
                    <li>{request.t(p.message, p.params)}</li>
                  ))}
                </ul>
                <p>
                  <a
                    href={request.localePath(
                      op.back(id, {}).includes('undefined') ? '/orders/docket' : op.back(id, {}),
                    )}
                  >
                    ←
                  </a>
                </p>
              </>,
              error.status,
            );
          }
          throw error;
        }
      },
    );
  }

  // ------------------------------------------------------------------ applications (staff-created, reads)

  app.post(
    '/api/orders/applications',
    {
      config: {
        access: {
          action: 'orders.application.create',
          // Need-to-know on the ids in the body: only her desk case (or its help request) that the caller may work on.
          body: {
            caseRef: { record: 'helpline_case', action: 'helpline.case.startOrder' },
            helpRequestId: { record: 'help_request', action: 'helpline.case.startOrder' },
          },
        },
      },
      schema: {
        operationId: 'createOrderApplication',
        tags: ['orders'],
        summary: 'Start an application from an NGO case, or record an oral one (clerk)',
        body: S.CreateApplicationBody,
        response: { 201: S.DraftResult },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const body = request.body as {
        channel: 'ngo' | 'oral';
        caseRef?: string;
        helpRequestId?: string;
        application: ApplicationInput;
      };
      if ((body.channel === 'oral') !== (staff.organisationKind === 'court'))
        throw new AppError('VALIDATION', {
          fields: [{ field: 'channel', message: 'orders.problem.choice' }],
        });
      let result;
      if (body.channel === 'ngo') {
        // The case (and so her help request and vault) comes from the desk; both named must be the same case.
        if (!body.caseRef && !body.helpRequestId)
          throw new AppError('VALIDATION', {
            fields: [{ field: 'caseRef', message: 'orders.problem.case' }],
          });
        const desk = await deskCaseOf(
          app.db,
          body.caseRef ? { caseId: body.caseRef } : { helpRequestId: body.helpRequestId ?? '' },
        );
        if (!desk || (body.helpRequestId && desk.helpRequestId !== body.helpRequestId))
          throw new AppError('NOT_FOUND');
        result = await service.startApplicationFromCase({
          caseId: desk.caseId,
          helpRequestId: desk.helpRequestId,
          organisationId: staff.organisationId,
          staffAccountId: staff.accountId,
          application: body.application,
          audit: auditActorFrom(request),
        });
      } else {
        result = await service.saveDraft(staffActor(request), body.application, { channel: 'oral' });
      }
      return reply.status(201).send({
        id: result.id,
        problems: result.problems.map((p) => ({ field: p.field, message: request.t(p.message, p.params) })),
      });
    },
  );

  app.put(
    '/api/orders/applications/:id',
    {
      config: { access: { action: 'orders.application.edit', record: 'order_application' } },
      schema: {
        operationId: 'updateOrderApplication',
        tags: ['orders'],
        summary: 'Save the draft (server-side); answers what is still missing',
        params: S.IdParams,
        body: Type.Object({ application: S.ApplicationSchema }),
        response: { 200: S.DraftResult },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const draft = await service.getDraft(id);
      const result = await service.saveDraft(
        staffActor(request),
        (request.body as { application: ApplicationInput }).application,
        { id, channel: 'ngo', helpRequestId: draft.helpRequestId },
      );
      return {
        id,
        problems: result.problems.map((p) => ({ field: p.field, message: request.t(p.message, p.params) })),
      };
    },
  );

  app.get(
    '/api/orders/applications/:id',
    {
      config: { access: { action: 'orders.application.read', record: 'order_application' } },
      schema: {
        operationId: 'getOrderApplication',
        tags: ['orders'],
        summary: 'The application with reviews, evidence integrity and its order',
        params: S.IdParams,
        response: { 200: S.ApplicationView },
      },
    },
    async (request) => {
      const view = await service.reviewView((request.params as { id: string }).id);
      const consents =
        requireStaff(request).organisationKind === 'court'
          ? []
          : await service.consents.forApplication(app.db, view.id);
      return {
        id: view.id,
        status: view.status,
        caseNumber: view.caseNumber,
        urgent: view.urgent,
        rulingDueAt: iso(view.rulingDueAt),
        clock: view.clock,
        application: view.input,
        problems: service
          .problems(view.input)
          .map((p) => ({ field: p.field, message: request.t(p.message, p.params) })),
        reviews: view.reviews.map((r) => ({
          agency: r.agency,
          status: r.status,
          opinion: r.opinion,
          recommendation: r.recommendation,
          verification: r.verification,
        })),
        evidence: view.evidence.map((e) => ({
          id: e.id,
          sha256: e.sha256,
          integrity: e.integrity,
          custodyEntries: e.custodyEntries,
        })),
        consents: consents.map((c) => ({
          evidenceId: c.evidenceId,
          answer: c.answer ?? ('pending' as const),
        })),
        orderId: view.order?.id ?? null,
      };
    },
  );

  app.get(
    '/api/orders/applications/:id/timeline',
    {
      config: { access: { action: 'orders.application.read', record: 'order_application' } },
      schema: {
        operationId: 'getApplicationTimeline',
        tags: ['orders'],
        summary: 'The steps the applicant sees, in order',
        params: S.IdParams,
        response: { 200: S.TimelineView },
      },
    },
    async (request) => {
      const id = (request.params as { id: string }).id;
      const draft = await service.getDraft(id);
      const steps = await service.timeline(id);
      return {
        status: draft.status,
        steps: steps.map((s) => ({
          kind: s.kind,
          at: s.at.toISOString(),
          label: timelineLabel(request, s.kind),
        })),
      };
    },
  );

  app.get(
    '/api/orders/applications/:id/document',
    {
      config: { access: { action: 'orders.order.document', record: 'order_application' } },
      schema: {
        operationId: 'getOrderDocument',
        tags: ['orders'],
        summary:
          'The order as a PDF (civil ruling layout, Chinese); the respondent’s copy has no applicant address',
        params: S.IdParams,
        querystring: S.DocumentQuery,
        response: { 200: Type.String({ contentMediaType: 'application/pdf' }) },
      },
    },
    async (request, reply) => {
      const copy = (request.query as { copy?: OrderCopy }).copy ?? 'court';
      const { pdf } = await service.orderDocument(
        staffActor(request),
        (request.params as { id: string }).id,
        copy,
      );
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `inline; filename="order-${copy}.pdf"`)
        .type('application/pdf')
        .send(pdf);
    },
  );

  // GET /api/orders/docket (listDocket), with its filters and cursor: orders.lists-api.ts.

  app.get(
    '/api/orders/reviews',
    {
      config: { access: { action: 'orders.review.list' } },
      schema: {
        operationId: 'listReviewTasks',
        tags: ['orders'],
        summary: 'Review tasks sent to the caller’s police station, federation or committee',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: S.Uuid,
                caseNumber: Type.Union([Type.String(), Type.Null()]),
                agency: Type.String(),
                status: Type.String(),
                urgent: Type.Boolean(),
                rulingDueAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const items = await service.listReviewTasks(staff.organisationId);
      return {
        items: items.map((t) => ({
          id: t.id,
          caseNumber: t.caseNumber,
          agency: t.agency,
          status: t.status,
          urgent: t.urgent,
          rulingDueAt: iso(t.rulingDueAt),
        })),
      };
    },
  );

  app.get(
    '/api/orders/reviews/:id',
    {
      config: { access: { action: 'orders.review.read', record: 'order_review_task' } },
      schema: {
        operationId: 'getReviewTask',
        tags: ['orders'],
        summary: 'A review task: respondent and facts (never the applicant’s address)',
        params: S.IdParams,
        response: {
          200: Type.Object({
            id: S.Uuid,
            agency: Type.String(),
            status: Type.String(),
            caseNumber: Type.Union([Type.String(), Type.Null()]),
            applicantName: Type.String(),
            respondentName: Type.String(),
            incidents: Type.Array(
              Type.Object({ date: Type.Optional(Type.String()), description: Type.Optional(Type.String()) }),
            ),
            requestNote: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const v = await service.reviewTaskView((request.params as { id: string }).id);
      return {
        id: v.id,
        agency: v.agency,
        status: v.status,
        caseNumber: v.caseNumber,
        applicantName: v.applicantName,
        respondentName: v.respondent.name,
        incidents: v.incidents,
        requestNote: v.requestNote,
      };
    },
  );

  app.post(
    '/api/orders/warnings',
    {
      config: { access: WARNING_ACCESS },
      schema: {
        operationId: 'issueWarning',
        tags: ['orders'],
        summary: 'Issue a police written warning (告诫书); follow-up visit due in 7 days',
        body: S.WarningBody,
        response: {
          201: Type.Object({
            id: S.Uuid,
            number: Type.String(),
            followUpDueAt: Type.String({ format: 'date-time' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const r = await service.issueWarning(
        staffActor(request),
        { organisationId: staff.organisationId, regionCode: staff.regionCode },
        request.body as Parameters<OrdersService['issueWarning']>[2],
      );
      return reply.status(201).send({ ...r, followUpDueAt: r.followUpDueAt.toISOString() });
    },
  );

  app.get(
    '/api/orders/warnings',
    {
      config: { access: { action: 'orders.warning.list' } },
      schema: {
        operationId: 'listWarnings',
        tags: ['orders'],
        summary: 'The station’s written warnings with delivery and follow-up status',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: S.Uuid,
                number: Type.String(),
                issuedAt: Type.String(),
                visits: Type.Integer(),
                followUpOverdue: Type.Boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const items = await service.listWarnings(staff.organisationId);
      return {
        items: items.map((w) => ({
          id: w.id,
          number: w.number,
          issuedAt: w.issuedAt.toISOString(),
          visits: w.visits,
          followUpOverdue: w.followUpOverdue,
        })),
      };
    },
  );

  app.get(
    '/api/order-check/:token',
    {
      config: {
        access: {
          public: true,
          reason:
            'Police on the street and the public verify an order from its QR code; shows only valid/until/court',
        },
      },
      schema: {
        operationId: 'verifyOrder',
        tags: ['orders'],
        summary: 'Whether an order is valid, until when, and the issuing court (from the QR token)',
        params: Type.Object({ token: Type.String({ maxLength: 100 }) }),
        response: { 200: S.CheckView },
      },
    },
    async (request) => {
      const result = await service.verifyPublic((request.params as { token: string }).token);
      if (!result) throw new AppError('NOT_FOUND');
      return {
        valid: result.valid,
        validUntil: chinaDate(result.validUntil),
        court: result.courtName,
        status: result.status,
      };
    },
  );

  // ------------------------------------------------------------------ pages

  app.get(
    '/order-check/:token',
    {
      config: {
        access: {
          public: true,
          reason: 'The public check page the order’s QR code opens (valid/until/court only)',
        },
      },
      schema: { hide: true, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) },
    },
    async (request, reply) => {
      const result = await service.verifyPublic((request.params as { token: string }).token);
      reply.header('x-robots-tag', 'noindex');
      return sendPage(request, reply, {
        survivor: false,
        status: result ? 200 : 404,
        title: request.t('orders.check.title'),
        body: (
          <section class="order-check">
            <h1>{request.t('orders.check.title')}</h1>
            {result ? (
              <>
                <p class={result.valid ? 'check-valid' : 'check-invalid'} role="status">
                  {request.t(result.valid ? 'orders.check.valid' : 'orders.check.invalid')}
                </p>
                {result.valid ? (
                  <p>
                    {request.t('orders.check.until', { date: formatDay(result.validUntil, request.locale) })}
                  </p>
                ) : (
                  <p>
                    {request.t(result.status === 'revoked' ? 'orders.check.revoked' : 'orders.check.expired')}
                  </p>
                )}
                <p>{request.t('orders.check.court', { court: result.courtName })}</p>
              </>
            ) : (
              <p class="check-invalid">{request.t('orders.check.unknown')}</p>
            )}
            <p class="hint">{request.t('orders.check.note')}</p>
          </section>
        ),
      });
    },
  );

  // The same filters and use case as the API's listDocket and searchDocket (orders.docket-page.tsx); a search by
  // name is posted, so the name never goes in a URL.
  const docketPage = async (request: FastifyRequest, reply: FastifyReply, source: DocketPageFilters) => {
    const staff = requireStaff(request);
    const {
      items: rows,
      nextCursor,
      query,
    } = await docketForPage(request, service, app.ordersSearch, source);
    return staffPage(
      request,
      reply,
      request.t('orders.docket.title'),
      <>
        <p class="lead">{request.t('orders.docket.lead')}</p>
        {grantedScope(staff, 'orders.application.create') !== undefined ? (
          <form method="post" action={request.localePath('/orders/applications/oral')} class="inline">
            <CsrfField token={staff.csrfToken} />
            <button type="submit">{request.t('orders.docket.recordOral')}</button>
          </form>
        ) : null}
        <DocketFilterForm request={request} query={query} csrf={staff.csrfToken} />
        {rows.length === 0 ? (
          <p>{request.t('orders.docket.empty')}</p>
        ) : (
          <table class="docket">
            <thead>
              <tr>
                <th scope="col">{request.t('orders.docket.caseNumber')}</th>
                <th scope="col">{request.t('orders.docket.status')}</th>
                <th scope="col">{request.t('orders.docket.timeLeft')}</th>
                <th scope="col">{request.t('orders.docket.reviews')}</th>
                <th scope="col">{request.t('orders.docket.submittedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr class={`clock-${r.clock ?? 'pending'}`}>
                  <td>
                    <a href={request.localePath(`/orders/applications/${r.id}`)}>
                      {r.caseNumber ?? request.t('orders.docket.open')}
                    </a>
                    {r.urgent ? <span class="badge urgent"> {request.t('orders.docket.urgent')}</span> : null}
                  </td>
                  <td>{request.t(`orders.status.${r.status}`)}</td>
                  <td class="clock">{clockText(request, r.clock, r.timeLeft)}</td>
                  <td>{r.reviewsTotal ? `${r.reviewsDone}/${r.reviewsTotal}` : '—'}</td>
                  <td>{r.submittedAt ? formatDateTime(r.submittedAt, request.locale) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextCursor ? <NextPage request={request} query={query} cursor={nextCursor} /> : null}
      </>,
    );
  };
  app.get(
    '/orders/docket',
    {
      config: { access: { action: 'orders.docket.list' } },
      schema: { hide: true, querystring: DocketPageQuery },
    },
    async (request, reply) => docketPage(request, reply, request.query as DocketPageFilters),
  );
  app.post(
    '/orders/docket',
    {
      config: { access: { action: 'orders.docket.list' }, operation: 'searchDocket' },
      schema: { hide: true, body: DocketPageBody },
    },
    async (request, reply) => docketPage(request, reply, request.body as DocketPageFilters),
  );

  app.get(
    '/orders/applications/:id',
    {
      config: { access: { action: 'orders.application.read', record: 'order_application' } },
      schema: { hide: true, params: S.IdParams },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const v = await service.reviewView((request.params as { id: string }).id);
      // Her answers per item are the NGO's to see; the court never sees what she refused.
      const consents =
        staff.organisationKind === 'court' ? [] : await service.consents.forApplication(app.db, v.id);
      const can = (action: string) => grantedScope(staff, action) !== undefined;
      const token = staff.csrfToken;
      const a = v.input;
      const form = (path: string, children: preact.ComponentChildren, label: MessageKey) => (
        <form method="post" action={request.localePath(`/orders${path}`)} class="stack">
          <CsrfField token={token} />
          {children}
          <button type="submit">{request.t(label)}</button>
        </form>
      );
      const nowLocal = new Date(service.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
      return staffPage(
        request,
        reply,
        `${request.t('orders.review.title')} ${v.caseNumber ?? ''}`,
        <div class="order-review">
          <p class={`clock clock-${v.clock ?? 'pending'}`} role="status">
            {request.t(`orders.status.${v.status}`)} ·{' '}
            {v.status === 'accepted' ? clockText(request, v.clock, v.timeLeft) : ''}
            {v.urgent ? ` · ${request.t('orders.docket.urgent')}` : ''}
          </p>
          {v.courtNote ? (
            <p class="notice">
              {request.t('orders.review.courtNote')} {v.courtNote}
            </p>
          ) : null}
          <section>
            <h2>{request.t('orders.review.applicant')}</h2>
            <p>
              {a.applicant?.name} · {a.applicant?.regionCode ? regionName(a.applicant.regionCode) : ''}
            </p>
            {a.applicant?.address ? <p>{a.applicant.address}</p> : null}
            {a.proxy ? (
              <>
                <h3>{request.t('orders.review.proxy')}</h3>
                <p>
                  {a.proxy.name} ({a.proxy.kind ? request.t(`orders.proxyKind.${a.proxy.kind}`) : ''}
                  {a.proxy.reason ? ` · ${request.t(`orders.proxyReason.${a.proxy.reason}`)}` : ''})
                </p>
                <p>
                  <strong>{request.t('orders.review.victimWishes')}：</strong>
                  {a.proxy.victimWishes}
                </p>
              </>
            ) : null}
            <h2>{request.t('orders.review.respondent')}</h2>
            <p>
              {a.respondent?.name} {a.respondent?.idNumber ?? ''} {a.respondent?.birthYear ?? ''}{' '}
              {a.respondent?.description ?? ''}
            </p>
            <p>
              {request.t('orders.review.relationship')}:{' '}
              {a.relationship ? request.t(`orders.relationship.${a.relationship as 'spouse'}`) : ''}
            </p>
            <h2>{request.t('orders.review.incidents')}</h2>
            <ol>
              {(a.incidents ?? []).map((i) => (
                <li>
                  <strong>{i.date}</strong> {i.place ?? ''} — {i.description}
                </li>
              ))}
            </ol>
            <h2>{request.t('orders.review.measuresRequested')}</h2>
            <ul>
              {(a.measures ?? []).map((m) => (
                <li>{request.t(`orders.measure.${m as 'other'}`)}</li>
              ))}
            </ul>
            {a.urgentReason ? (
              <p>
                {request.t('orders.review.urgentReason')}: {a.urgentReason}
              </p>
            ) : null}
          </section>
          <section>
            <h2>{request.t('orders.review.evidence')}</h2>
            <ul class="evidence-integrity">
              {v.evidence.map((e) => (
                <li class={`integrity-${e.integrity}`}>
                  {e.filename || e.id} · {e.evidenceType} · <code>{e.sha256.slice(0, 16)}</code> ·{' '}
                  {request.t(`orders.review.integrity.${e.integrity}`)}
                </li>
              ))}
            </ul>
            {consents.length ? (
              <>
                <h3>{request.t('orders.consent.staffTitle')}</h3>
                {consents.some((c) => c.answer === null) ? (
                  <p class="notice" role="status">
                    {request.t('orders.consent.waiting')}
                  </p>
                ) : null}
                <ul class="evidence-consents">
                  {consents.map((c) => (
                    <li class={`consent-${c.answer ?? 'pending'}`}>
                      {c.filename || c.evidenceId} ·{' '}
                      {request.t(`orders.consent.answer.${c.answer ?? 'pending'}`)}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {v.warnings.length ? (
              <>
                <h3>{request.t('orders.review.warnings')}</h3>
                <ul>
                  {v.warnings.map((w) => (
                    <li>
                      {w.number} · {formatDay(w.issuedAt, request.locale)}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          <section>
            <h2>{request.t('orders.review.opinions')}</h2>
            <ul class="opinions">
              {v.reviews.map((r) => (
                <li>
                  <strong>{request.t(`orders.agency.${r.agency}`)}</strong>:{' '}
                  {r.opinion ? (
                    <>
                      {r.recommendation
                        ? request.t(`orders.recommendation.${r.recommendation as 'grant'}`)
                        : ''}{' '}
                      — {r.opinion}
                      {r.verification ? (
                        <span class="verification">
                          {' '}
                          ({request.t('orders.review.verification', r.verification as Record<string, number>)}
                          )
                        </span>
                      ) : null}
                    </>
                  ) : (
                    request.t('orders.review.noOpinion')
                  )}
                </li>
              ))}
            </ul>
            <h2>{request.t('orders.review.questioning')}</h2>
            <ul>
              {v.questioning.map((q) => (
                <li>
                  {formatDateTime(q.questionedAt, request.locale)} ·{' '}
                  {request.t(`orders.channel.${q.channel as 'phone'}`)} ·{' '}
                  {q.responded ? q.answer : request.t('orders.review.silent')}
                </li>
              ))}
            </ul>
          </section>
          {v.status === 'submitted' && can('orders.application.accept') ? (
            <section class="actions">
              {form(
                `/applications/${v.id}/accept`,
                <label>
                  <input type="checkbox" name="urgent" value="true" checked={v.urgent} />{' '}
                  {request.t('orders.action.urgent')}
                </label>,
                'orders.action.accept',
              )}
              {form(
                `/applications/${v.id}/return`,
                <label>
                  {request.t('orders.action.reason')}
                  <textarea name="reason" required maxLength={2000} />
                </label>,
                'orders.action.return',
              )}
              {form(
                `/applications/${v.id}/transfer`,
                <>
                  <label>
                    {request.t('orders.action.toCourt')}
                    <input name="toCourtId" required />
                  </label>
                  <label>
                    {request.t('orders.action.reason')}
                    <textarea name="reason" required maxLength={2000} />
                  </label>
                </>,
                'orders.action.transfer',
              )}
            </section>
          ) : null}
          {v.status === 'accepted' && can('orders.application.decide') ? (
            <section class="actions">
              {form(
                `/applications/${v.id}/request-more`,
                <>
                  <label>
                    {request.t('orders.action.from')}
                    <select name="from">
                      {(['police', 'federation', 'committee', 'applicant'] as const).map((f) => (
                        <option value={f}>{request.t(`orders.agency.${f}`)}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {request.t('orders.action.note')}
                    <textarea name="note" required maxLength={2000} />
                  </label>
                </>,
                'orders.action.requestMore',
              )}
              {form(
                `/applications/${v.id}/questioning`,
                <>
                  <label>
                    {request.t('orders.action.channel')}
                    <select name="channel">
                      {QUESTIONING_CHANNELS.map((c) => (
                        <option value={c}>{request.t(`orders.channel.${c}`)}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {request.t('orders.action.questionedAt')}
                    <input name="questionedAt" type="hidden" value={service.now().toISOString()} />
                    <span> {nowLocal.replace('T', ' ')}</span>
                  </label>
                  <label>
                    <input type="checkbox" name="responded" value="true" />{' '}
                    {request.t('orders.action.responded')}
                  </label>
                  <label>
                    {request.t('orders.action.answer')}
                    <textarea name="answer" maxLength={4000} />
                  </label>
                </>,
                'orders.action.recordQuestioning',
              )}
              {form(
                `/applications/${v.id}/decision`,
                <>
                  <fieldset>
                    <legend>{request.t('orders.action.decide')}</legend>
                    <label>
                      <input type="radio" name="outcome" value="grant" checked />{' '}
                      {request.t('orders.action.grant')}
                    </label>
                    <label>
                      <input type="radio" name="outcome" value="reject" /> {request.t('orders.action.reject')}
                    </label>
                  </fieldset>
                  <fieldset>
                    <legend>{request.t('orders.portal.measures')}</legend>
                    {MEASURES.map((m) => (
                      <label>
                        <input
                          type="checkbox"
                          name="measures"
                          value={m}
                          checked={(a.measures ?? []).includes(m)}
                        />{' '}
                        {request.t(`orders.measure.${m}`)}
                      </label>
                    ))}
                  </fieldset>
                  <label>
                    {request.t('orders.action.validMonths')}
                    <input name="validMonths" type="number" min={1} max={6} value="6" />
                  </label>
                  <label>
                    {request.t('orders.action.keepAwayMetres')}
                    <input
                      name="keepAwayMetres"
                      type="number"
                      min={50}
                      max={5000}
                      value={a.keepAwayMetres !== undefined ? String(a.keepAwayMetres) : ''}
                    />
                  </label>
                  <label>
                    {request.t('orders.portal.otherMeasure')}
                    <input name="otherMeasure" maxLength={300} value={a.otherMeasure ?? ''} />
                  </label>
                  <label>
                    {request.t('orders.action.terms')}
                    <textarea name="terms" maxLength={4000} />
                  </label>
                  <label>
                    {request.t('orders.action.reason')}
                    <textarea name="reasons" maxLength={4000} />
                  </label>
                </>,
                'orders.action.decide',
              )}
            </section>
          ) : null}
          {v.order ? (
            <section class="order">
              <h2>
                {v.order.caseNumber} ·{' '}
                {request.t('orders.portal.validUntil', {
                  date: formatDay(v.order.validUntil, request.locale),
                })}
              </h2>
              <ul>
                {v.order.measures.map((m) => (
                  <li>{request.t(`orders.measure.${m as 'other'}`)}</li>
                ))}
              </ul>
              {can('orders.order.document') ? (
                <p class="documents">
                  {request.t('orders.action.document')}:{' '}
                  {(['court', 'applicant', 'respondent', 'police'] as const).map((copy) => (
                    <a
                      href={request
                        .localePath(`/api/orders/applications/${v.id}/document?copy=${copy}`)
                        .replace(/^\/en\/api/, '/api')}
                    >
                      {request.t(`orders.action.copy.${copy}`)}{' '}
                    </a>
                  ))}
                </p>
              ) : null}
              <h3>{request.t('orders.action.service')}</h3>
              <ul class="service">
                {v.order.service.map((s) => (
                  <li>
                    {request.t(`orders.party.${s.party}`)}:{' '}
                    {s.status === 'done'
                      ? `${request.t(`orders.method.${s.method as 'post'}`)} · ${s.servedAt ? formatDateTime(s.servedAt, request.locale) : ''} · ${s.serverName ?? ''}`
                      : can('orders.order.service')
                        ? form(
                            `/service-tasks/${s.id}`,
                            <>
                              <select name="method" aria-label={request.t('orders.action.method')}>
                                {SERVICE_METHODS.map((m) => (
                                  <option value={m}>{request.t(`orders.method.${m}`)}</option>
                                ))}
                              </select>
                              <input type="hidden" name="servedAt" value={service.now().toISOString()} />
                              <input
                                name="serverName"
                                required
                                maxLength={100}
                                aria-label={request.t('orders.action.serverName')}
                                placeholder={request.t('orders.action.serverName')}
                              />
                            </>,
                            'orders.action.recordService',
                          )
                        : null}
                  </li>
                ))}
              </ul>
              <h3>{request.t('orders.action.violations')}</h3>
              <ul class="violations">
                {v.order.violations.map((x) => (
                  <li>
                    {x.occurredOn} · {x.description} ·{' '}
                    {x.status === 'decided'
                      ? `${request.t(`orders.outcome.${x.outcome as 'fine'}`)}${x.fineYuan ? ` ${x.fineYuan}` : ''}${x.detentionDays ? ` ${x.detentionDays}` : ''} — ${x.reasons ?? ''}`
                      : can('orders.violation.decide')
                        ? form(
                            `/violations/${x.id}/decision`,
                            <>
                              <select name="outcome" aria-label={request.t('orders.action.decideViolation')}>
                                {ENFORCEMENT.map((o) => (
                                  <option value={o}>{request.t(`orders.outcome.${o}`)}</option>
                                ))}
                              </select>
                              <input
                                name="fineYuan"
                                type="number"
                                min={1}
                                max={1000}
                                aria-label={request.t('orders.action.fineYuan')}
                                placeholder={request.t('orders.action.fineYuan')}
                              />
                              <input
                                name="detentionDays"
                                type="number"
                                min={1}
                                max={15}
                                aria-label={request.t('orders.action.detentionDays')}
                                placeholder={request.t('orders.action.detentionDays')}
                              />
                              <textarea
                                name="reasons"
                                required
                                maxLength={4000}
                                aria-label={request.t('orders.action.reason')}
                              />
                            </>,
                            'orders.action.decideViolation',
                          )
                        : null}
                  </li>
                ))}
              </ul>
              {v.order.inForce && can('orders.order.modify')
                ? form(
                    `/orders/${v.order.id}/changes`,
                    <>
                      <select name="change" aria-label={request.t('orders.action.modify')}>
                        {(['extend', 'modify', 'revoke'] as const).map((c) => (
                          <option value={c}>{request.t(`orders.action.change.${c}`)}</option>
                        ))}
                      </select>
                      <input
                        name="validUntil"
                        type="date"
                        aria-label={request.t('orders.action.validMonths')}
                      />
                      <textarea
                        name="reasons"
                        required
                        maxLength={4000}
                        aria-label={request.t('orders.action.reason')}
                      />
                    </>,
                    'orders.action.modify',
                  )
                : null}
            </section>
          ) : null}
          <section>
            <h2>{request.t('orders.review.history')}</h2>
            <ol class="timeline">
              {v.timeline.map((s) => (
                <li>
                  {formatDateTime(s.at, request.locale)} · {timelineLabel(request, s.kind)}
                </li>
              ))}
            </ol>
          </section>
        </div>,
      );
    },
  );

  app.get(
    '/orders/reviews',
    { config: { access: { action: 'orders.review.list' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const tasks = await service.listReviewTasks(staff.organisationId);
      return staffPage(
        request,
        reply,
        request.t('orders.agencyTasks.title'),
        tasks.length === 0 ? (
          <p>{request.t('orders.agencyTasks.empty')}</p>
        ) : (
          <ul class="review-tasks">
            {tasks.map((t) => (
              <li>
                <a href={request.localePath(`/orders/reviews/${t.id}`)}>{t.caseNumber}</a> ·{' '}
                {request.t(`orders.agency.${t.agency as 'police'}`)} · {t.status}
                {t.urgent ? ` · ${request.t('orders.docket.urgent')}` : ''}
              </li>
            ))}
          </ul>
        ),
      );
    },
  );

  app.get(
    '/orders/reviews/:id',
    {
      config: { access: { action: 'orders.review.read', record: 'order_review_task' } },
      schema: { hide: true, params: S.IdParams },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const v = await service.reviewTaskView((request.params as { id: string }).id);
      return staffPage(
        request,
        reply,
        `${request.t('orders.agencyTasks.title')} ${v.caseNumber ?? ''}`,
        <div class="review-task">
          <p>
            {request.t('orders.review.applicant')}: {v.applicantName}
          </p>
          <p>
            {request.t('orders.review.respondent')}: {v.respondent.name} {v.respondent.idNumber ?? ''}{' '}
            {v.respondent.regionCode ? regionName(v.respondent.regionCode) : ''}
          </p>
          <h2>{request.t('orders.review.incidents')}</h2>
          <ol>
            {v.incidents.map((i) => (
              <li>
                <strong>{i.date}</strong> — {i.description}
              </li>
            ))}
          </ol>
          {v.requestNote ? (
            <p class="notice">
              {request.t('orders.agencyTask.requestNote')}: {v.requestNote}
            </p>
          ) : null}
          {v.opinion ? <p class="opinion">{v.opinion}</p> : null}
          {v.status !== 'submitted' ? (
            <form method="post" action={request.localePath(`/orders/reviews/${v.id}/opinion`)} class="stack">
              <CsrfField token={staff.csrfToken} />
              {v.agency === 'police' ? (
                <>
                  <label>
                    {request.t('orders.agencyTask.callOuts')}
                    <input name="callOuts" type="number" min={0} value="0" />
                  </label>
                  <label>
                    {request.t('orders.agencyTask.earlierWarnings')}
                    <input name="earlierWarnings" type="number" min={0} value="0" />
                  </label>
                  <label>
                    {request.t('orders.agencyTask.incidentsOnRecord')}
                    <input name="incidentsOnRecord" type="number" min={0} value="0" />
                  </label>
                </>
              ) : null}
              <label>
                {request.t('orders.agencyTask.recommendation')}
                <select name="recommendation">
                  {(['grant', 'reject', 'no_view'] as const).map((r) => (
                    <option value={r}>{request.t(`orders.recommendation.${r}`)}</option>
                  ))}
                </select>
              </label>
              <label>
                {request.t('orders.agencyTask.opinion')}
                <textarea name="opinion" required maxLength={4000} />
              </label>
              <button type="submit">{request.t('orders.action.submit')}</button>
            </form>
          ) : null}
        </div>,
      );
    },
  );

  app.get(
    '/orders/warnings',
    { config: { access: { action: 'orders.warning.list' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const items = await service.listWarnings(staff.organisationId);
      const step = (id: string, name: string, label: MessageKey, extra?: preact.ComponentChildren) => (
        <form method="post" action={request.localePath(`/orders/warnings/${id}/steps`)} class="inline">
          <CsrfField token={staff.csrfToken} />
          <input type="hidden" name="step" value={name} />
          {extra}
          <button type="submit">{request.t(label)}</button>
        </form>
      );
      return staffPage(
        request,
        reply,
        request.t('orders.warnings.title'),
        <>
          {items.length === 0 ? <p>{request.t('orders.warnings.empty')}</p> : null}
          <ul class="warnings">
            {items.map((w) => (
              <li class={w.followUpOverdue ? 'overdue' : ''}>
                {w.number} · {formatDateTime(w.issuedAt, request.locale)} ·{' '}
                {request.t('orders.warnings.followUp')} {formatDay(w.followUpDueAt, request.locale)} (
                {w.visits})
                {w.followUpOverdue ? <strong> {request.t('orders.warnings.followUpOverdue')}</strong> : null}
                {!w.deliveredAbuserAt
                  ? step(w.id, 'delivered_abuser', 'orders.warnings.deliveredAbuser')
                  : null}
                {!w.deliveredVictimAt
                  ? step(w.id, 'delivered_victim', 'orders.warnings.deliveredVictim')
                  : null}
                {!w.committeeNotifiedAt
                  ? step(w.id, 'committee_notified', 'orders.warnings.committeeNotified')
                  : null}
                {step(
                  w.id,
                  'visit',
                  'orders.warnings.visit',
                  <textarea
                    name="notes"
                    required
                    maxLength={4000}
                    aria-label={request.t('orders.warnings.notes')}
                  />,
                )}
              </li>
            ))}
          </ul>
          <h2>{request.t('orders.warnings.issue')}</h2>
          <form method="post" action={request.localePath('/orders/warnings')} class="stack">
            <CsrfField token={staff.csrfToken} />
            <label>
              {request.t('orders.warnings.abuserName')}
              <input name="abuserName" required maxLength={60} autocomplete="off" />
            </label>
            <label>
              {request.t('orders.warnings.abuserIdNumber')}
              <input name="abuserIdNumber" maxLength={18} autocomplete="off" />
            </label>
            <label>
              {request.t('orders.warnings.victimName')}
              <input name="victimName" required maxLength={60} autocomplete="off" />
            </label>
            <label>
              {request.t('orders.warnings.facts')}
              <textarea name="facts" required maxLength={4000} />
            </label>
            <button type="submit">{request.t('orders.warnings.issue')}</button>
          </form>
        </>,
      );
    },
  );

  // ADVL 24: where writing is hard she applies orally and the clerk records it on the same form.
  app.post(
    '/orders/applications/oral',
    {
      // Its twin: createOrderApplication with `channel: 'oral'` (the same saveDraft, an empty draft to fill in).
      config: { access: { action: 'orders.application.create' }, operation: 'createOrderApplication' },
      schema: { hide: true, body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      if (staff.organisationKind !== 'court') throw new AppError('NOT_FOUND');
      const { id } = await service.saveDraft(
        staffActor(request),
        { consentOnline: false },
        { channel: 'oral' },
      );
      return reply.redirect(request.localePath(`/orders/applications/${id}/edit`), 303);
    },
  );

  app.post(
    '/orders/warnings',
    {
      config: { access: WARNING_ACCESS, operation: 'issueWarning' },
      schema: { hide: true, body: Type.Object({ ...S.WarningBody.properties, ...FormToken }) },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const body = { ...(request.body as Record<string, string>) };
      delete body._csrf;
      if (body.abuserIdNumber === '') delete body.abuserIdNumber;
      await service.issueWarning(
        staffActor(request),
        { organisationId: staff.organisationId, regionCode: staff.regionCode },
        body as unknown as Parameters<OrdersService['issueWarning']>[2],
      );
      return reply.redirect(request.localePath('/orders/warnings'), 303);
    },
  );
}

export function timelineLabel(request: FastifyRequest, kind: string): string {
  const key = `orders.timeline.${kind}`;
  return key in ordersZh ? request.t(key as MessageKey) : kind;
}
