/**
 * Her protection-order applications through the JSON API (issue 14), with her thread token alone
 * (`Authorization: Bearer <token>` from openHelpThread): start a draft, save it, check what is still missing (in
 * her language), file it, follow its timeline, download her copy of the order and report a violation. The same
 * use cases as her portal pages (orders.survivor.ts). An application of another thread answers 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { survivorThreadFromBearer } from '../help/help.journal-session.ts';
import type { ThreadSession } from '../help/help.service.ts';
import { errors } from '../helpline/helpline.schemas.ts';
import type { ApplicationInput } from './orders.model.ts';
import { timelineLabel } from './orders.routes.tsx';
import { ApplicationSchema, IdParams, Uuid, ViolationBody } from './orders.schemas.ts';
import type { OrdersService } from './orders.service.ts';
import {
  checkHerApplication,
  herOrderDocument,
  listHerApplications,
  readHerApplication,
  reportHerViolation,
  saveHerApplication,
  startHerApplication,
  submitHerApplication,
  survivorActor,
} from './orders.survivor.ts';

const BASE = '/api/help/thread/orders';
const Headers = Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) });
const api = (reason: string) => ({ access: { public: true as const, reason } });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ProblemView = Type.Object({
  field: Type.String(),
  code: Type.String({ description: 'The message key (stable)' }),
  message: Type.String({ description: 'In her language (Accept-Language)' }),
});
const DraftView = Type.Object({ id: Uuid, complete: Type.Boolean(), problems: Type.Array(ProblemView) });
const Summary = Type.Object({
  id: Uuid,
  status: Type.String(),
  statusLabel: Type.String(),
  caseNumber: nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
const OrderView = Type.Object({
  caseNumber: Type.String(),
  measures: Type.Array(Type.String()),
  validFrom: Type.String({ format: 'date-time' }),
  validUntil: Type.String({ format: 'date-time' }),
  status: Type.String(),
  inForce: Type.Boolean(),
  documentUrl: Type.String({ description: 'Her copy of the order (PDF), with the same token' }),
});
const ApplicationView = Type.Object({
  id: Uuid,
  status: Type.String(),
  statusLabel: Type.String(),
  editable: Type.Boolean(),
  application: ApplicationSchema,
  problems: Type.Array(ProblemView),
  courtNote: nullable(Type.String()),
  timeline: Type.Array(
    Type.Object({ kind: Type.String(), at: Type.String({ format: 'date-time' }), label: Type.String() }),
  ),
  order: nullable(OrderView),
  notices: Type.Array(
    Type.Object({ template: Type.String(), label: Type.String(), at: Type.String({ format: 'date-time' }) }),
  ),
});
const StartBody = Type.Object(
  { application: Type.Optional(ApplicationSchema) },
  { additionalProperties: false },
);

export function survivorOrdersApi(app: FastifyInstance, service: OrdersService): void {
  async function bearer(request: FastifyRequest, reply: { header(n: string, v: string): unknown }) {
    const session = await survivorThreadFromBearer(request);
    if (!session) throw new AppError('UNAUTHENTICATED');
    reply.header('cache-control', 'no-store');
    return session;
  }
  const problemsIn = (request: FastifyRequest, problems: FieldProblem[]) =>
    problems.map((p) => ({ field: p.field, code: p.message, message: request.t(p.message, p.params) }));
  const statusLabel = (request: FastifyRequest, status: string) =>
    request.t(`orders.status.${status}` as MessageKey);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get(
    BASE,
    {
      config: api('her own applications, with the thread token from openHelpThread'),
      schema: {
        operationId: 'listMyApplications',
        tags: ['help'],
        summary: 'Her protection-order applications, newest first',
        headers: Headers,
        response: { 200: Type.Object({ items: Type.Array(Summary) }), ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const items = await listHerApplications(service, session);
      return {
        items: items.map((a) => ({
          id: a.id,
          status: a.status,
          statusLabel: statusLabel(request, a.status),
          caseNumber: a.caseNumber,
          createdAt: a.createdAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    BASE,
    {
      config: api('starts her own draft, with the thread token from openHelpThread'),
      schema: {
        operationId: 'startMyApplication',
        tags: ['help'],
        summary: 'Start a draft application (any field may be missing; the answer lists what still is)',
        description: 'Evidence ids must be items of her own vault; another item is 404 and nothing is saved.',
        headers: Headers,
        body: StartBody,
        response: { 201: DraftView, ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const body = request.body as { application?: ApplicationInput };
      const saved = await startHerApplication(
        service,
        session,
        survivorActor(request),
        body.application ?? { consentOnline: false },
        app,
      );
      return reply.status(201).send({
        id: saved.id,
        complete: saved.problems.length === 0,
        problems: problemsIn(request, saved.problems),
      });
    },
  );

  app.get(
    `${BASE}/:id`,
    {
      config: api('her own application (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'getMyApplication',
        tags: ['help'],
        summary: 'Her application: particulars, what is missing, status timeline, her order and notices',
        headers: Headers,
        params: IdParams,
        response: { 200: ApplicationView, ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const id = idOf(request);
      const view = await readHerApplication(app, service, session, survivorActor(request), id, 'api');
      const editable = view.draft.status === 'draft' || view.draft.status === 'returned';
      return {
        id,
        status: view.draft.status,
        statusLabel: statusLabel(request, view.draft.status),
        editable,
        application: { ...view.draft.input, proxy: view.draft.input.proxy ?? undefined },
        problems: editable ? problemsIn(request, view.draft.problems) : [],
        courtNote: view.draft.courtNote,
        timeline: view.timeline.map((s) => ({
          kind: s.kind,
          at: s.at.toISOString(),
          label: timelineLabel(request, s.kind),
        })),
        order: view.order
          ? {
              caseNumber: view.order.caseNumber,
              measures: view.order.measures,
              validFrom: view.order.validFrom.toISOString(),
              validUntil: view.order.validUntil.toISOString(),
              status: view.order.status,
              inForce: view.order.inForce,
              documentUrl: `${BASE}/${id}/document`,
            }
          : null,
        notices: view.notices.map((n) => ({
          template: n.template,
          label: request.t(`orders.notice.${n.template}` as MessageKey),
          at: n.at.toISOString(),
        })),
      };
    },
  );

  app.put(
    `${BASE}/:id`,
    {
      config: api('saves her own draft (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'saveMyApplication',
        tags: ['help'],
        summary: 'Replace the particulars of her draft (or of one the court returned); lists what is missing',
        description:
          'A filed application is 409. Evidence ids must be items of her own vault (404 otherwise, nothing saved).',
        headers: Headers,
        params: IdParams,
        body: ApplicationSchema,
        response: { 200: DraftView, ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const saved = await saveHerApplication(
        app,
        service,
        session,
        survivorActor(request),
        idOf(request),
        request.body as ApplicationInput,
      );
      return {
        id: saved.id,
        complete: saved.problems.length === 0,
        problems: problemsIn(request, saved.problems),
      };
    },
  );

  app.get(
    `${BASE}/:id/check`,
    {
      config: api('checks her own application (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'checkMyApplication',
        tags: ['help'],
        summary: 'What still stops her application being filed, in her language (empty when complete)',
        headers: Headers,
        params: IdParams,
        response: {
          200: Type.Object({
            status: Type.String(),
            complete: Type.Boolean(),
            problems: Type.Array(ProblemView),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const checked = await checkHerApplication(service, session, idOf(request));
      return {
        status: checked.status,
        complete: checked.problems.length === 0,
        problems: problemsIn(request, checked.problems),
      };
    },
  );

  app.post(
    `${BASE}/:id/submit`,
    {
      config: api('files her own application (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'submitMyApplication',
        tags: ['help'],
        summary: 'File her application with the competent court (400 lists what is missing; nothing changes)',
        headers: Headers,
        params: IdParams,
        response: {
          200: Type.Object({
            status: Type.Literal('submitted'),
            court: Type.String(),
            message: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const filed = await submitHerApplication(service, session, survivorActor(request), idOf(request));
      return {
        status: 'submitted' as const,
        court: filed.courtName,
        message: request.t('orders.portal.submitted', { court: filed.courtName }),
      };
    },
  );

  app.get(
    `${BASE}/:id/document`,
    {
      config: api('her own copy of her order (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'getMyOrderDocument',
        tags: ['help'],
        summary: 'Her copy of the order as served on her (PDF)',
        headers: Headers,
        params: IdParams,
        response: { 200: Type.String({ contentMediaType: 'application/pdf' }), ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const { pdf } = await herOrderDocument(service, session, survivorActor(request), idOf(request));
      return reply
        .header('content-disposition', 'inline; filename="order.pdf"')
        .type('application/pdf')
        .send(pdf);
    },
  );

  app.post(
    `${BASE}/:id/violations`,
    {
      config: api('her violation report on her own order (404 for another thread’s), with the thread token'),
      schema: {
        operationId: 'reportMyViolation',
        tags: ['help'],
        summary: 'Report a violation of her order in force, with items of her own vault as evidence',
        description:
          'The court and the police are told. No order in force is 409; an evidence id not in her vault is 404.',
        headers: Headers,
        params: IdParams,
        body: ViolationBody,
        response: { 201: Type.Object({ id: Uuid }), ...errors },
      },
    },
    async (request, reply) => {
      const session: ThreadSession = await bearer(request, reply);
      const body = request.body as { occurredOn: string; description: string; evidenceIds?: string[] };
      const created = await reportHerViolation(app, service, session, survivorActor(request), idOf(request), {
        occurredOn: body.occurredOn,
        description: body.description,
        evidenceIds: body.evidenceIds ?? [],
      });
      return reply.status(201).send(created);
    },
  );
}
