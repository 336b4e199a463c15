/**
 * A tus data store that encrypts as the bytes arrive and never lets plaintext reach disk or object storage.
 *
 * Each PATCH body is cut into segments of at most SEGMENT_BYTES. On its way to the cipher every chunk also goes
 * through the upload's pass (SHA-256, type sample, clamd INSTREAM: upload-pass.ts), so completion reads no
 * bytes and writes none: the segments become the item's object as they are (evidence_item_segment). A segment is encrypted with
 * `Keyring.encryptStream` under its own data key and context (`evidence.segment:<upload>:<index>`, so segments
 * cannot be swapped or reordered), stored with `EvidenceStorage.put` (fsync + rename for files, a complete PUT
 * for S3), and only then recorded in `evidence_upload_segment` together with the new offset, in one
 * transaction. The offset a client sees (HEAD, PATCH response) is therefore always a sum of durable,
 * encrypted segments. When a connection drops, @tus/server ends the body stream gracefully and the bytes
 * received so far become the last segment: a resumed upload re-sends only what never arrived.
 * Upload state (owner, sealed metadata, offset) lives in PostgreSQL, so any app process can resume it.
 * @tus/server's lock (MemoryLocker) only orders requests within one process; across processes the offset
 * check in the commit transaction does: of two requests writing from the same offset, one commits and the
 * other is answered 409 (the tus client asks for the offset again), its segment removed.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import type { EvidenceStorage } from './storage/index.ts';
import type { UploadPasses } from './upload-pass.ts';

/**
 * Plaintext bytes per segment. Object storage: 127 frames of 64 KiB, so an encrypted segment fits in one
 * 8 MiB S3 part (a put holds at most one part in memory). Files: 64 MiB, so a large upload costs few fsyncs;
 * a segment interrupted by a dropped connection is still committed with the bytes that arrived, so this only
 * bounds what a server crash (not a network cut) can make the client send again.
 */
export const SEGMENT_BYTES = 127 * 64 * 1024;
export const FS_SEGMENT_BYTES = 1024 * 64 * 1024;
/** An unfinished upload is kept this long after it was created, then swept away. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;

/** @tus/server answers `{ status_code, body }`; wrapped in an Error so stacks and lint rules work. */
export function tusError(error: {
  status_code: number;
  body: string;
}): Error & { status_code: number; body: string } {
  return Object.assign(new Error(error.body.trim()), { status_code: error.status_code, body: error.body });
}

export const segmentContext = (uploadId: string, idx: number): string =>
  `evidence.segment:${uploadId}:${idx}`;
export const uploadPrefix = (uploadId: string): string => `uploads/${uploadId}/`;

/** What `onUploadCreate` puts in the upload's metadata for `create` (never sent back to the client). */
export interface NewUploadRecord {
  ownerRef: string;
  uploadedBy: string;
  journalEntryId: string | null;
  evidenceType: string;
  incidentDate: string | null;
  locale: string;
  meta: { filename: string; claimedType: string; description: string };
}
export const RECORD_KEY = 'anxin-record';

