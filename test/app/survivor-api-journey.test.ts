/**
 * Survivor parity (issue 14) and deletion (issue 13): everything she can do in the portal works through the
 * JSON API with her thread token alone. One whole journey through the generated typed client (tus uploads with
 * plain fetch through the app): help request → thread → message → journal entry + two uploads → consent to
 * share → her own protection-order application (draft, check in her language, submit) → timeline and her order
 * → violation report → deletion. Another thread's token reaches none of her application ids (404); after the
 * deletion her code and secret open nothing, her files are gone from the store, the court keeps what the law
 * makes it keep, and a report refold no longer counts her request.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refoldRequestOf } from '../../src/modules/reports/reports.jobs.ts';
import { chinaDayOf, foldRollups, refoldDays } from '../../src/modules/reports/reports.fold.ts';
import type { paths } from '../../src/client/index.ts';
import type { OrdersActor } from '../../src/modules/orders/orders.service.ts';
import { apiClient, injectFetch } from '../support/api-client.ts';
import { filesUnder } from '../support/evidence.ts';
import {
  completeApplication,
  makeDeskCaseFor,
  makeOrdersWorld,
  makeSurvivor,
  pdfText,
  type OrdersWorld,
} from '../support/orders.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let w: OrdersWorld;
let dataDir: string;

/** The folder of an item's stored objects: its upload's segments (since 0023), or its own folder before. */
async function storedUnder(id: string): Promise<string> {
  const segment = await t.db
    .selectFrom('evidence_item_segment')
    .select('object_key')
    .where('evidence_id', '=', id)
    .executeTakeFirst();
  const folder = segment ? segment.object_key.split('/').slice(0, 2).join('/') : `items/${id}`;
  return path.join(dataDir, 'evidence', folder);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-survivor-api-'));
  t = await createTestApp({ env: { ANXIN_DATA_DIR: dataDir, ANXIN_RATE_LIMIT_PER_MINUTE: '100000' } });
  w = await makeOrdersWorld(t);
}, 60_000);
afterAll(async () => {
  await t?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const staff = (accountId: string): OrdersActor => ({
  audit: { accountId, roles: ['judge'], organisationId: null, ip: null, userAgent: null },
  ref: `staff:${accountId}`,
  accountId,
});
const withToken = (token: string) => apiClient(t.app, { authorization: `Bearer ${token}` });
const tokenOf = (cookie: string) => cookie.replace(/^ax_thread=/, '');
type ApplicationBody =
  paths['/api/help/thread/orders/{id}']['put']['requestBody']['content']['application/json'];
/** The fixtures' complete application, as her API takes it. */
const complete = (evidenceIds: string[] = []) => completeApplication(evidenceIds) as ApplicationBody;

/** A file uploaded with tus (plain fetch through the app): creation, then one PATCH with every byte. */
async function tusUpload(grant: string, filename: string, bytes: Buffer): Promise<string> {
  const fetch = injectFetch(t.app);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const created = await fetch('http://anxin.test/api/evidence/uploads', {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `filename ${b64(filename)},filetype ${b64('text/plain')},evidenceType ${b64('communications')}`,
      'anxin-upload-grant': grant,
    },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const location = new URL(created.headers.get('location') ?? '', 'http://anxin.test');
  const patched = await fetch(location.toString(), {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
      'anxin-upload-grant': grant,
    },
    body: new Uint8Array(bytes),
  });
  expect(patched.status, await patched.clone().text()).toBe(204);
  const id = patched.headers.get('anxin-evidence-id');
  expect(id).toBeTruthy();
  return id ?? '';
}

/** The help total of today in the rollups (the fold's count of help requests). */
async function helpTotalToday(): Promise<number> {
  const row = await t.db
    .selectFrom('report_fact_day')
    .select('n')
    .where('source', '=', 'help')
    .where('dimension', '=', 'total')
    .where('day', '=', chinaDayOf(new Date()))
    .executeTakeFirst();
  return row?.n ?? 0;
}

/** Every `reports.refold` request in the outbox, run as the job runs them. */
async function runRefoldJobs(): Promise<number> {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('topic', '=', 'reports.refold')
    .where('dispatched_at', 'is', null)
    .execute();
  for (const row of rows) {
    const request = refoldRequestOf(row.payload);
    expect(request).not.toBeNull();
    if (request) await refoldDays(t.db, request.from, request.to, request.sources);
    await t.db.updateTable('outbox').set({ dispatched_at: new Date() }).where('id', '=', row.id).execute();
  }
  return rows.length;
}

describe('her whole journey through the typed client, then deletion', () => {
  it('works with her thread token alone, keeps others out, and deletes what the law lets her delete', async () => {
    const anonymous = apiClient(t.app);

    // Help request and thread.
    const filed = await anonymous.POST('/api/help/requests', {
      body: {
        requestType: 'domestic_violence',
        narrative: '他昨晚又打了我，我想申请保护令。',
        province: '32',
        city: '南京',
        forms: ['physical'],
        contact: { channel: 'in_app', noVoicemail: true, noSms: true },
        consentSensitive: true,
      },
    });
    expect(filed.response.status, JSON.stringify(filed.error)).toBe(201);
    const { caseCode, secret } = filed.data!;
    const opened = await anonymous.POST('/api/help/thread', { body: { caseCode, secret } });
    expect(opened.response.status).toBe(200);
    const her = withToken(opened.data!.token);
    const helpRequestId = (
      await t.db
        .selectFrom('help_request')
        .select('id')
        .where('case_code', '=', caseCode)
        .executeTakeFirstOrThrow()
    ).id;

    // A message, a journal entry and two files.
    expect(
      (await her.POST('/api/help/thread/messages', { body: { text: '我想知道怎么申请保护令。' } })).response
        .status,
    ).toBe(201);
    const entry = await her.POST('/api/help/thread/journal', {
      body: { incidentDate: '2026-11-01', description: '他在我单位门口等我，说要杀了我。' },
    });
    expect(entry.response.status, JSON.stringify(entry.error)).toBe(201);
    const chat = await tusUpload(entry.data!.upload.token, 'chat.txt', Buffer.from('他：你等着。\n'));
    const diary = await tusUpload(entry.data!.upload.token, 'diary.txt', Buffer.from('今天很害怕。\n'));
    const journal = await her.GET('/api/help/thread/journal');
    expect(JSON.stringify(journal.data)).toContain('chat.txt');

    // Her consent to share one file with the police.
    const shared = await her.POST('/api/help/thread/evidence/shares', {
      body: { evidenceIds: [chat], agency: 'police', organisationId: w.police, consent: true },
    });
    expect(shared.response.status, JSON.stringify(shared.error)).toBe(200);

    // Her application: a draft with gaps, checked in her language, completed, filed.
    const started = await her.POST('/api/help/thread/orders', {
      body: { application: { relationship: 'spouse' } },
    });
    expect(started.response.status, JSON.stringify(started.error)).toBe(201);
    const appId = started.data!.id;
    expect(started.data!.complete).toBe(false);
    const check = await her.GET('/api/help/thread/orders/{id}/check', { params: { path: { id: appId } } });
    expect(check.data!.complete).toBe(false);
    const applicantName = check.data!.problems.find((p) => p.field === 'applicant.name');
    expect(applicantName?.code).toBe('orders.problem.applicantName');
    expect(applicantName?.message).toMatch(/[\u4e00-\u9fff]/);
    const inEnglish = await withToken(opened.data!.token).GET('/api/help/thread/orders/{id}/check', {
      params: { path: { id: appId } },
      headers: { 'accept-language': 'en' },
    });
    expect(inEnglish.data!.problems.find((p) => p.field === 'applicant.name')?.message).toMatch(/[a-z]/);
    const early = await her.POST('/api/help/thread/orders/{id}/submit', { params: { path: { id: appId } } });
    expect(early.response.status).toBe(400);
    expect(
      (await t.db.selectFrom('order_application').select('status').where('id', '=', appId).executeTakeFirst())
        ?.status,
    ).toBe('draft');
    const saved = await her.PUT('/api/help/thread/orders/{id}', {
      params: { path: { id: appId } },
      body: complete([chat]),
    });
    expect(saved.response.status, JSON.stringify(saved.error)).toBe(200);
    expect(saved.data).toMatchObject({ id: appId, complete: true, problems: [] });
    const submitted = await her.POST('/api/help/thread/orders/{id}/submit', {
      params: { path: { id: appId } },
    });
    expect(submitted.response.status, JSON.stringify(submitted.error)).toBe(200);
    expect(submitted.data!.court).toBe('南京市玄武区人民法院');
    // Filed: no more changes.
    expect(
      (
        await her.PUT('/api/help/thread/orders/{id}', {
          params: { path: { id: appId } },
          body: complete(),
        })
      ).response.status,
    ).toBe(409);

    // The court accepts and grants (the court's side); she follows it and downloads her copy.
    await t.app.ordersService.accept(staff(w.clerk.accountId), appId);
    await t.app.ordersService.decide(staff(w.judge.accountId), appId, {
      outcome: 'grant',
      measures: ['no_violence', 'no_contact'],
      validMonths: 6,
    });
    const mine = await her.GET('/api/help/thread/orders');
    expect(mine.data!.items.map((a) => [a.id, a.status])).toEqual([[appId, 'granted']]);
    const view = await her.GET('/api/help/thread/orders/{id}', { params: { path: { id: appId } } });
    expect(view.response.status).toBe(200);
    expect(view.response.headers.get('cache-control')).toBe('no-store');
    expect(view.data!.timeline.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['received', 'accepted', 'granted']),
    );
    expect(view.data!.order).toMatchObject({ inForce: true, measures: ['no_violence', 'no_contact'] });
    const document = await her.GET('/api/help/thread/orders/{id}/document', {
      params: { path: { id: appId } },
      parseAs: 'arrayBuffer',
    });
    expect(document.response.status).toBe(200);
    expect(document.response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(document.data as ArrayBuffer);
    expect(pdfText(pdf).replace(/\s+/g, '')).toContain(view.data!.order!.caseNumber);

    // A violation report with a file from her vault.
    const violation = await her.POST('/api/help/thread/orders/{id}/violations', {
      params: { path: { id: appId } },
      body: { occurredOn: '2026-11-20', description: '他又到我家楼下。', evidenceIds: [diary] },
    });
    expect(violation.response.status, JSON.stringify(violation.error)).toBe(201);

    // Another thread's token reaches none of it: every operation on her application id is 404, nothing changes.
    const other = await makeSurvivor(t);
    const stranger = withToken(tokenOf(other.cookie));
    const p = { params: { path: { id: appId } } };
    const answers = [
      (await stranger.GET('/api/help/thread/orders/{id}', p)).response.status,
      (await stranger.GET('/api/help/thread/orders/{id}/check', p)).response.status,
      (await stranger.PUT('/api/help/thread/orders/{id}', { ...p, body: complete() })).response.status,
      (await stranger.POST('/api/help/thread/orders/{id}/submit', p)).response.status,
      (await stranger.GET('/api/help/thread/orders/{id}/document', { ...p, parseAs: 'arrayBuffer' })).response
        .status,
      (
        await stranger.POST('/api/help/thread/orders/{id}/violations', {
          ...p,
          body: { occurredOn: '2026-11-21', description: 'x' },
        })
      ).response.status,
    ];
    expect(answers).toEqual([404, 404, 404, 404, 404, 404]);
    expect((await stranger.GET('/api/help/thread/orders')).data!.items).toEqual([]);
    // Her file named in another thread's draft or violation report: 404 too (ids in bodies are checked).
    const theirs = await stranger.POST('/api/help/thread/orders', {
      body: { application: { evidenceIds: [chat] } },
    });
    expect(theirs.response.status).toBe(404);
    const violations = await t.db
      .selectFrom('order_violation as v')
      .innerJoin('protection_order as o', 'o.id', 'v.order_id')
      .select('v.id')
      .where('o.application_id', '=', appId)
      .execute();
    expect(violations).toHaveLength(1);
    // No token at all: 401.
    expect((await anonymous.GET('/api/help/thread/orders/{id}', p)).response.status).toBe(401);

    // Her desk case (with a caseworker's note) and the report that counts her.
    const caseId = await makeDeskCaseFor(t, w.ngo, helpRequestId, w.caseworker.accountId);
    await t.db
      .insertInto('helpline_case_note')
      .values({
        id: randomUUID(),
        case_id: caseId,
        author_account_id: w.caseworker.accountId,
        body_sealed: t.keyring.sealText('她说他有刀。', `helpline_case_note.body:${caseId}`),
      })
      .execute();
    await foldRollups(t.db);
    await runRefoldJobs();
    const countedBefore = await helpTotalToday();
    expect(countedBefore).toBeGreaterThanOrEqual(1);
    const chatObject = await storedUnder(chat);
    const diaryObject = await storedUnder(diary);
    expect((await filesUnder(diaryObject)).length).toBeGreaterThan(0);

    // Before she confirms she is told what stays, in her language.
    const preview = await her.GET('/api/help/thread/deletion');
    expect(preview.data).toMatchObject({ keptApplications: 1, keptFiles: 2 });
    expect(preview.data!.explanation.join('\n')).toContain('法律要求法院保存的内容不会删除');
    // Without her confirmation nothing changes.
    const unconfirmed = await her.POST('/api/help/thread/deletion', {
      body: { confirm: false, withdrawStatistics: true },
    });
    expect(unconfirmed.response.status).toBe(400);
    expect((await her.GET('/api/help/thread/messages')).data!.messages.length).toBeGreaterThan(0);

    const deleted = await her.POST('/api/help/thread/deletion', {
      body: { confirm: true, withdrawStatistics: true },
    });
    expect(deleted.response.status, JSON.stringify(deleted.error)).toBe(200);
    expect(deleted.data).toMatchObject({
      journalEntries: 1,
      files: 0,
      keptApplications: 1,
      keptFiles: 2,
      statisticsWithdrawn: true,
    });

    // Her token, her code and her secret open nothing any more.
    expect((await her.GET('/api/help/thread/messages')).response.status).toBe(401);
    expect((await her.GET('/api/help/thread/orders')).response.status).toBe(401);
    expect((await anonymous.POST('/api/help/thread', { body: { caseCode, secret } })).response.status).toBe(
      401,
    );
    // Her messages, journal and sessions are gone; the help request keeps no sealed field of hers.
    expect(
      await t.db
        .selectFrom('help_message')
        .select('id')
        .where('help_request_id', '=', helpRequestId)
        .execute(),
    ).toEqual([]);
    expect(
      await t.db
        .selectFrom('evidence_journal_entry')
        .select('id')
        .where('owner_ref', '=', `help-case:${helpRequestId}`)
        .execute(),
    ).toEqual([]);
    const request = await t.db
      .selectFrom('help_request')
      .selectAll()
      .where('id', '=', helpRequestId)
      .executeTakeFirstOrThrow();
    expect(request).toMatchObject({
      status: 'deleted',
      statistics_withdrawn: true,
      city: null,
      province: null,
      other_type_sealed: null,
      danger_answers_sealed: null,
    });
    // The court keeps what the law makes it keep: the filed application, its order and the files filed with them.
    expect(
      (await t.db.selectFrom('order_application').select('status').where('id', '=', appId).executeTakeFirst())
        ?.status,
    ).toBe('granted');
    expect((await filesUnder(chatObject)).length).toBeGreaterThan(0);
    expect((await filesUnder(diaryObject)).length).toBeGreaterThan(0);
    // The desk case is closed and its notes are gone.
    const desk = await t.db
      .selectFrom('helpline_case')
      .select(['status', 'closing_outcome'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(desk).toEqual({ status: 'closed', closing_outcome: 'withdrawn' });
    expect(
      await t.db.selectFrom('helpline_case_note').select('id').where('case_id', '=', caseId).execute(),
    ).toEqual([]);
    // The desk still opens its (closed) case, with nothing of hers in it.
    const deskView = await t.app.inject({
      url: `/api/desk/cases/${caseId}`,
      headers: { cookie: w.caseworker.cookie, 'x-csrf-token': w.caseworker.csrf },
    });
    expect(deskView.statusCode, deskView.body).toBe(200);
    expect(deskView.body).not.toContain('他昨晚又打了我');
    expect(deskView.body).not.toContain('她说他有刀');
    // Audited with counts only, never her words.
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['details', 'actor_roles'])
      .where('event', '=', 'help.data_deleted')
      .where('record_id', '=', helpRequestId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_roles).toEqual(['survivor']);
    expect(JSON.stringify(audit[0]?.details)).not.toMatch(/[\u4e00-\u9fff]/);

    // A refold (queued by the deletion, in its transaction) no longer counts her request.
    expect(await runRefoldJobs()).toBeGreaterThan(0);
    expect(await helpTotalToday()).toBe(countedBefore - 1);
  }, 60_000);

  it('erases the files no court holds: rows, custody delete entry, stored objects', async () => {
    const her = await makeSurvivor(t);
    const api = withToken(tokenOf(her.cookie));
    const entry = await api.POST('/api/help/thread/journal', {
      body: { incidentDate: '2026-11-02', description: '他拿走了我的手机。' },
    });
    expect(entry.response.status).toBe(201);
    // A file added later to the entry, with a grant for it (the page's "add a file" form); not for another thread.
    const entryPath = { params: { path: { entryId: entry.data!.id } } };
    const other = await makeSurvivor(t);
    expect(
      (await withToken(tokenOf(other.cookie)).POST('/api/help/thread/journal/{entryId}/uploads', entryPath))
        .response.status,
    ).toBe(404);
    const grant = await api.POST('/api/help/thread/journal/{entryId}/uploads', entryPath);
    expect(grant.response.status).toBe(201);
    const file = await tusUpload(grant.data!.token, 'note.txt', Buffer.from('记录。\n'));
    const stored = await storedUnder(file);
    expect((await filesUnder(stored)).length).toBeGreaterThan(0);
    // A draft never filed goes too.
    const draft = await api.POST('/api/help/thread/orders', { body: {} });
    expect(draft.response.status).toBe(201);

    const deleted = await api.POST('/api/help/thread/deletion', {
      body: { confirm: true, withdrawStatistics: false },
    });
    expect(deleted.data).toMatchObject({
      files: 1,
      drafts: 1,
      keptApplications: 0,
      statisticsWithdrawn: false,
    });
    expect(await t.db.selectFrom('evidence_item').select('id').where('id', '=', file).execute()).toEqual([]);
    expect(
      await t.db.selectFrom('order_application').select('id').where('id', '=', draft.data!.id).execute(),
    ).toEqual([]);
    expect((await t.app.evidence.custodyOf(file)).map((e) => e.action)).toEqual(['upload', 'delete']);
    expect(await filesUnder(stored)).toEqual([]);
    // She kept her consent to statistics: her classification stays countable, nothing else of hers.
    const request = await t.db
      .selectFrom('help_request')
      .select(['status', 'statistics_withdrawn', 'forms'])
      .where('id', '=', her.helpRequestId)
      .executeTakeFirstOrThrow();
    expect(request).toEqual({ status: 'deleted', statistics_withdrawn: false, forms: ['physical'] });
  });
});

describe('her pages call the same use cases', () => {
  it('deletes from her thread page: a confirm step that says what stays, post-redirect-get, no JavaScript', async () => {
    const her = await makeSurvivor(t);
    const thread = await t.app.inject({ url: '/help/thread', headers: { cookie: her.cookie } });
    expect(thread.body).toContain('href="/help/thread/delete"');
    const confirm = await t.app.inject({ url: '/help/thread/delete', headers: { cookie: her.cookie } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('你没有提交给法院的申请');
    expect(confirm.body).toContain('同时撤回我对匿名统计的同意');
    const csrf = /name="csrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? '';
    const post = (payload: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/help/thread/delete',
        headers: { cookie: her.cookie },
        payload,
      });
    // Without ticking "I understand" nothing happens, and she is told why.
    const unticked = await post({ csrf, withdrawStatistics: 'on' });
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('请先勾选“我明白删除后无法恢复”。');
    expect((await t.app.help.listMessages(t.db, her.helpRequestId)).length).toBe(1);
    // Another session's form token is refused.
    expect((await post({ csrf: 'x', confirm: 'on' })).statusCode).toBe(403);

    const done = await post({ csrf, confirm: 'on' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/help/deleted?s=0');
    expect(String(done.headers['set-cookie'])).toContain('ax_thread=;');
    const landing = await t.app.inject({ url: '/help/deleted?s=0' });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('你的资料已删除');
    expect((await t.app.help.listMessages(t.db, her.helpRequestId)).length).toBe(0);
    const reopened = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread',
      payload: { caseCode: her.caseCode, secret: her.secret },
      remoteAddress: '10.99.1.1',
    });
    expect(reopened.statusCode).toBe(401);
  });

  it('her application page answers 404 for another thread’s application, like the API', async () => {
    const her = await makeSurvivor(t);
    const other = await makeSurvivor(t);
    const started = await withToken(tokenOf(her.cookie)).POST('/api/help/thread/orders', { body: {} });
    const id = started.data!.id;
    const page = await t.app.inject({ url: '/help/thread/orders', headers: { cookie: other.cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const foreign = await t.app.inject({
      method: 'POST',
      url: `/help/thread/orders/${id}`,
      headers: { cookie: other.cookie },
      payload: { csrf, 'applicant.name': '王强', intent: 'save' },
    });
    expect(foreign.statusCode).toBe(404);
    expect(
      (await t.app.inject({ url: `/help/thread/orders/${id}`, headers: { cookie: other.cookie } }))
        .statusCode,
    ).toBe(404);
    // Her own page saves through the same use case.
    const mine = await t.app.inject({ url: `/help/thread/orders/${id}`, headers: { cookie: her.cookie } });
    const herCsrf = /name="csrf" value="([^"]+)"/.exec(mine.body)?.[1] ?? '';
    const saved = await t.app.inject({
      method: 'POST',
      url: `/help/thread/orders/${id}`,
      headers: { cookie: her.cookie },
      payload: { csrf: herCsrf, 'applicant.name': '李梅', intent: 'save' },
    });
    expect(saved.statusCode).toBe(200);
    const check = await withToken(tokenOf(her.cookie)).GET('/api/help/thread/orders/{id}/check', {
      params: { path: { id } },
    });
    expect(check.data!.problems.map((p) => p.field)).not.toContain('applicant.name');
  });

  it('scores the safety check through the API with the page’s rule', async () => {
    const res = await apiClient(t.app).POST('/api/help/safety-check', {
      body: { answers: [true, true, true, false, false] },
    });
    expect(res.data).toMatchObject({ score: 3, level: 'high' });
    expect(res.data!.message).toContain('110');
    const bad = await apiClient(t.app).POST('/api/help/safety-check', { body: { answers: [true] } });
    expect(bad.response.status).toBe(400);
  });
});
