/**
 * Evidence upload in one pass (issue 17): a 1 GiB video (64 MiB with BENCH_QUICK=1) sent with tus-js-client to a
 * real server process (compiled, as `npm start` runs it; files store; real clamd), until it is listed, next to a
 * raw `dd conv=fsync` write of the same size on the same disk in the same run; the server's resident memory
 * above idle while it runs; and how soon a viewer seeking to the middle of the video gets its first byte
 * (`GET /api/evidence/:id/file` with `Range`, a staff session, over HTTP).
 *
 * Targets (stated before running): end to end ≥ 0.6 × dd; RSS ≤ 64 MiB above idle; the median of ten seeks to
 * the middle answers its first byte in ≤ 50 ms.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { openDatabase } from '../src/db/open.ts';
import { Keyring } from '../src/platform/crypto.ts';
import { signGrant } from '../src/modules/evidence/grant.ts';
import { createSession } from '../src/modules/identity/sessions.ts';
import { startClamd } from '../test/support/clamd.ts';
import { tusUpload, writeMarkedFile } from '../test/support/evidence.ts';
import { freePort, startBenchServer } from './_support.ts';

const MiB = 1024 * 1024;

export const targets = [
  { figure: 'endToEndVsDd', atLeast: 0.6, unit: '× dd conv=fsync' },
  { figure: 'serverRssAboveIdleMiB', atMost: 64, unit: 'MiB' },
  { figure: 'midSeekFirstByteMs.p50', atMost: 50, unit: 'ms' },
];

/** `dd if=/dev/zero of=… bs=4M count=… conv=fsync`: MiB/s, timed from start to exit. */
function ddWrite(dir: string, bytes: number): number {
  const file = path.join(dir, 'dd.bin');
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'dd',
    ['if=/dev/zero', `of=${file}`, 'bs=4M', `count=${bytes / (4 * MiB)}`, 'conv=fsync'],
    {
      stdio: 'ignore',
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  spawnSync('rm', ['-f', file]);
  if (result.status !== 0) throw new Error('dd failed');
  return bytes / MiB / seconds;
}

/** CPU seconds (user + system) the process has used: a figure that does not depend on how busy the machine is. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 102.4) / 10;
}

const round = (n: number): number => Math.round(n * 10) / 10;

export async function run(): Promise<Record<string, unknown>> {
  const quick = process.env.BENCH_QUICK === '1';
  const size = quick ? 64 * MiB : 1024 * MiB;
  const work = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-evidence-'));
  const dataDir = path.join(work, 'data');
  await mkdir(dataDir);
  // Its own directory (as the orders bench does): the embedded PostgreSQL runs as another user.
  const pgDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-evidence-pg-'));
  const config = loadConfig({
    NODE_ENV: 'development',
    ANXIN_DATA_DIR: pgDir,
    ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
    ANXIN_LOG_LEVEL: 'warn',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const database = await openDatabase(config, () => undefined);
  const clamd = await startClamd();
  const masterKey = randomBytes(32);
  const keyring = new Keyring(masterKey);
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    // Her case at an NGO desk and its supervisor (who may read the case's evidence), signed in.
    const ngo = await db
      .insertInto('organisation')
      .values({ kind: 'ngo', name: '基准测试机构', region_code: '110105' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const helpRequestId = randomUUID();
    await db
      .insertInto('helpline_case')
      .values({
        id: randomUUID(),
        organisation_id: ngo.id,
        region_code: '110105',
        source: 'online',
        help_request_id: helpRequestId,
        received_at: new Date(),
        request_type: 'domestic_violence',
      })
      .execute();
    const supervisor = await db
      .insertInto('staff_account')
      .values({
        organisation_id: ngo.id,
        email: 'supervisor@ngo.example',
        display_name: '督导',
        status: 'active',
        locale: 'zh-CN',
        password_hash: 'x',
        mfa_enrolled_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('staff_account_role')
      .values({ account_id: supervisor.id, role: 'ngo_supervisor' })
      .execute();
    const sessionKeys = { token: keyring.deriveKey('identity.token'), csrf: keyring.deriveKey('csrf') };
    const cookie = `anxin_session=${(await createSession(db, sessionKeys, supervisor.id, 'full')).token}`;
    const ownerRef = `help-case:${helpRequestId}`;

    const file = path.join(work, 'evidence.mp4');
    await writeMarkedFile(file, size);
    const ddMiBps = ddWrite(work, size);

    const server = await startBenchServer(
      {
        DATABASE_URL: database.connectionString,
        ANXIN_DATA_DIR: dataDir,
        ANXIN_MASTER_KEY: masterKey.toString('base64'),
        ANXIN_CLAMD: clamd.address,
        ANXIN_EVIDENCE_MAX_FILE_MB: '2000',
        ANXIN_EVIDENCE_MAX_OWNER_MB: '4000',
        ANXIN_RATE_LIMIT_PER_MINUTE: '1000000',
      },
      'compiled',
    );
    try {
      const pid = server.child.pid!;
      const grant = signGrant(keyring.deriveKey('evidence-upload'), {
        ownerRef,
        uploadedBy: 'bench',
        journalEntryId: null,
      });
      // Idle: after start-up settled (a few requests served), before the upload.
      for (let i = 0; i < 5; i++) await fetch(`${server.url}/readyz`);
      await new Promise((r) => setTimeout(r, 1000));
      const idle = await rssMiB(pid);
      let peak = idle;
      const poll = setInterval(() => {
        void rssMiB(pid).then(
          (m) => (peak = Math.max(peak, m)),
          () => undefined,
        );
      }, 50);
      const cpuBefore = await cpuSeconds(pid);
      const loadBefore = os.loadavg()[0] ?? 0;
      const started = process.hrtime.bigint();
      const result = await tusUpload(`${server.url}/api/evidence/uploads`, file, {
        grant,
        chunkSize: 50 * MiB,
      });
      if (result.error) throw new Error(`upload failed: ${JSON.stringify(result.error)}`);
      const listed = await fetch(`${server.url}/api/evidence?owner=${encodeURIComponent(ownerRef)}`, {
        headers: { cookie, accept: 'application/json' },
      });
      const items = ((await listed.json()) as { items?: { id: string; sha256: string; scanState: string }[] })
        .items;
      const ended = process.hrtime.bigint();
      clearInterval(poll);
      peak = Math.max(peak, await rssMiB(pid));
      const item = items?.find((i) => i.id === result.evidenceId);
      if (!item) throw new Error(`the upload is not listed (${listed.status})`);
      const cpuUsed = (await cpuSeconds(pid)) - cpuBefore;
      const totalSeconds = Number(ended - started) / 1e9;
      const completionSeconds = (result.checkMs ?? 0) / 1000;

      // A verdict clamd gives after the item is listed (it scans an INSTREAM once it ends) is recorded then;
      // staff can open the file once it is clean.
      let scanState = item.scanState;
      const listedAt = process.hrtime.bigint();
      while (scanState === 'pending' && Number(process.hrtime.bigint() - listedAt) / 1e9 < 600) {
        await new Promise((r) => setTimeout(r, 250));
        const again = await fetch(`${server.url}/api/evidence?owner=${encodeURIComponent(ownerRef)}`, {
          headers: { cookie, accept: 'application/json' },
        });
        scanState =
          ((await again.json()) as { items: { id: string; scanState: string }[] }).items.find(
            (i) => i.id === item.id,
          )?.scanState ?? 'gone';
      }
      const verdictAfterListedSeconds = Number(process.hrtime.bigint() - listedAt) / 1e9;

      // A viewer seeking to the middle: first byte of a range read, ten times around the middle.
      const seeks: number[] = [];
      for (let i = 0; i < 10; i++) {
        const start = Math.floor(size / 2) + i * 1_000_003;
        const t0 = process.hrtime.bigint();
        const res = await fetch(`${server.url}/api/evidence/${item.id}/file`, {
          headers: { cookie, range: `bytes=${start}-` },
        });
        const reader = res.body!.getReader();
        const first = await reader.read();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        await reader.cancel();
        if (res.status !== 206 || first.done) throw new Error(`range read answered ${res.status}`);
        seeks.push(ms);
      }
      const sorted = [...seeks].sort((a, b) => a - b);
      const uploadMiBps = size / MiB / totalSeconds;
      return {
        fileMiB: size / MiB,
        ddConvFsyncMiBps: round(ddMiBps),
        uploadEndToEndMiBps: round(uploadMiBps),
        endToEndVsDd: Math.round((uploadMiBps / ddMiBps) * 100) / 100,
        endToEndSeconds: round(totalSeconds),
        completionSeconds: Math.round(completionSeconds * 1000) / 1000,
        scanStateWhenListed: item.scanState,
        scanVerdictAfterListedSeconds: round(verdictAfterListedSeconds),
        scanState,
        serverRssIdleMiB: idle,
        serverPeakRssDuringUploadMiB: round(peak),
        serverRssAboveIdleMiB: round(peak - idle),
        serverCpuSecondsPerGiB: round((cpuUsed * 1024 * MiB) / size),
        midSeekFirstByteMs: {
          first: round(seeks[0]!),
          p50: round(sorted[Math.floor(sorted.length / 2)]!),
          max: round(sorted[sorted.length - 1]!),
        },
        machineLoadAverage: round(Math.max(loadBefore, os.loadavg()[0] ?? 0)),
        note: 'end to end = first byte sent until the item is listed (tus-js-client, 50 MiB PATCHes): received, hashed, type-checked, streamed to clamd and encrypted in one pass as the bytes arrive; completion moves no bytes. clamd scans an INSTREAM only after its last byte: completion waits up to 3 s for the verdict, else the item is listed awaiting check and the verdict recorded when it comes (scanVerdictAfterListedSeconds). dd = `dd if=/dev/zero bs=4M conv=fsync` of the same size on the same disk, in the same run. Wall-clock rates depend on machine load (2 shared cores); serverCpuSecondsPerGiB does not.',
      };
    } finally {
      await server.stop();
    }
  } finally {
    await clamd.stop();
    await database.close();
    await rm(work, { recursive: true, force: true });
    await rm(pgDir, { recursive: true, force: true });
  }
}
