/**
 * The report's tables as CSV, one file per table (UTF-8 with a byte-order mark so spreadsheet programs read
 * the Chinese correctly), every header and word in the report's language. `figures` — the default — is the
 * headline table: every section's headline figures in one file. Cells that a spreadsheet would treat as a
 * formula are neutralised.
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

/** The table a CSV export gives when none is named. */
export const HEADLINE_TABLE = 'figures';

const round = (v: number) => Math.round(v * 10) / 10;

/** Every table of the report, in the order of the report (the same sections as the page and the PDF). */
export function reportTables(report: WorkReportT): ReportTable[] {
  const t = (key: Parameters<typeof reportText>[1]) => reportText(report.language, key);
  const suppressed = t('reports.csv.suppressed');
  const hidden = (v: number | null) => (v === null ? suppressed : String(v));
  const number = (v: number | null) => (v === null ? suppressed : String(round(v)));
  const share = (v: number | null | undefined) => (v === undefined || v === null ? '' : formatShare(v));
  const breakdownTable = (b: BreakdownT): ReportTable => ({
    id: b.id,
    title: b.title,
    header: [
      t('reports.csv.key'),
      t('reports.csv.label'),
      t('reports.count'),
      t('reports.share'),
      t('reports.previous'),
    ],
    rows: b.rows.map((r) => [r.key, r.label, hidden(r.count), share(r.share), hidden(r.previous)]),
  });
  const crossTable = (c: CrossTabT): ReportTable => ({
    id: c.id,
    title: c.title,
    header: ['', ...c.columns.map((col) => col.label), t('reports.total')],
    rows: [
      ...c.rows.map((r, i) => [r.label, ...(c.cells[i] ?? []).map(hidden), hidden(c.rowTotals[i] ?? null)]),
      [t('reports.total'), ...c.columnTotals.map(hidden), hidden(c.total)],
    ],
  });

  const headline: ReportTable = {
    id: HEADLINE_TABLE,
    title: t('reports.csv.headline'),
    header: [t('reports.csv.section'), t('reports.figure'), t('reports.value'), t('reports.previous')],
    rows: [],
  };
  const tables: ReportTable[] = [headline];
  for (const section of reportSections(report)) {
    for (const block of section.blocks) {
      switch (block.kind) {
        case 'figures': {
          const rows = block.items.map((i) => [i.label, number(i.figure.value), number(i.figure.previous)]);
          headline.rows.push(...rows.map((r) => [section.title, ...r]));
          tables.push({
            id: block.id,
            title: section.title,
            header: [t('reports.figure'), t('reports.value'), t('reports.previous')],
            rows,
          });
          break;
        }
        case 'breakdown':
          tables.push(breakdownTable(block.breakdown));
          break;
        case 'cross':
          tables.push(crossTable(block.table));
          break;
        case 'lines':
          tables.push({
            id: block.id,
            title: block.title,
            header: [t('reports.figure'), t('reports.value'), t('reports.share')],
            rows: block.items.map((i) => [
              i.label,
              i.count !== undefined ? hidden(i.count) : i.number !== undefined ? number(i.number) : '',
              share(i.share),
            ]),
          });
          break;
        case 'series':
          tables.push({
            id: 'series',
            title: t('reports.usage.series'),
            header: [
              t('reports.period'),
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
