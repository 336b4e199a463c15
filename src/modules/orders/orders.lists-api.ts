/**
 * The orders lists as API operations (issue 14), each filtered by the caller's reach as the policy sets it:
 * the court's docket and its violations inbox and service tasks (the court's own), and orders in force (the
 * issuing court's own; police and residents' committees every order of a court in their region). Cursor-
 * paginated with opaque cursors; every list read is audited with each case it showed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { readDocket, CLOCK_STATES, DOCKET_STATUSES, type DocketFilters } from './orders.docket-query.ts';
import { listOrdersInForce, type InForceFilters } from './orders.in-force.ts';
import { auditListRead, NextCursor, PAGE_DEFAULT, PageQuery, receiptNumber } from './orders.lists.ts';
import { MEASURES, SERVICE_PARTIES } from './orders.model.ts';
import * as S from './orders.schemas.ts';
import type { OrdersSearchIndex } from './orders.search-index.ts';
import type { OrdersService } from './orders.service.ts';
import { listServiceTasks, type ServiceTaskFilters } from './orders.service-task-list.ts';
import { listViolationsInbox, type ViolationFilters } from './orders.violations-inbox.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const DocketFilterSchema = {
  clock: Type.Optional(literals(CLOCK_STATES)),
  urgent: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.Array(literals(DOCKET_STATUSES), { maxItems: DOCKET_STATUSES.length })),
  receiptNumber: Type.Optional(Type.String({ maxLength: 20 })),
  caseNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  ...PageQuery,
};
const DocketQuery = Type.Object(DocketFilterSchema);
/** Names never go in a URL (SAFETY.md): a search by name is a POST with the name in its body. */
const DocketSearchBody = Type.Object({
  ...DocketFilterSchema,
  name: Type.Optional(
    Type.String({ minLength: 1, maxLength: 60, description: 'The applicant’s or respondent’s full name' }),
  ),
});

const DocketItem = Type.Object({
  ...S.DocketItem.properties,
  receiptNumber: Type.String({ description: 'Given when it is filed; the case number comes on acceptance' }),
});

const InForceQuery = Type.Object({
  regionCode: Type.Optional(Type.String({ pattern: '^\\d{2}(\\d{2}){0,2}$' })),
  ...PageQuery,
});
/** Names and ID numbers never go in a URL (SAFETY.md): searching by them is a POST with them in its body. */
const InForceSearchBody = Type.Object({
  respondentName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  respondentIdNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  ...InForceQuery.properties,
});

const InForceItem = Type.Object({
  id: S.Uuid,
  caseNumber: Type.String(),
  measures: Type.Array(literals(MEASURES)),
  validFrom: DateTime,
  validUntil: DateTime,
  respondent: Type.Object({
    name: Nullable(Type.String()),
    idNumber: Nullable(Type.String()),
    regionCode: Nullable(Type.String()),
  }),
});

const ViolationsQuery = Type.Object({
  status: Type.Optional(literals(['reported', 'decided'] as const)),
  reportedBy: Type.Optional(literals(['survivor', 'police'] as const)),
  ...PageQuery,
});

const ViolationItem = Type.Object({
  id: S.Uuid,
  orderId: S.Uuid,
  applicationId: S.Uuid,
  caseNumber: Type.String(),
  reportedBy: literals(['survivor', 'police'] as const),
  occurredOn: Type.String({ format: 'date' }),
  reportedAt: DateTime,
  description: Type.String(),
  evidenceCount: Type.Integer(),
  status: literals(['reported', 'decided'] as const),
  outcome: Nullable(Type.String()),
});

const ServiceTasksQuery = Type.Object({
  status: Type.Optional(literals(['open', 'done'] as const)),
  party: Type.Optional(literals(SERVICE_PARTIES)),
  ...PageQuery,
});

const ServiceTaskItem = Type.Object({
  id: S.Uuid,
  orderId: S.Uuid,
  applicationId: S.Uuid,
  caseNumber: Type.String(),
  party: literals(SERVICE_PARTIES),
  status: literals(['open', 'done'] as const),
  method: Nullable(Type.String()),
  servedAt: Nullable(DateTime),
  createdAt: DateTime,
});

const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: NextCursor });

type Paged<Q> = Q & { cursor?: string; limit?: number };

function page(query: { cursor?: string; limit?: number }) {
  return { ...(query.cursor ? { cursor: query.cursor } : {}), limit: query.limit ?? PAGE_DEFAULT };
}

