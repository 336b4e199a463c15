/**
 * The evidence vault's service: what the portal, the desk and other modules call. Owners are opaque
 * `owner_ref` strings (e.g. `help-case:<id>`); this module never interprets them.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyBaseLogger } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { EvidenceConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import type { Locale } from '../../platform/i18n/catalog.ts';
import { AppError } from '../../platform/errors.ts';
import type { EvidenceItemTable, ScanState } from './evidence.tables.ts';
import { appendCustody, readCustody, type CustodyAction, type CustodyEntry } from './custody.ts';
import {
  ALLOWED_MEDIA_TYPES,
  detectText,
  formatBytes,
  PREVIEW_MEDIA_TYPES,
  type EvidenceType,
} from './evidence.types.ts';
import { GRANT_TTL_MS, signGrant } from './grant.ts';
import { EvidenceRefusal } from './refusal.ts';
import { itemParts, readParts, readPartsRange, type StoredPart } from './evidence.read.ts';
import { ScanSlots, type MalwareScanner, type ScanVerdict } from './scanner.ts';
import { ObjectNotFoundError, type EvidenceStorage } from './storage/index.ts';
import { segmentContext, uploadPrefix } from './tus-store.ts';
import { UploadPasses, type UploadPass } from './upload-pass.ts';

export const DELETE_OBJECTS_TOPIC = 'evidence.delete-objects';
/** The malware check of an item stored while no scanner answered (payload: `{ evidenceId }`). */
export const SCAN_TOPIC = 'evidence.scan';
/** Scans one process runs at once (the upload's own pass and the scan job together). */
export const SCAN_SLOTS = 2;
/** How long completion waits for clamd's verdict before listing the item awaiting check (see upload-pass.ts). */
export const VERDICT_WAIT_MS = 3000;
/** When the scan job looks again at an item whose verdict was late (in case this process died meanwhile). */
const LATE_VERDICT_JOB_DELAY_MS = 15 * 60 * 1000;
const PREVIEW_PIXELS = 1024;

export const itemContext = (id: string): string => `evidence.item:${id}`;
export const previewContext = (id: string): string => `evidence.preview:${id}`;
export const itemPrefix = (id: string): string => `items/${id}/`;

/**
 * The item an upload becomes. Derived from the upload id, so a completion pass run again after a crash
 * writes the same object key (replacing what the dead pass left) and cannot leave an orphan behind.
 */
