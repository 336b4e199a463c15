/**
 * The docket page's filters and paging (issue 14): the same filters as the API's listDocket, read from the
 * page's query string (a blank field is "any"), through the same use case (`readDocket`), with a filter form
 * and a link to the next page.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../identity/access-guard.ts';
import { auditActorFrom } from '../identity/audit.ts';
import {
  CLOCK_STATES,
  DOCKET_STATUSES,
  readDocket,
  type DocketFilters,
  type DocketPage,
} from './orders.docket-query.ts';
import { PAGE_DEFAULT } from './orders.lists.ts';
import type { OrdersSearchIndex } from './orders.search-index.ts';
import type { OrdersService } from './orders.service.ts';

const blankOr = <T extends readonly string[]>(values: T) =>
  Type.Optional(Type.Union([Type.Literal(''), ...values.map((v) => Type.Literal(v))]));

export const DocketPageQuery = Type.Object({
  clock: blankOr(CLOCK_STATES),
  urgent: blankOr(['true', 'false'] as const),
  status: blankOr(DOCKET_STATUSES),
  name: Type.Optional(Type.String({ maxLength: 60 })),
  receiptNumber: Type.Optional(Type.String({ maxLength: 20 })),
  caseNumber: Type.Optional(Type.String({ maxLength: 60 })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
});

type PageQuery = { [K in keyof typeof DocketPageQuery.properties]?: string };

export async function docketForPage(
  request: FastifyRequest,
  service: OrdersService,
  search: OrdersSearchIndex,
): Promise<DocketPage & { query: PageQuery }> {
  const staff = requireStaff(request);
  const query = request.query as PageQuery;
  const given = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const filters: DocketFilters = {
    ...(given(query.clock) ? { clock: query.clock as DocketFilters['clock'] } : {}),
    ...(given(query.urgent) ? { urgent: query.urgent === 'true' } : {}),
    ...(given(query.status) ? { status: [query.status as (typeof DOCKET_STATUSES)[number]] } : {}),
    ...(given(query.name) ? { name: given(query.name) } : {}),
    ...(given(query.receiptNumber) ? { receiptNumber: given(query.receiptNumber) } : {}),
    ...(given(query.caseNumber) ? { caseNumber: given(query.caseNumber) } : {}),
  };
  const page = await readDocket(
    request.server.db,
    search,
    service.now(),
    { courtId: staff.organisationId, audit: auditActorFrom(request) },
    filters,
    { ...(given(query.cursor) ? { cursor: given(query.cursor) } : {}), limit: PAGE_DEFAULT },
  );
  return { ...page, query };
}

/** The filter form (GET, so a filtered docket can be bookmarked; names go in the query string only on the court's own screen). */
export function DocketFilterForm({ request, query }: { request: FastifyRequest; query: PageQuery }) {
  const t = request.t.bind(request);
  return (
    <form method="get" action={request.localePath('/orders/docket')} class="filters inline">
      <label>
        {t('orders.docket.filter.clock')}
        <select name="clock">
          <option value="">{t('orders.docket.filter.any')}</option>
          {CLOCK_STATES.map((c) => (
            <option value={c} selected={query.clock === c}>
              {t(`orders.docket.filter.clock.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('orders.docket.urgent')}
        <select name="urgent">
          <option value="">{t('orders.docket.filter.any')}</option>
          <option value="true" selected={query.urgent === 'true'}>
            {t('orders.docket.filter.yes')}
          </option>
          <option value="false" selected={query.urgent === 'false'}>
            {t('orders.docket.filter.no')}
          </option>
        </select>
      </label>
      <label>
        {t('orders.docket.status')}
        <select name="status">
          <option value="">{t('orders.docket.filter.open')}</option>
          {DOCKET_STATUSES.map((s) => (
            <option value={s} selected={query.status === s}>
              {t(`orders.status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('orders.docket.filter.name')}
        <input name="name" maxLength={60} autocomplete="off" value={query.name ?? ''} />
      </label>
      <label>
        {t('orders.docket.filter.receiptNumber')}
        <input name="receiptNumber" maxLength={20} autocomplete="off" value={query.receiptNumber ?? ''} />
      </label>
      <label>
        {t('orders.docket.caseNumber')}
        <input name="caseNumber" maxLength={60} autocomplete="off" value={query.caseNumber ?? ''} />
      </label>
      <button type="submit">{t('orders.docket.filter.apply')}</button>
    </form>
  );
}

/** The next page's address: the same filters, the cursor after this page's last row. */
export function nextPageHref(request: FastifyRequest, query: PageQuery, cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (k !== 'cursor' && v) params.set(k, v);
  params.set('cursor', cursor);
  return `${request.localePath('/orders/docket')}?${params.toString()}`;
}