export function ordersListsApi(
  app: FastifyInstance,
  service: OrdersService,
  search: OrdersSearchIndex,
): void {
  const audit = (
    request: FastifyRequest,
    list: string,
    action: string,
    filters: Record<string, unknown>,
    records: { type: string; id: string }[],
  ) => auditListRead(app.db, auditActorFrom(request), list, action, filters, records);

  const docket = async (request: FastifyRequest, query: Paged<DocketFilters>) => {
    const staff = requireStaff(request);
    const { cursor, limit, ...filters } = query;
    const result = await readDocket(
      app.db,
      search,
      service.now(),
      { courtId: staff.organisationId, audit: auditActorFrom(request) },
      filters,
      page({ cursor, limit }),
    );
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((r) => ({
        id: r.id,
        receiptNumber: receiptNumber(r.id),
        caseNumber: r.caseNumber,
        status: r.status,
        urgent: r.urgent,
        submittedAt: iso(r.submittedAt),
        rulingDueAt: iso(r.rulingDueAt),
        clock: r.clock,
        minutesLeft: r.minutesLeft,
        reviewsDone: r.reviewsDone,
        reviewsTotal: r.reviewsTotal,
      })),
    };
  };
  const docketFilters =
    'Filters: clock (ok = on time, warning = amber, breached = red), urgent, status (default submitted and ' +
    'accepted), receiptNumber, caseNumber. Only the caller’s court.';

  app.get(
    '/api/orders/docket',
    {
      config: { access: { action: 'orders.docket.list' } },
      schema: {
        operationId: 'listDocket',
        tags: ['orders'],
        summary: 'The court’s applications by time left on the legal clock, filtered, a page at a time',
        description: `${docketFilters} To search by a name, use searchDocket (names never go in a URL).`,
        querystring: DocketQuery,
        response: { 200: pageOf(DocketItem) },
      },
    },
    async (request) => docket(request, request.query as Paged<DocketFilters>),
  );

  app.post(
    '/api/orders/docket/search',
    {
      config: { access: { action: 'orders.docket.list' } },
      schema: {
        operationId: 'searchDocket',
        tags: ['orders'],
        summary: 'The docket, searched by the applicant’s or respondent’s name (in the body, never the URL)',
        description: `${docketFilters} And name: the applicant’s or respondent’s full name (spaces and case ignored).`,
        body: DocketSearchBody,
        response: { 200: pageOf(DocketItem) },
      },
    },
    async (request) => docket(request, request.body as Paged<DocketFilters>),
  );

  const inForce = async (request: FastifyRequest, query: Paged<InForceFilters>) => {
    const staff = requireStaff(request);
    const { cursor, limit, ...filters } = query;
    const result = await listOrdersInForce(
      app.db,
      search,
      (row) => service.particularsOf(row),
      service.now(),
      {
        scope: request.access?.scope ?? 'organisation',
        organisationId: staff.organisationId,
        regionCode: staff.regionCode,
      },
      filters,
      page({ cursor, limit }),
    );
    await audit(
      request,
      'orders_in_force',
      'orders.order.list',
      filters,
      result.items.map((o) => ({ type: 'protection_order', id: o.id })),
    );
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((o) => ({
        ...o,
        validFrom: o.validFrom.toISOString(),
        validUntil: o.validUntil.toISOString(),
      })),
    };
  };
  const inForceReach =
    'The issuing court sees its own orders; police stations and residents’ committees every order of a court ' +
    'in their region. Soonest to expire first. regionCode: where the respondent lives (a province or city code ' +
    'finds the districts within it).';

  app.get(
    '/api/orders/orders',
    {
      config: { access: { action: 'orders.order.list' } },
      schema: {
        operationId: 'listOrdersInForce',
        tags: ['orders'],
        summary:
          'Orders in force: measures, validity and the respondent (never the applicant or her address)',
        description: `${inForceReach} To search by his name or ID number, use searchOrdersInForce.`,
        querystring: InForceQuery,
        response: { 200: pageOf(InForceItem) },
      },
    },
    async (request) => inForce(request, request.query as Paged<InForceFilters>),
  );

  app.post(
    '/api/orders/orders/search',
    {
      config: { access: { action: 'orders.order.list' } },
      schema: {
        operationId: 'searchOrdersInForce',
        tags: ['orders'],
        summary:
          'Orders in force, searched by the respondent’s name or ID number (in the body, never the URL)',
        description: `${inForceReach} respondentName and respondentIdNumber match whole values (spaces and case ignored).`,
        body: InForceSearchBody,
        response: { 200: pageOf(InForceItem) },
      },
    },
    async (request) => inForce(request, request.body as Paged<InForceFilters>),
  );

  app.get(
    '/api/orders/violations',
    {
      config: { access: { action: 'orders.violation.list' } },
      schema: {
        operationId: 'listViolations',
        tags: ['orders'],
        summary: 'The court’s inbox: reported violations of its orders awaiting the enforcement decision',
        description:
          'Oldest first. `status=decided` lists the decided ones; `reportedBy` police or survivor.',
        querystring: ViolationsQuery,
        response: { 200: pageOf(ViolationItem) },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const { cursor, limit, ...filters } = request.query as Paged<ViolationFilters>;
      const result = await listViolationsInbox(
        app.db,
        app.keyring,
        staff.organisationId,
        filters,
        page({ cursor, limit }),
      );
      await audit(
        request,
        'violations',
        'orders.violation.list',
        filters,
        result.items.map((v) => ({ type: 'order_violation', id: v.id })),
      );
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((v) => ({ ...v, reportedAt: v.reportedAt.toISOString() })),
      };
    },
  );

  app.get(
    '/api/orders/service-tasks',
    {
      config: { access: { action: 'orders.service.list' } },
      schema: {
        operationId: 'listServiceTasks',
        tags: ['orders'],
        summary: 'Service and notification tasks of the court’s orders (open by default)',
        description: '`status=done` lists those served, with how and when; `party` narrows to one party.',
        querystring: ServiceTasksQuery,
        response: { 200: pageOf(ServiceTaskItem) },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const { cursor, limit, ...filters } = request.query as Paged<ServiceTaskFilters>;
      const result = await listServiceTasks(app.db, staff.organisationId, filters, page({ cursor, limit }));
      await audit(
        request,
        'service_tasks',
        'orders.service.list',
        filters,
        result.items.map((s) => ({ type: 'order_service_task', id: s.id })),
      );
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((s) => ({
          ...s,
          servedAt: iso(s.servedAt),
          createdAt: s.createdAt.toISOString(),
        })),
      };
    },
  );
}
