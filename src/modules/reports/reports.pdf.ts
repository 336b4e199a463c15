/**
 * The whole work report as a PDF in Chinese or English (pdfkit). Charts are drawn directly as bars next to
 * their numbers, so the PDF needs no SVG converter and every figure stays selectable text. Noto Sans SC
 * and pdfkit load on the first document (platform/pdf.ts).
 */
import { loadPdfKit } from '../../platform/pdf.ts';
import type { BreakdownT, CrossTabT, FigureT, WorkReportT } from './reports.schemas.ts';
import { reportText } from './reports.service.ts';
import type { ReportsMessageKey } from './reports.messages.ts';
import { reportSections } from './reports.layout.ts';

const ACCENT = '#7a3e9d';
const MARGIN = 50;

/** A count for display; hidden counts are '—' (a complementary hidden count may be large, so never "<k"). */
export function formatCount(value: number | null, _threshold: number, locale: string): string {
  if (value === null) return '—';
  return value.toLocaleString(locale === 'en' ? 'en-GB' : 'zh-CN', { maximumFractionDigits: 1 });
}

export function formatShare(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

export function formatChange(figure: FigureT): string {
  if (figure.change === null) return '—';
  const pct = figure.change * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Render the report; resolves to the PDF bytes. */
export async function renderReportPdf(report: WorkReportT): Promise<Buffer> {
  const locale = report.language;
  const t = (key: ReportsMessageKey, params?: Record<string, string | number>) =>
    reportText(locale, key, params);
  const k = report.suppression.threshold;
  const count = (v: number | null) => formatCount(v, report.suppression.applied ? k : 1, locale);
  const { PDFDocument, fonts: font } = await loadPdfKit();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `${t('reports.title')} ${report.period.from} – ${report.period.to}`,
      Author: 'Anxin',
      Subject: t('reports.title'),
    },
    lang: locale === 'en' ? 'en' : 'zh-CN',
  });
  doc.registerFont('regular', font.regular);
  doc.registerFont('bold', font.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 20;
  const ensure = (space: number) => {
    if (doc.y + space > bottom()) doc.addPage();
  };
  const heading = (text: string) => {
    ensure(60);
    doc.moveDown(0.6).font('bold').fontSize(14).fillColor(ACCENT).text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3).fillColor('black');
  };
  const subheading = (text: string) => {
    ensure(40);
    doc.moveDown(0.4).font('bold').fontSize(11).fillColor('black').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.2);
  };
  const row = (cells: string[], widths: number[], bold = false) => {
    ensure(16);
    const y = doc.y;
    let x = MARGIN;
    doc
      .font(bold ? 'bold' : 'regular')
      .fontSize(9)
      .fillColor('black');
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, {
        width: (widths[i] ?? 60) - 4,
        lineBreak: false,
        ellipsis: true,
        align: i === 0 ? 'left' : 'right',
      });
      x += widths[i] ?? 60;
    });
    doc.x = MARGIN;
    doc.y = y + 14;
  };

  const figures = (items: [string, FigureT, (boolean | undefined)?][]) => {
    const widths = [width * 0.46, width * 0.18, width * 0.18, width * 0.18];
    row(
      [t('reports.figure'), t('reports.value'), t('reports.previousShort'), t('reports.change')],
      widths,
      true,
    );
    for (const [label, f, isCount] of items) {
      const fmt = (v: number | null) => (isCount === false ? (v === null ? '—' : v.toFixed(1)) : count(v));
      row([label, fmt(f.value), fmt(f.previous), formatChange(f)], widths);
    }
  };

  /** Label | count | share | a bar proportional to the count (the chart and its table in one). */
  const breakdown = (b: BreakdownT) => {
    subheading(b.title);
    const visible = b.rows.filter((r) => r.count !== 0 || (r.previous ?? 0) !== 0);
    if (visible.length === 0) {
      doc.font('regular').fontSize(9).text(t('reports.none'), MARGIN, doc.y, { width });
      return;
    }
    const widths = [width * 0.34, width * 0.12, width * 0.12, width * 0.12, width * 0.3];
    row(['', t('reports.count'), t('reports.share'), t('reports.previousShort'), ''], widths, true);
    const max = Math.max(1, ...visible.map((r) => r.count ?? 0));
    for (const r of visible) {
      ensure(16);
      const y = doc.y;
      row([r.label, count(r.count), formatShare(r.share), count(r.previous), ''], widths);
      if (r.count !== null && r.count > 0) {
        const barX = MARGIN + widths[0]! + widths[1]! + widths[2]! + widths[3]! + 4;
        const barWidth = Math.max(1, ((widths[4]! - 8) * r.count) / max);
        doc
          .rect(barX, y + 2, barWidth, 8)
          .fill(ACCENT)
          .fillColor('black');
      }
    }
  };

  const crossTab = (c: CrossTabT) => {
    subheading(c.title);
    const first = width * 0.28;
    const other = (width - first) / (c.columns.length + 1);
    const widths = [first, ...c.columns.map(() => other), other];
    row(['', ...c.columns.map((col) => col.label), t('reports.total')], widths, true);
    c.rows.forEach((r, i) => {
      row([r.label, ...(c.cells[i] ?? []).map(count), count(c.rowTotals[i] ?? null)], widths);
    });
    row([t('reports.total'), ...c.columnTotals.map(count), count(c.total)], widths, true);
  };

  // ---- title page ----
  doc
    .font('bold')
    .fontSize(22)
    .fillColor(ACCENT)
    .text(report.suppression.applied ? t('reports.publicTitle') : t('reports.title'), { width });
  doc.moveDown(0.4).font('regular').fontSize(12).fillColor('black').text(report.organisation.name, { width });
  doc.text(
    `${t('reports.period')}: ${t('reports.periodLine', { from: report.period.from, to: report.period.to, days: report.period.days })}`,
    { width },
  );
  doc
    .fontSize(9)
    .fillColor('#444')
    .text(t('reports.previousPeriod', { from: report.previousPeriod.from, to: report.previousPeriod.to }), {
      width,
    });
  doc.text(t('reports.generatedAt', { at: chinaTime(report.generatedAt) }), { width });
  if (report.rollupsAsOf)
    doc.text(t('reports.rollupsAsOf', { at: chinaTime(report.rollupsAsOf) }), { width });
  doc
    .moveDown(0.4)
    .fillColor('black')
    .fontSize(9)
    .text(
      report.suppression.applied ? t('reports.suppressed', { threshold: k }) : t('reports.notSuppressed'),
      { width },
    );

  const lines = (
    title: string,
    items: { label: string; count?: number | null; share?: number | null; number?: number | null }[],
  ) => {
    subheading(title);
    const widths = [width * 0.6, width * 0.2, width * 0.2];
    for (const item of items) {
      const value =
        item.count !== undefined
          ? count(item.count)
          : item.number !== undefined
            ? item.number === null
              ? '—'
              : item.number.toFixed(1)
            : '';
      row([item.label, value, item.share !== undefined ? formatShare(item.share) : ''], widths);
    }
  };

  const series = () => {
    subheading(t('reports.usage.series'));
    const widths = [width * 0.25, width * 0.25, width * 0.25, width * 0.25];
    row(
      [
        t('reports.period'),
        t('reports.series.helpRequests'),
        t('reports.series.opens'),
        t('reports.series.newUsers'),
      ],
      widths,
      true,
    );
    for (const p of report.series.points) {
      if (report.series.granularity === 'day' && p.helpRequests === 0 && p.opens === 0 && p.newUsers === 0)
        continue;
      row([p.period, count(p.helpRequests), String(p.opens), String(p.newUsers)], widths);
    }
  };

  for (const section of reportSections(report)) {
    heading(section.title);
    for (const block of section.blocks) {
      switch (block.kind) {
        case 'figures':
          figures(block.items.map((i) => [i.label, i.figure, i.decimals ? false : undefined]));
          break;
        case 'breakdown':
          breakdown(block.breakdown);
          break;
        case 'cross':
          crossTab(block.table);
          break;
        case 'lines':
          lines(block.title, block.items);
          break;
        case 'note':
          doc.font('regular').fontSize(9).text(block.text, MARGIN, doc.y, { width });
          break;
        case 'series':
          series();
          break;
      }
    }
  }

  // Page numbers and the suppression line on every page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would otherwise start a new page.
    const margins = doc.page.margins;
    doc.page.margins = { ...margins, bottom: 0 };
    doc.font('regular').fontSize(8).fillColor('#666');
    const footer = `${t('reports.pdf.footer', { threshold: report.suppression.applied ? k : 1 })} · ${t('reports.pdf.page', { page: i + 1 })}`;
    doc.text(footer, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'center', lineBreak: false });
    doc.page.margins = margins;
  }
  doc.end();
  return done;
}

/** An instant as China time, YYYY-MM-DD HH:MM. */
export function chinaTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
