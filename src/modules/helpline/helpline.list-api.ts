/**
 * The desk's lists and case timeline in the JSON API (issue 14), and starting a protection-order application
 * from a case (the twin of the case page's button). Lists are cursor-paginated; need-to-know as on the pages;
 * every case a list shows and every timeline read is on the audit trail (the gate audits GETs of a case).
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { deskActor, grantedScopeOf } from './helpline.http.ts';
import { listDeskCases } from './helpline.case-list.ts';
import { startOrderFromCase } from './helpline.case-order.ts';
import {
  CaseListQuery,
  CaseListResponse,
  CaseSearchBody,
  OrderStarted,
  TimelineResponse,
} from './helpline.list-schemas.ts';
import { CaseParams, errors } from './helpline.schemas.ts';
import type { HelplineService } from './helpline.service.ts';
import { caseTimeline } from './helpline.timeline.ts';

const tags = ['helpline'];
const onCase = (action: string) => ({ access: { action, record: 'helpline_case' } });

export function helplineListApi(app: FastifyInstance, service: HelplineService): void {
  app.get(
    '/api/desk/cases',
    {
      config: { access: { action: 'helpline.case.read' } },
      schema: {
        operationId: 'listDeskCases',
        tags,
        summary:
          'Every case I may see (the supervisor: all of the organisation; a lawyer or caseworker: those assigned to them), newest first',
        description:
          'Filters: status, danger level, assignee (`unassigned` for the unclaimed). Cursor-paginated. Each case listed is audited as read. To find her by case code, use `searchDeskCases` (the code goes in the body, never in a URL).',
        querystring: CaseListQuery,
        response: { 200: CaseListResponse, ...errors },
      },
    },
    async (request) =>
      listDeskCases(
        app.db,
        deskActor(request),
        grantedScopeOf(request),
        request.query as Static<typeof CaseListQuery>,
      ),
  );

  app.post(
    '/api/desk/cases/search',
    {
      config: { access: { action: 'helpline.case.read' } },
      schema: {
        operationId: 'searchDeskCases',
        tags,
        summary:
          'Find cases by her case code (when she phones in) and the list filters; same answer as listDeskCases',
        body: CaseSearchBody,
        response: { 200: CaseListResponse, ...errors },
      },
    },
    async (request) =>
      listDeskCases(
        app.db,
        deskActor(request),
        grantedScopeOf(request),
        request.body as Static<typeof CaseSearchBody>,
      ),
  );

  app.get(
    '/api/desk/cases/:id/timeline',
    {
      config: onCase('helpline.case.read'),
      schema: {
        operationId: 'getCaseTimeline',
        tags,
        summary:
          'Every contact on the case in time order: her messages and replies, notes, calls, call-backs, referrals, the order application (audited)',
        params: CaseParams,
        response: { 200: TimelineResponse, ...errors },
      },
    },
    async (request) => ({
      items: await caseTimeline(
        app.db,
        service,
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
      ),
    }),
  );

  app.post(
    '/api/desk/cases/:id/protection-order',
    {
      config: onCase('helpline.case.startOrder'),
      schema: {
        operationId: 'startOrderFromCase',
        tags,
        summary:
          'Start a protection-order application from the case (her help request and vault come with it); answers where to complete it',
        params: CaseParams,
        response: { 201: OrderStarted, ...errors },
      },
    },
    async (request, reply) => {
      const started = await startOrderFromCase(
        app,
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
      );
      return reply.status(201).send(started);
    },
  );
}
