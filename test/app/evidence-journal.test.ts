/**
 * The survivor's journal and staff access to evidence: she records an incident, attaches a file with tus (the
 * grant from createJournalEntry) and without JavaScript (multipart, same encrypted pipeline), lists it, and
 * shares single items with single agencies; staff then reach exactly what the access policy and her consents
 * allow — every read custody-logged and audited — and bad input stores nothing. Real clamd.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClamd, EICAR, type TestClamd } from '../support/clamd.ts';
import { filesUnder, ITEM_OBJECT_KEYS_SQL, tusUpload } from '../support/evidence.ts';
import { sql } from 'kysely';
import { makeDeskCase } from '../support/access-fixtures/evidence.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeSurvivor } from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let clamd: TestClamd;
let dataDir: string;
let base: string;

beforeAll(async () => {
  clamd = await startClamd();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-journal-'));
  t = await createTestApp({
    env: {
      ANXIN_DATA_DIR: dataDir,
      ANXIN_CLAMD: clamd.address,
      ANXIN_EVIDENCE_MAX_FILE_MB: '5',
      ANXIN_RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await clamd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Objects in the store that no stored item owns (segments, temporary files, orphans). */
async function strayObjects(): Promise<string[]> {
  const owned = new Set(
    (await sql<{ key: string }>`${sql.raw(ITEM_OBJECT_KEYS_SQL)}`.execute(t.db)).rows.map((r) => r.key),
  );
  const root = path.join(dataDir, 'evidence');
  return (await filesUnder(root)).map(({ file }) => path.relative(root, file)).filter((f) => !owned.has(f));
}

