/**
 * The clamd the app runs itself (`Clamd`, used by the embedded default): it answers once started; killed, it is
 * restarted; a clamd left by a process killed with SIGKILL is stopped before a new one starts on the same
 * directory; `stop()` ends it. It cannot start → it says why at once (no signatures; a directory the clamav
 * user cannot enter, as when TMPDIR was outside /tmp), and the tests' own clamd fails fast with that cause.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Clamd } from '../../src/modules/evidence/clamd.ts';
import { ClamdScanner } from '../../src/modules/evidence/scanner.ts';
import { MALWARE_MARKER, startClamd } from '../support/clamd.ts';

const dirs: string[] = [];
const running: Clamd[] = [];
afterAll(async () => {
  for (const c of running) await c.stop().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function place(): Promise<{ dir: string; db: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-clamd-sup-'));
  dirs.push(dir);
  const db = path.join(dir, 'db');
  await mkdir(db);
  await writeFile(
    path.join(db, 'anxin-test.ndb'),
    `Anxin.Test.Marker:0:*:${Buffer.from(MALWARE_MARKER).toString('hex')}\n`,
  );
  return { dir, db };
}

const answers = (socket: string) =>
  new ClamdScanner({ kind: 'unix', path: socket }, 5_000).ping().then(
    () => true,
    () => false,
  );
const alive = (pid: number | undefined) => pid !== undefined && existsSync(`/proc/${pid}`);
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

describe('the app’s own clamd', () => {
  it('is restarted when it dies and stopped on stop()', { timeout: 120_000 }, async () => {
    const { dir, db } = await place();
    const clamd = new Clamd({ dir: path.join(dir, 'clamd'), databaseDir: db });
    running.push(clamd);
    clamd.supervise();
    await until(() => clamd.pid !== undefined && answers(clamd.socket));
    const first = clamd.pid;
    process.kill(first ?? 0, 'SIGKILL');
    await until(async () => clamd.pid !== undefined && clamd.pid !== first && (await answers(clamd.socket)));
    const second = clamd.pid;
    await clamd.stop();
    expect(alive(second)).toBe(false);
  });

  it(
    'stops a clamd an earlier (killed) process left on the same directory before starting',
    { timeout: 120_000 },
    async () => {
      const { dir, db } = await place();
      const orphan = new Clamd({ dir: path.join(dir, 'clamd'), databaseDir: db });
      running.push(orphan);
      await orphan.start();
      const orphanPid = orphan.pid;
      const next = new Clamd({ dir: path.join(dir, 'clamd'), databaseDir: db });
      running.push(next);
      await next.start();
      expect(alive(orphanPid)).toBe(false);
      expect(await answers(next.socket)).toBe(true);
      await next.stop();
    },
  );

  it('says at once why it cannot start: no signatures', async () => {
    const { dir } = await place();
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    await expect(new Clamd({ dir: path.join(dir, 'clamd'), databaseDir: empty }).start()).rejects.toThrow(
      /no ClamAV signatures in .*freshclam/,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    'the tests’ clamd fails fast with its cause when TMPDIR is a directory the clamav user cannot enter',
    async () => {
      const locked = await mkdtemp(path.join(os.tmpdir(), 'anxin-locked-'));
      dirs.push(locked);
      await chmod(locked, 0o700);
      const before = process.env.TMPDIR;
      process.env.TMPDIR = path.join(locked, 'tmp');
      await mkdir(process.env.TMPDIR);
      try {
        await expect(startClamd()).rejects.toThrow(new RegExp(`cannot enter ${locked}`));
      } finally {
        if (before === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = before;
      }
    },
  );
});
