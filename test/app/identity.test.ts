/**
 * Staff identity through the real app on a real PostgreSQL: password + mandatory TOTP sign-in, lockout,
 * code reuse, recovery codes, invitations and enrolment, time-outs, sign-out everywhere, CSRF, admin
 * actions, cookies — and that no password, TOTP secret, recovery code or token reaches a log or response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  csrfFrom,
  makeOrganisation,
  makeStaff,
  sessionCookie,
  sessionFor,
  signIn,
  type StaffFixture,
} from '../support/identity-fixtures.ts';
import { totpCode } from '../../src/modules/identity/totp.ts';
import { tokenHash } from '../../src/modules/identity/totp.ts';

let t: TestApp;
let ngo: string;
let otherNgo: string;
let admin: StaffFixture;
/** Every secret the tests handle, to check none of them reached a log line. */
const secrets: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  ngo = await makeOrganisation(t, 'ngo', '110105', '北京测试公益机构');
  otherNgo = await makeOrganisation(t, 'ngo', '500112', '重庆测试公益机构');
  admin = await makeStaff(t, ngo, ['organisation_admin'], { name: '管理员甲' });
  secrets.push(admin.password, admin.totpSecret);
});
afterAll(async () => t?.close());

async function passwordStep(staff: { email: string; password: string }) {
  return t.app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    payload: { email: staff.email, password: staff.password },
  });
}