async function openThreadApi(caseCode: string, secret: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/thread',
    payload: { caseCode, secret },
    remoteAddress: `10.9.${Math.floor(Math.random() * 250)}.1`,
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

const photo = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#a53' } })
    .png()
    .toBuffer();

function multipartBody(
  fields: Record<string, string>,
  file?: { name: string; type: string; data: Buffer },
): { payload: Buffer; contentType: string } {
  const boundary = `----anxin${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('her journal (JSON API and tus)', () => {
  let survivor: Awaited<ReturnType<typeof makeSurvivor>>;
  let token: string;
  let entryId: string;
  let evidenceId: string;
  let image: Buffer;
  const ngo = { id: '', other: '' };
  const court = { id: '', other: '' };
  let police = '';
  let lawyer: SignedIn;
  let lawyerId = '';
  let otherLawyer: SignedIn;
  let supervisor: SignedIn;
  let judge: SignedIn;
  let otherJudge: SignedIn;
  let officer: SignedIn;

  beforeAll(async () => {
    survivor = await makeSurvivor(t);
    token = await openThreadApi(survivor.caseCode, survivor.secret);
    ngo.id = await makeOrganisation(t, 'ngo', '110105');
    ngo.other = await makeOrganisation(t, 'ngo', '110105');
    court.id = await makeOrganisation(t, 'court', '110105');
    court.other = await makeOrganisation(t, 'court', '110105');
    police = await makeOrganisation(t, 'police_station', '110105');
    const assigned = await makeStaff(t, ngo.id, ['volunteer_lawyer']);
    await makeDeskCase(t, ngo.id, '110105', survivor.helpRequestId, assigned.accountId);
    lawyerId = assigned.accountId;
    lawyer = await sessionFor(t, assigned.accountId);
    otherLawyer = await sessionFor(t, (await makeStaff(t, ngo.other, ['volunteer_lawyer'])).accountId);
    supervisor = await sessionFor(t, (await makeStaff(t, ngo.id, ['ngo_supervisor'])).accountId);
    judge = await sessionFor(t, (await makeStaff(t, court.id, ['judge'])).accountId);
    otherJudge = await sessionFor(t, (await makeStaff(t, court.other, ['judge'])).accountId);
    officer = await sessionFor(t, (await makeStaff(t, police, ['police_officer'])).accountId);
  });

  it('records an incident and answers an upload grant for it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/journal',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        incidentDate: '2026-11-02',
        evidenceType: 'injury_assessment',
        description: '他把我推倒，手臂淤青。',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string; upload: { token: string; endpoint: string } }>();
    entryId = body.id;
    expect(body.upload.endpoint).toBe('/api/evidence/uploads');
    image = await photo();
    const result = await tusUpload(`${base}${body.upload.endpoint}`, image, {
      grant: body.upload.token,
      metadata: {
        filename: 'arm.png',
        filetype: 'image/png',
        evidenceType: 'injury_assessment',
        incidentDate: '2026-11-02',
      },
    });
    expect(result.error).toBeUndefined();
    evidenceId = result.evidenceId!;
    const item = await t.app.evidence.getItem(evidenceId);
    expect(item).toMatchObject({
      journalEntryId: entryId,
      ownerRef: `help-case:${survivor.helpRequestId}`,
      sha256: sha(image),
      uploadedBy: 'survivor',
    });
  });

  it('lists her entries with their files, SHA-256 and integrity — and nothing without her thread token', async () => {
    const res = await t.app.inject({
      url: '/api/help/thread/journal',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const { entries } = res.json<{
      entries: {
        id: string;
        description: string;
        items: { id: string; sha256: string; integrity: string; shares: unknown[] }[];
      }[];
    }>();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id: entryId, description: '他把我推倒，手臂淤青。' });
    expect(entries[0]?.items).toEqual([
      expect.objectContaining({ id: evidenceId, sha256: sha(image), integrity: 'intact', shares: [] }),
    ]);
    expect((await t.app.inject({ url: '/api/help/thread/journal' })).statusCode).toBe(401);
    expect(
      (
        await t.app.inject({
          url: '/api/help/thread/journal',
          headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('lets the assigned lawyer and the supervisor see and download it: a custody entry and an audit row for each read', async () => {
    const list = await t.app.inject({
      url: `/api/evidence?owner=help-case:${survivor.helpRequestId}`,
      headers: { cookie: lawyer.cookie, accept: 'application/json' },
    });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([evidenceId]);
    const before = (await t.app.evidence.custodyOf(evidenceId)).length;
    const file = await t.app.inject({
      url: `/api/evidence/${evidenceId}/file`,
      headers: { cookie: lawyer.cookie },
    });
    expect(file.statusCode).toBe(200);
    expect(sha(file.rawPayload)).toBe(sha(image));
    const custody = await t.app.evidence.custodyOf(evidenceId);
    expect(custody).toHaveLength(before + 1);
    expect(custody.at(-1)).toMatchObject({ action: 'download', actor: `staff:${lawyerId}` });
    const audits = await t.db
      .selectFrom('audit_event')
      .select(['event', 'record_type', 'record_id', 'actor_account_id'])
      .where('record_id', '=', evidenceId)
      .execute();
    expect(audits).toEqual(
      expect.arrayContaining([
        { event: 'record.read', record_type: 'evidence', record_id: evidenceId, actor_account_id: lawyerId },
      ]),
    );
    expect(
      (
        await t.app.inject({
          url: `/api/evidence/${evidenceId}/custody`,
          headers: { cookie: supervisor.cookie, accept: 'application/json' },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('answers 404 to another NGO’s lawyer, to a judge she shared nothing with and to a police officer', async () => {
    for (const who of [otherLawyer, judge, officer]) {
      for (const url of [
        `/api/evidence/${evidenceId}/file`,
        `/api/evidence/${evidenceId}/custody`,
        `/api/evidence/${evidenceId}/preview`,
      ]) {
        const res = await t.app.inject({ url, headers: { cookie: who.cookie, accept: 'application/json' } });
        expect(res.statusCode, url).toBe(404);
      }
      const list = await t.app.inject({
        url: `/api/evidence?owner=help-case:${survivor.helpRequestId}`,
        headers: { cookie: who.cookie, accept: 'application/json' },
      });
      expect(list.statusCode === 404 || list.json<{ items: unknown[] }>().items.length === 0).toBe(true);
      const exported = await t.app.inject({
        method: 'POST',
        url: '/api/evidence/exports',
        headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, accept: 'application/json' },
        payload: { evidenceIds: [evidenceId] },
      });
      expect(exported.statusCode).toBe(404);
    }
  });

  it('shares one item with one court on her consent: that court’s judge reads it, another court’s does not; police still not', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { evidenceIds: [evidenceId], agency: 'police', organisationId: court.id, consent: true },
    });
    expect(refused.statusCode).toBe(400);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { evidenceIds: [evidenceId], agency: 'court', organisationId: court.id, consent: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ shared: 1 });
    const consent = await t.db
      .selectFrom('evidence_share')
      .selectAll()
      .where('evidence_id', '=', evidenceId)
      .execute();
    expect(consent).toEqual([
      expect.objectContaining({
        agency: 'court',
        organisation_id: court.id,
        consented_by: 'survivor',
        withdrawn_at: null,
      }),
    ]);
    expect(consent[0]?.consented_at).toBeInstanceOf(Date);
    expect((await t.app.evidence.custodyOf(evidenceId)).at(-1)).toMatchObject({
      action: 'share',
      actor: 'survivor',
      details: { agency: `court:${court.id}`, consentRef: `evidence_share:${consent[0]?.id}` },
    });

    expect(
      (await t.app.inject({ url: `/api/evidence/${evidenceId}/file`, headers: { cookie: judge.cookie } }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await t.app.inject({
          url: `/api/evidence/${evidenceId}/file`,
          headers: { cookie: otherJudge.cookie },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/api/evidence/${evidenceId}/file`, headers: { cookie: officer.cookie } }))
        .statusCode,
    ).toBe(404);
    const bundle = await t.app.inject({
      method: 'POST',
      url: '/api/evidence/exports',
      headers: { cookie: judge.cookie, 'x-csrf-token': judge.csrf },
      payload: { evidenceIds: [evidenceId] },
    });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toBe('application/zip');
  });

  it('withdrawing her consent closes the court’s access again', async () => {
    const share = await t.db
      .selectFrom('evidence_share')
      .select('id')
      .where('evidence_id', '=', evidenceId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(await t.app.evidence.getItem(evidenceId)).toBeDefined();
    const { JournalService } = await import('../../src/modules/evidence/journal.service.ts');
    const journal = new JournalService(t.db, t.keyring, t.app.evidence);
    expect(
      await journal.withdraw({ ownerRef: `help-case:${randomUUID()}`, shareId: share.id, by: 'survivor' }),
    ).toBe(false);
    expect(
      await journal.withdraw({
        ownerRef: `help-case:${survivor.helpRequestId}`,
        shareId: share.id,
        by: 'survivor',
      }),
    ).toBe(true);
    expect(
      (await t.app.inject({ url: `/api/evidence/${evidenceId}/file`, headers: { cookie: judge.cookie } }))
        .statusCode,
    ).toBe(404);
  });

  it('a court she filed a protection-order application with reaches the items she chose for it (and only that court)', async () => {
    const filedCourt = await makeOrganisation(t, 'court', '110105');
    const filedJudge = await sessionFor(t, (await makeStaff(t, filedCourt, ['court_clerk'])).accountId);
    const url = `/api/evidence/${evidenceId}/custody`;
    expect(
      (await t.app.inject({ url, headers: { cookie: filedJudge.cookie, accept: 'application/json' } }))
        .statusCode,
    ).toBe(404);
    const id = randomUUID();
    const application = {
      id,
      status: 'draft' as 'draft' | 'submitted',
      channel: 'portal' as const,
      help_request_id: survivor.helpRequestId,
      origin_case_ref: null,
      evidence_owner_ref: `help-case:${survivor.helpRequestId}`,
      created_by: null,
      proxy_kind: null,
      relationship: 'spouse',
      urgent: false,
      venue_basis: 'applicant',
      venue_region_code: '110105',
      consent_online: true,
      consent_electronic_service: false,
      decided_at: null,
      court_note: null,
      particulars: t.keyring.sealText('{}', `order_application.particulars:${id}`),
      court_id: filedCourt,
      court_region_code: '110105',
      evidence_ids: [evidenceId],
      updated_at: new Date(),
    };
    // A draft is not filed: the court does not see it yet.
    await t.db.insertInto('order_application').values(application).execute();
    expect(
      (await t.app.inject({ url, headers: { cookie: filedJudge.cookie, accept: 'application/json' } }))
        .statusCode,
    ).toBe(404);
    await t.db
      .updateTable('order_application')
      .set({ status: 'submitted', submitted_at: new Date() })
      .where('id', '=', id)
      .execute();
    expect(
      (await t.app.inject({ url, headers: { cookie: filedJudge.cookie, accept: 'application/json' } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ url, headers: { cookie: otherJudge.cookie, accept: 'application/json' } }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses bad input with field errors and stores nothing', async () => {
    const entriesBefore = await t.db.selectFrom('evidence_journal_entry').select('id').execute();
    for (const payload of [
      { incidentDate: '2099-01-01', description: 'x' },
      { incidentDate: '2026-02-30', description: 'x' },
      { incidentDate: '2026-11-01', description: '   ' },
      { incidentDate: '2026-11-01', description: 'x', evidenceType: 'rumour' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/help/thread/journal',
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(await t.db.selectFrom('evidence_journal_entry').select('id').execute()).toEqual(entriesBefore);
    // Another case's item cannot be shared through her thread; nothing without consent.
    const stranger = await makeSurvivor(t);
    const [foreign] = await (async () => {
      const id = (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/thread/journal',
          headers: { authorization: `Bearer ${await openThreadApi(stranger.caseCode, stranger.secret)}` },
          payload: { incidentDate: '2026-11-01', description: 'x' },
        })
      ).json<{ id: string }>().id;
      return [id];
    })();
    expect(foreign).toMatch(/^[0-9a-f-]{36}$/);
    const sharesBefore = await t.db.selectFrom('evidence_share').select('id').execute();
    const notMine = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { evidenceIds: [randomUUID()], agency: 'court', organisationId: court.id, consent: true },
    });
    expect(notMine.statusCode).toBe(400);
    const noConsent = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { evidenceIds: [evidenceId], agency: 'court', organisationId: court.id, consent: false },
    });
    expect(noConsent.statusCode).toBe(400);
    expect(await t.db.selectFrom('evidence_share').select('id').execute()).toEqual(sharesBefore);
    // A flagged file through tus: refused, nothing left.
    const grant = t.app.evidence.createUploadForOwner({
      ownerRef: `help-case:${survivor.helpRequestId}`,
      uploadedBy: 'survivor',
      journalEntryId: entryId,
    }).token;
    const bad = await tusUpload(`${base}/api/evidence/uploads`, Buffer.from(`${EICAR}\n`), {
      grant,
      metadata: { filename: 'x.txt', evidenceType: 'other' },
    });
    expect(bad.error?.status).toBe(422);
    expect(await strayObjects()).toEqual([]);
    expect(await t.db.selectFrom('evidence_upload').select('id').execute()).toEqual([]);
  });
});

