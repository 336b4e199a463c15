/**
 * Evidence upload throughput: a 1 GiB file (64 MiB with BENCH_QUICK=1) sent with tus-js-client to a real
 * server process (embedded PostgreSQL, files store, real clamd), next to the raw disk write speed measured on
 * the same disk in the same run, and the server's peak memory (VmHWM) — which must not grow with the file.
 *
 * Figures: transfer (bytes received, encrypted and fsynced per segment), end to end (including the completion
 * pass: SHA-256, type check, ClamAV scan, re-encryption into the item's object), and the completion pass alone.
 */
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Keyring } from '../src/platform/crypto.ts';
import { signGrant } from '../src/modules/evidence/grant.ts';
import { startClamd } from '../test/support/clamd.ts';
import { tusUpload, writeMarkedFile } from '../test/support/evidence.ts';
import { startBenchServer } from './_support.ts';

const MiB = 1024 * 1024;

async function rawDiskWrite(dir: string, bytes: number): Promise<number> {
  const file = path.join(dir, 'raw-write.bin');
  const block = randomBytes(4 * MiB);
  const started = process.hrtime.bigint();
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length)
      await handle.write(block, 0, Math.min(block.length, bytes - written));
    await handle.sync();
  } finally {
    await handle.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(file, { force: true });
  return bytes / MiB / seconds;
}

/** CPU seconds (user + system) the process has used: a figure that does not depend on how busy the machine is. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function memory(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb('VmRSS') / 102.4) / 10, peakMiB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

export async function run(): Promise<Record<string, unknown>> {
  const quick = process.env.BENCH_QUICK === '1';
  const size = quick ? 64 * MiB : 1024 * MiB;
  const work = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-evidence-'));
  const clamd = await startClamd();
  const masterKey = randomBytes(32);
  const server = await startBenchServer({
    ANXIN_MASTER_KEY: masterKey.toString('base64'),
    ANXIN_CLAMD: clamd.address,
    ANXIN_EVIDENCE_MAX_FILE_MB: '2000',
    ANXIN_EVIDENCE_MAX_OWNER_MB: '4000',
  });
  try {
    const pid = server.child.pid!;
    const file = path.join(work, 'evidence.mp4');
    await writeMarkedFile(file, size);
    const rawMiBps = await rawDiskWrite(work, size);
    const before = await memory(pid);
    const grant = signGrant(new Keyring(masterKey).deriveKey('evidence-upload'), {
      ownerRef: 'bench:case',
      uploadedBy: 'bench',
      journalEntryId: null,
    });
    let peakRss = before.rssMiB;
    const poll = setInterval(() => {
      void memory(pid).then(
        (m) => (peakRss = Math.max(peakRss, m.rssMiB)),
        () => undefined,
      );
    }, 100);
    const cpuBefore = await cpuSeconds(pid);
    const loadBefore = os.loadavg()[0] ?? 0;
    const started = process.hrtime.bigint();
    const result = await tusUpload(`${server.url}/api/evidence/uploads`, file, {
      grant,
      chunkSize: 50 * MiB,
    });
    const ended = process.hrtime.bigint();
    clearInterval(poll);
    if (result.error) throw new Error(`upload failed: ${JSON.stringify(result.error)}`);
    const after = await memory(pid);
    const cpuUsed = (await cpuSeconds(pid)) - cpuBefore;
    const seconds = (a: bigint, b: bigint): number => Number(b - a) / 1e9;
    const totalSeconds = seconds(started, ended);
    // The server reports how long its completion pass took (Anxin-Evidence-Check-Ms on the last PATCH).
    const completionSeconds = (result.checkMs ?? 0) / 1000;
    const transferSeconds = totalSeconds - completionSeconds;
    const round = (n: number): number => Math.round(n * 10) / 10;
    return {
      fileMiB: size / MiB,
      rawDiskWriteMiBps: round(rawMiBps),
      uploadTransferMiBps: round(size / MiB / transferSeconds),
      uploadEndToEndMiBps: round(size / MiB / totalSeconds),
      completionPassSeconds: round(completionSeconds),
      transferVsRawDisk: Math.round((size / MiB / transferSeconds / rawMiBps) * 100) / 100,
      serverCpuSeconds: round(cpuUsed),
      serverCpuSecondsPerGiB: round((cpuUsed * 1024 * MiB) / size),
      machineLoadAverage: round(Math.max(loadBefore, os.loadavg()[0] ?? 0)),
      serverRssBeforeMiB: before.rssMiB,
      serverPeakRssDuringUploadMiB: round(Math.max(peakRss, after.rssMiB)),
      serverPeakRssLifetimeMiB: after.peakMiB,
      note: 'transfer = bytes received, encrypted (AES-256-GCM) and fsynced per 64 MiB segment; end to end adds SHA-256, type check, ClamAV scan (clamd, separate process) and re-encryption into one object. Wall-clock rates depend on machine load (see machineLoadAverage on 2 cores); serverCpuSecondsPerGiB does not.',
    };
  } finally {
    await server.stop();
    await clamd.stop();
    await rm(work, { recursive: true, force: true });
  }
}
