/**
 * The few ECharts modules the work report loads one by one (reports.charts.ts): the package ships no types
 * for them, only for its barrels, which load every chart type.
 */
// A global declaration file (no top-level import, or these would become augmentations).
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type EchartsInstaller = Exclude<Parameters<typeof import('echarts/core').use>[0], unknown[]>;
declare module 'echarts/lib/chart/bar/install.js' {
  export const install: EchartsInstaller;
}
declare module 'echarts/lib/chart/line/install.js' {
  export const install: EchartsInstaller;
}
declare module 'echarts/lib/component/grid/installSimple.js' {
  export const install: EchartsInstaller;
}
declare module 'echarts/lib/coord/cartesian/legacyContainLabel.js' {
  export const installLegacyGridContainLabel: EchartsInstaller;
}
declare module 'echarts/lib/component/legend/installLegendPlain.js' {
  export const install: EchartsInstaller;
}
declare module 'echarts/lib/renderer/installSVGRenderer.js' {
  export const install: EchartsInstaller;
}
