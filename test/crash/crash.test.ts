/**
 * Crash safety: a mixed write load against a real server process, killed with SIGKILL at random moments,
 * restarted each time; afterwards every acknowledged write must be there and readable (decryptable).
 * On the embedded PostgreSQL half the rounds also SIGKILL the database server, so its WAL recovery is
 * exercised too. CRASH_ROUNDS sets the rounds (short in `npm test`, long with `npm run test:crash`);
 * CRASH_DATABASE_URL runs it against an external PostgreSQL instead.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/test-app.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/processes.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const WRITERS = 6;

interface AckedRequest {
  caseCode: string;
  secret: string;
  network: string;
  messages: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const randomNetwork = () => `198.51.100.${randomInt(1, 254)}`;

async function post(base: string, url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
}

/** One writer: files requests and posts messages until the server dies; records only what was acknowledged. */
async function writer(base: string, acked: AckedRequest[], stop: { stopped: boolean }): Promise<void> {
  while (!stop.stopped) {
    try {
      const network = randomNetwork();
      const marker = randomBytes(6).toString('hex');
      const created = await post(base, '/api/help/requests', {
        requestType: 'domestic_violence',
        narrative: `crash-test ${marker}`,
        contact: { channel: 'in_app', noVoicemail: true, noSms: true },
        consentSensitive: true,
      }, { 'x-forwarded-for': network });
      if (created.status !== 201) continue;
      const { caseCode, secret } = (await created.json()) as { caseCode: string; secret: string };
      const record: AckedRequest = { caseCode, secret, network, messages: [] };
      acked.push(record);
      const opened = await post(base, '/api/help/thread', { caseCode, secret }, { 'x-forwarded-for': network });
      if (opened.status !== 200) continue;
      const { token } = (await opened.json()) as { token: string };
      for (let i = 0; i < 3 && !stop.stopped; i += 1) {
        const text = `message ${marker}-${i}`;
        const res = await post(base, '/api/help/thread/messages', { text }, { authorization: `Bearer ${token}`, 'x-forwarded-for': network });
        if (res.status === 201) record.messages.push(text);
      }
    } catch {
      // The server died mid-request: that write was never acknowledged.
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function killPostgres(dataDir: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

describe('crash safety', () => {
  it(`keeps every acknowledged write through ${ROUNDS} kill -9 rounds`, { timeout: 60_000 + ROUNDS * 60_000 }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ANXIN_DATA_DIR: dataDir,
      ANXIN_MASTER_KEY: randomBytes(32).toString('base64'),
      ANXIN_TRUST_PROXY: '1',
      ANXIN_RATE_LIMIT_PER_MINUTE: '1000000',
      ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
    };
    const external = process.env.CRASH_DATABASE_URL !== undefined || process.env.TEST_DATABASE_URL !== undefined;
    if (external) {
      const database = await createEmptyDatabase();
      cleanups.push(() => database.drop());
      env.DATABASE_URL = database.url;
    }
    const acked: AckedRequest[] = [];
    let server: ServerProcess | undefined;
    let postgresKills = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      server = await startServerProcess(env);
      const stop = { stopped: false };
      const writers = Array.from({ length: WRITERS }, () => writer(server!.url, acked, stop));
      await new Promise((r) => setTimeout(r, randomInt(400, 2_000)));
      await server.kill();
      if (!external && round % 2 === 0 && (await killPostgres(dataDir))) postgresKills += 1;
      stop.stopped = true;
      await Promise.all(writers);
    }
    server = await startServerProcess(env);
    cleanups.push(async () => {
      await server?.stop();
    });

    expect(acked.length).toBeGreaterThan(ROUNDS * 3);
    let messages = 0;
    for (const record of acked) {
      const opened = await post(server.url, '/api/help/thread', { caseCode: record.caseCode, secret: record.secret }, { 'x-forwarded-for': record.network });
      expect(opened.status, `acknowledged request ${record.caseCode} is missing`).toBe(200);
      const { token } = (await opened.json()) as { token: string };
      const list = await fetch(`${server.url}/api/help/thread/messages`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': record.network } });
      const texts = ((await list.json()) as { messages: { text: string }[] }).messages.map((m) => m.text);
      for (const text of record.messages) expect(texts, `acknowledged message of ${record.caseCode} is missing`).toContain(text);
      messages += record.messages.length;
    }
    console.log(`crash: ${ROUNDS} rounds (${postgresKills} also killed PostgreSQL), ${acked.length} acknowledged requests and ${messages} messages all present`);
  });
});
