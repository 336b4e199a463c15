/**
 * Reading an item's stored bytes: the whole file (download, bundle, scan job, preview) or a byte range (a
 * viewer seeking in a video), decrypting only the frames the range covers.
 *
 * An item is stored as one or more encrypted objects ("parts"), each made by `Keyring.encryptStream` under
 * its own data key and context: the upload's segments as they were received (items since migration 0023:
 * `evidence_item_segment`, context `evidence.segment:<upload>:<idx>`), or one object (items stored before,
 * context `evidence.item:<id>`). Every frame of a part but its last holds exactly 64 KiB, so the frames of a
 * range are found from the recorded plaintext sizes alone. The frame index and the last-frame flag are in
 * each frame's AAD and the segment index in its context: a part or frame moved, changed, dropped, cut short
 * or extended fails to decrypt, in a range read as in a full one.
 */
import { Readable } from 'node:stream';
import {
  decryptFrameRange,
  DecryptionError,
  FILE_HEADER_BYTES,
  frameCount,
  frameOffset,
  FRAME_BYTES,
  type Keyring,
} from '../../platform/crypto.ts';
import type { Db } from '../../db/database.ts';
import type { EvidenceStorage } from './storage/index.ts';

export interface StoredPart {
  key: string;
  context: string;
  plainBytes: number;
}

const segmentContextOf = (uploadId: string, idx: number): string => `evidence.segment:${uploadId}:${idx}`;

/** The parts an item is stored as, in order. */
export async function itemParts(
  db: Db,
  row: { id: string; upload_id: string; object_key: string; size: string | number },
): Promise<StoredPart[]> {
  const segments = await db
    .selectFrom('evidence_item_segment')
    .select(['idx', 'object_key', 'plain_bytes'])
    .where('evidence_id', '=', row.id)
    .orderBy('idx')
    .execute();
  if (segments.length === 0)
    return [{ key: row.object_key, context: `evidence.item:${row.id}`, plainBytes: Number(row.size) }];
  return segments.map((s) => ({
    key: s.object_key,
    context: segmentContextOf(row.upload_id, s.idx),
    plainBytes: Number(s.plain_bytes),
  }));
}

/** The whole plaintext of parts, in order; fails when any part does not decrypt to its recorded size. */
export function readParts(storage: EvidenceStorage, keyring: Keyring, parts: StoredPart[]): Readable {
  async function* plaintext(): AsyncGenerator<Buffer> {
    for (const part of parts) {
      const stored = await storage.get(part.key);
      const decrypted = stored.pipe(keyring.decryptStream(part.context));
      stored.on('error', (error) => decrypted.destroy(error));
      let bytes = 0;
      try {
        for await (const chunk of decrypted as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          yield chunk;
        }
      } finally {
        // A reader that stopped early (a client that went away) closes the object too.
        stored.destroy();
      }
      if (bytes !== part.plainBytes)
        throw new DecryptionError('A stored part does not hold its recorded size');
    }
  }
  return Readable.from(plaintext(), { objectMode: false });
}

/**
 * Plaintext bytes `start` … `end` (inclusive) of parts: for each part the range touches, its header and the
 * frames covering the range are read (the part's last frame to the object's end, so bytes appended to it are
 * noticed), decrypted, and trimmed to the range.
 */
export function readPartsRange(
  storage: EvidenceStorage,
  keyring: Keyring,
  parts: StoredPart[],
  start: number,
  end: number,
): Readable {
  async function* plaintext(): AsyncGenerator<Buffer> {
    let partStart = 0;
    for (const part of parts) {
      const partEnd = partStart + part.plainBytes - 1;
      if (partEnd < start || partStart > end) {
        partStart += part.plainBytes;
        continue;
      }
      const from = Math.max(start, partStart) - partStart;
      const to = Math.min(end, partEnd) - partStart;
      const first = Math.floor(from / FRAME_BYTES);
      const last = Math.floor(to / FRAME_BYTES);
      const final = frameCount(part.plainBytes) - 1;
      const [header, frames] = await Promise.all([
        storage.getRange(part.key, 0, FILE_HEADER_BYTES - 1),
        storage.getRange(
          part.key,
          frameOffset(first),
          last === final ? undefined : frameOffset(last + 1) - 1,
        ),
      ]);
      const decrypt = decryptFrameRange(keyring, part.context, first, last, final);
      const feed = (async () => {
        for await (const chunk of header as AsyncIterable<Buffer>) decrypt.write(chunk);
        for await (const chunk of frames as AsyncIterable<Buffer>)
          if (!decrypt.write(chunk)) await new Promise((resolve) => decrypt.once('drain', resolve));
        decrypt.end();
      })().catch((error: unknown) => decrypt.destroy(error as Error));
      let skip = from - first * FRAME_BYTES;
      let left = to - from + 1;
      try {
        for await (const chunk of decrypt as AsyncIterable<Buffer>) {
          let piece = chunk;
          if (skip > 0) {
            const cut = Math.min(skip, piece.length);
            piece = piece.subarray(cut);
            skip -= cut;
          }
          if (piece.length > left) piece = piece.subarray(0, left);
          left -= piece.length;
          if (piece.length) yield piece;
        }
      } finally {
        // A viewer that seeks again drops this read: its objects are closed, not left to the GC.
        header.destroy();
        frames.destroy();
      }
      await feed;
      if (left !== 0) throw new DecryptionError('The stored file is shorter than recorded');
      partStart += part.plainBytes;
    }
  }
  return Readable.from(plaintext(), { objectMode: false });
}

/**
 * A `Range` header against a file of `size` bytes: the one range asked for (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`), `undefined` when there is no usable header (the whole file is sent), or `unsatisfiable`.
 * Several ranges in one header are answered with the whole file (allowed by RFC 9110).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match)
    return header.trim().startsWith('bytes=') && !header.includes(',') ? 'unsatisfiable' : undefined;
  const [, a = '', b = ''] = match;
  if (a === '' && b === '') return 'unsatisfiable';
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end };
}
