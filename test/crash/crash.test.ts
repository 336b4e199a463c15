/**
 * Crash safety: a mixed write load against a real server process, killed with SIGKILL at random moments,
 * restarted each time; afterwards every acknowledged write must be there and readable (decryptable).
 * On the embedded PostgreSQL half the rounds also SIGKILL the database server, so its WAL recovery is
 * exercised too. CRASH_ROUNDS sets the rounds (short in `npm test`, long with `npm run test:crash`);
 * CRASH_DATABASE_URL runs it against an external PostgreSQL instead. Every third round runs with no malware
 * scanner at all: uploads are kept awaiting check, and later rounds check them (scan job, start-up sweep) under
 * the same kills — at the end every item is clean and was checked at most once.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clamdPlace, startClamd, type TestClamd } from '../support/clamd.ts';
import { makeCrashStaff } from '../support/crash-world.ts';
import { anyFileContains, PLAINTEXT_MARKER } from '../support/evidence.ts';
import { createEmptyDatabase } from '../support/test-app.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/processes.ts';
import { bearer, fileHelpRequest, openThread, pause, post, send } from './http.ts';
import { checkOrders, orderWriter, type ApplicationRecord } from './orders.ts';
import { checkUploads, uploadWriter, type UploadLedger } from './uploads.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const WRITERS = 4;
const UPLOADERS = 2;
const ORDER_WRITERS = 2;

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

/** One writer: files requests and posts messages until the server dies; records only what was acknowledged. */
async function writer(base: string, acked: AckedRequest[], stop: { stopped: boolean }): Promise<void> {
  while (!stop.stopped) {
    try {
      const filed = await fileHelpRequest(base);
      if (!filed) continue;
      const record: AckedRequest = {
        caseCode: filed.caseCode,
        secret: filed.secret,
        network: filed.network,
        messages: [],
      };
      acked.push(record);
      const opened = await openThread(base, filed);
      if (!('token' in opened)) continue;
      for (let i = 0; i < 3 && !stop.stopped; i += 1) {
        const text = `message ${filed.marker}-${i}`;
        const res = await post(base, '/api/help/thread/messages', { text }, bearer(opened.token, filed));
        if (res.status === 201) record.messages.push(text);
      }
    } catch {
      // The server died mid-request: that write was never acknowledged.
      await pause(20);
    }
  }
}

