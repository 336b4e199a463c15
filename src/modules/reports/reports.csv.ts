/**
 * The report's tables as CSV, one file per table (UTF-8 with a byte-order mark so spreadsheet programs read
 * the Chinese correctly). Cells that a spreadsheet would treat as a formula are neutralised.
 */
import { formatShare } from './reports.pdf.ts';
import type { BreakdownT, CrossTabT, WorkReportT } from './reports.schemas.ts';
import { reportText } from './reports.service.ts';

export interface ReportTable {
  id: string;
  title: string;
  header: string[];
  rows: string[][];
}

const hidden = (v: number | null) => (v === null ? 'suppressed' : String(v));

function breakdownTable(report: WorkReportT, b: BreakdownT): ReportTable {
  const t = (key: Parameters<typeof reportText>[1]) => reportText(report.language, key);
  return {
    id: b.id,
    title: b.title,
    header: ['key', 'label', t('reports.count'), t('reports.share'), t('reports.previous')],
    rows: b.rows.map((r) => [r.key, r.label, hidden(r.count), r.share === null ? '' : formatShare(r.share), hidden(r.previous)]),
  };
}

function crossTable(report: WorkReportT, c: CrossTabT): ReportTable {
  const total = reportText(report.language, 'reports.total');
  return {
    id: c.id,
    title: c.title,
    header: ['', ...c.columns.map((col) => col.label), total],
    rows: [
      ...c.rows.map((r, i) => [r.label, ...(c.cells[i] ?? []).map(hidden), hidden(c.rowTotals[i] ?? null)]),
      [total, ...c.columnTotals.map(hidden), hidden(c.total)],
    ],
  };
}

/** Every table of the report, in the order of the report. */
export function reportTables(report: WorkReportT): ReportTable[] {
  const t = (key: Parameters<typeof reportText>[1]) => reportText(report.language, key);
  const h = report.helpRequests;
  const u = report.usage;
  const fig = (label: string, f: { value: number | null; previous: number | null }) => [label, f.value === null ? 'suppressed' : String(round(f.value)), f.previous === null ? 'suppressed' : String(round(f.previous))];
  return [
    {
      id: 'figures',
      title: t('reports.figure'),
      header: [t('reports.figure'), t('reports.value'), t('reports.previous')],
      rows: [
        fig(t('reports.usage.users'), u.users),
        fig(t('reports.usage.opens'), u.opens),
        fig(t('reports.usage.newUsersPerDay'), u.newUsersPerDay),
        fig(t('reports.usage.opensPerDay'), u.opensPerDay),
        fig(t('reports.usage.averageDailyUsers'), u.averageDailyUsers),
        fig(t('reports.help.total'), h.total),
        fig(t('reports.help.perDay'), h.perDay),
        fig(t('reports.help.minors'), h.minors.count),
        fig(t('reports.help.adults'), h.adults.count),
      ],
    },
    {
      id: 'series',
      title: t('reports.help.series'),
      header: ['period', t('reports.series.helpRequests'), t('reports.series.opens'), t('reports.series.newUsers')],
      rows: report.series.points.map((p) => [p.period, hidden(p.helpRequests), String(p.opens), String(p.newUsers)]),
    },
    breakdownTable(report, u.byChannel),
    breakdownTable(report, h.byType),
    breakdownTable(report, h.byRegion),
    crossTable(report, h.ageGender),
    crossTable(report, h.minorGender),
    breakdownTable(report, h.formGroups),
    breakdownTable(report, h.forms),
    breakdownTable(report, h.formGroupPairs),
    {
      id: 'cooccurrence',
      title: t('reports.help.cooccurrence'),
      header: [t('reports.figure'), t('reports.count'), t('reports.share')],
      rows: [
        [t('reports.help.physical'), hidden(h.physicalWithPsychological.physical), ''],
        [t('reports.help.physicalWithPsychological'), hidden(h.physicalWithPsychological.both), formatShare(h.physicalWithPsychological.share)],
      ],
    },
    breakdownTable(report, h.relationship),
    breakdownTable(report, h.childrenWitnessed),
    breakdownTable(report, h.danger),
    breakdownTable(report, h.firstResponse.buckets),
  ];
}

const round = (v: number) => Math.round(v * 10) / 10;

function csvCell(value: string): string {
  // A leading =, +, - or @ would make a spreadsheet evaluate the cell; a quote mark keeps it text.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(table: ReportTable): string {
  return '\ufeff' + [table.header, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
