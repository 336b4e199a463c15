/**
 * The S3 driver against a real S3 API (Debian's Swift with s3api, started here): a multi-segment tus upload is
 * stored as ciphertext only (no plaintext marker in any object), and refused uploads leave no orphan objects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../src/modules/evidence/storage/index.ts';
import { PART_BYTES } from '../../src/modules/evidence/storage/s3-storage.ts';
import { EICAR, startClamd, type TestClamd } from '../support/clamd.ts';
import { PLAINTEXT_MARKER, tusUpload, writeMarkedFile } from '../support/evidence.ts';
import { startSwift, type TestSwift } from '../support/swift.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let swift: TestSwift;
let clamd: TestClamd;
let t: TestApp;
let base: string;
let dir: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  clamd = await startClamd();
  swift = await startSwift();
  dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-s3-'));
  t = await createTestApp({
    env: {
      ...swift.env,
      ANXIN_DATA_DIR: dir,
      ANXIN_CLAMD: clamd.address,
      ANXIN_RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}, 240_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([swift?.stop(), clamd?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function objects(): Promise<{ key: string; body: Buffer }[]> {
  const listed = await swift.client.send(new ListObjectsV2Command({ Bucket: swift.bucket }));
  const out: { key: string; body: Buffer }[] = [];
  for (const { Key } of listed.Contents ?? []) {
    const got = await swift.client.send(new GetObjectCommand({ Bucket: swift.bucket, Key }));
    out.push({ key: Key!, body: Buffer.from(await got.Body!.transformToByteArray()) });
  }
  return out;
}

describe('evidence on S3-compatible storage (Swift s3api)', () => {
  it('stores a multi-segment upload encrypted, its segments kept as the item, with no plaintext in the bucket', async () => {
    expect(t.app.evidence.storage.kind).toBe('s3');
    const file = path.join(dir, 'video.mp4');
    const size = 20 * MiB + 12_345;
    const sha256 = await writeMarkedFile(file, size);
    const grant = t.app.evidence.createUploadForOwner({ ownerRef: 'case:s3', uploadedBy: 'survivor' }).token;
    const result = await tusUpload(`${base}/api/evidence/uploads`, file, { grant, chunkSize: 5 * MiB });
    expect(result.error).toBeUndefined();
    const item = await t.app.evidence.getItem(result.evidenceId!);
    expect(item).toMatchObject({ sha256, size, mediaType: 'video/mp4' });
    const stored = await objects();
    // Completion moved no bytes: the upload's segments (each up to one part) are the item's objects.
    const segments = await t.db
      .selectFrom('evidence_item_segment')
      .select('object_key')
      .where('evidence_id', '=', item!.id)
      .orderBy('idx')
      .execute();
    expect(segments.length).toBeGreaterThan(1);
    expect(stored.map((o) => o.key).sort()).toEqual(segments.map((s) => s.object_key).sort());
    for (const o of stored) expect(o.body.length).toBeLessThanOrEqual(PART_BYTES);
    for (const o of stored) expect(o.body.includes(Buffer.from(PLAINTEXT_MARKER))).toBe(false);
    const opened = await t.app.evidence.openOriginal(item!.id, 'staff:test');
    const hash = createHash('sha256');
    for await (const c of opened!.stream as AsyncIterable<Buffer>) hash.update(c);
    expect(hash.digest('hex')).toBe(sha256);
    // A range read (ranged GETs of the frames it covers), across the first segment's end.
    const boundary = Number(
      (
        await t.db
          .selectFrom('evidence_item_segment')
          .select('plain_bytes')
          .where('evidence_id', '=', item!.id)
          .where('idx', '=', 0)
          .executeTakeFirstOrThrow()
      ).plain_bytes,
    );
    const ranged = await t.app.evidence.openOriginal(item!.id, 'staff:test', 'view', () => ({
      start: boundary - 100,
      end: boundary + 99,
    }));
    const got: Buffer[] = [];
    for await (const c of ranged!.stream as AsyncIterable<Buffer>) got.push(c);
    const whole = await readFile(file);
    expect(Buffer.concat(got).equals(whole.subarray(boundary - 100, boundary + 100))).toBe(true);
  }, 180_000);

  it('leaves no orphan object when an upload is refused (malware, type) or cancelled', async () => {
    const before = (await objects()).map((o) => o.key);
    const grant = t.app.evidence.createUploadForOwner({
      ownerRef: 'case:s3-refused',
      uploadedBy: 'survivor',
    }).token;
    const flagged = await tusUpload(
      `${base}/api/evidence/uploads`,
      Buffer.concat([Buffer.from(EICAR), randomBytes(3 * MiB)]),
      { grant },
    );
    expect(flagged.error?.body).toMatchObject({ error: { code: 'EVIDENCE_MALWARE' } });
    const exe = await tusUpload(
      `${base}/api/evidence/uploads`,
      Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), randomBytes(MiB)]),
      { grant },
    );
    expect(exe.error?.body).toMatchObject({ error: { code: 'EVIDENCE_TYPE_REFUSED' } });
    // Cancelled half-way (tus termination): its stored segments go too.
    const created = await fetch(`${base}/api/evidence/uploads`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(4 * MiB), 'Anxin-Upload-Grant': grant },
    });
    const location = created.headers.get('location')!;
    const patch = await fetch(`${base}${location}`, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Anxin-Upload-Grant': grant,
      },
      body: randomBytes(MiB),
    });
    expect(patch.headers.get('upload-offset')).toBe(String(MiB));
    expect((await objects()).length).toBe(before.length + 1);
    const cancel = await fetch(`${base}${location}`, {
      method: 'DELETE',
      headers: { 'Tus-Resumable': '1.0.0', 'Anxin-Upload-Grant': grant },
    });
    expect(cancel.status).toBe(204);
    expect((await objects()).map((o) => o.key)).toEqual(before);
    expect(
      await t.db
        .selectFrom('evidence_upload')
        .select('id')
        .where('owner_ref', '=', 'case:s3-refused')
        .execute(),
    ).toEqual([]);
    expect(
      await t.db
        .selectFrom('evidence_item')
        .select('id')
        .where('owner_ref', '=', 'case:s3-refused')
        .execute(),
    ).toEqual([]);
  }, 120_000);

  it('puts, reads and deletes objects of any size, including empty ones', async () => {
    const storage = t.app.evidence.storage;
    await storage.put('items/test/empty', Readable.from([]));
    await storage.put('items/test/small', Readable.from([Buffer.from('abc')]));
    expect(await storage.list('items/test/')).toEqual(['items/test/empty', 'items/test/small']);
    const chunks: Buffer[] = [];
    for await (const c of (await storage.get('items/test/small')) as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    await storage.deletePrefix('items/test/');
    expect(await storage.list('items/test/')).toEqual([]);
    await expect(storage.get('items/test/small')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});
