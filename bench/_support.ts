/** Shared helpers for benchmarks: a real server process on the embedded PostgreSQL, RSS, autocannon. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ensureBuilt } from '../scripts/build.mjs';

const root = path.resolve(import.meta.dirname, '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface BenchServer {
  url: string;
  child: ChildProcess;
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * How a server is started: `compiled` as `npm start` runs it (the JavaScript in dist/, built when stale, with the
 * Node flags of package.json's start script), or `source` through the tsx loader as the tests and `npm run dev` do.
 */
export type ServerBuild = 'compiled' | 'source';

function serverCommand(build: ServerBuild): string[] {
  if (build === 'source') return ['--import', 'tsx', 'src/server.ts'];
  ensureBuilt();
  const start = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const flags = start.split(/\s+/).filter((word) => word.startsWith('--'));
  return [...flags, 'dist/server.js'];
}

/** Start the server as an operator would (`npm start`), on a fresh embedded PostgreSQL (or DATABASE_URL if given). */
export async function startBenchServer(
  env: Record<string, string> = {},
  build: ServerBuild = 'compiled',
  options: { quietStdout?: boolean } = {},
): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, serverCommand(build), {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      ANXIN_LOG_LEVEL: 'warn',
      ANXIN_DEMO_DATA: 'false',
      ANXIN_DATA_DIR: dataDir,
      ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(port),
      ...env,
    },
    // Logs at the level asked for are still written (as in production), to /dev/null when quiet.
    stdio: ['ignore', options.quietStdout ? 'ignore' : 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('bench server exited during start-up');
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('bench server did not become ready');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    child,
    rssMiB: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round((kb / 1024) * 10) / 10;
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export async function load(options: autocannon.Options): Promise<LoadFigures> {
  const result = await autocannon({
    connections: 20,
    duration: process.env.BENCH_QUICK === '1' ? 5 : 15,
    ...options,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