export function itemIdFor(uploadId: string): string {
  const h = createHash('sha256').update(`anxin-evidence-item\n${uploadId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface EvidenceItem {
  id: string;
  ownerRef: string;
  uploadedBy: string;
  journalEntryId: string | null;
  evidenceType: EvidenceType;
  incidentDate: string | null;
  filename: string;
  description: string;
  size: number;
  sha256: string;
  mediaType: string;
  extension: string;
  hasPreview: boolean;
  uploadedAt: string;
  /** `pending`: awaiting the malware check (only she sees it); `infected`: refused after a later check, bytes removed. */
  scanState: ScanState;
}

export interface UploadGrantResult {
  /** Send as the `Anxin-Upload-Grant` header on every tus request. */
  token: string;
  endpoint: string;
  expiresAt: string;
  maxFileBytes: number;
}

export class EvidenceService {
  /** Each upload's live pass (hash, type sample, scan) while its bytes arrive. */
  readonly passes: UploadPasses;
  /** Records a verdict that came after completion (set by the module: `Quarantine.scanItem`). */
  lateVerdict: (evidenceId: string, verdict: () => Promise<ScanVerdict | undefined>) => void = () =>
    undefined;
  /** How long completion waits for clamd's verdict (VERDICT_WAIT_MS; tests shorten it). */
  verdictWaitMs = VERDICT_WAIT_MS;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    readonly storage: EvidenceStorage,
    readonly scanner: MalwareScanner,
    readonly config: EvidenceConfig,
    private readonly log: FastifyBaseLogger,
    readonly slots = new ScanSlots(SCAN_SLOTS),
  ) {
    this.passes = new UploadPasses(scanner, slots, log, (uploadId) => this.uploadPlaintext(uploadId));
  }

  /** The bytes an upload has stored so far, decrypted, in order (the pass's fallback: see upload-pass.ts). */
  private async *uploadPlaintext(uploadId: string): AsyncGenerator<Buffer> {
    const segments = await this.db
      .selectFrom('evidence_upload_segment')
      .select(['idx', 'object_key', 'plain_bytes'])
      .where('upload_id', '=', uploadId)
      .orderBy('idx')
      .execute();
    yield* readParts(
      this.storage,
      this.keyring,
      segments.map((s) => ({
        key: s.object_key,
        context: segmentContext(uploadId, s.idx),
        plainBytes: Number(s.plain_bytes),
      })),
    ) as AsyncIterable<Buffer>;
  }

  /** The encrypted objects an item is stored as (see evidence.read.ts). */
  async partsOf(id: string): Promise<StoredPart[] | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('evidence_item')
      .select(['id', 'upload_id', 'object_key', 'size'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? itemParts(this.db, row) : undefined;
  }

  /** An item's whole plaintext (fails on any changed, moved, dropped or cut stored byte). */
  async readItem(id: string): Promise<Readable> {
    const parts = await this.partsOf(id);
    if (!parts) throw new ObjectNotFoundError(itemPrefix(id));
    return readParts(this.storage, this.keyring, parts);
  }

  /**
   * Authorise one or more uploads into an owner's vault. Call only after the caller was authorised for that
   * owner (her case session, or staff access to the case); `uploadedBy` names who uploads (e.g. `survivor`,
   * `staff:<account id>`).
   */
  createUploadForOwner(input: {
    ownerRef: string;
    uploadedBy: string;
    journalEntryId?: string | null;
    threadSessionId?: string | null;
  }): UploadGrantResult {
    if (!input.ownerRef || input.ownerRef.length > 200) throw new Error('ownerRef must be 1–200 characters');
    const expiresAt = Date.now() + GRANT_TTL_MS;
    const token = signGrant(this.keyring.deriveKey('evidence-upload'), {
      ownerRef: input.ownerRef,
      uploadedBy: input.uploadedBy,
      journalEntryId: input.journalEntryId ?? null,
      threadSessionId: input.threadSessionId ?? null,
      expiresAt,
    });
    return {
      token,
      endpoint: '/api/evidence/uploads',
      expiresAt: new Date(expiresAt).toISOString(),
      maxFileBytes: this.config.maxFileBytes,
    };
  }

  /** Quota check inside the transaction that creates an upload (serialised per owner). */
  async checkOwnerQuota(trx: Transaction<Database>, ownerRef: string, size: number): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${'evidence-owner:' + ownerRef}, 0))`.execute(
      trx,
    );
    const used = await this.bytesUsed(trx, ownerRef);
    if (used + size > this.config.maxOwnerBytes) {
      throw new EvidenceRefusal('EVIDENCE_QUOTA', 413, 'evidence.refused.ownerQuota', {
        limit: formatBytes(this.config.maxOwnerBytes),
        used: formatBytes(used),
      });
    }
  }

  /** Bytes an owner holds: stored items plus uploads in progress (at their declared size). */
  async bytesUsed(db: Db | Transaction<Database>, ownerRef: string): Promise<number> {
    const row = await db
      .selectNoFrom([
        sql<string>`(select coalesce(sum(size), 0) from evidence_item where owner_ref = ${ownerRef})`.as(
          'items',
        ),
        sql<string>`(select coalesce(sum(size), 0) from evidence_upload where owner_ref = ${ownerRef})`.as(
          'uploads',
        ),
      ])
      .executeTakeFirstOrThrow();
    return Number(row.items) + Number(row.uploads);
  }

  async listForOwner(ownerRef: string): Promise<EvidenceItem[]> {
    const rows = await this.db
      .selectFrom('evidence_item')
      .selectAll()
      .where('owner_ref', '=', ownerRef)
      .orderBy('uploaded_at')
      .execute();
    return rows.map((row) => this.toItem(row));
  }

  async listForJournalEntry(ownerRef: string, journalEntryId: string): Promise<EvidenceItem[]> {
    const rows = await this.db
      .selectFrom('evidence_item')
      .selectAll()
      .where('owner_ref', '=', ownerRef)
      .where('journal_entry_id', '=', journalEntryId)
      .orderBy('uploaded_at')
      .execute();
    return rows.map((row) => this.toItem(row));
  }

  async getItem(id: string): Promise<EvidenceItem | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('evidence_item').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toItem(row) : undefined;
  }

  /** Attach an item to a journal entry of the same owner; false when the item is not hers. */
  async attachToJournalEntry(input: {
    evidenceId: string;
    ownerRef: string;
    journalEntryId: string | null;
  }): Promise<boolean> {
    if (!isUuid(input.evidenceId)) return false;
    const result = await this.db
      .updateTable('evidence_item')
      .set({ journal_entry_id: input.journalEntryId })
      .where('id', '=', input.evidenceId)
      .where('owner_ref', '=', input.ownerRef)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * The decrypted original as a stream, after writing the custody entry (`download` or `view`). The stream
   * fails if a single stored byte was changed (authenticated encryption).
   */
  async openOriginal(
    id: string,
    actor: string,
    action: Extract<CustodyAction, 'download' | 'view'> = 'download',
    range?: (size: number) => { start: number; end: number } | undefined,
  ): Promise<{ item: EvidenceItem; stream: Readable; range?: { start: number; end: number } } | undefined> {
    const row = isUuid(id)
      ? await this.db.selectFrom('evidence_item').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!row || row.scan_state === 'infected') return undefined;
    assertChecked(row.scan_state);
    // A range (a viewer seeking) is checked before it is logged: an unsatisfiable one reads nothing.
    const wanted = range?.(Number(row.size));
    // The custody entry and the look-up of the stored parts go together (a viewer seeking waits for both).
    const [, parts] = await Promise.all([
      this.db.transaction().execute((trx) =>
        appendCustody(trx, {
          evidenceId: id,
          action,
          actor,
          ...(wanted ? { details: { range: `${wanted.start}-${wanted.end}` } } : {}),
        }),
      ),
      itemParts(this.db, row),
    ]);
    const stream = wanted
      ? readPartsRange(this.storage, this.keyring, parts, wanted.start, wanted.end)
      : readParts(this.storage, this.keyring, parts);
    return { item: this.toItem(row), stream, ...(wanted ? { range: wanted } : {}) };
  }

  /** The image preview (no location or other metadata), logged as a `view`. */
  async openPreview(id: string, actor: string): Promise<Readable | undefined> {
    const row = isUuid(id)
      ? await this.db
          .selectFrom('evidence_item')
          .select(['preview_key', 'scan_state'])
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row?.preview_key || row.scan_state === 'infected') return undefined;
    assertChecked(row.scan_state);
    await this.db
      .transaction()
      .execute((trx) =>
        appendCustody(trx, { evidenceId: id, action: 'view', actor, details: { preview: true } }),
      );
    const stored = await this.storage.get(row.preview_key);
    const stream = stored.pipe(this.keyring.decryptStream(previewContext(id)));
    stored.on('error', (error) => stream.destroy(error));
    return stream;
  }

  /** Record that an item was shared with an agency (the consent itself is recorded by the caller). */
  async recordShare(input: {
    evidenceId: string;
    actor: string;
    agency: string;
    consentRef?: string;
  }): Promise<CustodyEntry> {
    return this.db.transaction().execute((trx) =>
      appendCustody(trx, {
        evidenceId: input.evidenceId,
        action: 'share',
        actor: input.actor,
        details: { agency: input.agency, ...(input.consentRef ? { consentRef: input.consentRef } : {}) },
      }),
    );
  }

  async custodyOf(id: string): Promise<CustodyEntry[]> {
    return isUuid(id) ? readCustody(this.db, id) : [];
  }

  /** Delete an item and its bytes; the custody log keeps the deletion (with the file's hash). */
  async deleteItem(input: { evidenceId: string; actor: string; reason: string }): Promise<boolean> {
    if (!isUuid(input.evidenceId)) return false;
    let uploadId: string | undefined;
    const deleted = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('evidence_item')
        .where('id', '=', input.evidenceId)
        .returning(['sha256', 'size', 'upload_id'])
        .executeTakeFirst();
      if (!row) return false;
      uploadId = row.upload_id;
      await appendCustody(trx, {
        evidenceId: input.evidenceId,
        action: 'delete',
        actor: input.actor,
        details: { reason: input.reason, sha256: row.sha256, size: Number(row.size) },
      });
      await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix: itemPrefix(input.evidenceId) });
      // An item's bytes are its upload's segments, kept where they were received.
      await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix: uploadPrefix(row.upload_id) });
      return true;
    });
    if (deleted) {
      await this.deleteObjects(itemPrefix(input.evidenceId));
      if (uploadId) await this.deleteObjects(uploadPrefix(uploadId));
    }
    return deleted;
  }

  /** Remove objects under a prefix; failures are left to the outbox job that was queued with the change. */
  async deleteObjects(prefix: string): Promise<void> {
    try {
      await this.storage.deletePrefix(prefix);
    } catch (error) {
      this.log.warn({ err: error, prefix }, 'evidence objects not removed yet; the clean-up job will retry');
    }
  }

  /**
   * Called once the last byte of an upload is stored: turns it into an item, or refuses it and removes every
   * trace (rows, segments, objects). The SHA-256, the type sample and the scan verdict come from the upload's
   * pass, made while the bytes arrived; the encrypted segments become the item's bytes as they are
   * (evidence_item_segment). No byte is read or written here, unless the pass was lost (see upload-pass.ts)
   * or the file is an image (its preview is made from the stored bytes).
   */
  async finishUpload(
    uploadId: string,
    options: { wait?: boolean } = {},
  ): Promise<{ item: EvidenceItem; locale: Locale; checkMs: number }> {
    // The pass holds a session advisory lock on one connection for its whole length, and does its database
    // work on that connection: a process killed mid-pass drops the connection and with it the lock, so the
    // upload (left `processing`, or `receiving` with every byte stored) can be finished by whoever asks next
    // (HEAD, or the start-up recovery). The last PATCH waits for a pass already running (it then answers
    // that pass's item); a recovery does not wait.
    return this.db.connection().execute(async (conn) => {
      const key = `evidence-finish:${uploadId}`;
      const { rows } =
        options.wait === false
          ? await sql<{
              ok: boolean;
            }>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`.execute(conn)
          : await sql<{
              ok: boolean;
            }>`select true as ok from pg_advisory_lock(hashtextextended(${key}, 0))`.execute(conn);
      if (!rows[0]?.ok) {
        const existing = await conn
          .selectFrom('evidence_item')
          .selectAll()
          .where('upload_id', '=', uploadId)
          .executeTakeFirst();
        if (existing) return { item: this.toItem(existing), locale: 'zh-CN' as Locale, checkMs: 0 };
        // Another live process is checking this upload right now.
        throw new EvidenceRefusal('EVIDENCE_FAILED', 409, 'evidence.refused.failed');
      }
      try {
        return await this.finishLocked(conn, uploadId);
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`
          .execute(conn)
          .catch(() => undefined);
      }
    });
  }

  /**
   * Uploads whose process died after their last byte was stored (before or during the completion pass):
   * every byte is there and HEAD says so, so finish them now.
   */
  async recoverInterruptedUploads(): Promise<number> {
    const rows = await this.db
      .selectFrom('evidence_upload')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('state', '=', 'processing'),
          eb.and([eb('received', '=', eb.ref('size')), eb('size', '>', '0')]),
        ]),
      )
      .execute();
    let finished = 0;
    for (const { id } of rows) if (await this.recoverUpload(id)) finished += 1;
    if (finished) this.log.info({ count: finished }, 'interrupted evidence uploads finished');
    return finished;
  }

  /** Finish one upload whose pass was interrupted; false when it is busy elsewhere or was refused. */
  async recoverUpload(uploadId: string): Promise<boolean> {
    try {
      await this.finishUpload(uploadId, { wait: false });
      return true;
    } catch (error) {
      if (!(error instanceof EvidenceRefusal) || error.status !== 409)
        this.log.warn({ err: error, uploadId }, 'an interrupted evidence upload could not be finished');
      return false;
    }
  }

  private async finishLocked(
    conn: Db,
    uploadId: string,
  ): Promise<{ item: EvidenceItem; locale: Locale; checkMs: number }> {
    const started = Date.now();
    const existing = await conn
      .selectFrom('evidence_item')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    // `processing` is claimable too: holding the lock means no live pass is working on it.
    const claimed = await conn
      .updateTable('evidence_upload')
      .set({ state: 'processing' })
      .where('id', '=', uploadId)
      .where('state', 'in', ['receiving', 'processing'])
      .whereRef('received', '=', 'size')
      .returningAll()
      .executeTakeFirst();
    if (!claimed) {
      if (existing) return { item: this.toItem(existing), locale: 'zh-CN', checkMs: 0 };
      throw new EvidenceRefusal('EVIDENCE_FAILED', 409, 'evidence.refused.failed');
    }
    const locale: Locale = claimed.locale === 'en' ? 'en' : 'zh-CN';
    const id = itemIdFor(uploadId);
    let pass: UploadPass | undefined;
    try {
      const segments = await conn
        .selectFrom('evidence_upload_segment')
        .select(['idx', 'object_key', 'plain_bytes'])
        .where('upload_id', '=', uploadId)
        .orderBy('idx')
        .execute();
      const size = Number(claimed.size);
      const stored = segments.reduce((sum, s) => sum + Number(s.plain_bytes), 0);
      if (stored !== size || segments.some((s, i) => s.idx !== i)) {
        throw new EvidenceRefusal('EVIDENCE_TRUNCATED', 422, 'evidence.refused.truncated', {
          received: formatBytes(stored),
          expected: formatBytes(size),
        });
      }
      // The pass that hashed, sampled and scanned the bytes as they arrived (upload-pass.ts): nothing is
      // read or written here unless it was lost (restart, another process), when it is rebuilt from the
      // stored segments.
      pass = await this.passes.take(uploadId, size);
      const outcome = await pass.verdictWithin(this.verdictWaitMs);
      const verdict = 'verdict' in outcome ? outcome.verdict : undefined;
      const bytes = pass.offset;
      if (bytes !== size) {
        throw new EvidenceRefusal('EVIDENCE_TRUNCATED', 422, 'evidence.refused.truncated', {
          received: formatBytes(bytes),
          expected: formatBytes(size),
        });
      }
      if (verdict && !verdict.clean) {
        this.log.warn(
          { uploadId, signature: verdict.signature },
          'evidence upload refused: the malware scanner flagged it',
        );
        throw new EvidenceRefusal('EVIDENCE_MALWARE', 422, 'evidence.refused.malware');
      }
      const head = pass.head();
      const detected = await fileTypeFromBuffer(head);
      const type = detected ?? (detectText(head) ? { mime: 'text/plain', ext: 'txt' } : undefined);
      if (!type || !ALLOWED_MEDIA_TYPES.has(type.mime)) {
        throw new EvidenceRefusal('EVIDENCE_TYPE_REFUSED', 415, 'evidence.refused.type', {
          detected: type?.mime ?? 'unknown',
        });
      }
      const parts = segments.map((s) => ({
        key: s.object_key,
        context: segmentContext(uploadId, s.idx),
        plainBytes: Number(s.plain_bytes),
      }));
      const previewKey = PREVIEW_MEDIA_TYPES.has(type.mime) ? await this.makePreview(id, parts) : null;
      const sha256 = pass.hash.digest('hex');
      const meta = JSON.parse(
        this.keyring.open(claimed.meta, `evidence_upload.meta:${uploadId}`).toString('utf8'),
      ) as {
        filename: string;
        description: string;
      };
      const row = await conn.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('evidence_item')
          .values({
            id,
            upload_id: uploadId,
            owner_ref: claimed.owner_ref,
            uploaded_by: claimed.uploaded_by,
            journal_entry_id: claimed.journal_entry_id,
            evidence_type: claimed.evidence_type,
            incident_date: claimed.incident_date,
            meta: this.keyring.seal(
              Buffer.from(JSON.stringify({ filename: meta.filename, description: meta.description })),
              `evidence_item.meta:${id}`,
            ),
            size,
            sha256,
            media_type: type.mime,
            extension: type.ext,
            // Where its bytes are: the upload's segments, listed in evidence_item_segment.
            object_key: uploadPrefix(uploadId),
            preview_key: previewKey,
            scan_state: verdict ? 'clean' : 'pending',
            scanned_at: verdict ? new Date() : null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('evidence_item_segment')
          .values(
            segments.map((s) => ({
              evidence_id: id,
              idx: s.idx,
              object_key: s.object_key,
              plain_bytes: s.plain_bytes,
            })),
          )
          .execute();
        // No verdict: the scan job checks it from the stored segments. A late verdict is recorded when clamd
        // gives it; the job then only looks again later, in case this process died before it came.
        if (!verdict)
          await addToOutbox(
            trx,
            SCAN_TOPIC,
            { evidenceId: id },
            'late' in outcome ? { availableAt: new Date(Date.now() + LATE_VERDICT_JOB_DELAY_MS) } : {},
          );
        await appendCustody(trx, {
          evidenceId: id,
          action: 'upload',
          actor: claimed.uploaded_by,
          details: { sha256, size, mediaType: type.mime, uploadId },
        });
        // The upload's rows go; its segments stay: they are the item's bytes now.
        await trx.deleteFrom('evidence_upload').where('id', '=', uploadId).execute();
        return inserted;
      });
      if ('late' in outcome) this.lateVerdict(id, () => outcome.pending);
      const checkMs = Date.now() - started;
      this.log.info(
        { evidenceId: id, size, mediaType: type.mime, checkMs, scan: row.scan_state },
        'evidence stored',
      );
      return { item: this.toItem(row), locale, checkMs };
    } catch (error) {
      pass?.close();
      // A pass that lost its lock (the connection broke) may have been overtaken by another that committed
      // the item (upload ids are unique on items): that item and its objects stay.
      const committed = await conn
        .selectFrom('evidence_item')
        .selectAll()
        .where('upload_id', '=', uploadId)
        .executeTakeFirst()
        .catch(() => undefined);
      if (committed) return { item: this.toItem(committed), locale, checkMs: Date.now() - started };
      if (!(error instanceof EvidenceRefusal) && !causedBy(error, ObjectNotFoundError)) {
        // Not a verdict on her file but a failure of ours (the database or the store): every byte she was told
        // is stored stays. The upload stays `processing`; her client's retry (HEAD) or the next start finishes
        // it. Only what this pass had begun to make is removed. (A segment that is gone cannot come back: that
        // upload is discarded below and she is asked to send the file again.)
        await this.deleteObjects(itemPrefix(id)).catch(() => undefined);
        this.log.error(
          { err: error, uploadId },
          'evidence upload could not be checked; kept to be finished on retry',
        );
        throw new EvidenceRefusal('EVIDENCE_RETRY', 500, 'evidence.refused.retry', {}, { cause: error });
      }
      await this.discardUpload(uploadId, [itemPrefix(id)]);
      if (error instanceof EvidenceRefusal) throw error;
      this.log.error(
        { err: error, uploadId },
        'evidence upload failed while being checked: a stored segment is missing',
      );
      throw new EvidenceRefusal('EVIDENCE_FAILED', 500, 'evidence.refused.failed', {}, { cause: error });
    }
  }

  /** Remove unfinished uploads past their expiry, with every encrypted segment they stored. */
  async sweepExpiredUploads(): Promise<number> {
    const rows = await this.db
      .deleteFrom('evidence_upload')
      .where('expires_at', '<', sql<Date>`now()`)
      .where('state', '=', 'receiving')
      .returning('id')
      .execute();
    for (const { id } of rows) await this.discardUpload(id);
    if (rows.length) this.log.info({ count: rows.length }, 'expired evidence uploads removed');
    return rows.length;
  }

  /** Remove an upload completely: its row (and segment rows), its segments and any object made from it. */
  async discardUpload(uploadId: string, extraPrefixes: string[] = []): Promise<void> {
    await this.db.deleteFrom('evidence_upload').where('id', '=', uploadId).execute();
    for (const prefix of [uploadPrefix(uploadId), ...extraPrefixes]) {
      try {
        await this.storage.deletePrefix(prefix);
      } catch (error) {
        this.log.warn(
          { err: error, prefix },
          'could not remove evidence objects now; queued for the clean-up job',
        );
        await addToOutbox(this.db, DELETE_OBJECTS_TOPIC, { prefix });
      }
    }
  }

  /** A preview image without EXIF/GPS or any other metadata (sharp drops metadata unless asked to keep it). */
  private async makePreview(id: string, parts: StoredPart[]): Promise<string | null> {
    const previewKey = `${itemPrefix(id)}preview`;
    try {
      // sharp and libvips (about 40 MiB once loaded) load with the first image, not at start.
      const { default: sharp } = await import('sharp');
      const source = readParts(this.storage, this.keyring, parts);
      const resize = sharp({ failOn: 'error', limitInputPixels: 100_000_000 })
        .rotate()
        .resize(PREVIEW_PIXELS, PREVIEW_PIXELS, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 });
      const encrypted = resize.pipe(this.keyring.encryptStream(previewContext(id)));
      const put = this.storage.put(previewKey, encrypted);
      await Promise.all([pipeline(source, resize), put]);
      return previewKey;
    } catch (error) {
      // An image sharp cannot decode is still evidence: it is kept, without a preview.
      this.log.warn({ err: error, evidenceId: id }, 'no preview could be made for an image');
      await this.storage.delete(previewKey).catch(() => undefined);
      return null;
    }
  }

  private toItem(row: Selectable<EvidenceItemTable>): EvidenceItem {
    const meta = JSON.parse(this.keyring.open(row.meta, `evidence_item.meta:${row.id}`).toString('utf8')) as {
      filename: string;
      description: string;
    };
    return {
      id: row.id,
      ownerRef: row.owner_ref,
      uploadedBy: row.uploaded_by,
      journalEntryId: row.journal_entry_id,
      evidenceType: row.evidence_type as EvidenceType,
      incidentDate: row.incident_date,
      filename: meta.filename,
      description: meta.description,
      size: Number(row.size),
      sha256: row.sha256,
      mediaType: row.media_type,
      extension: row.extension,
      hasPreview: row.preview_key !== null,
      uploadedAt: row.uploaded_at.toISOString(),
      scanState: row.scan_state,
    };
  }
}

/** Nobody opens, bundles or is sent a file before its malware check (she sees it listed as awaiting check). */
export function assertChecked(state: ScanState): void {
  if (state !== 'clean') throw new AppError('EVIDENCE_AWAITING_CHECK');
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

/** True when `error` or any error in its `cause` chain is an instance of `type`. */
function causedBy(error: unknown, type: new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}