async function killPostgres(dataDir: string): Promise<boolean> {
  try {
    const pid = Number(
      (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

describe('crash safety', () => {
  it(
    `keeps every acknowledged write through ${ROUNDS} kill -9 rounds`,
    { timeout: 60_000 + ROUNDS * 60_000 },
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-crash-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const env: Record<string, string> = {
        ANXIN_DATA_DIR: dataDir,
        ANXIN_MASTER_KEY: randomBytes(32).toString('base64'),
        ANXIN_TRUST_PROXY: '1',
        ANXIN_RATE_LIMIT_PER_MINUTE: '1000000',
        ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
      };
      const external =
        process.env.CRASH_DATABASE_URL !== undefined || process.env.TEST_DATABASE_URL !== undefined;
      if (external) {
        const database = await createEmptyDatabase();
        cleanups.push(() => database.drop());
        env.DATABASE_URL = database.url;
      }
      // One clamd address throughout; the clamd behind it is stopped in some rounds (no scanner at all).
      const place = await clamdPlace();
      let clamd: TestClamd | undefined = await startClamd({ dir: place.dir });
      cleanups.push(async () => {
        await clamd?.stop();
        await rm(place.dir, { recursive: true, force: true });
      });
      env.ANXIN_CLAMD = place.address;

      const acked: AckedRequest[] = [];
      const uploads: UploadLedger = { journals: [], uploads: [], violations: [], resumed: 0 };
      const applications: ApplicationRecord[] = [];
      let server: ServerProcess | undefined;
      let postgresKills = 0;
      let world: Awaited<ReturnType<typeof makeCrashStaff>> | undefined;
      let awayRounds = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        // Every third round runs with no scanner at all: her uploads are kept awaiting check. The next round's
        // server checks them (start-up sweep, scan jobs) under the same load, and may be killed mid-scan.
        const scannerAway = round % 3 === 1;
        if (scannerAway && clamd) {
          await clamd.stop();
          clamd = undefined;
          awayRounds += 1;
        }
        if (!scannerAway && !clamd) clamd = await startClamd({ dir: place.dir });
        server = await startServerProcess(env);
        // Staff accounts and sessions go into the database the first server created (and migrated).
        world ??= await makeCrashStaff(env);
        const base = server.url;
        const staff = world;
        const stop = { stopped: false };
        const writers = [
          ...Array.from({ length: WRITERS }, () => writer(base, acked, stop)),
          ...Array.from({ length: UPLOADERS }, () => uploadWriter(base, uploads, stop)),
          ...Array.from({ length: ORDER_WRITERS }, () => orderWriter(base, staff, applications, stop)),
        ];
        await pause(scannerAway ? randomInt(2_000, 4_000) : randomInt(400, 3_000));
        await server.kill();
        if (!external && round % 2 === 0 && (await killPostgres(dataDir))) postgresKills += 1;
        stop.stopped = true;
        await Promise.all(writers);
      }
      clamd ??= await startClamd({ dir: place.dir });
      server = await startServerProcess(env);
      cleanups.push(async () => {
        await server?.stop();
      });
      const base = server.url;

      expect(acked.length).toBeGreaterThan(ROUNDS * 3);
      let messages = 0;
      for (const record of acked) {
        const opened = await openThread(base, record);
        expect('token' in opened, `acknowledged request ${record.caseCode} is missing`).toBe(true);
        if (!('token' in opened)) continue;
        const list = await send(
          base,
          'GET',
          '/api/help/thread/messages',
          undefined,
          bearer(opened.token, record),
        );
        const texts = ((await list.json()) as { messages: { text: string }[] }).messages.map((m) => m.text);
        for (const text of record.messages)
          expect(texts, `acknowledged message of ${record.caseCode} is missing`).toContain(text);
        messages += record.messages.length;
      }
      const files = await checkUploads(base, uploads, world!.judge, world!.courtA);
      const actions = await checkOrders(base, world!, applications);
      // The load reached each kind of write (a run that acknowledged nothing would prove nothing).
      expect(files.finished + files.completeAtHead, 'no upload finished').toBeGreaterThan(0);
      expect(actions, 'no order action acknowledged').toBeGreaterThan(ROUNDS);
      // Some uploads were kept awaiting check while the scanner was away, and were checked (once) afterwards.
      if (awayRounds > 0)
        expect(files.checkedLater, 'no upload was kept awaiting check and checked later').toBeGreaterThan(0);
      // Nothing the crashes left behind (segments, temporary files, unfinished items) holds plaintext.
      expect(
        await anyFileContains(path.join(dataDir, 'evidence'), PLAINTEXT_MARKER),
        'an evidence file on disk holds plaintext',
      ).toBeUndefined();
      console.log(
        `crash: ${ROUNDS} rounds (${postgresKills} also killed PostgreSQL${external ? ', external PostgreSQL' : ''}); all present: ` +
          `${acked.length} help requests, ${messages} messages, ${files.journals} journal entries, ` +
          `${files.finished} finished uploads (${(files.bytes / 1024 / 1024).toFixed(1)} MiB, each downloaded and its SHA-256 matched), ` +
          `${files.completeAtHead} finished whose answer was lost, ${files.unfinished} unfinished holding their acknowledged offset ` +
          `(${uploads.resumed} resumed after a restart), ${files.checkedLater} kept awaiting check while the scanner was away (${awayRounds} rounds) and checked once later, ` +
          `${applications.length} order applications with ${actions} staff actions`,
      );
    },
  );
});
