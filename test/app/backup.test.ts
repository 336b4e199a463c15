/**
 * Backup and restore round trip: a populated instance is backed up (encrypted), restored into a new empty
 * database, and every record and every file hash compared. The CLI refuses to restore over an instance in use.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { createBackup, restoreBackup, type BackupFileSource } from '../../src/platform/backup.ts';
import { Keyring } from '../../src/platform/crypto.ts';
import { addToOutbox } from '../../src/platform/jobs.ts';
import { firstDifferingRows, storedDataFingerprint } from '../support/fuzz.ts';
import { createEmptyDatabase, createTestApp, type TestApp } from '../support/test-app.ts';

const root = path.resolve(import.meta.dirname, '../..');
let t: TestApp;
let dir: string;

/** A directory of files, as a store a module would register. */
function directorySource(base: string): BackupFileSource {
  return {
    name: 'test-files',
    async *list() {
      for (const name of (await readdir(base)).sort()) yield { key: name };
    },
    read: async (key) => createReadStream(path.join(base, key)),
    write: async (key, body: Readable) => {
      await mkdir(base, { recursive: true });
      await pipeline(body, createWriteStream(path.join(base, key)));
    },
  };
}

async function hashes(base: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(base)).sort())
    out[name] = createHash('sha256')
      .update(await readFile(path.join(base, name)))
      .digest('hex');
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-backup-'));
  // Populate: work in the outbox (some dispatched) and files of several sizes.
  for (let i = 0; i < 1_200; i += 1) await addToOutbox(t.db, 'test.backup', { n: i, note: `记录 ${i}` });
  await mkdir(path.join(dir, 'files'));
  for (const size of [0, 10, 100_000, 3 * 1024 * 1024 + 7]) {
    await pipeline(
      Readable.from([randomBytes(size)]),
      createWriteStream(path.join(dir, 'files', `file-${size}.bin`)),
    );
  }
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SKIP = {
  rate_limit_counter: 'transient',
  guess_throttle: 'transient',
  proof_of_work_spent: 'transient',
  kysely_migration_lock: 'transient',
  kysely_migration: 'when the target ran its migrations (names are checked by restore)',
};

describe('backup and restore', () => {
  it('round-trips every record and every file, encrypted at rest', async () => {
    const file = path.join(dir, 'anxin.backup');
    const summary = await createBackup(t.databaseUrl, t.keyring, file, [
      directorySource(path.join(dir, 'files')),
    ]);
    expect(summary.rows).toBeGreaterThanOrEqual(1_200);
    expect(summary.files).toBe(4);
    const raw = await readFile(file);
    expect(raw.includes(Buffer.from('记录'))).toBe(false);
    expect(raw.includes(Buffer.from('test.backup'))).toBe(false);

    const target = await createEmptyDatabase();
    try {
      const handle = connectDatabase(target.url, { max: 2 });
      await migrateToLatest(handle.db);
      await handle.close();
      const restored = await restoreBackup(target.url, t.keyring, file, [
        directorySource(path.join(dir, 'restored')),
      ]);
      expect(restored.rows).toBe(summary.rows);
      // On a mismatch, name the first differing outbox rows (a once-seen mismatch under heavy load is being traced).
      expect(
        await storedDataFingerprint(target.url, SKIP),
        (await firstDifferingRows(t.databaseUrl, target.url, 'outbox')).join('\n'),
      ).toBe(await storedDataFingerprint(t.databaseUrl, SKIP));
      expect(await hashes(path.join(dir, 'restored'))).toEqual(await hashes(path.join(dir, 'files')));
      // Ids continue after the restored ones.
      const next = connectDatabase(target.url, { max: 1 });
      const id = await addToOutbox(next.db, 'test.backup', { n: 'after' });
      await next.close();
      expect(Number(id)).toBeGreaterThan(1_200);
    } finally {
      await target.drop();
    }
  });

  it('refuses a backup under another master key, and leaves the target untouched', async () => {
    const file = path.join(dir, 'other.backup');
    await createBackup(t.databaseUrl, t.keyring, file);
    const target = await createEmptyDatabase();
    try {
      const handle = connectDatabase(target.url, { max: 2 });
      await migrateToLatest(handle.db);
      await handle.close();
      const before = await storedDataFingerprint(target.url, SKIP);
      await expect(restoreBackup(target.url, new Keyring(randomBytes(32)), file)).rejects.toThrow(
        /different master key/,
      );
      expect(await storedDataFingerprint(target.url, SKIP)).toBe(before);
    } finally {
      await target.drop();
    }
  });

  it('via the CLI: backs up, restores into a new database, refuses one in use', async () => {
    const file = path.join(dir, 'cli.backup');
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      ANXIN_MASTER_KEY: t.config.masterKey ?? '',
      ANXIN_DATA_DIR: dir,
    };
    const cli = (args: string[], databaseUrl: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: root,
        env: { ...env, DATABASE_URL: databaseUrl },
        encoding: 'utf8',
      });
    const backup = cli(['backup', '--out', file], t.databaseUrl);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backup written to .*: \d+ tables, \d+ rows/);

    const refused = cli(['restore', '--in', file], t.databaseUrl);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('already holds Anxin data');

    const target = await createEmptyDatabase();
    try {
      const restored = cli(['restore', '--in', file], target.url);
      expect(restored.status, restored.stderr).toBe(0);
      expect(await storedDataFingerprint(target.url, SKIP)).toBe(
        await storedDataFingerprint(t.databaseUrl, SKIP),
      );
    } finally {
      await target.drop();
    }
  });
});
