/**
 * Dashboards per console: simple panels of the organisation's current workload, read through the modules'
 * services (the NGO desk's queue and loads, the court docket, review tasks, police warnings) and, for the
 * last 30 days, from the report's rollups. Counts only — no case, name or code appears on a dashboard.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendPage } from '../../platform/render/page.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import { StaffBar } from '../identity/components.tsx';
import { addDays, chinaDayOf, foldIfStale } from './reports.fold.ts';
import type { ReportsMessageKey } from './reports.messages.ts';
import { formatShare } from './reports.pdf.ts';
import { buildWorkReport, reportText } from './reports.service.ts';

type Panel = [label: string, value: string];

function dashboardPage(
  request: FastifyRequest,
  reply: FastifyReply,
  titleKey: ReportsMessageKey,
  panels: Panel[],
  table?: { caption: string; head: string[]; rows: string[][] },
): FastifyReply {
  const t = (key: ReportsMessageKey) => reportText(request.locale, key);
  return sendPage(request, reply, {
    survivor: false,
    title: t(titleKey),
    body: (
      <>
        <StaffBar request={request} />
        <h1>{t(titleKey)}</h1>
        <p>{t('reports.dashboard.lead')}</p>
        <dl class="dashboard">
          {panels.map(([label, value]) => (
            <div class="panel">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {table && (
          <table class="report-table">
            <caption>{table.caption}</caption>
            <thead>
              <tr>
                {table.head.map((h, i) => (
                  <th scope="col" class={i === 0 ? undefined : 'num'}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr>{row.map((cell, i) => (i === 0 ? <th scope="row">{cell}</th> : <td>{cell}</td>))}</tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
  });
}

export function reportsDashboards(app: FastifyInstance): void {
  app.staffConsoleLinks.push(
    { action: 'reports.dashboard.ngo', href: '/reports/dashboard', label: 'reports.dashboardLink' },
    { action: 'reports.dashboard.court', href: '/reports/dashboard/court', label: 'reports.dashboard.court' },
    {
      action: 'reports.dashboard.police',
      href: '/reports/dashboard/police',
      label: 'reports.dashboard.police',
    },
    {
      action: 'reports.dashboard.federation',
      href: '/reports/dashboard/federation',
      label: 'reports.dashboard.federation',
    },
  );

  /** The organisation's last 30 days from the rollups (internal figures: the dashboard is not published). */
  async function last30Days(request: FastifyRequest) {
    const staff = requireStaff(request);
    await foldIfStale(app.db);
    const to = chinaDayOf(new Date());
    return buildWorkReport(app.db, {
      from: addDays(to, -29),
      to,
      organisationId: staff.organisationId,
      organisationName: staff.organisationName,
      locale: request.locale,
      threshold: 1,
    });
  }

  app.get(
    '/reports/dashboard',
    { config: { access: { action: 'reports.dashboard.ngo' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const t = (key: ReportsMessageKey) => reportText(request.locale, key);
      const queue = await app.helpline.queue(staff.organisationId, { whole: true });
      const loads = await app.helpline.loads(staff.organisationId, queue);
      const now = Date.now();
      const oldest = queue.reduce(
        (max, item) => Math.max(max, (now - item.receivedAt.getTime()) / 3_600_000),
        0,
      );
      const month = await last30Days(request);
      return dashboardPage(
        request,
        reply,
        'reports.dashboard.title',
        [
          [t('reports.dashboard.queue'), String(queue.length)],
          [t('reports.dashboard.unassigned'), String(queue.filter((i) => i.assignedTo === null).length)],
          [t('reports.dashboard.breaches'), String(queue.filter((i) => i.firstResponse.breached).length)],
          [t('reports.dashboard.highDanger'), String(queue.filter((i) => i.dangerLevel === 'high').length)],
          [t('reports.dashboard.minors'), String(queue.filter((i) => i.victimMinor === true).length)],
          [t('reports.dashboard.oldestWaiting'), oldest.toFixed(1)],
          [t('reports.dashboard.cases30'), String(month.desk.cases.value ?? 0)],
          [t('reports.dashboard.calls30'), String(month.hotlineCalls.total.value ?? 0)],
          [t('reports.dashboard.withinDay30'), formatShare(month.desk.firstResponse.withinDayShare)],
        ],
        {
          caption: t('reports.dashboard.load'),
          head: [
            t('reports.dashboard.lawyer'),
            t('reports.dashboard.openCases'),
            t('reports.dashboard.unanswered'),
          ],
          rows: loads.map((l) => [l.name, String(l.openCases), String(l.unanswered)]),
        },
      );
    },
  );

  app.get(
    '/reports/dashboard/court',
    { config: { access: { action: 'reports.dashboard.court' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const t = (key: ReportsMessageKey) => reportText(request.locale, key);
      const docket = await app.ordersService.listDocket(staff.organisationId, { limit: 1000 });
      const open = docket.filter((d) => d.status === 'submitted' || d.status === 'accepted');
      const month = await last30Days(request);
      const o = month.protectionOrders;
      return dashboardPage(request, reply, 'reports.dashboard.court', [
        [t('reports.dashboard.docket'), String(open.length)],
        [t('reports.dashboard.toAccept'), String(docket.filter((d) => d.status === 'submitted').length)],
        [t('reports.dashboard.urgentOpen'), String(open.filter((d) => d.urgent).length)],
        [t('reports.dashboard.overdue'), String(open.filter((d) => d.timeLeft?.overdue === true).length)],
        [t('reports.dashboard.decided30'), String((o.granted.value ?? 0) + (o.rejected.value ?? 0))],
        [t('reports.orders.withinLimitShare'), formatShare(o.withinLimitShare)],
        [
          t('reports.orders.averageHours'),
          o.averageHoursToDecision === null ? '—' : o.averageHoursToDecision.toFixed(1),
        ],
        [t('reports.orders.violations'), String(o.violations.value ?? 0)],
      ]);
    },
  );

  app.get(
    '/reports/dashboard/police',
    { config: { access: { action: 'reports.dashboard.police' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const t = (key: ReportsMessageKey) => reportText(request.locale, key);
      const warnings = await app.ordersService.listWarnings(staff.organisationId);
      const reviews = await app.ordersService.listReviewTasks(staff.organisationId);
      const since = Date.now() - 30 * 86_400_000;
      return dashboardPage(request, reply, 'reports.dashboard.police', [
        [t('reports.dashboard.reviewsOpen'), String(reviews.filter((r) => r.status !== 'submitted').length)],
        [
          t('reports.dashboard.reviewsUrgent'),
          String(reviews.filter((r) => r.status !== 'submitted' && r.urgent).length),
        ],
        [
          t('reports.dashboard.warnings30'),
          String(warnings.filter((w) => w.issuedAt.getTime() >= since).length),
        ],
        [
          t('reports.dashboard.notDelivered'),
          String(warnings.filter((w) => w.deliveredAbuserAt === null || w.deliveredVictimAt === null).length),
        ],
        [t('reports.dashboard.followUpsOverdue'), String(warnings.filter((w) => w.followUpOverdue).length)],
      ]);
    },
  );

  app.get(
    '/reports/dashboard/federation',
    { config: { access: { action: 'reports.dashboard.federation' } }, schema: { hide: true } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const t = (key: ReportsMessageKey) => reportText(request.locale, key);
      const reviews = await app.ordersService.listReviewTasks(staff.organisationId);
      const since = Date.now() - 30 * 86_400_000;
      return dashboardPage(request, reply, 'reports.dashboard.federation', [
        [t('reports.dashboard.opinionsDue'), String(reviews.filter((r) => r.status !== 'submitted').length)],
        [
          t('reports.dashboard.reviewsUrgent'),
          String(reviews.filter((r) => r.status !== 'submitted' && r.urgent).length),
        ],
        [
          t('reports.dashboard.moreRequested'),
          String(reviews.filter((r) => r.status === 'more_requested').length),
        ],
        [
          t('reports.dashboard.opinions30'),
          String(reviews.filter((r) => r.status === 'submitted' && r.createdAt.getTime() >= since).length),
        ],
      ]);
    },
  );
}
