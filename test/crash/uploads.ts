/**
 * The crash test's evidence writers and checks. A writer files a help request, opens her journal, records an
 * incident and uploads files of random sizes (4 KiB – 3 MiB) with tus in random chunks; after a server kill it
 * resumes its unfinished upload (HEAD must report at least every offset a PATCH acknowledged). An upload is
 * acknowledged as finished only when the last PATCH answered 204 with the full offset, an evidence id and the
 * file's SHA-256 (the server's completion pass: hash, type, ClamAV scan, re-encryption, item row, custody).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { PLAINTEXT_MARKER, MP4_HEADER } from '../support/evidence.ts';
import { tusCreate, tusOffset, tusPatch } from '../support/crash-tus.ts';
import type { Actor } from '../support/orders.ts';
import { auth } from '../support/orders.ts';
import { bearer, fileHelpRequest, openThread, pause, post, send, type Survivor } from './http.ts';

const MIN_BYTES = 4 * 1024;
const MAX_BYTES = 3 * 1024 * 1024;

export interface JournalRecord {
  survivor: Survivor;
  entryId: string;
  grant: string;
}

export interface UploadRecord {
  journal: JournalRecord;
  size: number;
  sha256: string;
  /** The upload's path, once the creation was acknowledged (201). */
  url?: string;
  /** The highest Upload-Offset a 204 acknowledged. */
  ackedOffset: number;
  /** Set when the last PATCH acknowledged the finished item. */
  evidenceId?: string;
  /** The server refused it with an answer (not a crash): nothing is owed. */
  refused?: number;
  /** A resumed HEAD reported every byte stored, but the finishing answer was lost. */
  completeAtHead?: boolean;
  /** The bytes, until finished. */
  data?: Buffer;
  busy?: boolean;
}

export interface UploadLedger {
  journals: JournalRecord[];
  uploads: UploadRecord[];
  /** Acknowledged writes found missing or wrong while the load ran (checked at the end). */
  violations: string[];
  resumed: number;
}

/** Random bytes behind an MP4 header (an allowed type), with the plaintext marker every 256 KiB. */
function evidenceBytes(size: number): Buffer {
  const data = randomBytes(size);
  MP4_HEADER.copy(data, 0);
  for (let at = MP4_HEADER.length + 16; at + PLAINTEXT_MARKER.length < size; at += 256 * 1024)
    data.write(PLAINTEXT_MARKER, at);
  return data;
}

const logUniform = (min: number, max: number): number =>
  Math.round(Math.exp(Math.log(min) + Math.random() * (Math.log(max) - Math.log(min))));

async function newJournal(base: string): Promise<JournalRecord | undefined> {
  const survivor = await fileHelpRequest(base);
  if (!survivor) return undefined;
  const thread = await openThread(base, survivor);
  if (!('token' in thread)) return undefined;
  const res = await post(
    base,
    '/api/help/thread/journal',
    {
      incidentDate: '2026-01-15',
      evidenceType: 'audio_visual',
      description: `crash journal ${survivor.marker}`,
    },
    bearer(thread.token, survivor),
  );
  if (res.status !== 201) return undefined;
  const body = (await res.json()) as { id: string; upload: { token: string } };
  return { survivor, entryId: body.id, grant: body.upload.token };
}