describe('signing in', () => {
  it('takes a password then a TOTP code, and opens only the console of the person’s organisation', async () => {
    const lawyer = await makeStaff(t, ngo, ['volunteer_lawyer'], { name: '律师乙' });
    const first = await passwordStep(lawyer);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/staff/sign-in/verify');
    const pending = sessionCookie(first);
    expect(pending).toBeDefined();
    // Part-way through, nothing else is open.
    const early = await t.app.inject({ url: '/staff', headers: { cookie: pending } });
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe('/staff/sign-in/verify');
    expect((await t.app.inject({ url: '/api/staff/session', headers: { cookie: pending } })).statusCode).toBe(
      401,
    );

    const signed = await signIn(t, lawyer, Date.now() + 30_000);
    const home = await t.app.inject({ url: '/staff', headers: { cookie: signed.cookie } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('公益机构工作台');
    expect(home.body).toContain('志愿律师');
    expect(home.body).not.toContain('/staff/admin/accounts');
    expect(home.headers['cache-control']).toBe('no-store');
    // Not an admin: admin pages do not exist for them.
    expect(
      (await t.app.inject({ url: '/staff/admin/accounts', headers: { cookie: signed.cookie } })).statusCode,
    ).toBe(404);
    const me = await t.app.inject({ url: '/api/staff/session', headers: { cookie: signed.cookie } });
    expect(me.json()).toMatchObject({
      displayName: '律师乙',
      roles: ['volunteer_lawyer'],
      organisation: { id: ngo, kind: 'ngo', regionCode: '110105' },
    });
  });

  it('answers a wrong password and an unknown email alike, and sets no session', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in',
      payload: { email: admin.email, password: 'not the password at all' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in',
      payload: { email: 'nobody@example.org', password: 'whatever it is 123' },
    });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('邮箱或密码不正确。');
      expect(sessionCookie(response)).toBeUndefined();
    }
    const en = await t.app.inject({
      method: 'POST',
      url: '/en/staff/sign-in',
      payload: { email: admin.email, password: 'nope nope nope' },
    });
    expect(en.body).toContain('The email or password is not right.');
  });

  const passwordFrom = (
    staff: { email: string; password: string },
    remoteAddress: string,
    password = staff.password,
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/staff/sign-in',
      remoteAddress,
      payload: { email: staff.email, password },
    });

  it('throttles the network that guesses a password, never the account: the right password from another network is still accepted', async () => {
    const target = await makeStaff(t, ngo, ['caseworker']);
    for (let i = 0; i < 5; i += 1)
      expect((await passwordFrom(target, '10.71.0.1', `guess number ${i} here`)).statusCode).toBe(401);
    const throttled = await passwordFrom(target, '10.71.0.1');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.body).toContain('尝试次数过多');
    expect(sessionCookie(throttled)).toBeUndefined();
    // She, on her own network, signs in.
    const rightful = await passwordFrom(target, '10.71.0.2');
    expect(rightful.statusCode).toBe(303);
    expect(sessionCookie(rightful)).toBeDefined();
    const failures = await t.db
      .selectFrom('audit_event')
      .select(['event', 'details'])
      .where('actor_account_id', '=', target.accountId)
      .where('event', '=', 'identity.sign_in_failed')
      .orderBy('seq')
      .execute();
    expect(failures).toHaveLength(6);
    expect(failures.at(-1)?.details).toEqual({ stage: 'password', why: 'throttled' });
  });

  it('does not count successful sign-ins toward any limit', async () => {
    const busy = await makeStaff(t, ngo, ['caseworker']);
    for (let i = 0; i < 8; i += 1) expect((await passwordFrom(busy, '10.71.1.1')).statusCode).toBe(303);
  });

  it('throttles wrong TOTP codes per network; the right code from another network is still accepted', async () => {
    const officer = await makeStaff(t, ngo, ['caseworker']);
    const attacker = sessionCookie(await passwordFrom(officer, '10.71.2.1')) ?? '';
    const page = await t.app.inject({
      url: '/staff/sign-in/verify',
      remoteAddress: '10.71.2.1',
      headers: { cookie: attacker },
    });
    const at = Date.now() + 30_000;
    const wrongCode = String((Number(totpCode(officer.totpSecret, at)) + 1) % 1_000_000).padStart(6, '0');
    const guess = (code: string) =>
      t.app.inject({
        method: 'POST',
        url: '/staff/sign-in/verify',
        remoteAddress: '10.71.2.1',
        headers: { cookie: attacker },
        payload: { _csrf: csrfFrom(page.body), code },
      });
    for (let i = 0; i < 5; i += 1) expect((await guess(wrongCode)).statusCode).toBe(401);
    const throttled = await guess(totpCode(officer.totpSecret, at));
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // She signs in from her own network with her own code.
    const mine = sessionCookie(await passwordFrom(officer, '10.71.2.2')) ?? '';
    const myPage = await t.app.inject({
      url: '/staff/sign-in/verify',
      remoteAddress: '10.71.2.2',
      headers: { cookie: mine },
    });
    const verified = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in/verify',
      remoteAddress: '10.71.2.2',
      headers: { cookie: mine },
      payload: { _csrf: csrfFrom(myPage.body), code: totpCode(officer.totpSecret, at) },
    });
    expect(verified.statusCode).toBe(303);
    expect(verified.headers.location).toBe('/staff');
  });

  it('lets an admin of the account’s organisation clear its throttles (API and page, audited); other organisations’ admins cannot', async () => {
    const target = await makeStaff(t, ngo, ['caseworker']);
    const throttle = async () => {
      for (let i = 0; i < 5; i += 1) await passwordFrom(target, '10.71.3.1', `wrong guess ${i} here`);
      expect((await passwordFrom(target, '10.71.3.1')).statusCode).toBe(429);
    };
    await throttle();
    const outsider = await sessionFor(t, (await makeStaff(t, otherNgo, ['organisation_admin'])).accountId);
    const refused = await t.app.inject({
      method: 'DELETE',
      url: `/api/staff/accounts/${target.accountId}/sign-in-throttle`,
      headers: { cookie: outsider.cookie, 'x-csrf-token': outsider.csrf },
    });
    expect(refused.statusCode).toBe(404);
    expect((await passwordFrom(target, '10.71.3.1')).statusCode).toBe(429);

    const adminSession = await sessionFor(t, admin.accountId);
    const cleared = await t.app.inject({
      method: 'DELETE',
      url: `/api/staff/accounts/${target.accountId}/sign-in-throttle`,
      headers: { cookie: adminSession.cookie, 'x-csrf-token': adminSession.csrf },
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().counters).toBeGreaterThanOrEqual(2);
    expect((await passwordFrom(target, '10.71.3.1')).statusCode).toBe(303);

    await throttle();
    const page = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${target.accountId}/clear-throttle`,
      headers: { cookie: adminSession.cookie },
      payload: { _csrf: adminSession.csrf },
    });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/staff/admin/accounts?done=throttle');
    expect((await passwordFrom(target, '10.71.3.1')).statusCode).toBe(303);
    const events = await t.db
      .selectFrom('audit_event')
      .select(['event', 'actor_account_id', 'details'])
      .where('record_id', '=', target.accountId)
      .where('event', '=', 'identity.throttle_cleared')
      .execute();
    expect(events.map((e) => e.actor_account_id)).toEqual([admin.accountId, admin.accountId]);
  });

  it('refuses a wrong TOTP code and a reused one, with clear messages', async () => {
    const officer = await makeStaff(t, ngo, ['caseworker']);
    const at = Date.now() + 30_000;
    await signIn(t, officer, at);
    const first = await passwordStep(officer);
    const pending = sessionCookie(first) ?? '';
    const page = await t.app.inject({ url: '/staff/sign-in/verify', headers: { cookie: pending } });
    const csrf = csrfFrom(page.body);
    const wrongCode = String((Number(totpCode(officer.totpSecret)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in/verify',
      headers: { cookie: pending },
      payload: { _csrf: csrf, code: wrongCode },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('验证码不正确');
    // The same code that was just used to sign in (same time step) cannot be used again.
    const reused = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in/verify',
      headers: { cookie: pending },
      payload: { _csrf: csrf, code: totpCode(officer.totpSecret, at) },
    });
    expect(reused.statusCode).toBe(401);
    expect(reused.body).toContain('这个验证码已经用过了');
    expect(sessionCookie(reused)).toBeUndefined();
    const en = await t.app.inject({
      method: 'POST',
      url: '/en/staff/sign-in/verify',
      headers: { cookie: pending },
      payload: { _csrf: csrf, code: totpCode(officer.totpSecret, at) },
    });
    expect(en.body).toContain('That code has already been used');
  });

  it('refuses a disabled account and a disabled account’s live sessions', async () => {
    const leaver = await makeStaff(t, ngo, ['caseworker']);
    const live = await signIn(t, leaver);
    const adminSession = await sessionFor(t, admin.accountId);
    const disable = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${leaver.accountId}/disable`,
      headers: { cookie: adminSession.cookie },
      payload: { _csrf: adminSession.csrf, disabled: '1' },
    });
    expect(disable.statusCode).toBe(303);
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: live.cookie } })).statusCode,
    ).toBe(401);
    const again = await passwordStep(leaver);
    expect(again.statusCode).toBe(401);
    const events = await t.db
      .selectFrom('audit_event')
      .select(['event', 'actor_account_id'])
      .where('record_id', '=', leaver.accountId)
      .execute();
    expect(events).toContainEqual({ event: 'identity.account_disabled', actor_account_id: admin.accountId });
  });
});

