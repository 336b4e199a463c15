/**
 * The platform as an operator runs it: `node src/server.ts` in a child process, on the embedded PostgreSQL
 * (first start, second start reusing the data, restart after kill -9) and on an external one, and refusing
 * to start on a broken setting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-app.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'development',
      ANXIN_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, url: `http://127.0.0.1:${env.PORT}`, output: () => output, exited };
}

async function waitReady(started: Started, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`server exited early:\n${started.output()}`);
    try {
      const res = await fetch(`${started.url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready in time:\n${started.output()}`);
}

describe('the embedded default', () => {
  it(
    'starts, generates a master key, restarts on the same data, and recovers after kill -9',
    { timeout: 180_000 },
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-runtime-'));
      dirs.push(dataDir);
      const env = { ANXIN_DATA_DIR: dataDir, ANXIN_EMBEDDED_PG_PORT: String(await freePort()) };

      const first = startServer({ ...env, PORT: String(await freePort()) });
      await waitReady(first);
      expect(first.output()).toContain('"migrations applied"');
      const key = await readFile(path.join(dataDir, 'master.key'), 'utf8');
      expect(Buffer.from(key.trim(), 'base64')).toHaveLength(32);
      expect((await stat(path.join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = startServer({ ...env, PORT: String(await freePort()) });
      await waitReady(second);
      expect(second.output()).not.toContain('"migrations applied"');
      expect(await readFile(path.join(dataDir, 'master.key'), 'utf8')).toBe(key);
      // A crash leaves the embedded PostgreSQL running without its parent; the next start must cope.
      second.child.kill('SIGKILL');
      await second.exited;

      const third = startServer({ ...env, PORT: String(await freePort()) });
      await waitReady(third);
      expect((await fetch(`${third.url}/`)).status).toBe(200);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
    },
  );
});

describe('an external PostgreSQL', () => {
  it('starts with DATABASE_URL', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-runtime-ext-'));
    dirs.push(dataDir);
    try {
      const started = startServer({
        DATABASE_URL: database.url,
        ANXIN_DATA_DIR: dataDir,
        PORT: String(await freePort()),
      });
      await waitReady(started);
      expect(started.output()).toContain('"database":"external"');
      started.child.kill('SIGTERM');
      const code = await started.exited;
      expect(code, started.output()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});

describe('a broken setting', () => {
  it('stops start-up with a message naming it', { timeout: 60_000 }, async () => {
    const started = startServer({ PORT: 'eighty', ANXIN_MASTER_KEY: 'short' });
    expect(await started.exited).toBe(78);
    expect(started.output()).toContain('PORT: must be a whole number');
    expect(started.output()).toContain('ANXIN_MASTER_KEY: must decode to exactly 32 bytes');
  });
});
