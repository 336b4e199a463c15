/**
 * Charts of the work report, rendered on the server as SVG with Apache ECharts (no DOM, no client script).
 * ECharts is loaded on first use (`import()`), and only what the report draws: the core, bar and line
 * charts, the grid and legend, the SVG renderer — not the package's barrels, which load every chart type and
 * cost tens of MiB in every process that never draws one. Every chart is disposed after rendering: an
 * undisposed SSR chart keeps the process alive. Hidden (suppressed) counts are left out of the chart; the
 * table beside it says they are hidden.
 */
import type * as EchartsCore from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import type { BreakdownT, WorkReportT } from './reports.schemas.ts';

type Echarts = typeof EchartsCore;
let loading: Promise<Echarts> | undefined;

/** ECharts with the report's parts registered, loaded once per process on first use. */
function echartsForReports(): Promise<Echarts> {
  loading ??= (async () => {
    const [core, bar, line, grid, containLabel, legend, svg] = await Promise.all([
      import('echarts/core'),
      import('echarts/lib/chart/bar/install.js'),
      import('echarts/lib/chart/line/install.js'),
      import('echarts/lib/component/grid/installSimple.js'),
      import('echarts/lib/coord/cartesian/legacyContainLabel.js'),
      import('echarts/lib/component/legend/installLegendPlain.js'),
      import('echarts/lib/renderer/installSVGRenderer.js'),
    ]);
    core.use([
      bar.install,
      line.install,
      grid.install,
      containLabel.installLegacyGridContainLabel,
      legend.install,
      svg.install,
    ]);
    return core;
  })();
  return loading;
}

/** The report's chart renderers, once ECharts is loaded. */
export interface ReportCharts {
  breakdown(breakdown: BreakdownT, width?: number): string;
  series(
    report: WorkReportT,
    names: { helpRequests: string; opens: string; newUsers: string },
    width?: number,
  ): string;
}

export async function reportCharts(): Promise<ReportCharts> {
  const echarts = await echartsForReports();
  const render = (option: EChartsCoreOption, width: number, height: number) =>
    renderWith(echarts, option, width, height);
  return {
    breakdown: (b, width) => breakdownChart(render, b, width),
    series: (report, names, width) => seriesChart(render, report, names, width),
  };
}

const FONT = "'Noto Sans SC', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
const COLOURS = ['#7a3e9d', '#d9822b', '#2b7bb9', '#3c9d5d', '#b94a48', '#6b6b6b'];

type Render = (option: EChartsCoreOption, width: number, height: number) => string;

function renderWith(echarts: Echarts, option: EChartsCoreOption, width: number, height: number): string {
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
function breakdownChart(render: Render, breakdown: BreakdownT, width = 560): string {
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
function seriesChart(
  render: Render,
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
