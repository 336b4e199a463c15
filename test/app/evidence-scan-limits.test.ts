/**
 * What one file may cost the scanner (issue 13, scanning): the clamd config we write bounds archive recursion,
 * files per archive, unpacked bytes and time. Generated nested ZIPs through the real upload path show the
 * limits are in force: a marked file three archives deep is found and refused; the same file twelve archives
 * deep (past MaxRecursion 8; clamd's default of 17 would reach it) and the 2,100th file of one archive (past
 * MaxFiles 2000; default 10,000) are not unpacked, so the upload is received. (The bound on concurrent scans is
 * in evidence-quarantine.test.ts: with every slot busy an upload does not wait.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { clamdConfig, SCAN_LIMITS } from '../../src/modules/evidence/clamd.ts';
import { MALWARE_MARKER, startClamd, type TestClamd } from '../support/clamd.ts';
import { tusUpload } from '../support/evidence.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let clamd: TestClamd;
let dataDir: string;
let base: string;

beforeAll(async () => {
  clamd = await startClamd();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-scan-limits-'));
  t = await createTestApp({
    env: { ANXIN_DATA_DIR: dataDir, ANXIN_CLAMD: clamd.address, ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await clamd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function zip(entries: { name: string; data: Buffer }[], compress = true): Promise<Buffer> {
  const archive = new yazl.ZipFile();
  for (const entry of entries)
    archive.addBuffer(entry.data, entry.name, { compress, mtime: new Date('2026-11-01T00:00:00Z') });
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A chat export holding the marker, inside `depth` archives (the outermost is the file she sends). */
async function nested(depth: number): Promise<Buffer> {
  let data = await zip([{ name: 'chat.txt', data: Buffer.from(`他说：${MALWARE_MARKER}\n`) }]);
  for (let level = 1; level < depth; level += 1)
    data = await zip([{ name: `level-${level}.zip`, data }], false);
  return data;
}

const send = (data: Buffer) =>
  tusUpload(`${base}/api/evidence/uploads`, data, {
    grant: t.app.evidence.createUploadForOwner({ ownerRef: 'help-case:scan-limits', uploadedBy: 'survivor' })
      .token,
    metadata: { filename: 'chats.zip', filetype: 'application/zip', evidenceType: 'communications' },
  });

describe('scan limits', () => {
  it('writes every limit into the clamd config', () => {
    const text = clamdConfig({
      dir: '/d',
      databaseDir: '/var/lib/clamav',
      socket: '/d/clamd.sock',
      threads: 2,
    });
    for (const [name, value] of Object.entries(SCAN_LIMITS)) expect(text).toContain(`\n${name} ${value}\n`);
    expect(text).toContain('DatabaseDirectory /var/lib/clamav\n');
  });

  it('finds a flagged file three archives deep', async () => {
    const result = await send(await nested(3));
    expect(result.error?.status).toBe(422);
  });

  it('does not unpack past the recursion limit: twelve archives deep is received', async () => {
    const result = await send(await nested(12));
    expect(result.error).toBeUndefined();
    expect((await t.app.evidence.getItem(result.evidenceId ?? ''))?.scanState).toBe('clean');
  });

  it('does not unpack past the file-count limit: the 2,100th file of one archive is received', async () => {
    const files = Array.from({ length: 2100 }, (_, i) => ({
      name: `chat-${i}.txt`,
      data: Buffer.from(i === 2099 ? MALWARE_MARKER : `message ${i}`),
    }));
    const result = await send(await zip(files));
    expect(result.error).toBeUndefined();
  });
});