describe('sessions', () => {
  it('ends a session after 30 idle minutes and after 12 hours, saying why', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const idle = await signIn(t, staff);
    await t.db
      .updateTable('staff_session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('id', '=', idle.sessionId)
      .execute();
    const page = await t.app.inject({ url: '/staff', headers: { cookie: idle.cookie } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/staff/sign-in?ended=timeout');
    const signInPage = await t.app.inject({ url: page.headers.location ?? '' });
    expect(signInPage.body).toContain('为了安全已自动退出');
    // Ended for good, even if the clock is put back.
    await t.db
      .updateTable('staff_session')
      .set({ last_seen_at: new Date() })
      .where('id', '=', idle.sessionId)
      .execute();
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: idle.cookie } })).statusCode,
    ).toBe(401);

    const expiry = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('event', '=', 'identity.session_expired')
      .where('actor_account_id', '=', staff.accountId)
      .execute();
    expect(expiry.map((e) => e.details)).toEqual([{ why: 'idle' }]);
    const old = await sessionFor(t, staff.accountId);
    await t.db
      .updateTable('staff_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', old.sessionId)
      .execute();
    const api = await t.app.inject({ url: '/api/staff/session', headers: { cookie: old.cookie } });
    expect(api.statusCode).toBe(401);
    expect(api.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('stores only a hash of the session token, in an HttpOnly SameSite cookie', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const first = await passwordStep(staff);
    const cookie = first.cookies.find((c) => c.name === 'anxin_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy(); // plain http test origin
    const token = cookie?.value ?? '';
    secrets.push(token);
    const row = await t.db
      .selectFrom('staff_session')
      .select('token_hash')
      .where('account_id', '=', staff.accountId)
      .executeTakeFirstOrThrow();
    expect(row.token_hash.equals(tokenHash(t.app.sessionKeys.token, token))).toBe(true);
    expect(row.token_hash.toString('utf8')).not.toContain(token);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const https = await createTestApp({ env: { ANXIN_PUBLIC_URL: 'https://anxin.example.org' } });
    try {
      const org = await makeOrganisation(https, 'court', '500112');
      const judge = await makeStaff(https, org, ['judge']);
      const response = await https.app.inject({
        method: 'POST',
        url: '/staff/sign-in',
        payload: { email: judge.email, password: judge.password },
      });
      expect(response.cookies.find((c) => c.name === 'anxin_session')).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      });
    } finally {
      await https.close();
    }
  });

  it('signs out one session, or every session of the account', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const a = await sessionFor(t, staff.accountId);
    const b = await sessionFor(t, staff.accountId);
    const out = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-out',
      headers: { cookie: a.cookie },
      payload: { _csrf: a.csrf },
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/staff/sign-in?ended=signed-out');
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: a.cookie } })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: b.cookie } })).statusCode,
    ).toBe(200);
    const c = await sessionFor(t, staff.accountId);
    const everywhere = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-out-everywhere',
      headers: { cookie: c.cookie },
      payload: { _csrf: c.csrf },
    });
    expect(everywhere.statusCode).toBe(303);
    for (const s of [b, c])
      expect(
        (await t.app.inject({ url: '/api/staff/session', headers: { cookie: s.cookie } })).statusCode,
      ).toBe(401);
    const event = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('actor_account_id', '=', staff.accountId)
      .where('event', '=', 'identity.sign_out')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.details).toEqual({ everywhere: true, sessions: 2 });
  });

  it('refuses a form posted without its token, and changes nothing', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const s = await sessionFor(t, staff.accountId);
    const without = await t.app.inject({
      method: 'POST',
      url: '/staff/account',
      headers: { cookie: s.cookie },
      payload: { locale: 'en' },
    });
    expect(without.statusCode).toBe(403);
    expect(without.body).toContain('表单已过期或来源无效');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/staff/account',
      headers: { cookie: s.cookie },
      payload: { locale: 'en', _csrf: 'forged-token' },
    });
    expect(forged.statusCode).toBe(403);
    const other = await sessionFor(t, admin.accountId);
    const borrowed = await t.app.inject({
      method: 'POST',
      url: '/staff/account',
      headers: { cookie: s.cookie },
      payload: { locale: 'en', _csrf: other.csrf },
    });
    expect(borrowed.statusCode).toBe(403);
    const row = await t.db
      .selectFrom('staff_account')
      .select('locale')
      .where('id', '=', staff.accountId)
      .executeTakeFirstOrThrow();
    expect(row.locale).toBe('zh-CN');
    // With the token, the change is made and the language preference is followed.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/staff/account',
      headers: { cookie: s.cookie },
      payload: { locale: 'en', _csrf: s.csrf },
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/en/staff/account?saved=1');
  });
});

