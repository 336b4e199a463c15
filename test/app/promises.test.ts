/**
 * The promises the survivor pages make (issue 13), through the real app on a real PostgreSQL: the small wrongs
 * (the gender list, who answered her, the desk's "minor | minor", the dead language link after the self-check,
 * clear refusals instead of "someone changed this record"), "we will not contact them" kept for every minor,
 * and mandatory reporting for adults without full capacity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { chinaDate, chinaInstant } from '../../src/modules/helpline/helpline.model.ts';
import {
  auth,
  completeApplication,
  makeOrdersWorld,
  makeSurvivor,
  makeDeskCaseFor,
} from '../support/orders.ts';

let t: TestApp;
let ip = 0;
const nextIp = () => `10.66.${Math.floor(++ip / 250)}.${ip % 250}`;
type Staff = SignedIn & { accountId: string };
let ngo: string;
let lawyer: Staff;
let caseworker: Staff;
let supervisor: Staff;

async function staffOf(
  organisationId: string,
  roles: Parameters<typeof makeStaff>[2],
  name: string,
): Promise<Staff> {
  const staff = await makeStaff(t, organisationId, roles, { name });
  return { ...(await sessionFor(t, staff.accountId)), accountId: staff.accountId };
}

beforeAll(async () => {
  t = await createTestApp();
  ngo = await makeOrganisation(t, 'ngo', '110105', 'Beijing NGO');
  lawyer = await staffOf(ngo, ['volunteer_lawyer'], '李律师');
  caseworker = await staffOf(ngo, ['caseworker'], '陈社工');
  supervisor = await staffOf(ngo, ['ngo_supervisor'], '张督导');
  await makeDesk(t, ngo, { provinces: ['11'], firstResponseMinutes: 60 });
}, 60_000);
afterAll(async () => t?.close());

const baseRequest = {
  requestType: 'domestic_violence',
  narrative: '他昨晚又打了我。',
  province: '11',
  forms: ['physical'],
  contact: {
    channel: 'phone',
    phone: '13800138000',
    windows: [{ from: '09:00', to: '11:00' }],
    codeWord: '买菜',
    noVoicemail: true,
    noSms: true,
  },
  consentSensitive: true,
};

async function fileRequest(overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    remoteAddress: nextIp(),
    payload: { ...baseRequest, ...overrides },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json<{ caseCode: string; secret: string }>();
  const row = await t.db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', '=', body.caseCode)
    .executeTakeFirstOrThrow();
  return { ...body, helpRequestId: row.id };
}

function as(who: SignedIn, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, locale?: string) {
  return t.app.inject({
    method,
    url,
    headers: {
      cookie: who.cookie,
      'x-csrf-token': who.csrf,
      ...(locale ? { 'accept-language': locale } : {}),
    },
    ...(payload ? { payload } : {}),
  });
}

async function claimedCase(helpRequestId: string, by: Staff): Promise<string> {
  await as(supervisor, 'GET', '/api/desk/queue?view=whole');
  const row = await t.db
    .selectFrom('helpline_case')
    .select('id')
    .where('help_request_id', '=', helpRequestId)
    .executeTakeFirstOrThrow();
  const claim = await as(by, 'POST', `/api/desk/cases/${row.id}/claim`, {});
  expect(claim.statusCode, claim.body).toBeLessThan(300);
  return row.id;
}

/** Her thread page, opened with case code and secret. */
async function threadPage(caseCode: string, secret: string): Promise<string> {
  const open = await t.app.inject({
    method: 'POST',
    url: '/help/open',
    remoteAddress: nextIp(),
    payload: { caseCode, secret },
  });
  expect(open.statusCode, open.body).toBe(303);
  const cookie = String(open.headers['set-cookie']).split(';')[0]!;
  return (await t.app.inject({ url: '/help/thread', headers: { cookie } })).body;
}

const selectNamed = (html: string, id: string) =>
  html.slice(
    html.indexOf(`<select id="${id}"`),
    html.indexOf('</select>', html.indexOf(`<select id="${id}"`)),
  );
const count = (text: string, part: string) => text.split(part).length - 1;

