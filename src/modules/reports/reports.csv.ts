/**
 * The report's tables as CSV, one file per table (UTF-8 with a byte-order mark so spreadsheet programs read
 * the Chinese correctly). Cells that a spreadsheet would treat as a formula are neutralised.
 */
import { formatShare } from './reports.pdf.ts';
import type { BreakdownT, CrossTabT, WorkReportT } from './reports.schemas.ts';
import { reportText } from './reports.service.ts';
import { reportSections } from './reports.layout.ts';

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
    rows: b.rows.map((r) => [
      r.key,
      r.label,
      hidden(r.count),
      r.share === null ? '' : formatShare(r.share),
      hidden(r.previous),
    ]),
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

/** Every table of the report, in the order of the report (the same sections as the page and the PDF). */
export function reportTables(report: WorkReportT): ReportTable[] {
  const t = (key: Parameters<typeof reportText>[1]) => reportText(report.language, key);
  const tables: ReportTable[] = [];
  for (const section of reportSections(report)) {
    for (const block of section.blocks) {
      switch (block.kind) {
        case 'figures':
          tables.push({
            id: block.id,
            title: section.title,
            header: [t('reports.figure'), t('reports.value'), t('reports.previous')],
            rows: block.items.map((i) => [
              i.label,
              i.figure.value === null ? 'suppressed' : String(round(i.figure.value)),
              i.figure.previous === null ? 'suppressed' : String(round(i.figure.previous)),
            ]),
          });
          break;
        case 'breakdown':
          tables.push(breakdownTable(report, block.breakdown));
          break;
        case 'cross':
          tables.push(crossTable(report, block.table));
          break;
        case 'lines':
          tables.push({
            id: block.id,
            title: block.title,
            header: [t('reports.figure'), t('reports.value'), t('reports.share')],
            rows: block.items.map((i) => [
              i.label,
              i.count !== undefined
                ? hidden(i.count)
                : i.number !== undefined
                  ? i.number === null
                    ? 'suppressed'
                    : String(round(i.number))
                  : '',
              i.share === undefined || i.share === null ? '' : formatShare(i.share),
            ]),
          });
          break;
        case 'series':
          tables.push({
            id: 'series',
            title: t('reports.usage.series'),
            header: [
              'period',
              t('reports.series.helpRequests'),
              t('reports.series.opens'),
              t('reports.series.newUsers'),
            ],
            rows: report.series.points.map((p) => [
              p.period,
              hidden(p.helpRequests),
              String(p.opens),
              String(p.newUsers),
            ]),
          });
          break;
        case 'note':
          break;
      }
    }
  }
  return tables;
}

const round = (v: number) => Math.round(v * 10) / 10;

function csvCell(value: string): string {
  // A leading =, +, - or @ would make a spreadsheet evaluate the cell; a quote mark keeps it text.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(table: ReportTable): string {
  return (
    '\ufeff' + [table.header, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
  );
}
