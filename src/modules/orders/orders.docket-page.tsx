/**
 * The docket page's filters and paging (issue 14): the same filters as the API's listDocket and searchDocket,
 * through the same use case (`readDocket`). Links carry only what is not personal (clock, urgency, status,
 * receipt and case number, cursor); the filter form is posted, so a name never goes in a URL. A blank field
 * is "any".
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { CsrfField } from '../identity/components.tsx';
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

const NonPersonal = {
  clock: blankOr(CLOCK_STATES),
  urgent: blankOr(['true', 'false'] as const),
  status: blankOr(DOCKET_STATUSES),
  receiptNumber: Type.Optional(Type.String({ maxLength: 20 })),
  caseNumber: Type.Optional(Type.String({ maxLength: 60 })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
};
/** What a link may carry: no name (SAFETY.md: no personal data in URLs). */
export const DocketPageQuery = Type.Object(NonPersonal);
/** The filter form, posted: with the name. */
export const DocketPageBody = Type.Object({
  ...NonPersonal,
  name: Type.Optional(Type.String({ maxLength: 60 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export type DocketPageFilters = { [K in keyof typeof DocketPageBody.properties]?: string };
type PageQuery = Omit<DocketPageFilters, '_csrf'>;

export async function docketForPage(
  request: FastifyRequest,
  service: OrdersService,
  search: OrdersSearchIndex,
  source: DocketPageFilters,
): Promise<DocketPage & { query: PageQuery }> {
  const staff = requireStaff(request);
  const { _csrf: _token, ...query } = source;
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

/** The filter form, posted (a name never goes in a URL). */
export function DocketFilterForm({
  request,
  query,
  csrf,
}: {
  request: FastifyRequest;
  query: PageQuery;
  csrf: string;
}) {
  const t = request.t.bind(request);
  return (
    <form method="post" action={request.localePath('/orders/docket')} class="filters inline">
      <CsrfField token={csrf} />
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

/**
 * The next page: a link carrying the filters and the cursor when no name was searched for; after a search by
 * name, a form posting them again (the name stays out of the URL).
 */
export function NextPage({
  request,
  query,
  cursor,
}: {
  request: FastifyRequest;
  query: PageQuery;
  cursor: string;
}) {
  const label = request.t('orders.docket.next');
  const kept = Object.entries(query).filter(([k, v]) => k !== 'cursor' && v);
  if (query.name) {
    const staff = requireStaff(request);
    return (
      <form method="post" action={request.localePath('/orders/docket')} class="pager">
        <CsrfField token={staff.csrfToken} />
        {kept.map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <input type="hidden" name="cursor" value={cursor} />
        <button type="submit">{label}</button>
      </form>
    );
  }
  const params = new URLSearchParams([...kept, ['cursor', cursor]] as [string, string][]);
  return (
    <p class="pager">
      <a href={`${request.localePath('/orders/docket')}?${params.toString()}`}>{label}</a>
    </p>
  );
}