describe('small wrongs', () => {
  it('offers "prefer not to say" once in the gender list, in both languages', async () => {
    const zh = selectNamed((await t.app.inject({ url: '/help/new' })).body, 'gender');
    expect(zh).toContain('value="not_said"');
    expect(count(zh, '不想说')).toBe(1);
    const en = selectNamed((await t.app.inject({ url: '/en/help/new' })).body, 'gender');
    expect(count(en, 'Prefer not to say')).toBe(1);
  });

  it('names a caseworker’s reply as a caseworker’s, a lawyer’s as a lawyer’s', async () => {
    const byCaseworker = await fileRequest();
    const caseA = await claimedCase(byCaseworker.helpRequestId, caseworker);
    expect(
      (
        await as(caseworker, 'POST', `/api/desk/cases/${caseA}/replies`, {
          text: '你好，我是社工，我们会帮你。',
        })
      ).statusCode,
    ).toBe(201);
    const pageA = await threadPage(byCaseworker.caseCode, byCaseworker.secret);
    const staffMessage = pageA.slice(pageA.indexOf('class="msg staff"'));
    expect(staffMessage).toContain('社工');
    expect(staffMessage.slice(0, staffMessage.indexOf('</p>'))).not.toContain('志愿律师');

    const byLawyer = await fileRequest();
    const caseB = await claimedCase(byLawyer.helpRequestId, lawyer);
    expect(
      (await as(lawyer, 'POST', `/api/desk/cases/${caseB}/replies`, { text: '你好，我是律师。' })).statusCode,
    ).toBe(201);
    const pageB = await threadPage(byLawyer.caseCode, byLawyer.secret);
    const lawyerMessage = pageB.slice(pageB.indexOf('class="msg staff"'));
    expect(lawyerMessage.slice(0, lawyerMessage.indexOf('</p>'))).toContain('志愿律师');
  });

  it('shows a minor’s case as "未成年人: 是", not "未成年人 | 未成年人"', async () => {
    const req = await fileRequest({ ageBand: '14_17' });
    const caseId = await claimedCase(req.helpRequestId, lawyer);
    const page = (await as(lawyer, 'GET', `/desk/cases/${caseId}`)).body;
    const facts = page.slice(
      page.indexOf('<dl class="case-facts">'),
      page.indexOf('</dl>', page.indexOf('<dl class="case-facts">')),
    );
    expect(facts).toMatch(/<dt>未成年人<\/dt><dd><strong class="badge minor">是<\/strong><\/dd>/);
  });

  it('links the help form reached from the self-check to the other language’s form, not a dead page', async () => {
    for (const [from, other] of [
      ['/help/new/with-check', '/en/help/new'],
      ['/en/help/new/with-check', '/help/new'],
    ] as const) {
      const page = await t.app.inject({ method: 'POST', url: from, payload: { danger: '11000' } });
      expect(page.statusCode).toBe(200);
      const links = [...page.body.matchAll(/<a[^>]*href="(\/[^"]*)"/g)].map((m) =>
        m[1]!.replace(/&amp;/g, '&'),
      );
      expect(links).toContain(other);
      for (const link of new Set(links)) {
        const res = await t.app.inject({ url: link });
        expect(res.statusCode, link).toBeLessThan(400);
      }
    }
  });

  it('says why a call-back is refused outside her safe times, not "someone changed this record"', async () => {
    const req = await fileRequest();
    const caseId = await claimedCase(req.helpRequestId, lawyer);
    const today = chinaDate(new Date());
    const clock = t.app.helpline.clock;
    try {
      t.app.helpline.clock = () => chinaInstant(today, '12:30');
      const zh = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/callbacks`, {});
      expect(zh.statusCode).toBe(409);
      const message = zh.json<{ error: { message: string } }>().error.message;
      expect(message).not.toContain('已被他人修改');
      expect(message).toContain('09:00');
      const en = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/callbacks`, {}, 'en');
      expect(en.json<{ error: { message: string } }>().error.message).toContain('outside her safe times');
    } finally {
      t.app.helpline.clock = clock;
    }
  });
});