/** Drive one upload as far as the server lets it; records exactly what was acknowledged. */
async function drive(
  base: string,
  ledger: UploadLedger,
  rec: UploadRecord,
  stop: { stopped: boolean },
): Promise<void> {
  const grant = rec.journal.grant;
  const data = rec.data;
  if (!data) return;
  let offset: number;
  if (!rec.url) {
    const created = await tusCreate(base, grant, rec.size, {
      filename: `crash-${rec.sha256.slice(0, 8)}.mp4`,
      filetype: 'video/mp4',
      evidenceType: 'audio_visual',
    });
    if (!('url' in created)) {
      rec.refused = created.status;
      return;
    }
    rec.url = created.url;
    offset = 0;
  } else {
    ledger.resumed += 1;
    const head = await tusOffset(base, rec.url, grant);
    if (head.offset === undefined) {
      ledger.violations.push(
        `acknowledged upload ${rec.url} answered HEAD ${head.status} after a restart (acked offset ${rec.ackedOffset} of ${rec.size})`,
      );
      rec.refused = head.status;
      return;
    }
    if (head.offset < rec.ackedOffset)
      ledger.violations.push(
        `upload ${rec.url}: HEAD offset ${head.offset} is below the acknowledged ${rec.ackedOffset}`,
      );
    offset = head.offset;
    if (offset === rec.size) {
      // Every byte is stored but the answer to the last PATCH was lost: the item is checked at the end.
      rec.completeAtHead = true;
      rec.data = undefined;
      return;
    }
  }
  while (offset < rec.size && !stop.stopped) {
    const chunk = data.subarray(offset, Math.min(rec.size, offset + randomInt(128 * 1024, 1024 * 1024)));
    const answer = await tusPatch(base, rec.url, grant, offset, chunk);
    if (answer.status !== 204 || answer.offset === undefined) {
      if (answer.status >= 400 && answer.status !== 409) rec.refused = answer.status;
      return;
    }
    offset = answer.offset;
    rec.ackedOffset = Math.max(rec.ackedOffset, offset);
    if (offset === rec.size) {
      if (!answer.evidenceId || answer.sha256 !== rec.sha256) {
        ledger.violations.push(
          `upload ${rec.url} finished with id ${answer.evidenceId} and SHA-256 ${answer.sha256}, expected ${rec.sha256}`,
        );
        return;
      }
      rec.evidenceId = answer.evidenceId;
      rec.data = undefined;
    }
  }
}

/** One upload writer for one server life: resumes an unfinished upload first, else starts a new one. */
export async function uploadWriter(
  base: string,
  ledger: UploadLedger,
  stop: { stopped: boolean },
): Promise<void> {
  let journal: JournalRecord | undefined;
  while (!stop.stopped) {
    let rec = ledger.uploads.find((u) => !u.busy && u.data && u.url && u.refused === undefined);
    try {
      if (!rec) {
        if (!journal || Math.random() < 0.3) {
          journal = await newJournal(base);
          if (!journal) continue;
          ledger.journals.push(journal);
        }
        const size = logUniform(MIN_BYTES, MAX_BYTES);
        const data = evidenceBytes(size);
        rec = {
          journal,
          size,
          sha256: createHash('sha256').update(data).digest('hex'),
          ackedOffset: 0,
          data,
        };
        ledger.uploads.push(rec);
      }
      rec.busy = true;
      await drive(base, ledger, rec, stop);
    } catch {
      // The server died mid-request: only what was answered counts.
      await pause(20);
    } finally {
      if (rec) rec.busy = false;
    }
  }
}

export interface UploadFigures {
  journals: number;
  finished: number;
  bytes: number;
  completeAtHead: number;
  unfinished: number;
  downloaded: number;
  /** Items stored while no scanner answered and checked later (one `check` custody entry each). */
  checkedLater: number;
}

/**
 * After the last restart: every acknowledged journal entry is listed; every acknowledged item is listed under
 * it with its size and SHA-256, and its bytes, decrypted by the server for a judge she shared them with, hash
 * to the recorded SHA-256; nothing listed is a partial upload; every unfinished upload still reports at least
 * its acknowledged offset.
 */
