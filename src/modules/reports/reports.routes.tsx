/**
 * The work report's routes: the report page for supervisors and admins (charts as server-rendered SVG with a
 * table beside each), CSV per table and a PDF of the whole report, publishing a suppressed snapshot and its
 * public page, the JSON API `getWorkReport`, and the NGO dashboard. Exports and published reports always have
 * small counts suppressed; only the internal page (and the API with `suppress=false`) shows raw counts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { CsrfField, StaffBar } from '../identity/components.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import { reportCharts, svgDataUrl, type ReportCharts } from './reports.charts.ts';
import { auditReportExport } from './reports.audit.ts';
import { HEADLINE_TABLE, reportTables, toCsv } from './reports.csv.ts';
import { reportSections, type Block } from './reports.layout.ts';
import { reportsJobs } from './reports.jobs.ts';
import type { ReportsMessageKey } from './reports.messages.ts';
import { chinaTime, formatChange, formatCount, formatShare, renderReportPdf } from './reports.pdf.ts';
import {
  WorkReport,
  WorkReportQuery,
  type BreakdownT,
  type CrossTabT,
  type FigureT,
  type WorkReportQueryT,
  type WorkReportT,
} from './reports.schemas.ts';
import { reportText } from './reports.service.ts';
import { buildReportFor, type ReportAsk } from './reports.request.ts';
import { listPublications, publishWorkReport, reportsPublishApi } from './reports.publish.ts';

const PageQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
  organisation: Type.Optional(Type.String({ maxLength: 40 })),
  preview: Type.Optional(Type.Boolean()),
  threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
  language: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  table: Type.Optional(Type.String({ maxLength: 40, pattern: '^[A-Za-z]+$' })),
});
type PageQueryT = {
  from?: string;
  to?: string;
  organisation?: string;
  preview?: boolean;
  threshold?: number;
  language?: Locale;
  table?: string;
};

const PublicationParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function reportsRoutes(app: FastifyInstance): void {
  reportsJobs(app);
  reportsPublishApi(app);
  app.staffConsoleLinks.push({ action: 'reports.read', href: '/reports', label: 'reports.consoleLink' });

  const reportFor = (
    request: FastifyRequest,
    query: PageQueryT & { suppress?: boolean },
    options: { suppressed: boolean; locale?: Locale },
  ): Promise<WorkReportT> => buildReportFor(app, request, query, options);

  // ---- JSON API ----
  app.get(
    '/api/reports/work-report',
    {
      config: { access: { action: 'reports.read' } },
      schema: {
        operationId: 'getWorkReport',
        tags: ['reports'],
        summary: 'The work report for a period and organisation, compared with the previous period',
        description:
          'Every figure of the work report, read from daily rollups. Small counts are suppressed unless `suppress=false` (internal use only). ' +
          'Default period: the 365 days ending today (China time); default organisation: one’s own (platform admins: all).',
        querystring: WorkReportQuery,
        response: { 200: WorkReport },
      },
    },
    async (request) => {
      const query = request.query as WorkReportQueryT;
      return reportFor(request, query, {
        suppressed: query.suppress !== false,
        locale: query.language ?? request.locale,
      });
    },
  );

  // ---- The report page ----
  app.get(
    '/reports',
    { config: { access: { action: 'reports.read' } }, schema: { hide: true, querystring: PageQuery } },
    async (request, reply) => {
      const query = request.query as PageQueryT;
      const report = await reportFor(request, query, { suppressed: query.preview === true });
      const staff = requireStaff(request);
      const { items: publications } = await listPublications(app.db, report.organisation.id ?? '');
      const t = (key: ReportsMessageKey, params?: Record<string, string | number>) =>
        reportText(request.locale, key, params);
      const params = exportParams(report);
      const charts = await reportCharts();
      return staffPage(
        request,
        reply,
        t('reports.title'),
        <>
          <h1>{t('reports.title')}</h1>
          <p>{t('reports.lead')}</p>
          <form method="get" action={request.localePath('/reports')} class="report-filter">
            <div class="field">
              <label for="from">{t('reports.from')}</label>
              <input type="date" id="from" name="from" value={report.period.from} />
            </div>
            <div class="field">
              <label for="to">{t('reports.to')}</label>
              <input type="date" id="to" name="to" value={report.period.to} />
            </div>
            {request.access?.scope === 'all' && (
              <div class="field">
                <label for="organisation">{t('reports.organisation')}</label>
                <select id="organisation" name="organisation">
                  <option value="all" selected={report.organisation.id === null}>
                    {t('reports.allOrganisations')}
                  </option>
                  <option
                    value={staff.organisationId}
                    selected={report.organisation.id === staff.organisationId}
                  >
                    {staff.organisationName}
                  </option>
                </select>
              </div>
            )}
            <label class="choice">
              <input type="checkbox" name="preview" value="true" checked={query.preview === true} />
              {t('reports.previewPublished')}
            </label>
            <button type="submit" class="button">
              {t('reports.show')}
            </button>
          </form>
          <section class="report-actions" aria-label={t('reports.exportPdf')}>
            <a class="button" href={request.localePath(`/reports/export.pdf?${params}&language=zh-CN`)}>
              {t('reports.exportPdf')} (中文)
            </a>{' '}
            <a class="button" href={request.localePath(`/reports/export.pdf?${params}&language=en`)}>
              {t('reports.exportPdf')} (English)
            </a>
            <form method="post" action={request.localePath('/reports/publish')} class="inline">
              <CsrfField token={staff.csrfToken} />
              <input type="hidden" name="from" value={report.period.from} />
              <input type="hidden" name="to" value={report.period.to} />
              <input type="hidden" name="organisation" value={report.organisation.id ?? 'all'} />
              <button type="submit" class="button secondary">
                {t('reports.publicLink')}
              </button>
            </form>
            <p class="hint">{t('reports.publicNote')}</p>
            {publications.length > 0 && (
              <ul>
                {publications.map((p) => (
                  <li>
                    <a href={request.localePath(`/reports/published/${p.id}`)}>
                      {p.periodFrom} – {p.periodTo} ({chinaTime(p.createdAt.toISOString())})
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <ReportBody
            report={report}
            charts={charts}
            csvHref={(table) => request.localePath(`/reports/export.csv?${params}&table=${table}`)}
          />
        </>,
      );
    },
  );

  // ---- Exports (always suppressed) ----
  /** One table as CSV; without `table`, the headline figures. An unknown table is a 404 and is not audited. */
  async function csvExport(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const query = request.query as PageQueryT;
    const report = await reportFor(request, query, {
      suppressed: true,
      locale: query.language ?? request.locale,
    });
    const table = reportTables(report).find((tb) => tb.id === (query.table || HEADLINE_TABLE));
    if (!table) throw new AppError('NOT_FOUND');
    await auditReportExport(app.db, request, report, { format: 'csv', table: table.id });
    return reply
      .header('cache-control', 'no-store')
      .header(
        'content-disposition',
        `attachment; filename="anxin-report-${report.period.from}-${report.period.to}-${table.id}.csv"`,
      )
      .type('text/csv; charset=utf-8')
      .send(toCsv(table));
  }
  app.get(
    '/reports/export.csv',
    { config: { access: { action: 'reports.export' } }, schema: { hide: true, querystring: PageQuery } },
    csvExport,
  );
  app.get(
    '/api/reports/work-report.csv',
    {
      config: { access: { action: 'reports.export' } },
      schema: {
        operationId: 'exportWorkReportCsv',
        tags: ['reports'],
        summary:
          'One table of the work report as CSV (UTF-8), small counts hidden; without `table`, the headline figures',
        description:
          'Headers and labels in the report language (`language`, else Accept-Language). Every export is audited.',
        querystring: Type.Omit(PageQuery, ['preview']),
        response: { 200: Type.String({ contentMediaType: 'text/csv' }) },
      },
    },
    csvExport,
  );

  app.get(
    '/reports/export.pdf',
    { config: { access: { action: 'reports.export' } }, schema: { hide: true, querystring: PageQuery } },
    async (request, reply) => {
      const query = request.query as PageQueryT;
      const report = await reportFor(request, query, {
        suppressed: true,
        locale: query.language ?? request.locale,
      });
      const pdf = await renderReportPdf(report);
      await auditReportExport(app.db, request, report, { format: 'pdf' });
      return reply
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="anxin-report-${report.period.from}-${report.period.to}-${report.language}.pdf"`,
        )
        .type('application/pdf')
        .send(pdf);
    },
  );

  // ---- Publishing ----
  app.post(
    '/reports/publish',
    {
      config: { access: { action: 'reports.publish' }, operation: 'publishWorkReport' },
      schema: {
        hide: true,
        body: Type.Object({
          _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          from: Type.String({ maxLength: 10 }),
          to: Type.String({ maxLength: 10 }),
          organisation: Type.Optional(Type.String({ maxLength: 40 })),
          threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
        }),
      },
    },
    async (request, reply) => {
      const { id } = await publishWorkReport(app, request, request.body as ReportAsk);
      return reply.redirect(request.localePath(`/reports/published/${id}`), 303);
    },
  );

  async function publication(id: string, locale: Locale): Promise<WorkReportT> {
    const row = await app.db
      .selectFrom('report_publication')
      .select(['report_zh', 'report_en'])
      .where('id', '=', id)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND');
    return (locale === 'en' ? row.report_en : row.report_zh) as WorkReportT;
  }

  const publicReason =
    'A published work report: a frozen snapshot with small counts suppressed and no personal data, which the NGO chose to publish';
  app.get(
    '/reports/published/:id',
    {
      config: { access: { public: true, reason: publicReason } },
      schema: { hide: true, params: PublicationParams },
    },
    async (request, reply) => {
      const report = await publication((request.params as { id: string }).id, request.locale);
      const id = (request.params as { id: string }).id;
      const charts = await reportCharts();
      return sendPage(request, reply, {
        survivor: false,
        title: reportText(request.locale, 'reports.publicTitle'),
        body: (
          <>
            <h1>{reportText(request.locale, 'reports.publicTitle')}</h1>
            <p>
              <a class="button" href={request.localePath(`/reports/published/${id}/report.pdf`)}>
                {reportText(request.locale, 'reports.exportPdf')}
              </a>
            </p>
            <ReportBody report={report} charts={charts} />
          </>
        ),
      });
    },
  );

  app.get(
    '/reports/published/:id/report.pdf',
    {
      config: { access: { public: true, reason: publicReason } },
      schema: { hide: true, params: PublicationParams },
    },
    async (request, reply) => {
      const report = await publication((request.params as { id: string }).id, request.locale);
      const pdf = await renderReportPdf(report);
      return reply
        .header(
          'content-disposition',
          `inline; filename="anxin-report-${report.period.from}-${report.period.to}-${report.language}.pdf"`,
        )
        .type('application/pdf')
        .send(pdf);
    },
  );

  app.get(
    '/api/reports/published/:id',
    {
      config: { access: { public: true, reason: publicReason } },
      schema: {
        operationId: 'getPublishedWorkReport',
        tags: ['reports'],
        summary: 'A work report an organisation published (small counts suppressed)',
        params: PublicationParams,
        querystring: Type.Object({
          language: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
        }),
        response: { 200: WorkReport },
      },
    },
    async (request) => {
      const { language } = request.query as { language?: Locale };
      return publication((request.params as { id: string }).id, language ?? request.locale);
    },
  );
}

function exportParams(report: WorkReportT): string {
  return new URLSearchParams({
    from: report.period.from,
    to: report.period.to,
    organisation: report.organisation.id ?? 'all',
  }).toString();
}

function staffPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: ComponentChildren,
): FastifyReply {
  return sendPage(request, reply, {
    survivor: false,
    title,
    body: (
      <>
        <StaffBar request={request} />
        {body}
      </>
    ),
  });
}

// ---- The report body, shared by the internal page and the published page ----

function ReportBody({
  report,
  charts,
  csvHref,
}: {
  report: WorkReportT;
  charts: ReportCharts;
  csvHref?: (table: string) => string;
}) {
  const locale = report.language;
  const t = (key: ReportsMessageKey, params?: Record<string, string | number>) =>
    reportText(locale, key, params);
  const k = report.suppression.applied ? report.suppression.threshold : 1;
  const count = (v: number | null) => formatCount(v, k, locale);
  const Figures = ({ items }: { items: [string, FigureT, (boolean | undefined)?][] }) => (
    <table class="report-table">
      <thead>
        <tr>
          <th scope="col">{t('reports.figure')}</th>
          <th scope="col">{t('reports.value')}</th>
          <th scope="col">{t('reports.previous')}</th>
          <th scope="col">{t('reports.change')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map(([label, f, isCount]) => {
          const fmt = (v: number | null) =>
            isCount === false ? (v === null ? '—' : v.toFixed(1)) : count(v);
          return (
            <tr>
              <th scope="row">{label}</th>
              <td>{fmt(f.value)}</td>
              <td>{fmt(f.previous)}</td>
              <td>{formatChange(f)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
  const Chart = ({ b }: { b: BreakdownT }) => (
    <figure class="report-figure" id={`t-${b.id}`}>
      <figcaption>
        <h3>{b.title}</h3>
      </figcaption>
      <div class="report-pair">
        <img
          src={svgDataUrl(charts.breakdown(b))}
          alt={t('reports.chartOf', { title: b.title })}
          aria-describedby={`tbl-${b.id}`}
        />
        <table class="report-table" id={`tbl-${b.id}`}>
          <caption>{t('reports.tableOf', { title: b.title })}</caption>
          <thead>
            <tr>
              <th scope="col">{b.title}</th>
              <th scope="col">{t('reports.count')}</th>
              <th scope="col">{t('reports.share')}</th>
              <th scope="col">{t('reports.previous')}</th>
            </tr>
          </thead>
          <tbody>
            {b.rows.map((r) => (
              <tr>
                <th scope="row">{r.label}</th>
                <td>{count(r.count)}</td>
                <td>{formatShare(r.share)}</td>
                <td>{count(r.previous)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Csv id={b.id} />
    </figure>
  );
  const Cross = ({ c }: { c: CrossTabT }) => (
    <figure class="report-figure" id={`t-${c.id}`}>
      <table class="report-table">
        <caption>{t('reports.tableOf', { title: c.title })}</caption>
        <thead>
          <tr>
            <td></td>
            {c.columns.map((col) => (
              <th scope="col">{col.label}</th>
            ))}
            <th scope="col">{t('reports.total')}</th>
          </tr>
        </thead>
        <tbody>
          {c.rows.map((r, i) => (
            <tr>
              <th scope="row">{r.label}</th>
              {(c.cells[i] ?? []).map((v) => (
                <td>{count(v)}</td>
              ))}
              <td>{count(c.rowTotals[i] ?? null)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">{t('reports.total')}</th>
            {c.columnTotals.map((v) => (
              <td>{count(v)}</td>
            ))}
            <td>{count(c.total)}</td>
          </tr>
        </tbody>
      </table>
      <Csv id={c.id} />
    </figure>
  );
  const seriesNames = {
    helpRequests: t('reports.series.helpRequests'),
    opens: t('reports.series.opens'),
    newUsers: t('reports.series.newUsers'),
  };
  const Csv = ({ id }: { id: string }) =>
    csvHref ? (
      <a class="csv" href={csvHref(id)} download>
        {t('reports.exportCsv')}
      </a>
    ) : null;
  const Lines = ({ block }: { block: Extract<Block, { kind: 'lines' }> }) => (
    <figure class="report-figure" id={`t-${block.id}`}>
      <table class="report-table">
        <caption>{block.title}</caption>
        <tbody>
          {block.items.map((item) => (
            <tr>
              <th scope="row">{item.label}</th>
              <td>
                {item.count !== undefined
                  ? count(item.count)
                  : item.number !== undefined
                    ? item.number === null
                      ? '—'
                      : item.number.toFixed(1)
                    : ''}
              </td>
              <td>{item.share !== undefined ? formatShare(item.share) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Csv id={block.id} />
    </figure>
  );
  const Series = () => (
    <figure class="report-figure" id="t-series">
      <figcaption>
        <h3>{t('reports.usage.series')}</h3>
      </figcaption>
      <img
        src={svgDataUrl(charts.series(report, seriesNames))}
        alt={t('reports.chartOf', { title: t('reports.usage.series') })}
        aria-describedby="tbl-series"
      />
      <details>
        <summary>{t('reports.tableOf', { title: t('reports.usage.series') })}</summary>
        <table class="report-table" id="tbl-series">
          <thead>
            <tr>
              <th scope="col">{t('reports.period')}</th>
              <th scope="col">{seriesNames.helpRequests}</th>
              <th scope="col">{seriesNames.opens}</th>
              <th scope="col">{seriesNames.newUsers}</th>
            </tr>
          </thead>
          <tbody>
            {report.series.points.map((p) => (
              <tr>
                <th scope="row">{p.period}</th>
                <td>{count(p.helpRequests)}</td>
                <td>{p.opens}</td>
                <td>{p.newUsers}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <Csv id="series" />
    </figure>
  );
  const render = (block: Block) => {
    switch (block.kind) {
      case 'figures':
        return (
          <Figures items={block.items.map((i) => [i.label, i.figure, i.decimals ? false : undefined])} />
        );
      case 'breakdown':
        return <Chart b={block.breakdown} />;
      case 'cross':
        return <Cross c={block.table} />;
      case 'lines':
        return <Lines block={block} />;
      case 'note':
        return <p class="hint">{block.text}</p>;
      case 'series':
        return <Series />;
    }
  };
  return (
    <div class="report" lang={locale === 'en' ? 'en' : 'zh-CN'}>
      <p class="report-meta">
        {report.organisation.name} ·{' '}
        {t('reports.periodLine', {
          from: report.period.from,
          to: report.period.to,
          days: report.period.days,
        })}
        <br />
        {t('reports.previousPeriod', { from: report.previousPeriod.from, to: report.previousPeriod.to })}
        <br />
        {t('reports.generatedAt', { at: chinaTime(report.generatedAt) })}
        {report.rollupsAsOf && (
          <>
            {' · '}
            {t('reports.rollupsAsOf', { at: chinaTime(report.rollupsAsOf) })}
          </>
        )}
      </p>
      <p class="note">
        {report.suppression.applied
          ? t('reports.suppressed', { threshold: report.suppression.threshold })
          : t('reports.notSuppressed')}
      </p>
      <nav class="report-toc" aria-label={t('reports.title')}>
        {reportSections(report).map((section) => (
          <a href={`#s-${section.id}`}>{section.title}</a>
        ))}
      </nav>
      {reportSections(report).map((section) => (
        <section id={`s-${section.id}`}>
          <h2>{section.title}</h2>
          {section.blocks.map(render)}
        </section>
      ))}
    </div>
  );
}