describe('"we will not contact them" and mandatory reporting', () => {
  it('marks a 14–17-year-old’s request "never contact the guardian" when the guardian hurts her, as for an under-14', async () => {
    for (const ageBand of ['14_17', 'under_14']) {
      const req = await fileRequest({ ageBand, relationship: 'parent_to_child', guardianMayBeAbuser: true });
      const row = await t.db
        .selectFrom('help_request')
        .select('no_guardian_contact')
        .where('id', '=', req.helpRequestId)
        .executeTakeFirstOrThrow();
      expect(row.no_guardian_contact, ageBand).toBe(true);
    }
    // Through the form too (no JavaScript), and the desk sees it.
    const form = await t.app.inject({
      method: 'POST',
      url: '/help/new',
      remoteAddress: nextIp(),
      payload: {
        requestType: 'domestic_violence',
        narrative: '爸爸打我。',
        ageBand: '14_17',
        guardianMayBeAbuser: 'yes',
        contactChannel: 'in_app',
        consentSensitive: 'on',
        province: '11',
      },
    });
    expect(form.statusCode, form.body).toBe(201);
    const code = /id="case-code"[^>]*>([^<]+)</.exec(form.body)![1]!.trim();
    const stored = await t.db
      .selectFrom('help_request')
      .select(['no_guardian_contact', 'id'])
      .where('case_code', '=', code)
      .executeTakeFirstOrThrow();
    expect(stored.no_guardian_contact).toBe(true);
    const caseId = await claimedCase(stored.id, lawyer);
    expect((await as(lawyer, 'GET', `/api/desk/cases/${caseId}`)).body).toContain('"noGuardianContact":true');
  });

  it('lets the desk mark an adult without full capacity; the mandatory report then applies before closing (ADVL 14)', async () => {
    const req = await fileRequest({ ageBand: '30_39' });
    const caseId = await claimedCase(req.helpRequestId, lawyer);
    const report = { reportedAt: new Date().toISOString(), channel: 'phone', policeStation: '朝阳分局' };
    expect((await as(lawyer, 'POST', `/api/desk/cases/${caseId}/mandatory-report`, report)).statusCode).toBe(
      409,
    );

    const bad = await as(lawyer, 'PUT', `/api/desk/cases/${caseId}/capacity`, { lacksCapacity: 'yes' });
    expect(bad.statusCode).toBe(400);
    const outsider = await staffOf(
      await makeOrganisation(t, 'ngo', '310115', 'Other NGO'),
      ['volunteer_lawyer'],
      'Other',
    );
    expect(
      (await as(outsider, 'PUT', `/api/desk/cases/${caseId}/capacity`, { lacksCapacity: true })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.db
          .selectFrom('helpline_case')
          .select('lacks_capacity')
          .where('id', '=', caseId)
          .executeTakeFirstOrThrow()
      ).lacks_capacity,
    ).toBe(false);

    const flagged = await as(lawyer, 'PUT', `/api/desk/cases/${caseId}/capacity`, { lacksCapacity: true });
    expect(flagged.statusCode, flagged.body).toBe(200);
    const audit = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('record_id', '=', caseId)
      .where('event', '=', 'helpline.capacity_flagged')
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ lacksCapacity: true });

    const closeFirst = await as(lawyer, 'POST', `/api/desk/cases/${caseId}/close`, {
      outcome: 'advice_given',
    });
    expect(closeFirst.statusCode).toBe(409);
    expect((await as(lawyer, 'POST', `/api/desk/cases/${caseId}/mandatory-report`, report)).statusCode).toBe(
      201,
    );
    expect(
      (await as(lawyer, 'POST', `/api/desk/cases/${caseId}/close`, { outcome: 'advice_given' })).statusCode,
    ).toBe(200);
  });
});

