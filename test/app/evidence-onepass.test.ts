/**
 * One pass (issue 17): an upload is hashed, sampled and scanned while its bytes arrive, and completing it moves
 * no bytes (its encrypted segments become the item as they are). A pass lost between PATCHes (as on a restart)
 * is rebuilt from the stored segments and still yields the file's SHA-256. Range reads decrypt only the frames
 * they need — first, middle, last frame and segment boundaries, suffix ranges, 416 for unsatisfiable ones —
 * and tampering (reordered, truncated, extended segments) is still detected.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_BYTES } from '../../src/platform/crypto.ts';
import { makeDeskCase } from '../support/access-fixtures/evidence.ts';
import { startClamd, type TestClamd } from '../support/clamd.ts';
import { tusCreate, tusPatch } from '../support/crash-tus.ts';
import { MP4_HEADER } from '../support/evidence.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeSurvivor } from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let clamd: TestClamd;
let dataDir: string;
let base: string;
let grant: string;
let lawyer: SignedIn;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  clamd = await startClamd();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-onepass-'));
  t = await createTestApp({
    env: { ANXIN_DATA_DIR: dataDir, ANXIN_CLAMD: clamd.address, ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const survivor = await makeSurvivor(t);
  const opened = await t.app.inject({
    method: 'POST',
    url: '/api/help/thread',
    payload: { caseCode: survivor.caseCode, secret: survivor.secret },
    remoteAddress: '10.9.8.17',
  });
  const token = opened.json<{ token: string }>().token;
  const ngo = await makeOrganisation(t, 'ngo', '110105');
  const assigned = await makeStaff(t, ngo, ['volunteer_lawyer']);
  await makeDeskCase(t, ngo, '110105', survivor.helpRequestId, assigned.accountId);
  lawyer = await sessionFor(t, assigned.accountId);
  const entry = await t.app.inject({
    method: 'POST',
    url: '/api/help/thread/journal',
    headers: { authorization: `Bearer ${token}` },
    payload: { incidentDate: '2026-11-02', evidenceType: 'other', description: '录像' },
  });
  expect(entry.statusCode).toBe(201);
  grant = entry.json<{ upload: { token: string } }>().upload.token;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await clamd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A small "video": an MP4 header, then random bytes (not a multiple of a frame). */
function video(size: number): Buffer {
  const bytes = randomBytes(size);
  MP4_HEADER.copy(bytes, 0);
  return bytes;
}

/** Every `put` the store makes while `run` runs. */
async function putsDuring<T>(run: () => Promise<T>): Promise<{ result: T; keys: string[] }> {
  const storage = t.app.evidence.storage;
  const original = storage.put.bind(storage);
  const keys: string[] = [];
  storage.put = (key, body) => {
    keys.push(key);
    return original(key, body);
  };
  try {
    return { result: await run(), keys };
  } finally {
    storage.put = original;
  }
}

/** Send `bytes` in PATCHes of the given sizes (the rest in the last); `between` runs after each but the last. */
async function upload(
  bytes: Buffer,
  patches: number[],
  between: (sent: number) => Promise<void> = async () => undefined,
): Promise<{ evidenceId: string; sha256: string; lastPatchPuts: string[] }> {
  const created = await tusCreate(base, grant, bytes.length, {
    filename: 'clip.mp4',
    filetype: 'video/mp4',
    evidenceType: 'other',
  });
  if (!('url' in created)) throw new Error(`creation refused: ${created.status}`);
  let offset = 0;
  for (const size of patches) {
    const answer = await tusPatch(base, created.url, grant, offset, bytes.subarray(offset, offset + size));
    expect(answer.status).toBe(204);
    offset += size;
    await between(offset);
  }
  const { result: last, keys } = await putsDuring(() =>
    tusPatch(base, created.url, grant, offset, bytes.subarray(offset)),
  );
  expect(last.status).toBe(204);
  expect(last.evidenceId).toBeTruthy();
  return { evidenceId: last.evidenceId!, sha256: last.sha256!, lastPatchPuts: keys };
}

