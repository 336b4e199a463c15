/**
 * Load and soak: a mixed survivor-side load at a realistic national peak for LOAD_SECONDS (600 with
 * `npm run test:load`), against one real server process on the embedded PostgreSQL (or LOAD_DATABASE_URL).
 * Passes when no request errs and memory stays flat (last minute's RSS within 15% of the second minute's);
 * the figures go to bench/results/load.json. How the rate was chosen: docs/benchmarks.md#load.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startServerProcess, type ServerProcess } from '../support/processes.ts';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
/** Requests per second: a national day's survivor traffic in one hour, times ten (docs/benchmarks.md). */
const RATE = Number(process.env.LOAD_RATE ?? 80);
const root = path.resolve(import.meta.dirname, '../..');

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

type Kind = 'page' | 'createHelpRequest' | 'openThread' | 'postMessage' | 'directory';

interface Thread {
  caseCode: string;
  secret: string;
  network: string;
  token?: string;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('load and soak', () => {
  it(
    `serves ${RATE} mixed requests/s for ${SECONDS} s without errors, memory flat`,
    { timeout: (SECONDS + 180) * 1000 },
    async () => {
      server = await startServerProcess({
        ANXIN_DATA_DIR: path.join('/tmp', `anxin-load-${randomBytes(4).toString('hex')}`),
        ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
        ANXIN_TRUST_PROXY: '1',
        ANXIN_RATE_LIMIT_PER_MINUTE: '100000',
        ...(process.env.LOAD_DATABASE_URL ? { DATABASE_URL: process.env.LOAD_DATABASE_URL } : {}),
      });
      const base = server.url;
      const pid = server.child.pid!;
      const threads: Thread[] = [];
      const latencies: Record<Kind, number[]> = {
        page: [],
        createHelpRequest: [],
        openThread: [],
        postMessage: [],
        directory: [],
      };
      const failures: string[] = [];
      const rss: { t: number; mib: number }[] = [];
      const pages = [
        '/',
        '/en',
        '/help/new',
        '/en/help/new',
        '/learn/domestic-violence',
        '/learn/protection-order',
        '/hotline',
        '/directory',
        '/safety-check',
      ];

      const one = async (): Promise<void> => {
        const roll = Math.random();
        const network = `192.0.2.${randomInt(1, 254)}`;
        let kind: Kind;
        let request: () => Promise<Response>;
        if (roll < 0.8) {
          kind = 'page';
          const url = pages[randomInt(pages.length)]!;
          request = () =>
            fetch(base + url, { headers: { 'accept-encoding': 'br', 'x-forwarded-for': network } });
        } else if (roll < 0.85) {
          kind = 'directory';
          request = () => fetch(`${base}/api/directory`, { headers: { 'x-forwarded-for': network } });
        } else if (roll < 0.9 || threads.length === 0) {
          kind = 'createHelpRequest';
          request = () =>
            fetch(`${base}/api/help/requests`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': network },
              body: JSON.stringify({
                requestType: 'domestic_violence',
                narrative: 'load test',
                contact: { channel: 'in_app', noVoicemail: true, noSms: true },
                consentSensitive: true,
              }),
            });
        } else {
          const thread = threads[randomInt(threads.length)]!;
          if (!thread.token) {
            kind = 'openThread';
            request = () =>
              fetch(`${base}/api/help/thread`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-forwarded-for': thread.network },
                body: JSON.stringify({ caseCode: thread.caseCode, secret: thread.secret }),
              });
          } else {
            kind = 'postMessage';
            request = () =>
              fetch(`${base}/api/help/thread/messages`, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  authorization: `Bearer ${thread.token}`,
                  'x-forwarded-for': thread.network,
                },
                body: JSON.stringify({ text: 'still here' }),
              });
          }
          const started = performance.now();
          const res = await request().catch((e: unknown) => ({ status: 0, error: e }) as unknown as Response);
          latencies[kind].push(performance.now() - started);
          if (res.status >= 400 || res.status === 0) failures.push(`${kind} ${res.status}`);
          else if (kind === 'openThread') thread.token = ((await res.json()) as { token: string }).token;
          else await res.arrayBuffer();
          return;
        }
        const started = performance.now();
        const res = await request().catch((e: unknown) => ({ status: 0, error: e }) as unknown as Response);
        latencies[kind].push(performance.now() - started);
        if (res.status >= 400 || res.status === 0) {
          failures.push(`${kind} ${res.status}`);
          return;
        }
        if (kind === 'createHelpRequest') {
          const body = (await res.json()) as { caseCode: string; secret: string };
          threads.push({ ...body, network });
        } else await res.arrayBuffer();
      };

      const startedAt = Date.now();
      const inflight = new Set<Promise<void>>();
      let sent = 0;
      const sampler = setInterval(() => {
        rssMiB(pid).then(
          (mib) => rss.push({ t: (Date.now() - startedAt) / 1000, mib }),
          () => undefined,
        );
      }, 5_000);
      while (Date.now() - startedAt < SECONDS * 1000) {
        const due = Math.floor(((Date.now() - startedAt) / 1000) * RATE);
        while (sent < due) {
          sent += 1;
          const p = one().finally(() => inflight.delete(p));
          inflight.add(p);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(inflight);
      clearInterval(sampler);

      const summary = Object.fromEntries(
        (Object.entries(latencies) as [Kind, number[]][]).map(([kind, values]) => {
          const sorted = [...values].sort((a, b) => a - b);
          return [
            kind,
            {
              count: values.length,
              p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
              p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
            },
          ];
        }),
      );
      const minute = (from: number, to: number) => {
        const xs = rss.filter((s) => s.t >= from && s.t < to).map((s) => s.mib);
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      };
      const early = SECONDS >= 180 ? minute(60, 120) : minute(SECONDS / 3, (2 * SECONDS) / 3);
      const late =
        SECONDS >= 180 ? minute(SECONDS - 60, SECONDS + 1) : minute((2 * SECONDS) / 3, SECONDS + 1);
      const figures = {
        seconds: SECONDS,
        targetRate: RATE,
        sent,
        achievedRate: Math.round(sent / SECONDS),
        errors: failures.length,
        firstErrors: failures.slice(0, 5),
        rssEarlyMiB: Math.round(early),
        rssLateMiB: Math.round(late),
        perKind: summary,
      };
      await mkdir(path.join(root, 'bench/results'), { recursive: true });
      await writeFile(
        path.join(root, 'bench/results/load.json'),
        JSON.stringify({ name: 'load', ranAt: new Date().toISOString(), figures }, null, 2) + '\n',
      );
      console.log(JSON.stringify(figures, null, 2));
      expect(failures).toEqual([]);
      expect(late).toBeLessThan(early * 1.15);
    },
  );
});