describe('post-redirect-get: a reload never sends twice', () => {
  async function thread() {
    const req = await fileRequest();
    const open = await t.app.inject({
      method: 'POST',
      url: '/help/open',
      remoteAddress: nextIp(),
      payload: { caseCode: req.caseCode, secret: req.secret },
    });
    const cookie = String(open.headers['set-cookie']).split(';')[0]!;
    const page = (await t.app.inject({ url: '/help/thread', headers: { cookie } })).body;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    return { ...req, cookie, csrf };
  }
  const rows = async (table: 'help_message' | 'help_callback', helpRequestId: string) =>
    (await t.db.selectFrom(table).select('id').where('help_request_id', '=', helpRequestId).execute()).length;

  it('her message and her call-back request from the thread answer 303 to her thread; reloading that sends nothing', async () => {
    for (const prefix of ['', '/en']) {
      const her = await thread();
      const sent = await t.app.inject({
        method: 'POST',
        url: `${prefix}/help/thread/message`,
        headers: { cookie: her.cookie },
        payload: { csrf: her.csrf, text: '补充：他有刀。' },
      });
      expect(sent.statusCode).toBe(303);
      const location = String(sent.headers.location);
      expect(location).toBe(`${prefix}/help/thread?done=sent`);
      const messages = await rows('help_message', her.helpRequestId);
      for (let reload = 0; reload < 2; reload++) {
        const shown = await t.app.inject({ url: location, headers: { cookie: her.cookie } });
        expect(shown.statusCode).toBe(200);
        expect(shown.body).toContain(prefix ? 'Sent.' : '已发送。');
      }
      expect(await rows('help_message', her.helpRequestId)).toBe(messages);

      const asked = await t.app.inject({
        method: 'POST',
        url: `${prefix}/help/thread/callback`,
        headers: { cookie: her.cookie },
        payload: {
          csrf: her.csrf,
          phone: '13900139000',
          window1From: '08:00',
          window1To: '09:00',
          codeWord: '买菜',
          consentSensitive: 'on',
          noVoicemail: 'on',
        },
      });
      expect(asked.statusCode).toBe(303);
      const back = String(asked.headers.location);
      expect(back).toBe(`${prefix}/help/thread?done=callback`);
      expect(back).not.toMatch(/139|买菜|%E4/);
      await t.app.inject({ url: back, headers: { cookie: her.cookie } });
      await t.app.inject({ url: back, headers: { cookie: her.cookie } });
      expect(await rows('help_callback', her.helpRequestId)).toBe(1);
    }
  });

  it('the call-back form on its own answers 303 to a result page without her number in the address', async () => {
    const before = (await t.db.selectFrom('help_callback').select('id').execute()).length;
    for (const prefix of ['', '/en']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `${prefix}/callback`,
        remoteAddress: nextIp(),
        payload: {
          phone: '13700137000',
          window1From: '18:00',
          window1To: '19:00',
          consentSensitive: 'on',
          noVoicemail: 'on',
          n: '1',
        },
      });
      expect(res.statusCode, res.body).toBe(303);
      const location = String(res.headers.location);
      expect(location).toBe(`${prefix}/callback/done?n=1`);
      const shown = await t.app.inject({ url: location });
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain(prefix ? 'Received' : '已收到');
    }
    expect((await t.db.selectFrom('help_callback').select('id').execute()).length).toBe(before + 2);
  });
});

