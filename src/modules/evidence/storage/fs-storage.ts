/**
 * Evidence objects as files under `<dataDir>/evidence`. A put streams into a temporary file in the same
 * directory, fsyncs it, renames it into place and fsyncs the directory: after `put` resolves, the object
 * survives a crash; before, nothing but the temporary file exists, and it is removed on any failure.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, ObjectNotFoundError, type EvidenceStorage } from './storage.ts';

export class FsStorage implements EvidenceStorage {
  readonly kind = 'fs' as const;

  constructor(readonly root: string) {}

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const target = this.file(key);
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.tmp-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 });
      await pipeline(body, count, out);
      const handle = await open(temp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      await syncDirectory(dir);
      return { bytes };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new ObjectNotFoundError(key) : error;
    });
    return createReadStream('', { fd: handle, highWaterMark: 256 * 1024 });
  }

  async getRange(key: string, start: number, end: number | undefined): Promise<Readable> {
    const file = this.file(key);
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new ObjectNotFoundError(key) : error;
    });
    return createReadStream('', {
      fd: handle,
      start,
      ...(end === undefined ? {} : { end }),
      highWaterMark: 256 * 1024,
    });
  }

  async delete(key: string): Promise<void> {
    await unlink(this.file(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await this.pruneEmpty(path.dirname(this.file(key)));
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of await this.list(prefix)) await this.delete(key);
    const trimmed = prefix.replace(/\/$/, '');
    if (/^[a-z]+(\/[A-Za-z0-9._-]+)+$/.test(trimmed)) {
      // Leftover temporary files of an interrupted put under this prefix go too.
      await rm(this.file(trimmed), { recursive: true, force: true });
      await this.pruneEmpty(path.dirname(this.file(trimmed)));
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), key);
        else if (!entry.name.startsWith('.tmp-') && key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(this.root, '');
    return keys.sort();
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** Remove empty directories up to (not including) the root, so deleted uploads leave no trace. */
  private async pruneEmpty(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + path.sep)) {
      try {
        if ((await readdir(current)).length > 0) return;
        await rmdir(current);
      } catch {
        return;
      }
      current = path.dirname(current);
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
