/**
 * What a production install costs: the size of `npm ci --omit=dev` (target ≤ 300 MB), and the idle memory of one
 * app process as `npm start` runs it (compiled JavaScript; target ≤ 150 MiB) beside the same server run from
 * source through the tsx loader, both in this run. "Idle" is after start-up, a few page views and 30 s of rest.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBenchServer, type ServerBuild } from './_support.ts';

const root = path.resolve(import.meta.dirname, '..');

export const targets = [
  { figure: 'productionInstallMB', atMost: 300, unit: 'MB' },
  { figure: 'idleRssMiB.compiled', atMost: 150, unit: 'MiB' },
];

function productionInstallMB(): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'anxin-prod-install-'));
  try {
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(path.join(root, file), path.join(dir, file));
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
    const bytes = Number(
      execFileSync('du', ['-sb', path.join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0],
    );
    return Math.round(bytes / 1e6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function idleRss(build: ServerBuild): Promise<number> {
  const server = await startBenchServer({}, build);
  try {
    for (const page of ['/', '/help', '/learn', '/en/', '/directory'])
      await fetch(`${server.url}${page}`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 30_000));
    return await server.rssMiB();
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const compiled = await idleRss('compiled');
  const source = await idleRss('source');
  return { productionInstallMB: productionInstallMB(), idleRssMiB: { compiled, source } };
}