describe('the API description', () => {
  it('documents the journal operations and the tus endpoint, and stays a valid OpenAPI document', async () => {
    const spec = t.app.swagger() as {
      paths: Record<string, Record<string, { operationId?: string; description?: string }>>;
    };
    const operations = Object.values(spec.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of [
      'createJournalEntry',
      'listJournalEntries',
      'shareEvidence',
      'listEvidence',
      'getEvidenceFile',
      'exportEvidenceBundle',
      'createEvidenceUpload',
      'appendEvidenceUpload',
    ])
      expect(operations).toContain(id);
    expect(spec.paths['/api/evidence/uploads']?.post?.description).toContain('tus protocol');
    const result = await new Validator().validate(spec);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
  });
});

describe('her journal pages (no JavaScript: forms and a multipart upload)', () => {
  let survivor: Awaited<ReturnType<typeof makeSurvivor>>;

  beforeAll(async () => {
    survivor = await makeSurvivor(t);
  });

  it('sends her to open the thread first, and is no-store with quick exit', async () => {
    const anon = await t.app.inject({ url: '/help/thread/journal' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/help/thread');
    const res = await t.app.inject({ url: '/en/help/thread/journal', headers: { cookie: survivor.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('id="quick-exit"');
    expect(res.body).toContain('My journal');
    expect(res.body).not.toMatch(/(src|href)="https?:\/\//);
    const zh = await t.app.inject({ url: '/help/thread/journal', headers: { cookie: survivor.cookie } });
    expect(zh.body).toContain('我的记录');
  });

  it('saves an incident, takes a file as multipart into the encrypted store, and lists it with its SHA-256 prefix', async () => {
    const page = await t.app.inject({ url: '/help/thread/journal', headers: { cookie: survivor.cookie } });
    const csrf = csrfOf(page.body);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/help/thread/journal/entries',
      headers: { cookie: survivor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, incidentDate: '', description: '' }).toString(),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('role="alert"');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/help/thread/journal/entries',
      headers: { cookie: survivor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: 'nope', incidentDate: '2026-11-01', description: 'x' }).toString(),
    });
    expect(forged.statusCode).toBe(403);
    expect(
      await t.db
        .selectFrom('evidence_journal_entry')
        .select('id')
        .where('owner_ref', '=', `help-case:${survivor.helpRequestId}`)
        .execute(),
    ).toEqual([]);

    const saved = await t.app.inject({
      method: 'POST',
      url: '/help/thread/journal/entries',
      headers: { cookie: survivor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        csrf,
        incidentDate: '2026-11-03',
        evidenceType: 'communications',
        description: '他发短信威胁我。',
      }).toString(),
    });
    expect(saved.statusCode).toBe(303);
    const entryId = /#entry-([0-9a-f-]{36})/.exec(saved.headers.location as string)?.[1];
    expect(entryId).toBeDefined();

    const data = await photo();
    const body = multipartBody({ csrf }, { name: 'screenshot.png', type: 'image/png', data });
    const up = await t.app.inject({
      method: 'POST',
      url: `/help/thread/journal/entries/${entryId}/files`,
      headers: { cookie: survivor.cookie, 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(up.statusCode).toBe(303);
    const items = await t.app.evidence.listForJournalEntry(`help-case:${survivor.helpRequestId}`, entryId!);
    expect(items).toEqual([
      expect.objectContaining({
        sha256: sha(data),
        size: data.length,
        filename: 'screenshot.png',
        evidenceType: 'communications',
        incidentDate: '2026-11-03',
      }),
    ]);
    // Stored encrypted: the objects on disk (the upload's segments, kept as the item) are not the file.
    const segments = await t.db
      .selectFrom('evidence_item_segment')
      .select('object_key')
      .where('evidence_id', '=', items[0]!.id)
      .execute();
    expect(segments.length).toBeGreaterThan(0);
    for (const { object_key } of segments) {
      const stored = await readFile(path.join(dataDir, 'evidence', ...object_key.split('/')));
      expect(stored.includes(data.subarray(8, 40))).toBe(false);
    }

    const listed = await t.app.inject({
      url: '/help/thread/journal?done=uploaded',
      headers: { cookie: survivor.cookie },
    });
    expect(listed.body).toContain('screenshot.png');
    expect(listed.body).toContain(sha(data).slice(0, 12));
    expect(listed.body).toContain('完整性：未被改动');

    // Share it from the page (consent box unticked → nothing; ticked → one consent row).
    const withoutConsent = await t.app.inject({
      method: 'POST',
      url: '/help/thread/journal/shares',
      headers: { cookie: survivor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf, evidenceIds: items[0]!.id, target: '' }).toString(),
    });
    expect(withoutConsent.statusCode).toBe(400);
    expect(
      await t.db.selectFrom('evidence_share').select('id').where('evidence_id', '=', items[0]!.id).execute(),
    ).toEqual([]);
    const federation = await makeOrganisation(t, 'womens_federation', '110105', '朝阳区妇联');
    const withTargets = await t.app.inject({
      url: '/help/thread/journal',
      headers: { cookie: survivor.cookie },
    });
    expect(withTargets.body).toContain(`value="federation:${federation}"`);
    const shared = await t.app.inject({
      method: 'POST',
      url: '/help/thread/journal/shares',
      headers: { cookie: survivor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        csrf,
        evidenceIds: items[0]!.id,
        target: `federation:${federation}`,
        consent: 'on',
      }).toString(),
    });
    expect(shared.statusCode).toBe(303);
    expect(
      await t.db
        .selectFrom('evidence_share')
        .select(['agency', 'organisation_id', 'consented_by'])
        .where('evidence_id', '=', items[0]!.id)
        .execute(),
    ).toEqual([{ agency: 'federation', organisation_id: federation, consented_by: 'survivor' }]);
    const after = await t.app.inject({
      url: '/help/thread/journal?done=shared',
      headers: { cookie: survivor.cookie },
    });
    expect(after.body).toContain('已分享给：朝阳区妇联');
    const officer = await sessionFor(t, (await makeStaff(t, federation, ['federation_officer'])).accountId);
    expect(
      (await t.app.inject({ url: `/api/evidence/${items[0]!.id}/file`, headers: { cookie: officer.cookie } }))
        .statusCode,
    ).toBe(200);
  });

  it('refuses a forbidden, an infected, an oversized and an empty multipart file, leaving nothing behind', async () => {
    const page = await t.app.inject({ url: '/help/thread/journal', headers: { cookie: survivor.cookie } });
    const csrf = csrfOf(page.body);
    const entryId = /id="entry-([0-9a-f-]{36})"/.exec(page.body)?.[1];
    const owner = `help-case:${survivor.helpRequestId}`;
    const before = (await t.app.evidence.listForOwner(owner)).length;
    const cases: [Buffer, number, string][] = [
      [Buffer.from('MZ\x90\x00' + 'x'.repeat(2000), 'binary'), 415, 'EXE'],
      [Buffer.from(`${EICAR}\n`), 422, 'EICAR'],
      [Buffer.alloc(5.5 * 1024 * 1024, 0x41), 413, '文件太大了'],
    ];
    for (const [data, status, label] of cases) {
      const body = multipartBody({ csrf }, { name: 'f.bin', type: 'application/octet-stream', data });
      const res = await t.app.inject({
        method: 'POST',
        url: `/help/thread/journal/entries/${entryId}/files`,
        headers: { cookie: survivor.cookie, 'content-type': body.contentType },
        payload: body.payload,
      });
      expect(res.statusCode, label).toBe(status);
      expect(res.body, label).toContain('role="alert"');
      if (status === 413) expect(res.body).toContain(label);
    }
    // Nothing chosen: the browser sends an empty file part without a name; and a form without any file part.
    for (const none of [
      multipartBody({ csrf }, { name: '', type: 'application/octet-stream', data: Buffer.alloc(0) }),
      multipartBody({ csrf }),
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/help/thread/journal/entries/${entryId}/files`,
        headers: { cookie: survivor.cookie, 'content-type': none.contentType },
        payload: none.payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('请选择一个文件');
    }
    const forged = multipartBody({ csrf: 'x' }, { name: 'a.png', type: 'image/png', data: await photo() });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/help/thread/journal/entries/${entryId}/files`,
          headers: { cookie: survivor.cookie, 'content-type': forged.contentType },
          payload: forged.payload,
        })
      ).statusCode,
    ).toBe(403);
    const foreignEntry = multipartBody({ csrf }, { name: 'a.png', type: 'image/png', data: await photo() });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/help/thread/journal/entries/${randomUUID()}/files`,
          headers: { cookie: survivor.cookie, 'content-type': foreignEntry.contentType },
          payload: foreignEntry.payload,
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.app.evidence.listForOwner(owner)).length).toBe(before);
    expect(await t.db.selectFrom('evidence_upload').select('id').execute()).toEqual([]);
    expect(await strayObjects()).toEqual([]);
  });
});
