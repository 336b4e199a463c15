/**
 * Staff identity through the JSON API and the generated typed client, on the real app and database: signing in
 * (password, then TOTP; or a first sign-in from an invitation with TOTP enrolment) gives the same server-side
 * session as the pages; sign-out ends it; wrong passwords and codes are throttled, never locked; one's own
 * account and passkeys; administration of organisations and accounts; the audit trail in words. Every new
 * operation is refused without a session (401), to a role without its action (404), and on another
 * organisation's records (404). Page routes that change state name an API twin that exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { createAnxinClient, type AnxinClient } from '../../src/client/index.ts';
import { totpCode } from '../../src/modules/identity/totp.ts';
import { apiClient, injectFetch } from '../support/api-client.ts';
import { makeOrganisation, makeStaff, sessionFor, type StaffFixture } from '../support/identity-fixtures.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ngo: string;
let otherNgo: string;
let platform: string;
let admin: StaffFixture;
let otherAdmin: StaffFixture;
let platformAdmin: StaffFixture;

beforeAll(async () => {
  t = await createTestApp();
  ngo = await makeOrganisation(t, 'ngo', '110105', '北京接口测试机构');
  otherNgo = await makeOrganisation(t, 'ngo', '500112', '重庆接口测试机构');
  platform = await makeOrganisation(t, 'platform_operator', '11', '平台运营方');
  admin = await makeStaff(t, ngo, ['organisation_admin'], { name: '管理员丙' });
  otherAdmin = await makeStaff(t, otherNgo, ['organisation_admin'], { name: '管理员丁' });
  platformAdmin = await makeStaff(t, platform, ['platform_admin'], { name: '平台管理员' });
});
afterAll(async () => t?.close());

/** The typed client, as a browser or system on a given network would call (cookie and headers fixed). */
function client(headers: Record<string, string> = {}, remoteAddress = '127.0.0.1'): AnxinClient {
  const app = {
    inject: (options: Record<string, unknown>) => t.app.inject({ ...options, remoteAddress }),
  } as unknown as FastifyInstance;
  return createAnxinClient({ baseUrl: 'http://anxin.test', fetch: injectFetch(app), headers });
}

/** The session cookie a response set (`anxin_session=…`), or '' when it was cleared or not set. */
function cookieFrom(response: Response): string {
  const set = response.headers.getSetCookie().find((c) => c.startsWith('anxin_session='));
  const pair = set?.split(';')[0] ?? '';
  return pair === 'anxin_session=' ? '' : pair;
}

/** A code from the authenticator that is certainly not the right one now (nor in the next step). */
function wrongCode(secret: string): string {
  let code = '000000';
  const right = new Set([-30_000, 0, 30_000, 60_000].map((d) => totpCode(secret, Date.now() + d)));
  while (right.has(code)) code = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
  return code;
}

interface ApiSession {
  cookie: string;
  csrf: string;
  api: AnxinClient;
}

/** The whole sign-in through the API: password, then a TOTP code. */
async function apiSignIn(
  staff: StaffFixture,
  remoteAddress = '127.0.0.1',
  at = Date.now(),
): Promise<ApiSession> {
  const first = await client({}, remoteAddress).POST('/api/staff/sign-in', {
    body: { email: staff.email, password: staff.password },
  });
  expect(first.response.status).toBe(200);
  const pending = cookieFrom(first.response);
  const second = await client({ cookie: pending }, remoteAddress).POST('/api/staff/sign-in/verify', {
    body: { code: totpCode(staff.totpSecret, at) },
    headers: { 'x-csrf-token': first.data?.csrfToken ?? '' },
  });
  expect(second.response.status).toBe(200);
  const cookie = cookieFrom(second.response);
  const csrf = second.data?.csrfToken ?? '';
  return { cookie, csrf, api: client({ cookie, 'x-csrf-token': csrf }, remoteAddress) };
}

/** A full session made directly (when signing in is not what is tested), as a typed client. */
async function asStaff(staff: StaffFixture): Promise<AnxinClient> {
  const s = await sessionFor(t, staff.accountId);
  return apiClient(t.app, { cookie: s.cookie, 'x-csrf-token': s.csrf });
}

