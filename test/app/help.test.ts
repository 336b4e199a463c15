/**
 * The help module through the real app on a real PostgreSQL: help requests, case code + secret, thread
 * sessions, messages, staff replies through the service, call-backs, the directory, usage counting, and bad
 * input on every form and operation (a message in her language, nothing stored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { csrfTokenFor } from '../../src/platform/csrf.ts';
import { helpDemoSeed } from '../../src/modules/help/help.demo.ts';
import { chinaDate, chinaInstant } from '../../src/modules/helpline/helpline.model.ts';
import { makeOrganisation, makeStaff, sessionFor } from '../support/identity-fixtures.ts';
import { randomUUID } from 'node:crypto';

let t: TestApp;
let ip = 0;
/** Each test gets its own network address, so per-network limits of one test never bleed into another. */
const nextIp = () => `10.40.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const validRequest = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我，还说要杀了我。',
  ageBand: '30_39',
  gender: 'female',
  province: '50',
  city: '渝中区',
  forms: ['physical', 'death_threats'],
  relationship: 'spouse',
  childrenWitnessed: true,
  contact: {
    channel: 'phone',
    phone: '13800138000',
    windows: [{ from: '09:00', to: '11:00' }],
    codeWord: '买菜',
    noVoicemail: true,
    noSms: true,
  },
  consentSensitive: true,
  dangerAnswers: [true, false, true, true, false],
};

async function counts() {
  const row = await sql<{
    requests: string;
    messages: string;
    callbacks: string;
    outbox: string;
    sessions: string;
  }>`
    select (select count(*) from help_request)::text as requests, (select count(*) from help_message)::text as messages,
           (select count(*) from help_callback)::text as callbacks, (select count(*) from outbox where topic like 'help.%')::text as outbox,
           (select count(*) from help_thread_session)::text as sessions`.execute(t.db);
  return row.rows[0];
}

async function createRequest(remoteAddress = nextIp(), body: object = validRequest) {
  const res = await t.app.inject({ method: 'POST', url: '/api/help/requests', remoteAddress, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ caseCode: string; secret: string; dangerLevel: string | null }>();
}

async function openThread(caseCode: string, secret: string, remoteAddress = nextIp()) {
  return t.app.inject({
    method: 'POST',
    url: '/api/help/thread',
    remoteAddress,
    headers: { 'accept-language': 'en' },
    payload: { caseCode, secret },
  });
}

describe('help request', () => {
  it('drops fields it does not know instead of storing them', async () => {
    const created = await createRequest(nextIp(), { ...validRequest, surname: '王UNKNOWNFIELD' });
    const row = await t.db
      .selectFrom('help_request')
      .selectAll()
      .where('case_code', '=', created.caseCode)
      .executeTakeFirstOrThrow();
    const view = await t.app.help.getRequestForStaff(t.db, row.id);
    expect(JSON.stringify(view)).not.toContain('UNKNOWNFIELD');
  });

  it('stores the request and its first message in one go, sealed, with an outbox event, and answers with code and secret', async () => {
    const before = await counts();
    const created = await createRequest();
    expect(created.caseCode).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(created.secret).toMatch(/^\d{12}$/);
    expect(created.dangerLevel).toBe('high');
    const after = await counts();
    expect(Number(after?.requests)).toBe(Number(before?.requests) + 1);
    expect(Number(after?.messages)).toBe(Number(before?.messages) + 1);
    expect(Number(after?.outbox)).toBe(Number(before?.outbox) + 1);

    const row = await t.db
      .selectFrom('help_request')
      .selectAll()
      .where('case_code', '=', created.caseCode)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      request_type: 'domestic_violence',
      province: '50',
      forms: ['physical', 'death_threats'],
      contact_channel: 'phone',
      consent_basis: 'separate_consent',
      danger_level: 'high',
      danger_score: 3,
    });
    const raw = JSON.stringify(
      await sql`select * from help_request r join help_message m on m.help_request_id = r.id where r.id = ${row.id}`.execute(
        t.db,
      ),
    );
    for (const secretText of ['13800138000', '买菜', '他昨晚又打了我', created.secret])
      expect(raw).not.toContain(secretText);
    expect(row.secret_hash.toString('hex')).not.toContain(Buffer.from(created.secret).toString('hex'));

    const outbox = await t.db
      .selectFrom('outbox')
      .select(['topic', 'payload'])
      .where('topic', '=', 'help.request-created')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(outbox.payload).toEqual({ helpRequestId: row.id });

    const staffView = await t.app.help.getRequestForStaff(t.db, row.id);
    expect(staffView?.contact).toEqual({
      channel: 'phone',
      phone: '13800138000',
      windows: [{ from: '09:00', to: '11:00' }],
      codeWord: '买菜',
      noVoicemail: true,
      noSms: true,
    });
    expect(staffView?.messages.map((m) => m.text)).toEqual([validRequest.narrative]);
    expect(staffView?.dangerAnswers).toEqual(validRequest.dangerAnswers);
    expect((await t.app.help.listOpenRequests()).some((r) => r.id === row.id)).toBe(true);
  });

  it('stores requests that arrive together (written as one statement) each with her own message, code and secret', async () => {
    const before = await counts();
    const narratives = Array.from({ length: 40 }, (_, i) => `同时提交的第${i}个求助`);
    const created = await Promise.all(
      narratives.map((narrative) => createRequest(nextIp(), { ...validRequest, narrative })),
    );
    const after = await counts();
    expect(Number(after?.requests) - Number(before?.requests)).toBe(40);
    expect(Number(after?.messages) - Number(before?.messages)).toBe(40);
    expect(Number(after?.outbox) - Number(before?.outbox)).toBe(40);
    expect(new Set(created.map((c) => c.caseCode)).size).toBe(40);
    for (const [i, { caseCode, secret }] of created.entries()) {
      const opened = await openThread(caseCode, secret);
      expect(opened.statusCode).toBe(200);
      const list = await t.app.inject({
        url: '/api/help/thread/messages',
        remoteAddress: nextIp(),
        headers: { authorization: `Bearer ${opened.json().token}` },
      });
      expect(list.json().messages.map((m: { text: string }) => m.text)).toEqual([narratives[i]]);
    }
  });
  it('records a minor under 14 whose guardian may be the abuser as never to contact the guardian', async () => {
    const created = await createRequest(nextIp(), {
      requestType: 'domestic_violence',
      narrative: '爸爸打我',
      ageBand: 'under_14',
      guardianMayBeAbuser: true,
      contact: { channel: 'in_app', noVoicemail: true, noSms: true },
      consentSensitive: true,
    });
    const row = await t.db
      .selectFrom('help_request')
      .select(['consent_basis', 'no_guardian_contact', 'is_minor'])
      .where('case_code', '=', created.caseCode)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ consent_basis: 'minor_emergency', no_guardian_contact: true, is_minor: true });
  });

  const bad: [string, unknown][] = [
    ['an empty body', {}],
    ['an empty narrative', { ...validRequest, narrative: '' }],
    ['a narrative that is too long', { ...validRequest, narrative: '字'.repeat(5001) }],
    ['wrong types', { ...validRequest, narrative: 42, forms: 'physical', consentSensitive: 'yes' }],
    ['an unknown request type', { ...validRequest, requestType: 'burglary' }],
    ['a script tag', { ...validRequest, narrative: '<script>alert(1)</script>' }],
    [
      'a backwards time window',
      { ...validRequest, contact: { ...validRequest.contact, windows: [{ from: '22:00', to: '07:00' }] } },
    ],
    [
      'a malformed time',
      {
        ...validRequest,
        contact: { ...validRequest.contact, windows: [{ from: '9 o’clock', to: '11:00' }] },
      },
    ],
    [
      'a phone channel without a phone',
      { ...validRequest, contact: { ...validRequest.contact, phone: undefined } },
    ],
    ['texts while refusing texts', { ...validRequest, contact: { ...validRequest.contact, channel: 'sms' } }],
    ['no consent', { ...validRequest, consentSensitive: false }],
    [
      'a script tag in the code word',
      { ...validRequest, contact: { ...validRequest.contact, codeWord: '<b>x</b>' } },
    ],
  ];
  for (const [what, payload] of bad) {
    it(`refuses ${what} with a message in her language and stores nothing`, async () => {
      const before = await counts();
      const zh = await t.app.inject({
        method: 'POST',
        url: '/api/help/requests',
        remoteAddress: nextIp(),
        payload: payload as object,
      });
      const en = await t.app.inject({
        method: 'POST',
        url: '/api/help/requests',
        remoteAddress: nextIp(),
        headers: { 'accept-language': 'en' },
        payload: payload as object,
      });
      expect(zh.statusCode, zh.body).toBe(400);
      expect(zh.json().error.code).toBe('VALIDATION');
      expect(zh.json().error.message).toMatch(/\p{Script=Han}/u);
      expect(en.json().error.message).toBe(
        'Some of what you entered needs fixing. Please check and send it again.',
      );
      expect(en.json().error.fields.length).toBeGreaterThan(0);
      expect(await counts()).toEqual(before);
    });
  }

  it('refuses an oversized body with 413 and stores nothing', async () => {
    const before = await counts();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      payload: JSON.stringify({ ...validRequest, narrative: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toBe('What you sent is too large.');
    expect(await counts()).toEqual(before);
  });
});

describe('demo data', () => {
  it('seeds requests that open with the printed code and secret', async () => {
    const lines: string[] = [];
    await t.db
      .transaction()
      .execute((trx) => helpDemoSeed({ trx, keyring: t.keyring, print: (line) => lines.push(line) }));
    const [, code, secret] = /case code (\S+), secret ([\d ]+)/.exec(lines[0] ?? '') ?? [];
    const opened = await openThread(code ?? '', secret ?? '');
    expect(opened.statusCode).toBe(200);
    const row = await t.db
      .selectFrom('help_request')
      .select(['danger_level', 'no_guardian_contact'])
      .where('case_code', '=', /case code (\S+),/.exec(lines[1] ?? '')?.[1] ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ danger_level: null, no_guardian_contact: true });
  });
});

describe('her thread through the API', () => {
  it('opens with code and secret, lists messages, takes her messages and shows staff replies posted through the service', async () => {
    const created = await createRequest();
    const opened = await openThread(
      created.caseCode.toLowerCase().replace('-', ' '),
      created.secret.replace(/(\d{4})/g, '$1 '),
    );
    expect(opened.statusCode, opened.body).toBe(200);
    const { token, previousOpenAt } = opened.json();
    expect(previousOpenAt).toBeNull();
    const auth = { authorization: `Bearer ${token}` };

    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/messages',
      headers: auth,
      payload: { text: '补充：他有刀。' },
    });
    expect(posted.statusCode).toBe(201);

    const row = await t.db
      .selectFrom('help_request')
      .select('id')
      .where('case_code', '=', created.caseCode)
      .executeTakeFirstOrThrow();
    await t.db
      .transaction()
      .execute((trx) =>
        t.app.help.postStaffReply(trx, row.id, 'staff:test-lawyer', '我们看到了。今晚你安全吗？'),
      );

    expect((await t.app.help.listOpenRequests()).find((r) => r.id === row.id)?.status).toBe('answered');
    await t.app.help.closeRequest(t.db, row.id);
    expect((await t.app.help.listOpenRequests()).some((r) => r.id === row.id)).toBe(false);

    const list = await t.app.inject({ url: '/api/help/thread/messages', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.json().messages.map((m: { author: string; text: string }) => [m.author, m.text])).toEqual([
      ['survivor', validRequest.narrative],
      ['survivor', '补充：他有刀。'],
      ['staff', '我们看到了。今晚你安全吗？'],
    ]);
    expect(JSON.stringify(list.json())).not.toContain('staff:test-lawyer');

    // Her new message reopens a closed request.
    await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/messages',
      headers: auth,
      payload: { text: '还在吗？' },
    });
    expect((await t.app.help.listOpenRequests()).find((r) => r.id === row.id)?.status).toBe('open');

    // Opening again shows her when it was opened last.
    const again = await openThread(created.caseCode, created.secret);
    expect(again.json().previousOpenAt).not.toBeNull();
  });

  it('refuses a missing, malformed or unknown token', async () => {
    for (const authorization of [undefined, 'Bearer short', 'Bearer ' + 'x'.repeat(43), 'Basic abc']) {
      const res = await t.app.inject({
        url: '/api/help/thread/messages',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
    }
  });

  it('ends a session after 30 minutes without use', async () => {
    const created = await createRequest();
    const { token } = (await openThread(created.caseCode, created.secret)).json();
    await t.db
      .updateTable('help_thread_session')
      .set({ idle_expires_at: new Date(Date.now() - 1000) })
      .execute();
    expect(
      (
        await t.app.inject({
          url: '/api/help/thread/messages',
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('refuses bad messages in her language and stores nothing', async () => {
    const created = await createRequest();
    const { token } = (await openThread(created.caseCode, created.secret)).json();
    const before = await counts();
    for (const payload of [
      {},
      { text: '' },
      { text: 'x'.repeat(5001) },
      { text: { nested: 1 } },
      { text: '<script>x</script>' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/help/thread/messages',
        headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/needs fixing/);
    }
    expect(await counts()).toEqual(before);
  });

  it('says the same for a wrong secret and an unknown code; after 5 wrong secrets the guessing network waits, and the right secret from another network still opens her thread', async () => {
    const created = await createRequest();
    const unknown = await openThread('ZZZZ-ZZZZ', '000000000000');
    expect(unknown.statusCode).toBe(401);
    const attacker = nextIp();
    const wrong = await openThread(created.caseCode, '000000000000', attacker);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
    for (let i = 0; i < 4; i++)
      expect((await openThread(created.caseCode, String(100000000000 + i), attacker)).statusCode).toBe(401);
    const throttled = await openThread(created.caseCode, created.secret, attacker);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('RATE_LIMITED');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      await t.db
        .selectFrom('help_thread_session')
        .select('id')
        .where(
          'help_request_id',
          '=',
          t.db.selectFrom('help_request').select('id').where('case_code', '=', created.caseCode),
        )
        .execute(),
    ).toEqual([]);
    // She, from her own network, gets in; the page form says the same as the API to the guessing network.
    expect((await openThread(created.caseCode, created.secret, nextIp())).statusCode).toBe(200);
    const page = await t.app.inject({
      method: 'POST',
      url: '/en/help/open',
      remoteAddress: attacker,
      payload: new URLSearchParams({ caseCode: created.caseCode, secret: created.secret }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(page.statusCode).toBe(429);
    expect(page.headers['retry-after']).toBeDefined();
    expect(page.body).toContain('Too many attempts');
  });

  it('lets a platform admin clear the waits on a case code (API and page, audited); nobody else may', async () => {
    const created = await createRequest();
    const attacker = nextIp();
    const throttle = async () => {
      for (let i = 0; i < 5; i++) await openThread(created.caseCode, String(200000000000 + i), attacker);
      expect((await openThread(created.caseCode, created.secret, attacker)).statusCode).toBe(429);
    };
    await throttle();
    const ngoAdmin = await sessionFor(
      t,
      (await makeStaff(t, await makeOrganisation(t, 'ngo'), ['organisation_admin'])).accountId,
    );
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/help/throttle/clear',
      headers: { cookie: ngoAdmin.cookie, 'x-csrf-token': ngoAdmin.csrf },
      payload: { caseCode: created.caseCode },
    });
    expect(refused.statusCode).toBe(404);
    const admin = await sessionFor(
      t,
      (await makeStaff(t, await makeOrganisation(t, 'platform_operator'), ['platform_admin'])).accountId,
    );
    const cleared = await t.app.inject({
      method: 'POST',
      url: '/api/help/throttle/clear',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { caseCode: created.caseCode.toLowerCase() },
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().counters).toBeGreaterThanOrEqual(2);
    expect((await openThread(created.caseCode, created.secret, attacker)).statusCode).toBe(200);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/help/throttle/clear',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { caseCode: 'ZZZZ-ZZZZ' },
    });
    expect(unknown.statusCode).toBe(404);

    await throttle();
    const page = await t.app.inject({
      method: 'POST',
      url: '/en/staff/help/throttle',
      headers: { cookie: admin.cookie },
      payload: { _csrf: admin.csrf, caseCode: created.caseCode },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The waits on this case code were cleared.');
    expect((await openThread(created.caseCode, created.secret, attacker)).statusCode).toBe(200);
    const requestId = (
      await t.db
        .selectFrom('help_request')
        .select('id')
        .where('case_code', '=', created.caseCode)
        .executeTakeFirstOrThrow()
    ).id;
    const events = await t.db
      .selectFrom('audit_event')
      .select(['details'])
      .where('event', '=', 'help.throttle_cleared')
      .where('record_id', '=', requestId)
      .execute();
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(created.caseCode);
  });

  it('does not count successful opens toward any limit', async () => {
    const created = await createRequest();
    const network = nextIp();
    for (let i = 0; i < 35; i++)
      expect((await openThread(created.caseCode, created.secret, network)).statusCode).toBe(200);
  });

  it('limits attempts from one network across many codes', async () => {
    const network = nextIp();
    let last = 0;
    for (let i = 0; i < 31; i++)
      last = (
        await openThread(
          `AAAA-${'BCDEFGHJ'[i % 8]}${'BCDEFGHJ'[Math.floor(i / 8)]}AA`,
          '111111111111',
          network,
        )
      ).statusCode;
    expect(last).toBe(429);
  });
});

describe('her thread through the pages', () => {
  it('files a request by form, opens the thread with a session-only cookie, posts with the CSRF token and leaves', async () => {
    const remoteAddress = nextIp();
    const form = {
      requestType: 'domestic_violence',
      narrative: '我需要帮助',
      contactChannel: 'in_app',
      noVoicemail: 'on',
      consentSensitive: 'on',
      neutralTitles: 'on',
    };
    const created = await t.app.inject({
      method: 'POST',
      url: '/help/new',
      remoteAddress,
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const caseCode = /id="case-code"[^>]*>([^<]+)</.exec(created.body)?.[1];
    const secret = /id="case-secret"[^>]*>([^<]+)</.exec(created.body)?.[1];
    expect(caseCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(secret).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(created.body).toContain('<title>生活小贴士</title>');

    const opened = await t.app.inject({
      method: 'POST',
      url: '/en/help/open',
      remoteAddress,
      payload: new URLSearchParams({ caseCode: caseCode!, secret: secret! }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/en/help/thread');
    const cookies = [opened.headers['set-cookie']].flat().map(String);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(
        /^ax_thread=[A-Za-z0-9_-]{43}; Path=\/(en\/)?help\/thread; HttpOnly; SameSite=Strict$/,
      );
      expect(cookie).not.toMatch(/Max-Age|Expires/i);
    }
    const token = /^ax_thread=([^;]+)/.exec(cookies[0]!)?.[1] ?? '';
    const stored = await t.db.selectFrom('help_thread_session').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash.toString('base64url'))).not.toContain(token);

    const thread = await t.app.inject({ url: '/en/help/thread', cookies: { ax_thread: token } });
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain('我需要帮助');
    expect(thread.body).toContain('first time this request has been opened');
    expect(thread.body).toContain('<title>Everyday tips</title>');

    const session = await t.app.help.threadSession(token);
    const csrf = csrfTokenFor(t.keyring.deriveKey('csrf'), session!.id);
    const post = (url: string, body: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url,
        remoteAddress,
        cookies: { ax_thread: token },
        payload: new URLSearchParams(body).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

    const before = await counts();
    expect((await post('/en/help/thread/message', { text: 'hello' })).statusCode).toBe(403);
    const badMessage = await post('/en/help/thread/message', { text: '<script>alert(1)</script>', csrf });
    expect(badMessage.statusCode).toBe(400);
    expect(badMessage.body).toContain('please do not type web code');
    expect(badMessage.body).not.toContain('<script>alert(1)');
    expect(badMessage.body).toContain('&lt;script');
    const badCallback = await post('/en/help/thread/callback', {
      phone: '13800138000',
      window1From: '20:00',
      window1To: '08:00',
      consentSensitive: 'on',
      csrf,
    });
    expect(badCallback.statusCode).toBe(400);
    expect(badCallback.body).toContain('the end must be later than the start');
    expect(await counts()).toEqual(before);

    // Post-redirect-get: each is answered 303 to her thread page (see test/app/promises.test.ts).
    expect((await post('/en/help/thread/message', { text: 'more details', csrf })).statusCode).toBe(303);
    expect(
      (
        await post('/en/help/thread/callback', {
          phone: '13800138000',
          window1From: '08:00',
          window1To: '09:00',
          codeWord: 'tea',
          noVoicemail: 'on',
          consentSensitive: 'on',
          csrf,
        })
      ).statusCode,
    ).toBe(303);
    const after = await counts();
    expect(Number(after?.messages)).toBe(Number(before?.messages) + 1);
    expect(Number(after?.callbacks)).toBe(Number(before?.callbacks) + 1);

    const left = await post('/en/help/thread/leave', { csrf });
    expect(left.statusCode).toBe(303);
    expect(await t.app.help.threadSession(token)).toBeUndefined();
    const gone = await t.app.inject({ url: '/en/help/thread', cookies: { ax_thread: token } });
    expect(gone.body).toContain('please enter your case code and secret again'.replace('please', 'Please'));
  });

  it('re-renders the help form in her language with her input and the problems, storing nothing', async () => {
    const before = await counts();
    const body = new URLSearchParams({
      requestType: 'other',
      narrative: '',
      contactChannel: 'sms',
      phone: '138',
      noSms: 'on',
      window1From: '23:00',
      window1To: '01:00',
      city: '<script>alert(1)</script>',
    });
    for (const [url, expected] of [
      ['/help/new', '请修改下面标出的地方'],
      ['/en/help/new', 'Please fix what is marked below'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        remoteAddress: nextIp(),
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(expected);
      expect(res.body).toContain('value="138"');
      expect(res.body).not.toContain('<script>alert(1)');
      expect(res.body).toContain('aria-invalid="true"');
    }
    const en = await t.app.inject({
      method: 'POST',
      url: '/en/help/new',
      remoteAddress: nextIp(),
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    for (const message of [
      'required',
      'this number does not look right',
      'the end must be later than the start',
      'you chose texts and also “no texts”',
      'we need your consent',
      'please do not type web code',
    ]) {
      expect(en.body).toContain(message);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses wrong form shapes and oversized form posts, storing nothing', async () => {
    const before = await counts();
    const arrays = await t.app.inject({
      method: 'POST',
      url: '/en/help/new',
      remoteAddress: nextIp(),
      payload: 'narrative=a&narrative=b&consentSensitive=on&requestType=domestic_violence',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(arrays.statusCode).toBe(400);
    expect(arrays.body).toContain('not in the right form');
    const huge = await t.app.inject({
      method: 'POST',
      url: '/en/help/new',
      remoteAddress: nextIp(),
      payload: 'narrative=' + 'x'.repeat(300 * 1024),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('What you sent is too large.');
    expect(await counts()).toEqual(before);
  });

  it('tells her when code or secret is wrong, on the open page, in her language', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/help/open',
      remoteAddress: nextIp(),
      payload: 'caseCode=ABCD-EFGH&secret=123412341234',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('编号或密码不对');
    expect(res.headers['set-cookie']).toBeUndefined();
    const empty = await t.app.inject({
      method: 'POST',
      url: '/en/help/open',
      remoteAddress: nextIp(),
      payload: 'caseCode=&secret=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('required');
  });
});

describe('call-backs on their own', () => {
  it('stores a valid call-back sealed, with an outbox event', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/callbacks',
      remoteAddress: nextIp(),
      payload: {
        phone: '13900139000',
        windows: [{ from: '12:00', to: '13:00' }],
        noVoicemail: true,
        noSms: true,
        consentSensitive: true,
      },
    });
    expect(res.statusCode).toBe(201);
    const row = await t.db
      .selectFrom('help_callback')
      .selectAll()
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(row.help_request_id).toBeNull();
    expect(row.contact_sealed.toString('latin1')).not.toContain('13900139000');
    expect(
      JSON.parse(t.keyring.openText(row.contact_sealed, `help_callback.contact:${row.id}`)),
    ).toMatchObject({ phone: '13900139000' });
  });

  it('refuses bad call-backs (API and form) in her language and stores nothing', async () => {
    const before = await counts();
    for (const payload of [
      {},
      { phone: '', noVoicemail: true, noSms: true, consentSensitive: true },
      {
        phone: '139',
        windows: [{ from: '13:00', to: '12:00' }],
        noVoicemail: true,
        noSms: true,
        consentSensitive: true,
      },
      { phone: '13900139000', noVoicemail: 'no', noSms: true, consentSensitive: true },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/help/callbacks',
        remoteAddress: nextIp(),
        headers: { 'accept-language': 'en' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/needs fixing/);
    }
    const form = await t.app.inject({
      method: 'POST',
      url: '/callback',
      remoteAddress: nextIp(),
      payload: 'phone=abc&window1From=10%3A00',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('号码格式不对');
    expect(form.body).toContain('需要你的同意');
    expect(await counts()).toEqual(before);
  });
});

describe('directory', () => {
  it('finds services by province and type, with national hotlines, in both languages', async () => {
    const res = await t.app.inject({
      url: '/api/directory?province=50&kind=court',
      headers: { 'accept-language': 'en' },
    });
    expect(res.statusCode).toBe(200);
    const names = res.json().entries.map((e: { name: string }) => e.name);
    expect(names).toContain('Chongqing Yuzhong District People’s Court');
    expect(names).toContain('People’s Court litigation service hotline');
    expect(names.some((n: string) => n.includes('Beijing'))).toBe(false);
    const page = await t.app.inject('/directory?province=11&kind=&q=%E6%B3%95%E5%BE%8B');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('北京市法律援助中心');
    expect(page.body).toContain('href="tel:12348"');
    expect(page.body).not.toContain('北京市朝阳区人民法院');
  });

  it('refuses bad filters in her language', async () => {
    expect(
      (
        await t.app.inject({ url: '/api/directory?kind=spaceport', headers: { 'accept-language': 'en' } })
      ).json().error.code,
    ).toBe('VALIDATION');
    expect((await t.app.inject('/en/directory?province=abc')).statusCode).toBe(400);
    const markup = await t.app.inject('/en/directory?q=%3Cscript%3E');
    expect(markup.statusCode).toBe(400);
    expect(markup.body).toContain('please do not type web code');
  });

  it('refuses a search with a NUL or other control character with a 400 naming the field (was a 500 from the database)', async () => {
    const api = await t.app.inject({
      url: '/api/directory?province=31&q=%00',
      headers: { 'accept-language': 'en' },
    });
    expect(api.statusCode).toBe(400);
    expect(api.json<{ error: { code: string; fields: { field: string }[] } }>().error).toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'q' }],
    });
    const zh = await t.app.inject({ url: '/api/directory?q=%E6%B3%95%01' });
    expect(zh.statusCode).toBe(400);
    expect(zh.json<{ error: { message: string } }>().error.message).toMatch(/[\u4e00-\u9fff]/);
    const page = await t.app.inject('/directory?q=%00');
    expect(page.statusCode).toBe(400);
  });
});

describe('usage counting', () => {
  it('counts page views and opens per day without any identifier, and client-reported users', async () => {
    await t.app.helpUsage.flush();
    const read = async () =>
      t.db.selectFrom('help_usage_day').selectAll().where('channel', 'in', ['web', 'miniprogram']).execute();
    const before = await read();
    await t.app.inject({ url: '/', headers: { 'sec-fetch-site': 'none' } });
    await t.app.inject({ url: '/help/new', headers: { 'sec-fetch-site': 'same-origin' } });
    const usage = await t.app.inject({
      method: 'POST',
      url: '/api/usage',
      payload: { channel: 'miniprogram', firstOpenToday: true, firstOpenEver: true },
    });
    expect(usage.statusCode).toBe(202);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/usage',
          payload: { channel: 'miniprogram', firstOpenToday: false, firstOpenEver: true },
        })
      ).statusCode,
    ).toBe(400);
    // Anything else a client sends (an identifier, say) is dropped before the handler sees it; only totals are kept.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/usage',
          payload: { channel: 'miniprogram', firstOpenToday: false, firstOpenEver: false, deviceId: 'abc' },
        })
      ).statusCode,
    ).toBe(202);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/usage',
          payload: { channel: 'pager', firstOpenToday: true, firstOpenEver: true },
        })
      ).statusCode,
    ).toBe(400);
    await t.app.helpUsage.flush();
    const after = await read();
    const sum = (rows: typeof after, channel: string, key: 'page_views' | 'opens' | 'users' | 'new_users') =>
      rows.filter((r) => r.channel === channel).reduce((n, r) => n + r[key], 0);
    expect(sum(after, 'web', 'page_views') - sum(before, 'web', 'page_views')).toBe(2);
    expect(sum(after, 'web', 'opens') - sum(before, 'web', 'opens')).toBe(1);
    expect(sum(after, 'miniprogram', 'users') - sum(before, 'miniprogram', 'users')).toBe(1);
    expect(sum(after, 'miniprogram', 'new_users') - sum(before, 'miniprogram', 'new_users')).toBe(1);
    const columns = await sql<{
      column_name: string;
    }>`select column_name from information_schema.columns where table_name = 'help_usage_day'`.execute(t.db);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual([
      'channel',
      'day',
      'new_users',
      'opens',
      'page_views',
      'users',
    ]);
  });
});

describe('survivor pages', () => {
  const pages = [
    '/',
    '/help/new',
    '/help/thread',
    '/safety-check',
    '/learn/domestic-violence',
    '/learn/protection-order',
    '/learn/minors',
    '/hotline',
    '/directory',
    '/callback',
  ];
  it('are no-store, set no cookie and load nothing from another origin, in both languages', async () => {
    for (const path of pages) {
      for (const url of [path, path === '/' ? '/en' : `/en${path}`]) {
        const res = await t.app.inject(url);
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['cache-control'], url).toBe('no-store');
        expect(res.headers['set-cookie'], url).toBeUndefined();
        const urls = [...res.body.matchAll(/(?:href|src|action)="([^"]+)"/g)].map((m) => m[1]!);
        expect(
          urls.filter((u) => /^(https?:)?\/\//.test(u)),
          url,
        ).toEqual([]);
      }
    }
  });

  it('fit the home, help-request and hotline pages, with their CSS and JS, in one TCP initial window (14 KB) compressed', async () => {
    for (const url of ['/', '/en', '/help/new', '/en/help/new', '/hotline', '/en/hotline']) {
      for (const encoding of ['br', 'gzip']) {
        const page = await t.app.inject({ url, headers: { 'accept-encoding': encoding } });
        expect(page.headers['content-encoding'], url).toBe(encoding);
        const html = (await t.app.inject(url)).body;
        let bytes = page.rawPayload.length;
        for (const asset of [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)) {
          bytes += (await t.app.inject({ url: asset, headers: { 'accept-encoding': encoding } })).rawPayload
            .length;
        }
        expect(bytes, `${url} ${encoding}`).toBeLessThanOrEqual(14 * 1024);
      }
    }
  });

  it('show the hotline’s hours from the duty roster, in both languages, without names', async () => {
    // No shift this week: a plain message instead of an empty timetable.
    expect((await t.app.inject('/hotline')).body).toContain('这一周还没有排好值班时间');
    expect((await t.app.inject('/en/hotline')).body).toContain('No duty hours are set for this week yet');

    const today = chinaDate(new Date());
    const organisationId = await makeOrganisation(t, 'ngo');
    const lawyer = await makeStaff(t, organisationId, ['volunteer_lawyer'], { name: '值班的李律师' });
    const shift = await t.db
      .insertInto('helpline_duty_shift')
      .values({
        id: randomUUID(),
        organisation_id: organisationId,
        account_id: lawyer.accountId,
        starts_at: chinaInstant(today, '09:00'),
        ends_at: chinaInstant(today, '15:00'),
        created_by: lawyer.accountId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      t.app.helpline.clock = () => chinaInstant(today, '10:00');
      const zh = await t.app.inject('/hotline');
      expect(zh.statusCode).toBe(200);
      expect(zh.body).toContain('热线值班时间（北京时间）');
      expect(zh.body).toContain('现在有律师值班。');
      expect(zh.body).toContain(`${today.slice(5)}</dt><dd>09:00–15:00</dd>`);
      expect(zh.body).not.toContain('这一周还没有排好值班时间');
      expect(zh.body).not.toContain('李律师');
      t.app.helpline.clock = () => chinaInstant(today, '16:00');
      const en = await t.app.inject('/en/hotline');
      expect(en.body).toContain('Hotline hours (China time)');
      expect(en.body).toContain('No lawyer is on duty now');
      expect(en.body).toContain('09:00–15:00');
    } finally {
      t.app.helpline.clock = () => new Date();
      await t.db.deleteFrom('helpline_duty_shift').where('id', '=', shift.id).execute();
    }
  });

  it('carry the plain-titles choice through her links', async () => {
    const res = await t.app.inject('/en/learn/minors?n=1');
    expect(res.body).toContain('<title>Everyday tips</title>');
    expect(res.body).toContain('href="/en/help/new?n=1"');
  });

  it('score the danger self-assessment without storing anything, and ask again for missing answers', async () => {
    const before = await counts();
    const result = await t.app.inject({
      method: 'POST',
      url: '/en/safety-check',
      payload: 'q1=yes&q2=yes&q3=yes&q4=no&q5=no',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You answered “yes” 3 times');
    expect(result.body).toContain('very high danger');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/safety-check',
      payload: 'q1=yes&q2=maybe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('请从选项中选择');
    expect(missing.body).toContain('必填');
    const attach = await t.app.inject({
      method: 'POST',
      url: '/en/help/new/with-check',
      payload: 'danger=11100',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(attach.body).toContain('name="danger" value="11100"');
    expect(await counts()).toEqual(before);
  });

  it('list every operation in the OpenAPI document', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    const ids = Object.values(spec.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    for (const id of [
      'createHelpRequest',
      'openHelpThread',
      'listThreadMessages',
      'postThreadMessage',
      'requestCallback',
      'recordUsage',
      'listDirectoryEntries',
    ])
      expect(ids).toContain(id);
  });

  it('never log what she wrote, her number, her code or her secret', async () => {
    const created = await createRequest(nextIp(), {
      ...validRequest,
      narrative: 'UNIQUE-NARRATIVE-7731',
      contact: { ...validRequest.contact, phone: '13712345678' },
    });
    await openThread(created.caseCode, created.secret);
    await openThread(created.caseCode, '999999999999');
    const logs = t.logs.join('\n');
    for (const secretText of ['UNIQUE-NARRATIVE-7731', '13712345678', created.caseCode, created.secret])
      expect(logs).not.toContain(secretText);
  });
});