const staffGet = (id: string, range?: string) =>
  t.app.inject({
    url: `/api/evidence/${id}/file`,
    headers: { cookie: lawyer.cookie, accept: 'application/json', ...(range ? { range } : {}) },
  });

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const segmentFiles = async (id: string): Promise<string[]> =>
  (
    await t.db
      .selectFrom('evidence_item_segment')
      .select('object_key')
      .where('evidence_id', '=', id)
      .orderBy('idx')
      .execute()
  ).map((s) => path.join(dataDir, 'evidence', ...s.object_key.split('/')));

describe('one pass over an upload', () => {
  const size = 5 * FRAME_BYTES + 1234;
  const bytes = video(size);
  const patches = [100_000, 2 * FRAME_BYTES];
  let evidenceId: string;

  it('hashes and scans while the bytes arrive: completion writes nothing, the segments become the item', async () => {
    const rebuiltBefore = t.app.evidence.passes.rebuilt;
    const done = await upload(bytes, patches);
    evidenceId = done.evidenceId;
    expect(done.sha256).toBe(sha(bytes));
    // The last PATCH stored its own segment and nothing else: no re-encrypted copy of the file.
    expect(done.lastPatchPuts).toHaveLength(1);
    expect(done.lastPatchPuts[0]).toMatch(/^uploads\/[0-9a-f]{32}\/000002-/);
    expect(t.app.evidence.passes.rebuilt).toBe(rebuiltBefore);
    const item = await t.app.evidence.getItem(evidenceId);
    expect(item).toMatchObject({ sha256: sha(bytes), size, mediaType: 'video/mp4', scanState: 'clean' });
    const segments = await t.db
      .selectFrom('evidence_item_segment')
      .select(['idx', 'plain_bytes'])
      .where('evidence_id', '=', evidenceId)
      .orderBy('idx')
      .execute();
    expect(segments.map((s) => Number(s.plain_bytes))).toEqual([
      100_000,
      2 * FRAME_BYTES,
      size - 100_000 - 2 * FRAME_BYTES,
    ]);
    const whole = await staffGet(evidenceId);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(sha(whole.rawPayload)).toBe(sha(bytes));
  });

  it('rebuilds a pass lost between PATCHes (as after a restart) from the stored segments: same SHA-256', async () => {
    const other = video(3 * FRAME_BYTES + 77);
    const rebuiltBefore = t.app.evidence.passes.rebuilt;
    const done = await upload(other, [FRAME_BYTES + 5, FRAME_BYTES], async (sent) => {
      // What a restarted (or another) process has: no live pass, only what is stored.
      if (sent === FRAME_BYTES + 5) t.app.evidence.passes.dropAll();
    });
    expect(done.sha256).toBe(sha(other));
    expect(t.app.evidence.passes.rebuilt).toBe(rebuiltBefore + 1);
    expect(done.lastPatchPuts).toHaveLength(1);
    const item = await t.app.evidence.getItem(done.evidenceId);
    expect(item).toMatchObject({ sha256: sha(other), scanState: 'clean' });
  });

  it('lists a file whose verdict comes late (a large file) awaiting check, and records the verdict when it comes', async () => {
    t.app.evidence.verdictWaitMs = 0;
    try {
      const late = video(2 * FRAME_BYTES + 9);
      const done = await upload(late, [FRAME_BYTES]);
      expect(done.lastPatchPuts).toHaveLength(1);
      for (let i = 0; i < 100; i++) {
        if ((await t.app.evidence.getItem(done.evidenceId))?.scanState === 'clean') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await t.app.evidence.getItem(done.evidenceId)).toMatchObject({
        scanState: 'clean',
        sha256: sha(late),
      });
      const custody = await t.app.evidence.custodyOf(done.evidenceId);
      expect(custody.map((e) => e.action)).toEqual(['upload', 'check']);
      // The scan job, asked for later in case this process had died, finds it decided and scans nothing.
      const job = await t.db
        .selectFrom('outbox')
        .select(['payload', 'available_at'])
        .where('topic', '=', 'evidence.scan')
        .execute();
      const mine = job.filter((j) => (j.payload as { evidenceId?: string }).evidenceId === done.evidenceId);
      expect(mine).toHaveLength(1);
      expect(new Date(mine[0]!.available_at).getTime()).toBeGreaterThan(Date.now() + 60_000);
      expect(await t.app.evidenceQuarantine.scanItem(done.evidenceId)).toBe('clean');
    } finally {
      t.app.evidence.verdictWaitMs = 3000;
    }
  });

  it('answers byte ranges: first, middle, last frames, across frame and segment boundaries, suffixes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-65535', 0, FRAME_BYTES - 1],
      ['bytes=65535-65536', FRAME_BYTES - 1, FRAME_BYTES],
      ['bytes=99990-100010', 99_990, 100_010],
      ['bytes=100000-', 100_000, size - 1],
      [`bytes=${FRAME_BYTES * 2}-${FRAME_BYTES * 3 + 10}`, FRAME_BYTES * 2, FRAME_BYTES * 3 + 10],
      [`bytes=${size - 1}-${size + 500}`, size - 1, size - 1],
      ['bytes=-1234', size - 1234, size - 1],
      ['bytes=-99999999', 0, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await staffGet(evidenceId, range);
      expect(res.statusCode, range).toBe(206);
      expect(res.headers['content-range'], range).toBe(`bytes ${start}-${end}/${size}`);
      expect(Number(res.headers['content-length']), range).toBe(end - start + 1);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.rawPayload.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
    // Each read is in the custody log, a range with the range it read.
    const custody = await t.app.evidence.custodyOf(evidenceId);
    expect(custody.filter((e) => e.action === 'download' && e.details.range === '99990-100010')).toHaveLength(
      1,
    );
  });

  it('answers 416 for a range outside the file or malformed, reading and logging nothing', async () => {
    const before = (await t.app.evidence.custodyOf(evidenceId)).length;
    for (const range of [
      `bytes=${size}-`,
      `bytes=${size + 10}-${size + 20}`,
      'bytes=20-10',
      'bytes=-0',
      'bytes=x-y',
    ]) {
      const res = await staffGet(evidenceId, range);
      expect(res.statusCode, range).toBe(416);
      expect(res.headers['content-range'], range).toBe(`bytes */${size}`);
    }
    expect((await t.app.evidence.custodyOf(evidenceId)).length).toBe(before);
  });

  it('still detects tampering in full and range reads: segments reordered, cut short, extended', async () => {
    const read = async (id: string, range?: [number, number]) => {
      const opened = await t.app.evidence.openOriginal(
        id,
        'staff:test',
        'download',
        range ? () => ({ start: range[0], end: range[1] }) : undefined,
      );
      return drain(opened!.stream);
    };
    // Reordered: the first two segments swap places.
    const swapped = await upload(video(size), patches);
    const [first, second, third] = await segmentFiles(swapped.evidenceId);
    const a = await readFile(first!);
    await writeFile(first!, await readFile(second!));
    await writeFile(second!, a);
    await expect(read(swapped.evidenceId)).rejects.toThrow(/changed|moved|truncated|Malformed|cut/);
    await expect(read(swapped.evidenceId, [10, 20])).rejects.toThrow(/changed|moved|truncated|Malformed|cut/);
    expect(third).toBeTruthy();
    // Cut short: the last segment loses its last bytes.
    const cut = await upload(video(size), patches);
    const cutFiles = await segmentFiles(cut.evidenceId);
    const last = cutFiles[cutFiles.length - 1]!;
    await truncate(last, (await readFile(last)).length - 10);
    await expect(read(cut.evidenceId)).rejects.toThrow();
    await expect(read(cut.evidenceId, [size - 5, size - 1])).rejects.toThrow();
    // Extended: bytes appended after the last frame of a segment.
    const extended = await upload(video(size), patches);
    const extFiles = await segmentFiles(extended.evidenceId);
    await appendFile(extFiles[0]!, randomBytes(40));
    await expect(read(extended.evidenceId)).rejects.toThrow();
    await expect(read(extended.evidenceId, [99_000, 99_999])).rejects.toThrow();
    // A range not touching the changed segment still reads (only the frames asked for are opened).
    expect((await read(extended.evidenceId, [100_000, 100_099])).length).toBe(100);
  });
});
