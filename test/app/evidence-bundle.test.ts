/**
 * Evidence for a court: image previews without location data, the hash-chained append-only custody log, and
 * export bundles that `anxin evidence verify` checks offline — one changed byte makes it fail and name the file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { exportBundle, verifyBundle } from '../../src/modules/evidence/bundle.ts';
import { verifyAllCustody, verifyChain } from '../../src/modules/evidence/custody.ts';
import { platformSigningKey } from '../../src/modules/evidence/signing.ts';
import { tusUpload } from '../support/evidence.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let t: TestApp;
let dir: string;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'anxin-bundle-'));
  t = await createTestApp({
    env: { ANXIN_DATA_DIR: dir, ANXIN_CLAMD: 'none', ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    '% 派出所出警记录 UNIQUE-PDF-CONTENT-41c7 ' +
    'x'.repeat(4000) +
    '\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

async function upload(file: Buffer, metadata: Record<string, string>): Promise<string> {
  const grant = t.app.evidence.createUploadForOwner({ ownerRef: 'case:court', uploadedBy: 'survivor' }).token;
  const result = await tusUpload(`${base}/api/evidence/uploads`, file, { grant, metadata });
  expect(result.error).toBeUndefined();
  expect(result.evidenceId).toMatch(/^[0-9a-f-]{36}$/);
  return result.evidenceId!;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(
      path.join(root, 'node_modules/.bin/node'),
      ['--import', 'tsx', 'src/cli.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, NODE_ENV: 'test', ANXIN_DATA_DIR: dir, ANXIN_LOG_LEVEL: 'silent' },
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('evidence for a court', () => {
  let photoId: string;
  let pdfId: string;
  let photo: Buffer;

  it('keeps an image byte-exact and makes a preview without location metadata', async () => {
    photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#8a3' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'PhoneCo' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '39/1 54/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '116/1 23/1 0/1',
        },
      })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    photoId = await upload(photo, {
      filename: '伤情照片.jpg',
      evidenceType: 'injury_assessment',
      description: '左臂淤青',
      incidentDate: '2026-11-01',
    });
    pdfId = await upload(PDF, { filename: '出警记录.pdf', evidenceType: 'police_records' });
    const item = await t.app.evidence.getItem(photoId);
    expect(item).toMatchObject({
      sha256: sha(photo),
      mediaType: 'image/jpeg',
      hasPreview: true,
      filename: '伤情照片.jpg',
      incidentDate: '2026-11-01',
    });
    const preview = await t.app.evidence.openPreview(photoId, 'staff:clerk');
    const chunks: Buffer[] = [];
    for await (const c of preview! as AsyncIterable<Buffer>) chunks.push(c);
    const meta = await sharp(Buffer.concat(chunks)).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.exif).toBeUndefined();
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(1024);
    const original = await t.app.evidence.openOriginal(photoId, 'staff:clerk');
    const back: Buffer[] = [];
    for await (const c of original!.stream as AsyncIterable<Buffer>) back.push(c);
    expect(sha(Buffer.concat(back))).toBe(sha(photo));
  });

  it('keeps an append-only, hash-chained custody log', async () => {
    await t.app.evidence.recordShare({
      evidenceId: pdfId,
      actor: 'survivor',
      agency: 'court:朝阳区人民法院',
      consentRef: 'consent:1',
    });
    const entries = await t.app.evidence.custodyOf(photoId);
    expect(entries.map((e) => e.action)).toEqual(['upload', 'view', 'download']);
    expect(verifyChain(entries).ok).toBe(true);
    await expect(
      sql`update evidence_custody set actor = 'someone else' where evidence_id = ${photoId}`.execute(t.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from evidence_custody where evidence_id = ${photoId}`.execute(t.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`truncate evidence_custody`.execute(t.db)).rejects.toThrow(/append-only/);
    // A changed entry breaks its chain, and the check names it.
    const tampered = entries.map((e, i) => (i === 1 ? { ...e, actor: 'staff:someone-else' } : e));
    expect(verifyChain(tampered)).toMatchObject({ ok: false, seq: 2 });
    expect((await verifyAllCustody(t.db)).broken).toEqual([]);
  });

  it('exports a signed bundle that verifies offline, and names a file whose byte was changed', async () => {
    const bundle = await exportBundle(t.db, t.keyring, t.app.evidence, {
      evidenceIds: [photoId, pdfId],
      actor: 'staff:lawyer',
      reason: '申请人身安全保护令',
    });
    const zipPath = path.join(dir, 'bundle.zip');
    await pipeline(bundle.stream, createWriteStream(zipPath));
    const pdfPath = bundle.manifest.files.find((f) => f.evidenceId === pdfId)!.path;
    expect(pdfPath).toMatch(/^files\/\d{3}-出警记录\.pdf$/);
    expect(bundle.manifest.files.every((f) => f.custody.at(-1)?.action === 'export')).toBe(true);

    const report = await verifyBundle(zipPath);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, signature: 'valid' });
    const keyFile = path.join(dir, 'platform.pem');
    await writeFile(keyFile, platformSigningKey(t.keyring).publicKeyPem);
    const good = await cli(['evidence', 'verify', zipPath, '--public-key', keyFile]);
    expect(good.stdout).toContain('VERIFIED: 2 files');
    expect(good.code).toBe(0);

    // One byte of the PDF, inside the ZIP (stored uncompressed), changed.
    const zip = await readFile(zipPath);
    const at = zip.indexOf('UNIQUE-PDF-CONTENT-41c7');
    expect(at).toBeGreaterThan(0);
    zip[at] = (zip[at] ?? 0) ^ 0x01;
    const changedPath = path.join(dir, 'changed.zip');
    await writeFile(changedPath, zip);
    const bad = await cli(['evidence', 'verify', changedPath]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`CHANGED  ${pdfPath}`);
    expect(bad.stdout).toContain('FAILED');

    // A bundle re-packed with a file left out and another slipped in: both named.
    const repacked = path.join(dir, 'repacked.zip');
    await repack(zipPath, repacked, pdfPath, 'files/003-extra.jpg');
    const swapped = await cli(['evidence', 'verify', repacked]);
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toContain(`MISSING  ${pdfPath}`);
    expect(swapped.stdout).toContain('ADDED    files/003-extra.jpg');

    // A manifest signed by another key is refused when the platform's key is pinned.
    const other = await cli(['evidence', 'verify', zipPath, '--public-key', await otherKeyFile()]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('not the pinned platform key');
  });

  it('is part of the platform backup: every stored object, byte for byte', async () => {
    const { backupFileSourceFactories } = await import('../../src/platform/backup.ts');
    const sources = backupFileSourceFactories.map((f) => f(t.config)).filter((s) => s.name === 'evidence');
    expect(sources).toHaveLength(1);
    const keys: string[] = [];
    for await (const { key } of sources[0]!.list()) keys.push(key);
    // An item's bytes are its upload's encrypted segments (kept as they were received), plus its preview.
    const segments = await t.db
      .selectFrom('evidence_item_segment')
      .select('object_key')
      .where('evidence_id', 'in', [photoId, pdfId])
      .execute();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(keys).toEqual(
      expect.arrayContaining([...segments.map((s) => s.object_key), `items/${photoId}/preview`]),
    );
  });

  it('keeps staff routes closed without a staff session', async () => {
    for (const url of [
      '/api/evidence?owner=case:court',
      `/api/evidence/${photoId}/file`,
      `/api/evidence/${photoId}/custody`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([401, 403, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain('伤情照片');
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/evidence/exports',
      payload: { evidenceIds: [photoId] },
    });
    expect([401, 403, 404]).toContain(res.statusCode);
    expect(res.headers['content-type']).not.toContain('zip');
  });
});

async function otherKeyFile(): Promise<string> {
  const { Keyring } = await import('../../src/platform/crypto.ts');
  const { randomBytes } = await import('node:crypto');
  const file = path.join(dir, 'other.pem');
  await writeFile(file, platformSigningKey(new Keyring(randomBytes(32))).publicKeyPem);
  return file;
}

/** Copy a ZIP, leaving one entry out and adding another. */
async function repack(from: string, to: string, omit: string, add: string): Promise<void> {
  const out = new yazl.ZipFile();
  const done = pipeline(out.outputStream, createWriteStream(to));
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(from, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName === omit) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          out.addBuffer(Buffer.concat(chunks), entry.fileName);
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.readEntry();
  });
  out.addBuffer(Buffer.from('not evidence'), add);
  out.end();
  await done;
}
