/**
 * The order and grouping of the work report, shared by the page, the PDF and the CSV exports so the three
 * never drift apart: sections of blocks (headline figures, breakdowns with a chart, cross-tables, short lists
 * of derived figures, notes).
 */
import type { ReportsMessageKey } from './reports.messages.ts';
import type { BreakdownT, CrossTabT, FigureT, WorkReportT } from './reports.schemas.ts';
import { reportText } from './reports.service.ts';

export type Block =
  | { kind: 'figures'; id: string; items: { label: string; figure: FigureT; decimals?: boolean }[] }
  | { kind: 'breakdown'; breakdown: BreakdownT }
  | { kind: 'cross'; table: CrossTabT }
  | {
      kind: 'lines';
      id: string;
      title: string;
      items: { label: string; count?: number | null; share?: number | null; number?: number | null }[];
    }
  | { kind: 'note'; text: string }
  | { kind: 'series' };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export function reportSections(report: WorkReportT): Section[] {
  const t = (key: ReportsMessageKey, params?: Record<string, string | number>) =>
    reportText(report.language, key, params);
  const u = report.usage;
  const h = report.helpRequests;
  const c = report.hotlineCalls;
  const d = report.desk;
  const o = report.protectionOrders;
  const b = (breakdown: BreakdownT): Block => ({ kind: 'breakdown', breakdown });
  return [
    {
      id: 'usage',
      title: t('reports.section.usage'),
      blocks: [
        {
          kind: 'figures',
          id: 'usageFigures',
          items: [
            { label: t('reports.usage.users'), figure: u.users },
            { label: t('reports.usage.opens'), figure: u.opens },
            { label: t('reports.usage.newUsersPerDay'), figure: u.newUsersPerDay, decimals: true },
            { label: t('reports.usage.opensPerDay'), figure: u.opensPerDay, decimals: true },
            { label: t('reports.usage.averageDailyUsers'), figure: u.averageDailyUsers, decimals: true },
            { label: t('reports.usage.pageViews'), figure: u.pageViews },
          ],
        },
        { kind: 'series' },
        b(u.byChannel),
      ],
    },
    {
      id: 'help',
      title: t('reports.section.help'),
      blocks: [
        {
          kind: 'figures',
          id: 'helpFigures',
          items: [
            { label: t('reports.help.total'), figure: h.total },
            { label: t('reports.help.perDay'), figure: h.perDay, decimals: true },
            { label: t('reports.help.minors'), figure: h.minors.count },
            { label: t('reports.help.adults'), figure: h.adults.count },
          ],
        },
        {
          kind: 'lines',
          id: 'minorShare',
          title: t('reports.help.minorShare'),
          items: [{ label: t('reports.help.minorShare'), share: h.minors.share }],
        },
        { kind: 'note', text: t('reports.help.assessedByNote') },
        b(h.assessedBy),
        b(h.byType),
        b(h.byRegion),
        b(h.byAgeBand),
        b(h.byGender),
        { kind: 'cross', table: h.ageGender },
        b(h.minors.byGender),
        b(h.adults.byGender),
      ],
    },
    {
      id: 'violence',
      title: t('reports.section.violence'),
      blocks: [
        { kind: 'note', text: t('reports.help.formShareNote') },
        b(h.formGroups),
        {
          kind: 'lines',
          id: 'cooccurrence',
          title: t('reports.help.cooccurrence'),
          items: [
            { label: t('reports.help.physical'), count: h.physicalWithPsychological.physical },
            {
              label: t('reports.help.physicalWithPsychological'),
              count: h.physicalWithPsychological.both,
              share: h.physicalWithPsychological.share,
            },
          ],
        },
        b(h.forms),
        b(h.formGroupPairs),
      ],
    },
    {
      id: 'relationship',
      title: t('reports.section.relationship'),
      blocks: [
        b(h.relationship),
        {
          kind: 'lines',
          id: 'parentChild',
          title: t('reports.help.parentChild'),
          items: [
            { label: t('reports.help.parentChild'), count: h.parentChild.count, share: h.parentChild.share },
          ],
        },
        b(h.childrenWitnessed),
        b(h.danger),
      ],
    },
    {
      id: 'response',
      title: t('reports.section.response'),
      blocks: [
        {
          kind: 'lines',
          id: 'firstResponseSummary',
          title: t('reports.help.firstResponse'),
          items: [
            { label: t('reports.help.answered'), count: h.firstResponse.answered },
            { label: t('reports.help.unanswered'), count: h.firstResponse.unanswered },
            { label: t('reports.help.answeredWithinDay'), share: h.firstResponse.withinDayShare },
            { label: t('reports.help.averageResponseHours'), number: h.firstResponse.averageHours },
          ],
        },
        b(h.firstResponse.buckets),
      ],
    },
    {
      id: 'hotline',
      title: t('reports.section.hotline'),
      blocks: [
        {
          kind: 'figures',
          id: 'hotlineFigures',
          items: [
            { label: t('reports.hotline.total'), figure: c.total },
            { label: t('reports.hotline.perDay'), figure: c.perDay, decimals: true },
          ],
        },
        {
          kind: 'lines',
          id: 'hotlineLines',
          title: t('reports.hotline.total'),
          items: [
            { label: t('reports.hotline.minors'), count: c.minors.count, share: c.minors.share },
            { label: t('reports.hotline.averageMinutes'), number: c.averageMinutes },
          ],
        },
        b(c.byType),
        b(c.byRegion),
        { kind: 'cross', table: c.ageGender },
        { kind: 'cross', table: c.minorGender },
        b(c.followUp),
      ],
    },
    {
      id: 'referrals',
      title: t('reports.section.referrals'),
      blocks: [
        {
          kind: 'figures',
          id: 'deskFigures',
          items: [
            { label: t('reports.desk.cases'), figure: d.cases },
            { label: t('reports.desk.closed'), figure: d.closed },
            { label: t('reports.desk.referrals'), figure: d.referrals },
          ],
        },
        {
          kind: 'lines',
          id: 'deskLines',
          title: t('reports.desk.cases'),
          items: [
            { label: t('reports.desk.withinDay'), share: d.firstResponse.withinDayShare },
            { label: t('reports.desk.averageHours'), number: d.firstResponse.averageHours },
            { label: t('reports.desk.averageDays'), number: d.averageDaysToClose },
          ],
        },
        b(d.bySource),
        b(d.firstResponse.buckets),
        b(d.timeToClose),
        b(d.outcomes),
        b(d.referralsByKind),
        b(d.referralsByStatus),
      ],
    },
    {
      id: 'orders',
      title: t('reports.section.orders'),
      blocks: [
        {
          kind: 'figures',
          id: 'orderFigures',
          items: [
            { label: t('reports.orders.applied'), figure: o.applied },
            { label: t('reports.orders.accepted'), figure: o.accepted },
            { label: t('reports.orders.granted'), figure: o.granted },
            { label: t('reports.orders.rejected'), figure: o.rejected },
            { label: t('reports.orders.served'), figure: o.served },
            { label: t('reports.orders.violations'), figure: o.violations },
          ],
        },
        {
          kind: 'lines',
          id: 'orderLines',
          title: t('reports.orders.timeToDecision'),
          items: [
            { label: t('reports.orders.grantedShare'), share: o.grantedShare },
            { label: t('reports.orders.urgent'), count: o.urgent },
            {
              label: t('reports.orders.withinLimit'),
              count: o.decidedWithinLimit,
              share: o.withinLimitShare,
            },
            { label: t('reports.orders.overLimit'), count: o.decidedOverLimit },
            { label: t('reports.orders.averageHours'), number: o.averageHoursToDecision },
          ],
        },
        b(o.byChannel),
        b(o.timeToDecision),
        b(o.violationOutcomes),
      ],
    },
  ];
}