describe('invitations and TOTP enrolment', () => {
  it('invites, sets a password, enrols TOTP with recovery codes, and the link works once', async () => {
    const s = await sessionFor(t, admin.accountId);
    const invite = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/accounts',
      headers: { cookie: s.cookie },
      payload: {
        _csrf: s.csrf,
        organisationId: ngo,
        displayName: '新社工',
        email: 'New.Caseworker@Example.org',
        roles: ['caseworker'],
        locale: 'zh-CN',
      },
    });
    expect(invite.statusCode).toBe(200);
    const link = /(http:\/\/[^<\s]+\/staff\/invite\/[A-Za-z0-9_-]+)/.exec(invite.body)?.[1];
    expect(link).toBeDefined();
    const path = new URL(link ?? '').pathname;
    secrets.push(path.split('/').at(-1) ?? '');

    const page = await t.app.inject({ url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('新社工，北京测试公益机构邀请你使用安心');
    const common = await t.app.inject({
      method: 'POST',
      url: path,
      payload: { password: 'password1234', confirm: 'password1234' },
    });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('常见或已泄露的密码');
    const short = await t.app.inject({
      method: 'POST',
      url: path,
      payload: { password: 'short', confirm: 'short' },
    });
    expect(short.body).toContain('至少需要 12 个字符');
    const mismatch = await t.app.inject({
      method: 'POST',
      url: path,
      payload: { password: 'a river runs quietly by', confirm: 'a river runs quietly bz' },
    });
    expect(mismatch.body).toContain('两次输入的密码不一致');
    const account = await t.db
      .selectFrom('staff_account')
      .select(['id', 'status', 'password_hash'])
      .where('email', '=', 'new.caseworker@example.org')
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({ status: 'invited', password_hash: null });

    const password = 'a river runs quietly by';
    secrets.push(password);
    const accepted = await t.app.inject({
      method: 'POST',
      url: path,
      payload: { password, confirm: password },
    });
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/staff/totp/enrol');
    const cookie = sessionCookie(accepted) ?? '';
    const stored = await t.db
      .selectFrom('staff_account')
      .select(['status', 'password_hash'])
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('active');
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    // The link is spent.
    expect((await t.app.inject({ url: path })).body).toContain('这个邀请链接无效、已使用或已过期');

    // Enrolment is the only thing open until it is done.
    expect((await t.app.inject({ url: '/staff', headers: { cookie } })).headers.location).toBe(
      '/staff/totp/enrol',
    );
    const enrol = await t.app.inject({ url: '/staff/totp/enrol', headers: { cookie } });
    expect(enrol.body).toMatch(/<img src="data:image\/png;base64,/);
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replace(/ /g, '') ?? '';
    expect(secret).toHaveLength(32);
    secrets.push(secret);
    const csrf = csrfFrom(enrol.body);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/staff/totp/enrol',
      headers: { cookie },
      payload: { _csrf: csrf, code: '000000' === totpCode(secret) ? '111111' : '000000' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('验证码不正确');
    const done = await t.app.inject({
      method: 'POST',
      url: '/staff/totp/enrol',
      headers: { cookie },
      payload: { _csrf: csrf, code: totpCode(secret) },
    });
    expect(done.statusCode).toBe(200);
    const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1] ?? '');
    expect(codes).toHaveLength(10);
    secrets.push(...codes);
    const full = sessionCookie(done) ?? '';
    expect((await t.app.inject({ url: '/staff', headers: { cookie: full } })).statusCode).toBe(200);
    // The enrolment session's old token no longer works (a new token is issued at each step).
    expect((await t.app.inject({ url: '/api/staff/session', headers: { cookie } })).statusCode).toBe(401);
    const enrolled = await t.db
      .selectFrom('staff_account')
      .select(['totp_secret', 'mfa_enrolled_at'])
      .where('id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(enrolled.mfa_enrolled_at).not.toBeNull();
    expect(enrolled.totp_secret?.toString('latin1')).not.toContain(secret);

    // A recovery code signs in once.
    const first = await passwordStep({ email: 'new.caseworker@example.org', password });
    const pending = sessionCookie(first) ?? '';
    const verifyPage = await t.app.inject({ url: '/staff/sign-in/verify', headers: { cookie: pending } });
    const viaRecovery = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in/verify',
      headers: { cookie: pending },
      payload: { _csrf: csrfFrom(verifyPage.body), code: (codes[0] ?? '').toUpperCase() },
    });
    expect(viaRecovery.statusCode).toBe(303);
    const second = await passwordStep({ email: 'new.caseworker@example.org', password });
    const pending2 = sessionCookie(second) ?? '';
    const verifyPage2 = await t.app.inject({ url: '/staff/sign-in/verify', headers: { cookie: pending2 } });
    const reused = await t.app.inject({
      method: 'POST',
      url: '/staff/sign-in/verify',
      headers: { cookie: pending2 },
      payload: { _csrf: csrfFrom(verifyPage2.body), code: codes[0] ?? '' },
    });
    expect(reused.statusCode).toBe(401);
  });

  it('refuses bad invitations with clear messages and creates nothing', async () => {
    const s = await sessionFor(t, admin.accountId);
    const before = await t.db
      .selectFrom('staff_account')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const bad = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/accounts',
      headers: { cookie: s.cookie },
      payload: {
        _csrf: s.csrf,
        organisationId: ngo,
        displayName: ' ',
        email: 'not-an-email',
        roles: ['judge'],
        locale: 'zh-CN',
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('邮箱格式不正确');
    expect(bad.body).toContain('请填写姓名');
    expect(bad.body).toContain('所选角色不适用于这类机构');
    const taken = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/accounts',
      headers: { cookie: s.cookie },
      payload: {
        _csrf: s.csrf,
        organisationId: ngo,
        displayName: 'Dup',
        email: admin.email,
        roles: ['caseworker'],
        locale: 'en',
      },
    });
    expect(taken.body).toContain('这个邮箱已有账户');
    // An organisation admin cannot invite into another organisation: it does not exist for them.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/accounts',
      headers: { cookie: s.cookie },
      payload: {
        _csrf: s.csrf,
        organisationId: otherNgo,
        displayName: 'X',
        email: 'x@example.org',
        roles: ['caseworker'],
        locale: 'zh-CN',
      },
    });
    expect(elsewhere.statusCode).toBe(404);
    const after = await t.db
      .selectFrom('staff_account')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('resets a second factor with an audit event; the next sign-in enrols again', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const live = await sessionFor(t, staff.accountId);
    const s = await sessionFor(t, admin.accountId);
    const reset = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${staff.accountId}/reset-mfa`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf },
    });
    expect(reset.statusCode).toBe(303);
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: live.cookie } })).statusCode,
    ).toBe(401);
    const next = await passwordStep(staff);
    expect(next.headers.location).toBe('/staff/totp/enrol');
    const event = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('event', '=', 'identity.mfa_reset')
      .where('record_id', '=', staff.accountId)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      actor_account_id: admin.accountId,
      organisation_id: ngo,
      actor_roles: ['organisation_admin'],
      details: { sessionsRevoked: 1 },
    });
    expect(event.ip).toBeTruthy();
    expect(event.user_agent).toBeTruthy();
    // Admins cannot reset themselves (another admin must).
    const self = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${admin.accountId}/reset-mfa`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf },
    });
    expect(self.statusCode).toBe(400);
  });
});

