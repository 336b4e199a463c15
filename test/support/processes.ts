/**
 * Real server processes for tests that need them (scale-out, crash, backup): `src/server.ts` started as an
 * operator would, and a small round-robin HTTP proxy in front of several of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

/**
 * `detached`: the server leads a process group of its own, so a test can signal the whole group (as Ctrl-C
 * in a terminal or a supervisor does) with `process.kill(-child.pid, signal)`.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { detached?: boolean } = {},
): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'development',
      ANXIN_LOG_LEVEL: 'warn',
      ANXIN_DEMO_DATA: 'false',
      // Not the embedded clamd (tests that scan give their own, support/clamd.ts).
      ANXIN_CLAMD: 'none',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start-up:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    port,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface RoundRobinProxy {
  url: string;
  /** How many requests went to each backend. */
  counts: number[];
  close(): Promise<void>;
}

/** Request header naming the backend (its index) that must serve this request; the proxy removes it. */
export const PIN_BACKEND_HEADER = 'x-test-backend';
/** Request header giving the client address the proxy puts in X-Forwarded-For; the proxy removes it. */
export const CLIENT_ADDRESS_HEADER = 'x-test-client';

/**
 * A tiny HTTP proxy sending each request to the next backend in turn, with X-Forwarded-For set (to
 * `options.clientAddress`, or a request's `x-test-client` header). A request with `x-test-backend: <index>`
 * goes to that backend instead, so a test can say which process serves which step. A client that goes away
 * mid-request (a cut upload) takes its upstream request with it, as a real proxy does.
 */
export async function startRoundRobinProxy(
  backends: string[],
  options: { clientAddress?: string } = {},
): Promise<RoundRobinProxy> {
  let next = 0;
  const counts = backends.map(() => 0);
  const server = http.createServer((req, res) => {
    const { [PIN_BACKEND_HEADER]: pinned, [CLIENT_ADDRESS_HEADER]: client, ...headers } = req.headers;
    const index = pinned === undefined ? next++ % backends.length : Number(pinned);
    const backend = backends[index];
    if (backend === undefined) {
      res.writeHead(400).end(`no backend ${String(pinned)}`);
      return;
    }
    counts[index] = (counts[index] ?? 0) + 1;
    const target = new URL(req.url ?? '/', backend);
    const forwardedFor = (typeof client === 'string' && client) || options.clientAddress || '203.0.113.7';
    const upstream = http.request(
      target,
      { method: req.method, headers: { ...headers, host: target.host, 'x-forwarded-for': forwardedFor } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
