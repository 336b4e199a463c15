/**
 * What a kill -9 leaves of an upload, set up exactly: every byte stored as encrypted segments but no item,
 * because the process died before (`receiving`, received = size) or during (`processing`) the completion pass.
 * HEAD, which her client asks on resuming and which answers "complete", must finish it first; the start-up
 * recovery finishes it without her; a segment that is gone fails the pass without ending the process.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentContext, uploadPrefix } from '../../src/modules/evidence/tus-store.ts';
import { MP4_HEADER } from '../support/evidence.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let dir: string;
const OWNER = 'help-case:crash-recovery';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-recovery-'));
  t = await createTestApp({ env: { ANXIN_DATA_DIR: dir, ANXIN_CLAMD: 'none' } });
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An upload whose bytes are all stored (one encrypted segment), left in `state` with no item. */
async function leftBehind(
  state: 'receiving' | 'processing',
  options: { segment?: boolean } = {},
): Promise<{ id: string; sha256: string }> {
  const data = randomBytes(100_000);
  MP4_HEADER.copy(data, 0);
  const id = randomBytes(16).toString('hex');
  const meta = t.keyring.seal(
    Buffer.from(JSON.stringify({ filename: 'left.mp4', claimedType: 'video/mp4', description: '' })),
    `evidence_upload.meta:${id}`,
  );
  await t.db
    .insertInto('evidence_upload')
    .values({
      id,
      owner_ref: OWNER,
      uploaded_by: 'survivor',
      journal_entry_id: null,
      size: data.length,
      meta,
      evidence_type: 'audio_visual',
      incident_date: null,
      locale: 'zh-CN',
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
  const key = `${uploadPrefix(id)}000000-${randomBytes(6).toString('hex')}`;
  if (options.segment ?? true)
    await t.app.evidence.storage.put(
      key,
      Readable.from([data]).pipe(t.keyring.encryptStream(segmentContext(id, 0))),
    );
  await t.db
    .insertInto('evidence_upload_segment')
    .values({ upload_id: id, idx: 0, object_key: key, plain_bytes: data.length })
    .execute();
  // Last, as the store commits it (a recovery running meanwhile must not see a half-made upload).
  await t.db
    .updateTable('evidence_upload')
    .set({ received: data.length, state })
    .where('id', '=', id)
    .execute();
  return { id, sha256: createHash('sha256').update(data).digest('hex') };
}

const head = (id: string) =>
  t.app.inject({
    method: 'HEAD',
    url: `/api/evidence/uploads/${id}`,
    headers: {
      'tus-resumable': '1.0.0',
      'anxin-upload-grant': t.app.evidence.createUploadForOwner({ ownerRef: OWNER, uploadedBy: 'survivor' })
        .token,
    },
  });

async function itemBytesHash(uploadId: string): Promise<string | undefined> {
  const row = await t.db
    .selectFrom('evidence_item')
    .select('id')
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  if (!row) return undefined;
  const opened = await t.app.evidence.openOriginal(row.id, 'staff:test');
  const hash = createHash('sha256');
  for await (const chunk of opened!.stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

describe('uploads a killed process left behind', () => {
  for (const state of ['receiving', 'processing'] as const) {
    it(`HEAD finishes one left '${state}' before answering that it is complete`, async () => {
      const left = await leftBehind(state);
      const res = await head(left.id);
      expect(res.statusCode).toBe(200);
      expect(res.headers['upload-offset']).toBe('100000');
      expect(await itemBytesHash(left.id)).toBe(left.sha256);
      expect(
        await t.db.selectFrom('evidence_upload').select('id').where('id', '=', left.id).executeTakeFirst(),
      ).toBeUndefined();
      // Its stored segment became the item's (completion moves no bytes): nothing else is left under the upload.
      const owned = await t.db
        .selectFrom('evidence_item_segment')
        .innerJoin('evidence_item', 'evidence_item.id', 'evidence_item_segment.evidence_id')
        .select('evidence_item_segment.object_key')
        .where('evidence_item.upload_id', '=', left.id)
        .execute();
      expect(owned).toHaveLength(1);
      expect(await t.app.evidence.storage.list(uploadPrefix(left.id))).toEqual(
        owned.map((o) => o.object_key),
      );
    });
  }

  it('the start-up recovery finishes them without her', async () => {
    const a = await leftBehind('processing');
    const b = await leftBehind('receiving');
    expect(await t.app.evidence.recoverInterruptedUploads()).toBeGreaterThanOrEqual(2);
    expect(await itemBytesHash(a.id)).toBe(a.sha256);
    expect(await itemBytesHash(b.id)).toBe(b.sha256);
  });

  it('a segment that is gone fails the pass, and the process stays up', async () => {
    const left = await leftBehind('processing', { segment: false });
    expect(await t.app.evidence.recoverUpload(left.id)).toBe(false);
    expect([404, 410]).toContain((await head(left.id)).statusCode);
    expect(await itemBytesHash(left.id)).toBeUndefined();
  });
});