export async function checkUploads(
  base: string,
  ledger: UploadLedger,
  judge: Actor,
  courtId: string,
): Promise<UploadFigures> {
  expect(ledger.violations, 'acknowledged uploads lost or wrong while the load ran').toEqual([]);
  const figures: UploadFigures = {
    journals: ledger.journals.length,
    finished: 0,
    bytes: 0,
    completeAtHead: 0,
    unfinished: 0,
    downloaded: 0,
    checkedLater: 0,
  };
  for (const journal of ledger.journals) {
    const mine = ledger.uploads.filter((u) => u.journal === journal);
    // Unfinished uploads first: HEAD is what her client asks when it resumes.
    const heads = new Map<UploadRecord, { status: number; offset?: number }>();
    for (const rec of mine.filter((u) => !u.evidenceId && u.url && u.refused === undefined))
      heads.set(rec, await tusOffset(base, rec.url ?? '', journal.grant));
    const thread = await openThread(base, journal.survivor);
    expect('token' in thread, `journal owner ${journal.survivor.caseCode} cannot open her thread`).toBe(true);
    if (!('token' in thread)) continue;
    // Items kept awaiting check (stored while no scanner answered) are checked by the scan job or the start-up
    // sweep of the last server: wait until none is left, then every item must be clean.
    let entries: {
      id: string;
      items: { id: string; size: number; sha256: string; integrity: string; scanState: string }[];
    }[];
    for (;;) {
      const list = await send(
        base,
        'GET',
        '/api/help/thread/journal',
        undefined,
        bearer(thread.token, journal.survivor),
      );
      expect(list.status).toBe(200);
      entries = ((await list.json()) as { entries: typeof entries }).entries;
      if (!entries.some((e) => e.items.some((i) => i.scanState === 'pending'))) break;
      await pause(200);
    }
    for (const item of entries.flatMap((e) => e.items))
      expect(item.scanState, `item ${item.id} was not released as clean`).toBe('clean');
    const entry = entries.find((e) => e.id === journal.entryId);
    expect(entry, `acknowledged journal entry ${journal.entryId} is missing`).toBeDefined();
    const items = entry?.items ?? [];
    for (const rec of mine.filter((u) => u.evidenceId)) {
      const item = items.find((i) => i.id === rec.evidenceId);
      expect(item, `acknowledged evidence ${rec.evidenceId} is not listed`).toBeDefined();
      expect(item && { size: item.size, sha256: item.sha256, integrity: item.integrity }).toEqual({
        size: rec.size,
        sha256: rec.sha256,
        integrity: 'intact',
      });
      figures.finished += 1;
      figures.bytes += rec.size;
    }
    // Anything listed is a whole file she sent (size and SHA-256 of one of her uploads): no partial upload shows as an item.
    for (const item of items) {
      expect(
        mine.some((u) => u.sha256 === item.sha256 && u.size === item.size),
        `item ${item.id} matches no upload of this entry`,
      ).toBe(true);
    }
    const toRead = mine.flatMap((u) => (u.evidenceId ? [{ id: u.evidenceId, sha256: u.sha256 }] : []));
    for (const [rec, head] of heads) {
      if (head.offset === rec.size) rec.completeAtHead = true;
      if (rec.completeAtHead) {
        // Every byte was stored, but the answer to the last PATCH was lost: a client resuming it is told it is
        // complete, so it must be an item.
        figures.completeAtHead += 1;
        const item = items.find((i) => i.sha256 === rec.sha256 && i.size === rec.size);
        expect(item, `upload ${rec.url}: HEAD reports every byte stored, but there is no item`).toBeDefined();
        if (item) toRead.push({ id: item.id, sha256: rec.sha256 });
        continue;
      }
      figures.unfinished += 1;
      expect(head.status, `unfinished upload ${rec.url} is gone`).toBe(200);
      expect(
        head.offset ?? -1,
        `unfinished upload ${rec.url} lost acknowledged bytes`,
      ).toBeGreaterThanOrEqual(rec.ackedOffset);
    }
    // Read the bytes back through the product: she shares her items with the court, the judge downloads them.
    if (toRead.length === 0) continue;
    const shared = await post(
      base,
      '/api/help/thread/evidence/shares',
      { evidenceIds: toRead.map((r) => r.id), agency: 'court', organisationId: courtId, consent: true },
      bearer(thread.token, journal.survivor),
    );
    expect(shared.status, await shared.clone().text()).toBe(200);
    for (const read of toRead) {
      const file = await send(base, 'GET', `/api/evidence/${read.id}/file`, undefined, auth(judge));
      expect(file.status).toBe(200);
      const sha = createHash('sha256')
        .update(Buffer.from(await file.arrayBuffer()))
        .digest('hex');
      expect(sha, `evidence ${read.id} does not decrypt to the bytes she sent`).toBe(read.sha256);
      figures.downloaded += 1;
      // Scanned once: a kill while the scan job ran never records a second verdict.
      const custody = await send(base, 'GET', `/api/evidence/${read.id}/custody`, undefined, {
        ...auth(judge),
        accept: 'application/json',
      });
      const { intact, entries: chain } = (await custody.json()) as {
        intact: boolean;
        entries: { action: string; details: { result?: string } }[];
      };
      expect(intact).toBe(true);
      const checks = chain.filter((e) => e.action === 'check');
      expect(checks.length, `evidence ${read.id} was checked ${checks.length} times`).toBeLessThanOrEqual(1);
      if (checks.length) {
        expect(checks[0]?.details.result).toBe('clean');
        figures.checkedLater += 1;
      }
    }
  }
  return figures;
}
