/**
 * Her evidence is never refused because the scanner is away (issue 17): with no clamd at all, a photo she sends
 * through tus is received and listed to her as "awaiting check" (both languages); nobody else can download,
 * preview, bundle or be sent it; /readyz says the scanner does not answer (still ready). A clamd started after
 * the upload (at the configured address) releases it: the scan job / sweep checks it once (one `check` custody
 * entry, however often it runs). With every scan slot busy an upload does not wait: it is kept awaiting check,
 * and a later verdict of "infected" removes its bytes and tells her in her words.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeskCase } from '../support/access-fixtures/evidence.ts';
import { clamdPlace, EICAR, startClamd, type TestClamd } from '../support/clamd.ts';
import { filesUnder, tusUpload } from '../support/evidence.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeSurvivor } from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let dataDir: string;
let base: string;
let place: { dir: string; address: string };
let clamd: TestClamd | undefined;

beforeAll(async () => {
  place = await clamdPlace();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-quarantine-'));
  t = await createTestApp({
    env: { ANXIN_DATA_DIR: dataDir, ANXIN_CLAMD: place.address, ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  await t.jobs.start();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await t?.jobs.stop();
  await t?.close();
  await clamd?.stop();
  await rm(place.dir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('evidence while no scanner answers', () => {
  let survivor: Awaited<ReturnType<typeof makeSurvivor>>;
  let token: string;
  let entryId: string;
  let grant: string;
  let lawyer: SignedIn;
  let court: string;
  let evidenceId: string;
  let photo: Buffer;

  const journal = async (language = 'zh-CN') => {
    const res = await t.app.inject({
      url: '/api/help/thread/journal',
      headers: { authorization: `Bearer ${token}`, 'accept-language': language },
    });
    expect(res.statusCode).toBe(200);
    return res
      .json<{ entries: { id: string; items: { id: string; scanState: string; sha256: string }[] }[] }>()
      .entries.flatMap((e) => e.items);
  };
  const staff = (url: string, method: 'GET' | 'POST' = 'GET', payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: {
        cookie: lawyer.cookie,
        'x-csrf-token': lawyer.csrf,
        accept: 'application/json',
        'accept-language': 'zh-CN',
      },
      ...(payload ? { payload } : {}),
    });
  const share = (ids: string[]) =>
    t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { evidenceIds: ids, agency: 'court', organisationId: court, consent: true },
    });

  beforeAll(async () => {
    survivor = await makeSurvivor(t);
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread',
      payload: { caseCode: survivor.caseCode, secret: survivor.secret },
      remoteAddress: '10.9.8.7',
    });
    token = opened.json<{ token: string }>().token;
    const ngo = await makeOrganisation(t, 'ngo', '110105');
    court = await makeOrganisation(t, 'court', '110105');
    const assigned = await makeStaff(t, ngo, ['volunteer_lawyer']);
    await makeDeskCase(t, ngo, '110105', survivor.helpRequestId, assigned.accountId);
    lawyer = await sessionFor(t, assigned.accountId);
    const entry = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/journal',
      headers: { authorization: `Bearer ${token}` },
      payload: { incidentDate: '2026-11-02', evidenceType: 'injury_assessment', description: '手臂淤青' },
    });
    expect(entry.statusCode).toBe(201);
    ({
      id: entryId,
      upload: { token: grant },
    } = entry.json<{ id: string; upload: { token: string } }>());
    photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a53' } })
      .png()
      .toBuffer();
  });

  it('receives her photo with no scanner at all and lists it to her as awaiting check, in her language', async () => {
    const result = await tusUpload(`${base}/api/evidence/uploads`, photo, {
      grant,
      metadata: { filename: 'arm.png', filetype: 'image/png', evidenceType: 'injury_assessment' },
    });
    expect(result.error).toBeUndefined();
    evidenceId = result.evidenceId ?? '';
    expect(await journal()).toEqual([
      expect.objectContaining({ id: evidenceId, scanState: 'pending', sha256: sha(photo) }),
    ]);
    const page = await t.app.inject({ url: '/help/thread/journal', headers: { cookie: survivor.cookie } });
    expect(page.body).toContain('已收到，正在等待安全检查');
    const en = await t.app.inject({ url: '/en/help/thread/journal', headers: { cookie: survivor.cookie } });
    expect(en.body).toContain('Received, awaiting the safety check');
    // The scan job was asked for in the transaction that stored it.
    const jobs = await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'evidence.scan')
      .execute();
    expect(jobs.map((j) => j.payload)).toContainEqual({ evidenceId });
    // Stored encrypted: no file under the data directory holds the photo's bytes.
    for (const { file } of await filesUnder(path.join(dataDir, 'evidence')))
      expect(file).not.toContain('arm.png');
  });

  it('refuses it to staff until it is checked: download, preview, bundle, and her share', async () => {
    for (const url of [`/api/evidence/${evidenceId}/file`, `/api/evidence/${evidenceId}/preview`]) {
      const res = await staff(url);
      expect(res.statusCode, url).toBe(409);
      expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({
        code: 'EVIDENCE_AWAITING_CHECK',
        message: expect.stringContaining('等待安全检查'),
      });
    }
    expect((await staff('/api/evidence/exports', 'POST', { evidenceIds: [evidenceId] })).statusCode).toBe(
      409,
    );
    const shared = await share([evidenceId]);
    expect(shared.statusCode).toBe(400);
    expect(
      await t.db.selectFrom('evidence_share').select('id').where('evidence_id', '=', evidenceId).execute(),
    ).toEqual([]);
    expect((await t.app.evidence.custodyOf(evidenceId)).map((e) => e.action)).toEqual(['upload']);
  });

  it('/readyz stays ready and says the scanner does not answer', async () => {
    const res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(
      res.json<{ details: { scanner: { answering: boolean; scanner: string } } }>().details.scanner,
    ).toMatchObject({ answering: false, scanner: expect.stringContaining(place.address) });
  });

  it('is released once a scanner appears, checked once', async () => {
    clamd = await startClamd({ dir: place.dir });
    expect(clamd.address).toBe(place.address);
    // What the watch does every 10 s: the scanner answers again, so everything awaiting check is swept.
    await t.app.evidenceQuarantine.check();
    await until(
      () => t.app.evidence.getItem(evidenceId),
      (item) => item?.scanState === 'clean',
    );
    const file = await staff(`/api/evidence/${evidenceId}/file`);
    expect(file.statusCode).toBe(200);
    expect(sha(file.rawPayload)).toBe(sha(photo));
    expect((await share([evidenceId])).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/readyz' })).json<{ details: { scanner: { answering: boolean } } }>()
        .details.scanner.answering,
    ).toBe(true);
    // The job and the sweep may both come: the verdict is recorded once.
    expect(await t.app.evidenceQuarantine.scanItem(evidenceId)).toBe('clean');
    await t.app.evidenceQuarantine.sweep();
    const checks = (await t.app.evidence.custodyOf(evidenceId)).filter((e) => e.action === 'check');
    expect(checks).toEqual([
      expect.objectContaining({
        actor: 'system:malware-scanner',
        details: { result: 'clean', scanner: 'clamd' },
      }),
    ]);
    expect(await journal()).toEqual([expect.objectContaining({ id: evidenceId, scanState: 'clean' })]);
  });

  it('does not wait for a busy scanner: kept awaiting check; a later "infected" removes its bytes and tells her', async () => {
    const slots = t.app.evidence.slots;
    const held = Array.from({ length: slots.size }, () => slots.tryAcquire());
    let flagged: string;
    try {
      const result = await tusUpload(`${base}/api/evidence/uploads`, Buffer.from(`chat export\n${EICAR}\n`), {
        grant,
        metadata: { filename: 'chat.txt', evidenceType: 'communications' },
      });
      expect(result.error).toBeUndefined();
      flagged = result.evidenceId ?? '';
      expect((await t.app.evidence.getItem(flagged))?.scanState).toBe('pending');
    } finally {
      for (const release of held) release?.();
    }
    await until(
      () => t.app.evidenceQuarantine.scanItem(flagged),
      (state) => state === 'infected',
    );
    expect((await staff(`/api/evidence/${flagged}/file`)).statusCode).toBe(404);
    expect(await t.app.evidence.storage.list(`items/${flagged}/`)).toEqual([]);
    expect(await journal()).toContainEqual(expect.objectContaining({ id: flagged, scanState: 'infected' }));
    const page = await t.app.inject({ url: '/help/thread/journal', headers: { cookie: survivor.cookie } });
    expect(page.body).toContain('安全检查发现这个文件可能含有病毒或恶意程序');
    expect((await t.app.evidence.custodyOf(flagged)).map((e) => [e.action, e.details.result])).toEqual([
      ['upload', undefined],
      ['check', 'infected'],
    ]);
    expect(entryId).toBeTruthy();
  });
});
