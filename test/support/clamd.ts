/**
 * A real ClamAV clamd for tests: the app's own `Clamd` (src/modules/evidence/clamd.ts — the same config and scan
 * limits as the embedded default) on a unix socket in a temporary directory, with a signature database this
 * helper writes: a marker string and the EICAR test string as custom signatures (no freshclam download is
 * needed). Fails at once with the cause when clamd cannot start (not installed, a directory the clamav user
 * cannot reach, clamd's own last words) — never a helper that returns while no scanner answers.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Clamd } from '../../src/modules/evidence/clamd.ts';
import { ClamdScanner } from '../../src/modules/evidence/scanner.ts';

/** Bytes that the test signature database flags (besides EICAR). */
export const MALWARE_MARKER = 'ANXIN-MALWARE-TEST-MARKER-7f3e9c';
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface TestClamd {
  /** The value for ANXIN_CLAMD. */
  address: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** A directory for a clamd started later (`startClamd({ dir })`), and the ANXIN_CLAMD address it will answer on. */
export async function clamdPlace(): Promise<{ dir: string; address: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-clamd-'));
  return { dir, address: `unix:${path.join(dir, 'clamd', 'clamd.sock')}` };
}

export async function startClamd(options: { dir?: string } = {}): Promise<TestClamd> {
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'anxin-clamd-')));
  const db = path.join(dir, 'db');
  await mkdir(db, { recursive: true });
  const ndb = [
    `Anxin.Test.Marker:0:*:${Buffer.from(MALWARE_MARKER).toString('hex')}`,
    `Anxin.Test.EICAR:0:*:${Buffer.from(EICAR).toString('hex')}`,
  ].join('\n');
  await writeFile(path.join(db, 'anxin-test.ndb'), ndb + '\n');
  const clamd = new Clamd({ dir: path.join(dir, 'clamd'), databaseDir: db });
  try {
    await clamd.start();
    // It answers PING: check it also scans (a clean stream) before any test relies on it.
    const session = await new ClamdScanner({ kind: 'unix', path: clamd.socket }).start();
    await session.write(Buffer.from('anxin clamd check'));
    const verdict = await session.finish();
    if (!verdict.clean) throw new Error(`clamd flagged a clean stream: ${verdict.signature}`);
  } catch (error) {
    await clamd.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`The tests' clamd did not start in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    address: clamd.address,
    pid: clamd.pid,
    stop: async () => {
      await clamd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
