/**
 * The README's way (issue 17): `npm start` in a fresh data directory with free ports and nothing else set, then
 * a survivor files a help request, opens her thread, records an incident and sends a photo through the tus API
 * as her client does — it is received (today's bug: 503 "暂时无法检查文件安全", because the default scanner
 * address did not exist). Then the same data directory started with a scanner address where nothing answers:
 * the photo is still received and listed as awaiting check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, fileHelpRequest, openThread, post, send } from '../crash/http.ts';
import { tusUpload } from '../support/evidence.ts';
import { freePort } from '../support/processes.ts';

const root = path.resolve(import.meta.dirname, '../..');
const running: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of running) await stop(child);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** `npm start` exactly as the README gives it, in its own process group (npm, then the server it runs). */
async function npmStart(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  let output = '';
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('ANXIN_') && !['DATABASE_URL', 'NODE_ENV', 'PORT', 'HOST'].includes(name),
    ),
  );
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...clean, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { child, base, output: () => output };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // the group is gone already
  }
  await exited;
  // npm may exit before the server it started has finished stopping (and stopped its PostgreSQL): wait for the
  // whole group to be gone before the data directory is removed.
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Everything her phone does, through the public API: request, thread, incident, tus upload. */
async function sendPhoto(
  base: string,
  photo: Buffer,
): Promise<{ id: string; scanState: string; sha256: string }> {
  const survivor = await fileHelpRequest(base);
  expect(survivor, 'help request not filed').toBeDefined();
  if (!survivor) throw new Error('unreachable');
  const thread = await openThread(base, survivor);
  if (!('token' in thread)) throw new Error(`thread did not open: ${thread.status}`);
  const entry = await post(
    base,
    '/api/help/thread/journal',
    { incidentDate: '2026-11-02', evidenceType: 'injury_assessment', description: '手臂淤青' },
    bearer(thread.token, survivor),
  );
  expect(entry.status).toBe(201);
  const { upload } = (await entry.json()) as { upload: { token: string; endpoint: string } };
  const result = await tusUpload(base + upload.endpoint, photo, {
    grant: upload.token,
    metadata: { filename: 'arm.png', filetype: 'image/png', evidenceType: 'injury_assessment' },
  });
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  const list = await send(base, 'GET', '/api/help/thread/journal', undefined, bearer(thread.token, survivor));
  const items = (
    (await list.json()) as { entries: { items: { id: string; scanState: string; sha256: string }[] }[] }
  ).entries.flatMap((e) => e.items);
  const item = items.find((i) => i.id === result.evidenceId);
  if (!item) throw new Error('the received photo is not listed');
  return item;
}

describe('npm start, then a photo', () => {
  it(
    'receives her photo on the default start, and keeps it awaiting check when no scanner answers',
    { timeout: 600_000 },
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-npm-start-'));
      dirs.push(dataDir);
      const env = { ANXIN_DATA_DIR: dataDir, ANXIN_EMBEDDED_PG_PORT: String(await freePort()) };
      const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a53' } })
        .png()
        .toBuffer();
      const sha256 = createHash('sha256').update(photo).digest('hex');

      const first = await npmStart(env);
      const ready = (await (await fetch(`${first.base}/readyz`)).json()) as {
        details: { scanner: { scanner: string; answering: boolean } };
      };
      const received = await sendPhoto(first.base, photo);
      expect(received.sha256).toBe(sha256);
      // The embedded default: checked at once where its clamd answers (signatures installed), else awaiting check.
      expect(received.scanState).toBe(ready.details.scanner.answering ? 'clean' : 'pending');
      expect(first.output()).toMatch(/malware scanner (answering|not answering)/);
      await stop(first.child);

      const nowhere = path.join(dataDir, 'no-clamd-here.sock');
      const second = await npmStart({ ...env, ANXIN_CLAMD: `unix:${nowhere}` });
      const readyz = (await (await fetch(`${second.base}/readyz`)).json()) as {
        status: string;
        details: { scanner: { answering: boolean } };
      };
      expect(readyz.status).toBe('ready');
      expect(readyz.details.scanner.answering).toBe(false);
      const kept = await sendPhoto(second.base, photo);
      expect(kept).toMatchObject({ scanState: 'pending', sha256 });
      await stop(second.child);
    },
  );
});