describe('protection orders: a late opinion and her violation report', () => {
  it('says an agency’s opinion comes too late once the court has decided; her violation report is post-redirect-get', async () => {
    const w = await makeOrdersWorld(t);
    const survivor = await makeSurvivor(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/orders/applications',
      headers: auth(w.caseworker),
      payload: {
        channel: 'ngo',
        caseRef: await makeDeskCaseFor(t, w.ngo, survivor.helpRequestId, w.caseworker.accountId),
        helpRequestId: survivor.helpRequestId,
        application: completeApplication(),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const applicationId = created.json<{ id: string }>().id;
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/applications/${applicationId}/submit`,
          headers: auth(w.caseworker),
          payload: {},
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/orders/applications/${applicationId}/accept`,
          headers: auth(w.clerk),
          payload: {},
        })
      ).statusCode,
    ).toBe(200);
    const decided = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${applicationId}/decision`,
      headers: auth(w.judge),
      payload: { outcome: 'grant', measures: ['no_violence', 'no_contact'], validMonths: 6 },
    });
    expect(decided.statusCode, decided.body).toBe(200);

    // The police review task the court sent on acceptance, still unanswered when the court decided.
    const task = await t.db
      .selectFrom('order_review_task')
      .select('id')
      .where('application_id', '=', applicationId)
      .where('agency', '=', 'police')
      .executeTakeFirstOrThrow();
    for (const [locale, words] of [
      ['zh-CN', '法院已经对这份申请作出决定'],
      ['en', 'already decided'],
    ] as const) {
      const late = await t.app.inject({
        method: 'POST',
        url: `/api/orders/reviews/${task.id}/opinion`,
        headers: { ...auth(w.officer), 'accept-language': locale },
        payload: { opinion: '出警一次。', recommendation: 'grant' },
      });
      expect(late.statusCode).toBe(409);
      const message = late.json<{ error: { message: string } }>().error.message;
      expect(message).toContain(words);
      expect(message).not.toMatch(/已被他人修改|Someone else changed/);
    }

    const page = await t.app.inject({
      url: `/help/thread/orders/${applicationId}`,
      headers: { cookie: survivor.cookie },
    });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const report = await t.app.inject({
      method: 'POST',
      url: `/en/help/thread/orders/${applicationId}/violation`,
      headers: { cookie: survivor.cookie },
      payload: { csrf, occurredOn: '2026-11-20', description: '他又到我单位门口堵我。' },
    });
    expect(report.statusCode, report.body).toBe(303);
    const location = String(report.headers.location);
    expect(location).toBe(`/en/help/thread/orders/${applicationId}?done=violation`);
    for (let reload = 0; reload < 2; reload++) {
      const shown = await t.app.inject({ url: location, headers: { cookie: survivor.cookie } });
      expect(shown.statusCode).toBe(200);
    }
    const violations = await t.db
      .selectFrom('order_violation as v')
      .innerJoin('protection_order as o', 'o.id', 'v.order_id')
      .select('v.id')
      .where('o.application_id', '=', applicationId)
      .execute();
    expect(violations).toHaveLength(1);
  });
});

describe('a child’s path', () => {
  it('asks in a child’s words, keeps the request like any other, and gives five words to come back with', async () => {
    const zhForm = await t.app.inject({ url: '/help/new/child' });
    expect(zhForm.statusCode).toBe(200);
    for (const words of ['谁会看到', '接下来', '我们不会联系他们', '删掉'])
      expect(zhForm.body).toContain(words);
    const enForm = await t.app.inject({ url: '/en/help/new/child' });
    for (const words of ['Who will see it', 'What happens next', 'we will not contact them'])
      expect(enForm.body).toContain(words);
    expect((await t.app.inject({ url: '/learn/minors' })).body).toContain('href="/help/new/child"');

    // Without consent: a child's explanation, nothing stored.
    const before = (await t.db.selectFrom('help_request').select('id').execute()).length;
    const refused = await t.app.inject({
      method: 'POST',
      url: '/help/new/child',
      remoteAddress: nextIp(),
      payload: { narrative: '爸爸打我。' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('请先勾选“我同意”');
    expect((await t.db.selectFrom('help_request').select('id').execute()).length).toBe(before);

    const sent = await t.app.inject({
      method: 'POST',
      url: '/help/new/child',
      remoteAddress: nextIp(),
      payload: { narrative: '爸爸打我。', age: 'under_14', guardian: 'yes', consentSensitive: 'on' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const code = /id="case-code"[^>]*>([^<]+)</.exec(sent.body)![1]!.trim();
    const words = /id="case-secret"[^>]*>([^<]+)</.exec(sent.body)![1]!.trim().split(' ');
    expect(words).toHaveLength(5);
    for (const word of words) expect(word).toMatch(/^[\u4e00-\u9fff]{2}$/);
    const row = await t.db
      .selectFrom('help_request')
      .selectAll()
      .where('case_code', '=', code)
      .executeTakeFirstOrThrow();
    expect([row.is_minor, row.age_band, row.no_guardian_contact, row.contact_channel]).toEqual([
      true,
      'under_14',
      true,
      'in_app',
    ]);

    // She comes back with her words, typed with or without spaces; wrong words are refused and throttled like digits.
    const open = (secret: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/help/thread',
        remoteAddress: nextIp(),
        payload: { caseCode: code, secret },
      });
    expect((await open(words.join(''))).statusCode).toBe(200);
    expect((await open(words.join(' '))).statusCode).toBe(200);
    const wrong = [...words.slice(0, 4), words[4] === '小猫' ? '小狗' : '小猫'].join(' ');
    for (let i = 0; i < 5; i++) expect((await open(wrong)).statusCode).toBe(401);
    // Guesses are throttled, never locked: her right words from her own network still open the thread.
    expect((await open(words.join(' '))).statusCode).toBe(200);
  });

  it('offers the words through the API too, in the caller’s language, opened in either language', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      headers: { 'accept-language': 'en' },
      payload: { ...baseRequest, secretKind: 'words' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { caseCode, secret } = res.json<{ caseCode: string; secret: string }>();
    expect(secret).toMatch(/^[a-z]+( [a-z]+){4}$/);
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread',
      remoteAddress: nextIp(),
      payload: { caseCode, secret: secret.toUpperCase() },
    });
    expect(opened.statusCode, opened.body).toBe(200);
    // The word list carries at least as much as 12 digits: 256 distinct words, five of them.
    expect(256 ** 5).toBeGreaterThanOrEqual(10 ** 12);
  });
});