describe('administration', () => {
  it('lets a platform admin create organisations with GB/T 2260 regions, refusing unknown codes', async () => {
    const operator = await makeOrganisation(t, 'platform_operator', '11');
    const platformAdmin = await makeStaff(t, operator, ['platform_admin']);
    const s = await sessionFor(t, platformAdmin.accountId);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/organisations',
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf, kind: 'court', name: '某法院', regionCode: '999999' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('行政区划代码无效');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/staff/admin/organisations',
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf, kind: 'court', name: '重庆市渝北区人民法院', regionCode: '500112' },
    });
    expect(ok.statusCode).toBe(303);
    const list = await t.app.inject({ url: '/staff/admin/organisations', headers: { cookie: s.cookie } });
    expect(list.body).toContain('重庆市 渝北区');
    expect(list.body).toContain('重庆市渝北区人民法院');
    // An organisation admin sees only their own organisation and cannot create any.
    const own = await sessionFor(t, admin.accountId);
    const theirs = await t.app.inject({ url: '/staff/admin/organisations', headers: { cookie: own.cookie } });
    expect(theirs.body).toContain('北京测试公益机构');
    expect(theirs.body).not.toContain('重庆测试公益机构');
    expect(theirs.body).not.toContain('name="regionCode"');
  });

  it('changes roles (ending the person’s sessions), refusing roles that do not fit the organisation', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const live = await sessionFor(t, staff.accountId);
    const s = await sessionFor(t, admin.accountId);
    const unfit = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${staff.accountId}/roles`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf, roles: ['judge'] },
    });
    expect(unfit.statusCode).toBe(400);
    expect(unfit.body).toContain('所选角色不适用于这类机构');
    const none = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${staff.accountId}/roles`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf },
    });
    expect(none.body).toContain('请至少选择一个角色');
    expect(
      (
        await t.db
          .selectFrom('staff_account_role')
          .select('role')
          .where('account_id', '=', staff.accountId)
          .execute()
      ).map((r) => r.role),
    ).toEqual(['caseworker']);
    const ok = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${staff.accountId}/roles`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf, roles: ['volunteer_lawyer', 'ngo_supervisor'] },
    });
    expect(ok.statusCode).toBe(303);
    expect(
      (
        await t.db
          .selectFrom('staff_account_role')
          .select('role')
          .where('account_id', '=', staff.accountId)
          .orderBy('role')
          .execute()
      ).map((r) => r.role),
    ).toEqual(['ngo_supervisor', 'volunteer_lawyer']);
    expect(
      (await t.app.inject({ url: '/api/staff/session', headers: { cookie: live.cookie } })).statusCode,
    ).toBe(401);
    const event = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('event', '=', 'identity.roles_changed')
      .where('record_id', '=', staff.accountId)
      .executeTakeFirstOrThrow();
    expect(event.details).toEqual({ roles: 'volunteer_lawyer,ngo_supervisor' });
    // An organisation admin cannot hand out platform admin.
    const escalate = await t.app.inject({
      method: 'POST',
      url: `/staff/admin/accounts/${staff.accountId}/roles`,
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf, roles: ['platform_admin'] },
    });
    expect(escalate.statusCode).toBe(404);
  });

  it('shows the roles and their permissions from the policy data', async () => {
    const s = await sessionFor(t, admin.accountId);
    const page = await t.app.inject({ url: '/en/staff/admin/roles', headers: { cookie: s.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<code>identity.account.invite</code>');
    expect(page.body).toContain('their organisation');
    expect(page.body).toContain('Volunteer lawyer');
  });

  it('shows an organisation admin the audit trail of their organisation only, filterable by person', async () => {
    const s = await sessionFor(t, admin.accountId);
    const page = await t.app.inject({
      url: `/staff/admin/audit?account=${admin.accountId}`,
      headers: { cookie: s.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('identity.mfa_reset');
    const foreign = await t.db
      .selectFrom('audit_event')
      .select('seq')
      .where('organisation_id', '=', otherNgo)
      .execute();
    expect(foreign).toEqual([]);
    const viewed = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('event', '=', 'audit.viewed')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(viewed.details).toEqual({ filters: 'account' });
  });
});

describe('secrets', () => {
  it('never writes a password, TOTP secret, recovery code or token to the logs or an API response', async () => {
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of secrets.filter((s) => s.length >= 6))
      expect(logs, 'a secret reached the logs').not.toContain(secret);
    const s = await sessionFor(t, admin.accountId);
    const me = await t.app.inject({ url: '/api/staff/session', headers: { cookie: s.cookie } });
    const token = s.cookie.split('=')[1] ?? '';
    expect(me.body).not.toContain(token);
    expect(me.body).not.toContain(admin.totpSecret);
    expect(Object.keys(me.json()).sort()).toEqual([
      'accountId',
      'csrfToken',
      'displayName',
      'locale',
      'organisation',
      'roles',
    ]);
  });
});