export class EncryptedDataStore extends DataStore {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly storage: EvidenceStorage,
    /** Runs inside the creating transaction (quota checks); throw to refuse. */
    private readonly beforeCreate: (
      trx: Transaction<Database>,
      record: NewUploadRecord,
      size: number,
    ) => Promise<void>,
    private readonly sweep: () => Promise<number>,
    /** Finish an upload whose completion pass died with its process (see EvidenceService.recoverUpload). */
    private readonly recover: (id: string) => Promise<boolean>,
    /** The live pass (hash, type sample, scan) each upload's bytes go through as they arrive. */
    private readonly passes: UploadPasses,
    private readonly segmentBytes = storage.kind === 'fs' ? FS_SEGMENT_BYTES : SEGMENT_BYTES,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const raw = upload.metadata?.[RECORD_KEY];
    if (!raw || upload.size === undefined) throw tusError(ERRORS.INVALID_LENGTH);
    const record = JSON.parse(raw) as NewUploadRecord;
    const now = new Date();
    await this.db.transaction().execute(async (trx) => {
      await this.beforeCreate(trx, record, upload.size ?? 0);
      await trx
        .insertInto('evidence_upload')
        .values({
          id: upload.id,
          owner_ref: record.ownerRef,
          uploaded_by: record.uploadedBy,
          journal_entry_id: record.journalEntryId,
          size: upload.size ?? 0,
          meta: this.keyring.seal(
            Buffer.from(JSON.stringify(record.meta)),
            `evidence_upload.meta:${upload.id}`,
          ),
          evidence_type: record.evidenceType,
          incident_date: record.incidentDate,
          locale: record.locale,
          expires_at: new Date(now.getTime() + UPLOAD_EXPIRY_MS),
        })
        .execute();
    });
    upload.creation_date = now.toISOString();
    upload.metadata = {};
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw tusError(ERRORS.FILE_NOT_FOUND);
    const read = () =>
      this.db
        .selectFrom('evidence_upload')
        .select(['id', 'size', 'received', 'state', 'created_at'])
        .where('id', '=', id)
        .executeTakeFirst();
    let row = await read();
    // Every byte is stored but the completion pass did not run to its end (its process died): a client
    // asking now would be told the upload is complete, so finish it before answering.
    if (row && Number(row.size) > 0 && Number(row.received) === Number(row.size) && (await this.recover(id)))
      row = await read();
    if (row)
      return new Upload({
        id,
        size: Number(row.size),
        offset: Number(row.received),
        creation_date: row.created_at.toISOString(),
      });
    // A finished upload (now an evidence item) reports itself complete, so a client that lost the answer
    // to its last PATCH learns on resuming that nothing is left to send.
    const item = await this.db
      .selectFrom('evidence_item')
      .select(['size', 'uploaded_at'])
      .where('upload_id', '=', id)
      .executeTakeFirst();
    if (!item) throw tusError(ERRORS.FILE_NOT_FOUND);
    return new Upload({
      id,
      size: Number(item.size),
      offset: Number(item.size),
      creation_date: item.uploaded_at.toISOString(),
    });
  }

  override async write(source: Readable, id: string, offset: number): Promise<number> {
    const row = await this.db
      .selectFrom('evidence_upload')
      .select(['received', 'size', 'state'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw tusError(ERRORS.FILE_NOT_FOUND);
    let received = Number(row.received);
    if (row.state !== 'receiving' || received !== offset) throw tusError(ERRORS.INVALID_OFFSET);
    const last = await this.db
      .selectFrom('evidence_upload_segment')
      .select(sql<number>`coalesce(max(idx) + 1, 0)`.as('next'))
      .where('upload_id', '=', id)
      .executeTakeFirstOrThrow();
    let idx = Number(last.next);
    // The same bytes are hashed, sampled and scanned as they are encrypted (see upload-pass.ts).
    const pass = await this.passes.forOffset(id, received);

    const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let carry: Buffer | undefined;
    const nextChunk = async (): Promise<Buffer | undefined> => {
      if (carry) {
        const chunk = carry;
        carry = undefined;
        return chunk;
      }
      for (;;) {
        const next = await iterator.next();
        if (next.done) return undefined;
        if (next.value.length > 0) return next.value;
      }
    };

    for (let first = await nextChunk(); first; first = await nextChunk()) {
      carry = first;
      let bytes = 0;
      const limit = this.segmentBytes;
      async function* segment(): AsyncGenerator<Buffer> {
        while (bytes < limit) {
          const chunk = await nextChunk();
          if (!chunk) return;
          const room = limit - bytes;
          if (chunk.length > room) {
            carry = chunk.subarray(room);
            bytes += room;
            await pass.feed(chunk.subarray(0, room));
            yield chunk.subarray(0, room);
            return;
          }
          bytes += chunk.length;
          await pass.feed(chunk);
          yield chunk;
        }
      }
      const key = `${uploadPrefix(id)}${String(idx).padStart(6, '0')}-${randomBytes(6).toString('hex')}`;
      const encrypted = Readable.from(segment()).pipe(this.keyring.encryptStream(segmentContext(id, idx)));
      const expected = received;
      try {
        await this.storage.put(key, encrypted);
      } catch (error) {
        pass.broken = true;
        // With several app processes the in-memory tus lock holds only within one process: a client whose
        // connection to this process went silent may have resumed on another, which finished the upload and
        // removed its directory (this put's temporary file with it) while this request was still open. That
        // request is merely stale: answer as for a refused commit, not as a storage failure.
        if (await this.movedOn(id, expected)) {
          await this.storage.delete(key).catch(() => undefined);
          throw tusError(ERRORS.INVALID_OFFSET);
        }
        throw error;
      }
      const committed = await this.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('evidence_upload')
          .set({ received: sql`received + ${bytes}` })
          .where('id', '=', id)
          .where('received', '=', String(expected))
          .where('state', '=', 'receiving')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('evidence_upload_segment')
          .values({ upload_id: id, idx, object_key: key, plain_bytes: bytes })
          .execute();
        return true;
      });
      if (!committed) {
        pass.broken = true;
        // Another request moved the upload on (or it was cancelled): this segment was never acknowledged.
        await this.storage.delete(key);
        throw tusError(ERRORS.INVALID_OFFSET);
      }
      received += bytes;
      idx += 1;
    }
    return received;
  }

  /** True when the upload is no longer receiving at `offset` (another request moved it on, finished or removed it). */
  private async movedOn(id: string, offset: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('evidence_upload')
      .select(['received', 'state'])
      .where('id', '=', id)
      .executeTakeFirst();
    return !row || row.state !== 'receiving' || Number(row.received) !== offset;
  }

  override async remove(id: string): Promise<void> {
    const deleted = await this.db
      .deleteFrom('evidence_upload')
      .where('id', '=', id)
      .where('state', '=', 'receiving')
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw tusError(ERRORS.FILE_NOT_FOUND);
    this.passes.drop(id);
    await this.storage.deletePrefix(uploadPrefix(id));
  }

  override async deleteExpired(): Promise<number> {
    return this.sweep();
  }

  override getExpiration(): number {
    return UPLOAD_EXPIRY_MS;
  }
}
