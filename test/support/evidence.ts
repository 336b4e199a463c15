/** Helpers for evidence tests: tus uploads with tus-js-client (Node), and files on disk that hold a marker. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Upload } from 'tus-js-client';

export const PLAINTEXT_MARKER = 'ANXIN-PLAINTEXT-MARKER-5b1d2e';
/** The start of an MP4 file (an `ftyp` box), enough for `file-type` to identify video/mp4. */
export const MP4_HEADER = Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex');

/** Write `size` bytes: a header, then random data with the marker every MiB; returns the SHA-256. */
export async function writeMarkedFile(
  file: string,
  size: number,
  header: Buffer = MP4_HEADER,
): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    let written = 0;
    const MiB = 1024 * 1024;
    while (written < size) {
      const block = randomBytes(Math.min(MiB, size - written));
      if (written === 0) header.copy(block, 0, 0, Math.min(header.length, block.length));
      const at = written === 0 ? header.length + 16 : 16;
      if (block.length > at + PLAINTEXT_MARKER.length) block.write(PLAINTEXT_MARKER, at);
      hash.update(block);
      await handle.write(block);
      written += block.length;
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export interface TusResult {
  url: string | null;
  evidenceId: string | undefined;
  /** How long the server's completion pass (hash, type, scan, re-encryption) took. */
  checkMs?: number;
  error?: { status: number; body: { error?: { code: string; message: string } } | string };
}

/** Upload a file or buffer with tus-js-client; resolves with the result or the refusal. */
export function tusUpload(
  endpoint: string,
  input: Buffer | string,
  options: {
    grant: string;
    metadata?: Record<string, string>;
    chunkSize?: number;
    retryDelays?: number[];
    language?: string;
    onProgress?: (sent: number, total: number) => void;
  },
): Promise<TusResult> {
  return new Promise((resolve) => {
    const isPath = typeof input === 'string';
    let evidenceId: string | undefined;
    let checkMs: number | undefined;
    const upload: Upload = new Upload(isPath ? createReadStream(input) : input, {
      endpoint,
      headers: { 'Anxin-Upload-Grant': options.grant, 'Accept-Language': options.language ?? 'zh-CN' },
      metadata: options.metadata ?? {
        filename: 'evidence.mp4',
        filetype: 'video/mp4',
        evidenceType: 'audio_visual',
      },
      chunkSize: options.chunkSize ?? Number.POSITIVE_INFINITY,
      retryDelays: options.retryDelays ?? [0, 100, 300, 600, 1000, 1000, 1000, 2000, 2000, 2000],
      removeFingerprintOnSuccess: true,
      storeFingerprintForResuming: false,
      onProgress: options.onProgress,
      onAfterResponse: (_req, res) => {
        const id = res.getHeader('Anxin-Evidence-Id');
        if (id) evidenceId = id;
        const ms = res.getHeader('Anxin-Evidence-Check-Ms');
        if (ms) checkMs = Number(ms);
      },
      onSuccess: () => resolve({ url: upload.url, evidenceId, checkMs }),
      onError: (error) => {
        const res = (error as { originalResponse?: { getStatus(): number; getBody(): string } })
          .originalResponse;
        let body: TusResult['error'] extends infer E ? (E extends { body: infer B } ? B : never) : never = '';
        try {
          body = res ? (JSON.parse(res.getBody()) as typeof body) : String(error);
        } catch {
          body = res?.getBody() ?? String(error);
        }
        resolve({ url: upload.url, evidenceId, error: { status: res?.getStatus() ?? 0, body } });
      },
    });
    upload.start();
  });
}

/** Every file under a directory (recursively), with its size. */
export async function filesUnder(dir: string): Promise<{ file: string; size: number }[]> {
  const out: { file: string; size: number }[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push({ file: p, size: (await stat(p)).size });
    }
  };
  await walk(dir);
  return out;
}

/** True when any file under `dir` contains `needle` (read in overlapping blocks; memory stays small). */
export async function anyFileContains(dir: string, needle: string): Promise<string | undefined> {
  const target = Buffer.from(needle);
  for (const { file } of await filesUnder(dir)) {
    const handle = await open(file, 'r');
    try {
      const block = Buffer.alloc(4 * 1024 * 1024 + target.length);
      let position = 0;
      for (;;) {
        const { bytesRead } = await handle.read(block, 0, block.length, position);
        if (bytesRead === 0) break;
        if (block.subarray(0, bytesRead).includes(target)) return file;
        if (bytesRead < block.length) break;
        position += bytesRead - target.length;
      }
    } finally {
      await handle.close();
    }
  }
  return undefined;
}

export async function sha256OfFile(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/**
 * SQL naming every object key a stored item owns: its segments (items since migration 0023), or its one
 * object (items stored before), and its preview.
 */
export const ITEM_OBJECT_KEYS_SQL = `select object_key as key from evidence_item_segment
  union all select object_key from evidence_item where object_key not like 'uploads/%'
  union all select preview_key from evidence_item where preview_key is not null`;