describe('signing in through the API', () => {
  it('takes a password then a TOTP code and gives the pages’ own session; sign-out ends it', async () => {
    const lawyer = await makeStaff(t, ngo, ['volunteer_lawyer'], { name: '律师戊' });
    const first = await client().POST('/api/staff/sign-in', {
      body: { email: lawyer.email.toUpperCase(), password: lawyer.password },
    });
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ next: 'verify', factors: ['totp', 'recovery_code'] });
    const pending = cookieFrom(first.response);
    expect(pending).toMatch(/^anxin_session=.+/);
    // Part-way through, nothing else is open.
    expect((await client({ cookie: pending }).GET('/api/staff/session')).response.status).toBe(401);
    // A code without the pending session's form token changes nothing.
    const noToken = await client({ cookie: pending }).POST('/api/staff/sign-in/verify', {
      body: { code: totpCode(lawyer.totpSecret) },
    });
    expect(noToken.response.status).toBe(403);
    const pendingApi = client({ cookie: pending, 'x-csrf-token': first.data?.csrfToken ?? '' });
    const wrong = await pendingApi.POST('/api/staff/sign-in/verify', {
      body: { code: wrongCode(lawyer.totpSecret) },
    });
    expect(wrong.response.status).toBe(400);
    expect(wrong.error?.error.code).toBe('VALIDATION');

    const verified = await pendingApi.POST('/api/staff/sign-in/verify', {
      body: { code: totpCode(lawyer.totpSecret) },
    });
    expect(verified.response.status).toBe(200);
    const cookie = cookieFrom(verified.response);
    expect(cookie).not.toBe(pending);
    const row = await t.db
      .selectFrom('staff_session')
      .select(['id', 'stage'])
      .where('account_id', '=', lawyer.accountId)
      .where('revoked_at', 'is', null)
      .execute();
    expect(row).toEqual([expect.objectContaining({ stage: 'full' })]);

    // The same session opens the API and the staff pages; the pending cookie is gone for good.
    const me = await client({ cookie }).GET('/api/staff/session');
    expect(me.data).toMatchObject({ accountId: lawyer.accountId, displayName: '律师戊' });
    expect(me.data?.csrfToken).toBe(verified.data?.csrfToken);
    const console_ = await t.app.inject({ url: '/staff', headers: { cookie } });
    expect(console_.statusCode).toBe(200);
    expect(console_.body).toContain('律师戊');
    expect((await client({ cookie: pending }).GET('/api/staff/session')).response.status).toBe(401);
    const signedIn = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('actor_account_id', '=', lawyer.accountId)
      .where('event', '=', 'identity.sign_in')
      .execute();
    expect(signedIn.map((e) => e.details)).toEqual([{ method: 'totp' }]);

    const out = await client({ cookie, 'x-csrf-token': verified.data?.csrfToken ?? '' }).POST(
      '/api/staff/sign-out',
    );
    expect(out.response.status).toBe(200);
    expect(cookieFrom(out.response)).toBe('');
    expect((await client({ cookie }).GET('/api/staff/session')).response.status).toBe(401);
    const after = await t.app.inject({ url: '/staff', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain('/staff/sign-in');
  });

  it('tells the client a passkey may be used when the account has one, and accepts a recovery code', async () => {
    const worker = await makeStaff(t, ngo, ['caseworker']);
    await t.db
      .insertInto('staff_passkey')
      .values({
        account_id: worker.accountId,
        credential_id: randomBytes(16).toString('base64url'),
        public_key: randomBytes(77),
        counter: 0,
        transports: ['internal'],
      })
      .execute();
    const first = await client().POST('/api/staff/sign-in', {
      body: { email: worker.email, password: worker.password },
    });
    expect(first.data?.factors).toEqual(['totp', 'recovery_code', 'passkey']);
  });

  it('answers a wrong password and an unknown email alike (401), and sets no session', async () => {
    const staff = await makeStaff(t, ngo, ['caseworker']);
    const wrong = await client({}, '10.72.0.9').POST('/api/staff/sign-in', {
      body: { email: staff.email, password: 'not the password at all' },
    });
    const unknown = await client({}, '10.72.0.9').POST('/api/staff/sign-in', {
      body: { email: 'nobody.here@example.org', password: 'not the password at all' },
    });
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.error?.error.message).toBe(unknown.error?.error.message);
    expect(cookieFrom(wrong.response)).toBe('');
  });

  it('throttles wrong passwords and codes per network, never locks: the right ones from another network work', async () => {
    const target = await makeStaff(t, ngo, ['caseworker']);
    const guesser = client({}, '10.72.1.1');
    for (let i = 0; i < 5; i += 1) {
      const guess = await guesser.POST('/api/staff/sign-in', {
        body: { email: target.email, password: `guess number ${i} here` },
      });
      expect(guess.response.status).toBe(401);
    }
    const throttled = await guesser.POST('/api/staff/sign-in', {
      body: { email: target.email, password: target.password },
    });
    expect(throttled.response.status).toBe(429);
    expect(Number(throttled.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(cookieFrom(throttled.response)).toBe('');

    // From her own network the password is accepted; then a code guesser on a third network is held back.
    const attacker = await client({}, '10.72.1.3').POST('/api/staff/sign-in', {
      body: { email: target.email, password: target.password },
    });
    const attackerApi = client(
      { cookie: cookieFrom(attacker.response), 'x-csrf-token': attacker.data?.csrfToken ?? '' },
      '10.72.1.3',
    );
    for (let i = 0; i < 5; i += 1) {
      const guess = await attackerApi.POST('/api/staff/sign-in/verify', {
        body: { code: wrongCode(target.totpSecret) },
      });
      expect(guess.response.status).toBe(400);
    }
    const held = await attackerApi.POST('/api/staff/sign-in/verify', {
      body: { code: totpCode(target.totpSecret) },
    });
    expect(held.response.status).toBe(429);
    expect(Number(held.response.headers.get('retry-after'))).toBeGreaterThan(0);
    // Not locked: she signs in on her own network with her own code.
    const mine = await apiSignIn(target, '10.72.1.2', Date.now() + 30_000);
    expect((await mine.api.GET('/api/staff/session')).data?.accountId).toBe(target.accountId);
    const account = await t.db
      .selectFrom('staff_account')
      .select('status')
      .where('id', '=', target.accountId)
      .executeTakeFirstOrThrow();
    expect(account.status).toBe('active');
  });

  it('accepts an invitation (token in the body), enrols TOTP, and the next sign-in asks for a code', async () => {
    const adminApi = await asStaff(admin);
    const email = `invited.${randomBytes(3).toString('hex')}@example.org`;
    const invited = await adminApi.POST('/api/staff/accounts', {
      body: { organisationId: ngo, displayName: '新同事己', email, roles: ['caseworker'], locale: 'zh-CN' },
    });
    expect(invited.response.status).toBe(201);
    const token = invited.data?.invitationUrl.split('/').at(-1) ?? '';
    expect(invited.data?.invitationUrl).toContain('/staff/invite/');

    const seen = await client().POST('/api/staff/invitation', { body: { token } });
    expect(seen.data).toEqual({ displayName: '新同事己', email, organisationName: '北京接口测试机构' });
    const mismatch = await client().POST('/api/staff/invitation/accept', {
      body: { token, password: 'a long pass phrase for work 42', confirm: 'another pass phrase' },
    });
    expect(mismatch.response.status).toBe(400);
    expect(mismatch.error?.error.fields?.[0]?.field).toBe('confirm');
    const password = 'a long pass phrase for work 42';
    const accepted = await client().POST('/api/staff/invitation/accept', {
      body: { token, password, confirm: password },
    });
    expect(accepted.response.status).toBe(200);
    expect(accepted.data).toMatchObject({ next: 'enrol', factors: [] });
    const enrolling = client({
      cookie: cookieFrom(accepted.response),
      'x-csrf-token': accepted.data?.csrfToken ?? '',
    });
    // The link works once.
    expect((await client().POST('/api/staff/invitation', { body: { token } })).response.status).toBe(404);
    expect(
      (await client().POST('/api/staff/invitation/accept', { body: { token, password, confirm: password } }))
        .response.status,
    ).toBe(404);

    const enrolment = await enrolling.GET('/api/staff/totp/enrolment');
    expect(enrolment.data?.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const secret = enrolment.data?.secret ?? '';
    expect((await enrolling.GET('/api/staff/totp/enrolment')).data?.secret).toBe(secret);
    expect(
      (await enrolling.POST('/api/staff/totp/enrolment', { body: { code: wrongCode(secret) } })).response
        .status,
    ).toBe(400);
    const enrolled = await enrolling.POST('/api/staff/totp/enrolment', { body: { code: totpCode(secret) } });
    expect(enrolled.response.status).toBe(200);
    expect(enrolled.data?.recoveryCodes).toHaveLength(10);
    const full = client({ cookie: cookieFrom(enrolled.response) });
    expect((await full.GET('/api/staff/session')).data?.displayName).toBe('新同事己');

    const again = await client().POST('/api/staff/sign-in', { body: { email, password } });
    expect(again.data).toMatchObject({ next: 'verify', factors: ['totp', 'recovery_code'] });
    // A recovery code is a second factor too.
    const recovery = await client({
      cookie: cookieFrom(again.response),
      'x-csrf-token': again.data?.csrfToken ?? '',
    }).POST('/api/staff/sign-in/verify', { body: { code: enrolled.data?.recoveryCodes[0] ?? '' } });
    expect(recovery.response.status).toBe(200);
    expect(recovery.data?.recoveryCodesLeft).toBe(9);
  });

  it('signs out everywhere: every session of the account ends', async () => {
    const worker = await makeStaff(t, ngo, ['caseworker']);
    const one = await apiSignIn(worker, '10.72.2.1');
    const two = await sessionFor(t, worker.accountId);
    const out = await one.api.POST('/api/staff/sign-out-everywhere');
    expect(out.data).toEqual({ sessions: 2 });
    expect((await client({ cookie: one.cookie }).GET('/api/staff/session')).response.status).toBe(401);
    expect((await client({ cookie: two.cookie }).GET('/api/staff/session')).response.status).toBe(401);
  });
});

describe('one’s own account', () => {
  it('changes the language and removes one’s own passkeys only (another person’s answers 404)', async () => {
    const worker = await makeStaff(t, ngo, ['caseworker']);
    const colleague = await makeStaff(t, ngo, ['caseworker']);
    const passkeyOf = async (accountId: string) =>
      (
        await t.db
          .insertInto('staff_passkey')
          .values({
            account_id: accountId,
            credential_id: randomBytes(16).toString('base64url'),
            public_key: randomBytes(77),
            counter: 0,
            transports: ['internal'],
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const mine = await passkeyOf(worker.accountId);
    const theirs = await passkeyOf(colleague.accountId);
    const api = await asStaff(worker);

    const locale = await api.PATCH('/api/staff/account', { body: { locale: 'en' } });
    expect(locale.data).toEqual({ locale: 'en' });
    const row = await t.db
      .selectFrom('staff_account')
      .select('locale')
      .where('id', '=', worker.accountId)
      .executeTakeFirstOrThrow();
    expect(row.locale).toBe('en');

    const listed = await api.GET('/api/staff/passkeys');
    expect(listed.data?.items.map((p) => p.id)).toEqual([mine]);
    const foreign = await api.DELETE('/api/staff/passkeys/{id}', { params: { path: { id: theirs } } });
    expect(foreign.response.status).toBe(404);
    const removed = await api.DELETE('/api/staff/passkeys/{id}', { params: { path: { id: mine } } });
    expect(removed.data).toEqual({ removed: true });
    expect((await api.GET('/api/staff/passkeys')).data?.items).toEqual([]);
    const left = await t.db.selectFrom('staff_passkey').select('id').where('id', '=', theirs).execute();
    expect(left).toHaveLength(1);
    const audited = await t.db
      .selectFrom('audit_event')
      .select('event')
      .where('actor_account_id', '=', worker.accountId)
      .where('event', 'in', ['identity.locale_changed', 'identity.passkey_removed'])
      .orderBy('seq')
      .execute();
    expect(audited.map((e) => e.event)).toEqual(['identity.locale_changed', 'identity.passkey_removed']);
  });
});

describe('administration through the API', () => {
  it('lists and creates organisations: a platform admin all, an organisation admin their own only', async () => {
    const platformApi = await asStaff(platformAdmin);
    const created = await platformApi.POST('/api/staff/organisations', {
      body: { kind: 'court', name: '朝阳区人民法院（接口）', regionCode: '110105' },
    });
    expect(created.response.status).toBe(201);
    const bad = await platformApi.POST('/api/staff/organisations', {
      body: { kind: 'court', name: '某法院', regionCode: '999999' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.error.fields?.[0]?.field).toBe('regionCode');
    const all = await platformApi.GET('/api/staff/organisations');
    expect(all.data?.items.map((o) => o.id)).toEqual(
      expect.arrayContaining([ngo, otherNgo, created.data?.id]),
    );

    const adminApi = await asStaff(admin);
    expect((await adminApi.GET('/api/staff/organisations')).data?.items.map((o) => o.id)).toEqual([ngo]);
    const refused = await adminApi.POST('/api/staff/organisations', {
      body: { kind: 'ngo', name: '某机构', regionCode: '110105' },
    });
    expect(refused.response.status).toBe(404);
  });

  it('lists the organisation’s accounts a page at a time, filtered by role, status and name', async () => {
    const org = await makeOrganisation(t, 'ngo', '110105', '分页测试机构');
    const orgAdmin = await makeStaff(t, org, ['organisation_admin'], { name: '甲 管理员' });
    for (const name of ['乙 社工', '丙 社工', '丁 社工']) await makeStaff(t, org, ['caseworker'], { name });
    await makeStaff(t, org, ['volunteer_lawyer'], { name: '戊 律师', enrolled: false });
    const api = await asStaff(orgAdmin);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 5; pages += 1) {
      const page = await api.GET('/api/staff/accounts', {
        params: { query: { limit: 2, ...(cursor ? { cursor } : {}) } },
      });
      expect(page.response.status).toBe(200);
      seen.push(...(page.data?.items.map((a) => a.displayName) ?? []));
      cursor = page.data?.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    // Page by page, the same list in the same order as in one go.
    const whole = await api.GET('/api/staff/accounts', { params: { query: { limit: 100 } } });
    expect(whole.data?.items.map((a) => a.displayName)).toEqual(seen);
    expect(whole.data?.nextCursor).toBeNull();

    const workers = await api.GET('/api/staff/accounts', { params: { query: { role: 'caseworker' } } });
    expect(workers.data?.items.map((a) => a.displayName).sort()).toEqual(
      ['丁 社工', '丙 社工', '乙 社工'].sort(),
    );
    const named = await api.GET('/api/staff/accounts', { params: { query: { name: '律师' } } });
    expect(named.data?.items).toEqual([
      expect.objectContaining({ displayName: '戊 律师', mfaEnrolled: false, roles: ['volunteer_lawyer'] }),
    ]);
    const disabled = await api.GET('/api/staff/accounts', { params: { query: { status: 'disabled' } } });
    expect(disabled.data?.items).toEqual([]);
    const foreign = await api.GET('/api/staff/accounts', { params: { query: { organisationId: otherNgo } } });
    expect(foreign.data?.items).toEqual([]);
    const badCursor = await api.GET('/api/staff/accounts', { params: { query: { cursor: 'not-a-cursor' } } });
    expect(badCursor.response.status).toBe(400);
  });

  it('disables, resets the second factor and sets roles of its own organisation’s accounts; others’ answer 404', async () => {
    const api = await asStaff(admin);
    const worker = await makeStaff(t, ngo, ['caseworker'], { name: '社工庚' });
    const stranger = await makeStaff(t, otherNgo, ['caseworker']);
    const live = await sessionFor(t, worker.accountId);

    const disabled = await api.PUT('/api/staff/accounts/{id}/disabled', {
      params: { path: { id: worker.accountId } },
      body: { disabled: true },
    });
    expect(disabled.data).toEqual({ disabled: true });
    expect((await client({ cookie: live.cookie }).GET('/api/staff/session')).response.status).toBe(401);
    const listed = await api.GET('/api/staff/accounts', { params: { query: { status: 'disabled' } } });
    expect(listed.data?.items.map((a) => a.id)).toContain(worker.accountId);
    await api.PUT('/api/staff/accounts/{id}/disabled', {
      params: { path: { id: worker.accountId } },
      body: { disabled: false },
    });

    const reset = await api.POST('/api/staff/accounts/{id}/mfa-reset', {
      params: { path: { id: worker.accountId } },
    });
    expect(reset.data).toEqual({ reset: true });
    const account = await t.db
      .selectFrom('staff_account')
      .select(['status', 'totp_secret'])
      .where('id', '=', worker.accountId)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ status: 'active', totp_secret: null });

    const roles = await api.PUT('/api/staff/accounts/{id}/roles', {
      params: { path: { id: worker.accountId } },
      body: { roles: ['ngo_supervisor', 'caseworker'] },
    });
    expect(roles.data).toEqual({ roles: ['ngo_supervisor', 'caseworker'] });
    const wrongKind = await api.PUT('/api/staff/accounts/{id}/roles', {
      params: { path: { id: worker.accountId } },
      body: { roles: ['judge'] },
    });
    expect(wrongKind.response.status).toBe(400);
    const platformRole = await api.PUT('/api/staff/accounts/{id}/roles', {
      params: { path: { id: worker.accountId } },
      body: { roles: ['platform_admin'] },
    });
    expect(platformRole.response.status).toBe(404);
    const self = await api.PUT('/api/staff/accounts/{id}/disabled', {
      params: { path: { id: admin.accountId } },
      body: { disabled: true },
    });
    expect(self.response.status).toBe(400);

    // Another organisation's account: as if it did not exist, and nothing changes.
    const id = stranger.accountId;
    expect(
      (
        await api.PUT('/api/staff/accounts/{id}/disabled', {
          params: { path: { id } },
          body: { disabled: true },
        })
      ).response.status,
    ).toBe(404);
    expect(
      (await api.POST('/api/staff/accounts/{id}/mfa-reset', { params: { path: { id } } })).response.status,
    ).toBe(404);
    expect(
      (
        await api.PUT('/api/staff/accounts/{id}/roles', {
          params: { path: { id } },
          body: { roles: ['caseworker'] },
        })
      ).response.status,
    ).toBe(404);
    const strangerRow = await t.db
      .selectFrom('staff_account')
      .select(['status', 'totp_secret'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(strangerRow.status).toBe('active');
    expect(strangerRow.totp_secret).not.toBeNull();
    // Unless the policy reaches every organisation: a platform admin may.
    const platformApi = await asStaff(platformAdmin);
    expect(
      (
        await platformApi.PUT('/api/staff/accounts/{id}/disabled', {
          params: { path: { id } },
          body: { disabled: true },
        })
      ).data,
    ).toEqual({ disabled: true });
  });

  it('invites only into an organisation in scope: another organisation’s id in the body answers 404', async () => {
    const api = await asStaff(admin);
    const body = {
      organisationId: otherNgo,
      displayName: '外人',
      email: `outsider.${randomBytes(3).toString('hex')}@example.org`,
      roles: ['caseworker'],
      locale: 'zh-CN' as const,
    };
    expect((await api.POST('/api/staff/accounts', { body })).response.status).toBe(404);
    const bad = await api.POST('/api/staff/accounts', {
      body: { ...body, organisationId: ngo, email: 'nope' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.error.fields?.map((f) => f.field)).toEqual(['email']);
    const made = await t.db
      .selectFrom('staff_account')
      .select('id')
      .where('display_name', '=', '外人')
      .execute();
    expect(made).toEqual([]);
  });
});

describe('the audit trail as an operation', () => {
  it('filters by person, record and dates, pages newest first, and says each event in words', async () => {
    const org = await makeOrganisation(t, 'ngo', '110105', '审计测试机构');
    const orgAdmin = await makeStaff(t, org, ['organisation_admin'], { name: '审计管理员' });
    const worker = await makeStaff(t, org, ['caseworker'], { name: '社工辛' });
    await apiSignIn(worker, '10.72.3.1');
    const api = await asStaff(orgAdmin);
    await api.PUT('/api/staff/accounts/{id}/roles', {
      params: { path: { id: worker.accountId } },
      body: { roles: ['caseworker', 'ngo_supervisor'] },
    });

    const byPerson = await api.GET('/api/audit', { params: { query: { account: worker.accountId } } });
    expect(byPerson.response.status).toBe(200);
    const signIn = byPerson.data?.items.find((e) => e.action === 'identity.sign_in');
    expect(signIn).toMatchObject({
      actor: { accountId: worker.accountId, displayName: '社工辛', roles: ['caseworker'] },
      record: null,
      sentence: '社工辛 登录了',
      raw: { event: 'identity.sign_in', details: { method: 'totp' }, ip: '10.72.3.1' },
    });

    const byRecord = await api.GET('/api/audit', {
      params: { query: { recordType: 'staff_account', recordId: worker.accountId } },
    });
    expect(byRecord.data?.items.map((e) => e.action)).toEqual(['identity.roles_changed']);
    expect(byRecord.data?.items[0]?.sentence).toContain('审计管理员');
    const english = await apiClient(t.app, {
      cookie: (await sessionFor(t, orgAdmin.accountId)).cookie,
      'accept-language': 'en',
    }).GET('/api/audit', { params: { query: { recordType: 'staff_account', recordId: worker.accountId } } });
    expect(english.data?.items[0]?.sentence).toMatch(/^审计管理员 changed the roles of the account/);

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const dated = await api.GET('/api/audit', {
      params: { query: { account: worker.accountId, from: today, to: today } },
    });
    expect(dated.data?.items.length).toBe(byPerson.data?.items.length);
    const past = await api.GET('/api/audit', {
      params: { query: { account: worker.accountId, from: '2020-01-01', to: '2020-01-02' } },
    });
    expect(past.data?.items).toEqual([]);

    const first = await api.GET('/api/audit', { params: { query: { limit: 2 } } });
    expect(first.data?.items).toHaveLength(2);
    const [a, b] = first.data?.items ?? [];
    expect(BigInt(a?.seq ?? 0)).toBeGreaterThan(BigInt(b?.seq ?? 0));
    const next = await api.GET('/api/audit', {
      params: { query: { limit: 2, cursor: first.data?.nextCursor ?? '' } },
    });
    expect(BigInt(next.data?.items[0]?.seq ?? 0)).toBeLessThan(BigInt(b?.seq ?? 0));

    // Only the reader's organisation: another organisation's admin sees none of it.
    const other = await asStaff(otherAdmin);
    const hidden = await other.GET('/api/audit', { params: { query: { account: worker.accountId } } });
    expect(hidden.data?.items).toEqual([]);
    // Looking is audited, naming the filters (never their values).
    const looked = await t.db
      .selectFrom('audit_event')
      .select('details')
      .where('actor_account_id', '=', orgAdmin.accountId)
      .where('event', '=', 'audit.viewed')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(looked.details).toEqual({ filters: 'account' });
  });

  it('shows the same events, in words, on the audit page', async () => {
    const page = await t.app.inject({
      url: `/staff/admin/audit?account=${admin.accountId}`,
      headers: { cookie: (await sessionFor(t, admin.accountId)).cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('管理员丙 邀请了新账户');
  });
});

describe('access to every new operation', () => {
  it('refuses each without a session (401), to a role without its action (404), and another organisation’s ids (404)', async () => {
    const worker = await makeStaff(t, ngo, ['caseworker']);
    const stranger = await makeStaff(t, otherNgo, ['caseworker']);
    const strangersPasskey = (
      await t.db
        .insertInto('staff_passkey')
        .values({
          account_id: stranger.accountId,
          credential_id: randomBytes(16).toString('base64url'),
          public_key: randomBytes(77),
          counter: 0,
          transports: ['internal'],
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const id = stranger.accountId;
    const anon = client();
    const caseworker = await asStaff(worker);
    const orgAdmin = await asStaff(admin);
    const calls: {
      name: string;
      call: (api: AnxinClient) => Promise<{ response: Response }>;
      admin: boolean;
    }[] = [
      {
        name: 'verify',
        call: (api) => api.POST('/api/staff/sign-in/verify', { body: { code: '123456' } }),
        admin: false,
      },
      { name: 'enrolment', call: (api) => api.GET('/api/staff/totp/enrolment'), admin: false },
      {
        name: 'confirm enrolment',
        call: (api) => api.POST('/api/staff/totp/enrolment', { body: { code: '123456' } }),
        admin: false,
      },
      { name: 'sign out', call: (api) => api.POST('/api/staff/sign-out'), admin: false },
      {
        name: 'sign out everywhere',
        call: (api) => api.POST('/api/staff/sign-out-everywhere'),
        admin: false,
      },
      {
        name: 'account',
        call: (api) => api.PATCH('/api/staff/account', { body: { locale: 'en' } }),
        admin: false,
      },
      { name: 'passkeys', call: (api) => api.GET('/api/staff/passkeys'), admin: false },
      {
        name: 'remove passkey',
        call: (api) => api.DELETE('/api/staff/passkeys/{id}', { params: { path: { id: strangersPasskey } } }),
        admin: false,
      },
      { name: 'organisations', call: (api) => api.GET('/api/staff/organisations'), admin: true },
      {
        name: 'create organisation',
        call: (api) =>
          api.POST('/api/staff/organisations', { body: { kind: 'ngo', name: 'X', regionCode: '110105' } }),
        admin: true,
      },
      { name: 'accounts', call: (api) => api.GET('/api/staff/accounts'), admin: true },
      {
        name: 'invite',
        call: (api) =>
          api.POST('/api/staff/accounts', {
            body: {
              organisationId: otherNgo,
              displayName: 'Y',
              email: 'y@example.org',
              roles: ['caseworker'],
              locale: 'en',
            },
          }),
        admin: true,
      },
      {
        name: 'disable',
        call: (api) =>
          api.PUT('/api/staff/accounts/{id}/disabled', {
            params: { path: { id } },
            body: { disabled: true },
          }),
        admin: true,
      },
      {
        name: 'reset MFA',
        call: (api) => api.POST('/api/staff/accounts/{id}/mfa-reset', { params: { path: { id } } }),
        admin: true,
      },
      {
        name: 'roles',
        call: (api) =>
          api.PUT('/api/staff/accounts/{id}/roles', {
            params: { path: { id } },
            body: { roles: ['caseworker'] },
          }),
        admin: true,
      },
      { name: 'audit', call: (api) => api.GET('/api/audit'), admin: true },
    ];
    const answers: Record<string, number[]> = {};
    for (const { name, call, admin: isAdmin } of calls) {
      answers[name] = [(await call(anon)).response.status];
      if (isAdmin) answers[name].push((await call(caseworker)).response.status);
    }
    expect(answers).toEqual({
      verify: [401],
      enrolment: [401],
      'confirm enrolment': [401],
      'sign out': [401],
      'sign out everywhere': [401],
      account: [401],
      passkeys: [401],
      'remove passkey': [401],
      organisations: [401, 404],
      'create organisation': [401, 404],
      accounts: [401, 404],
      invite: [401, 404],
      disable: [401, 404],
      'reset MFA': [401, 404],
      roles: [401, 404],
      audit: [401, 404],
    });
    // Another organisation's records, to someone who holds the action: 404, as if they did not exist.
    expect((await calls.find((c) => c.name === 'remove passkey')?.call(caseworker))?.response.status).toBe(
      404,
    );
    for (const name of ['invite', 'disable', 'reset MFA', 'roles'])
      expect([name, (await calls.find((c) => c.name === name)?.call(orgAdmin))?.response.status]).toEqual([
        name,
        404,
      ]);
    // The sign-in steps are closed to a full session (nothing to verify or enrol).
    expect((await calls[0]?.call(caseworker))?.response.status).toBe(404);
    expect((await calls[1]?.call(caseworker))?.response.status).toBe(404);
  });

  it('every page route that changes identity state names an API twin that exists', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    const operations = new Set(
      Object.values(spec.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId)),
    );
    const pages = [
      'POST /staff/sign-in',
      'POST /staff/sign-in/verify',
      'POST /staff/totp/enrol',
      'POST /staff/invite/:token',
      'POST /staff/sign-out',
      'POST /staff/sign-out-everywhere',
      'POST /staff/account',
      'POST /staff/admin/organisations',
      'POST /staff/admin/accounts',
      'POST /staff/admin/accounts/:id/disable',
      'POST /staff/admin/accounts/:id/reset-mfa',
      'POST /staff/admin/accounts/:id/clear-throttle',
      'POST /staff/admin/accounts/:id/roles',
      'POST /staff/passkeys/:id/remove',
    ];
    const twins = pages.map((p) => {
      const route = t.app.routeRegistry.find((r) => `${r.method} ${r.url}` === p);
      return [p, route?.operation !== undefined && operations.has(route.operation)];
    });
    expect(twins).toEqual(pages.map((p) => [p, true]));
  });
});
