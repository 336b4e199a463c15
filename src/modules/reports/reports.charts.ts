/**
 * Charts of the work report, rendered on the server as SVG with Apache ECharts (no DOM, no client script).
 * Every chart is disposed after rendering: an undisposed SSR chart keeps the process alive. Hidden
 * (suppressed) counts are left out of the chart; the table beside it says they are hidden.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { BreakdownT, WorkReportT } from './reports.schemas.ts';

// Only the parts the report draws (the whole package, with maps and every chart type, costs ~90 MiB per process).
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, SVGRenderer]);

const FONT = "'Noto Sans SC', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
const COLOURS = ['#7a3e9d', '#d9822b', '#2b7bb9', '#3c9d5d', '#b94a48', '#6b6b6b'];

function render(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      color: COLOURS,
      textStyle: { fontFamily: FONT, fontSize: 12 },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** A horizontal bar per row (largest first as given); rows with hidden counts are left out. */
export function breakdownChart(breakdown: BreakdownT, width = 560): string {
  const rows = breakdown.rows.filter((r) => r.count !== null && r.count > 0).slice(0, 15);
  const height = Math.max(120, 40 + rows.length * 26);
  return render(
    {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.label), axisLabel: { fontSize: 12 } },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => r.count),
          label: { show: true, position: 'right' },
          barMaxWidth: 18,
        },
      ],
    },
    width,
    height,
  );
}

/** Help requests (bars) with opens and new users (lines, right axis) over the period. */
export function seriesChart(
  report: WorkReportT,
  names: { helpRequests: string; opens: string; newUsers: string },
  width = 560,
): string {
  const points = report.series.points;
  return render(
    {
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [names.helpRequests, names.opens, names.newUsers] },
      xAxis: { type: 'category', data: points.map((p) => p.period), axisLabel: { fontSize: 10 } },
      yAxis: [
        { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
        { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 }, splitLine: { show: false } },
      ],
      series: [
        { name: names.helpRequests, type: 'bar', data: points.map((p) => p.helpRequests), barMaxWidth: 18 },
        {
          name: names.opens,
          type: 'line',
          yAxisIndex: 1,
          data: points.map((p) => p.opens),
          showSymbol: false,
        },
        {
          name: names.newUsers,
          type: 'line',
          yAxisIndex: 1,
          data: points.map((p) => p.newUsers),
          showSymbol: false,
        },
      ],
    },
    width,
    240,
  );
}

/** An SVG as a data URL for an <img>: the page's CSP forbids inline styles, which ECharts' SVG uses. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
