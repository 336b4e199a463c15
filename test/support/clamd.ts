/**
 * A real ClamAV clamd for tests, started by scripts/start-clamd.sh on a unix socket in a temporary directory,
 * with a signature database this helper writes: a marker string and the EICAR test string as custom
 * signatures (no freshclam download is needed). Fails with the install command if clamd is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** Bytes that the test signature database flags (besides EICAR). */
export const MALWARE_MARKER = 'ANXIN-MALWARE-TEST-MARKER-7f3e9c';
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface TestClamd {
  /** The value for ANXIN_CLAMD. */
  address: string;
  stop(): Promise<void>;
}

export async function startClamd(): Promise<TestClamd> {
  if (
    !existsSync('/usr/sbin/clamd') &&
    !(await run('sh', ['-c', 'command -v clamd']).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error('clamd is not installed. Run:  apt-get install -y clamav-daemon clamav');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-clamd-'));
  await mkdir(path.join(dir, 'db'));
  const ndb = [
    `Anxin.Test.Marker:0:*:${Buffer.from(MALWARE_MARKER).toString('hex')}`,
    `Anxin.Test.EICAR:0:*:${Buffer.from(EICAR).toString('hex')}`,
  ].join('\n');
  await writeFile(path.join(dir, 'db', 'anxin-test.ndb'), ndb + '\n');
  try {
    await run('bash', [path.join(root, 'scripts/start-clamd.sh'), dir], { timeout: 60_000 });
  } catch (error) {
    const log = await readFile(path.join(dir, 'clamd.out'), 'utf8').catch(() => '');
    throw new Error(
      `clamd did not start (scripts/start-clamd.sh ${dir}): ${(error as Error).message}\n${log}`,
      { cause: error },
    );
  }
  const pid = Number((await readFile(path.join(dir, 'clamd.pid.launch'), 'utf8')).trim());
  return {
    address: `unix:${path.join(dir, 'clamd.sock')}`,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
