/**
 * Staff fixtures for identity tests: organisations and accounts written straight to the test database
 * (with real argon2id hashes and sealed TOTP secrets), and sessions obtained through the real sign-in.
 */
import type { LightMyRequestResponse } from 'fastify';
import { csrfTokenFor } from '../../src/platform/csrf.ts';
import { totpContext } from '../../src/modules/identity/identity.service.ts';
import { hashPassword } from '../../src/modules/identity/passwords.ts';
import type { OrganisationKind, Role } from '../../src/platform/access-policy.ts';
import { createSession } from '../../src/modules/identity/sessions.ts';
import { newTotpSecret, totpCode } from '../../src/modules/identity/totp.ts';
import type { TestApp } from './test-app.ts';

let sequence = 0;

export async function makeOrganisation(
  t: TestApp,
  kind: OrganisationKind,
  regionCode = '110105',
  name = `Org ${kind} ${++sequence}`,
): Promise<string> {
  const row = await t.db
    .insertInto('organisation')
    .values({ kind, name, region_code: regionCode })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface StaffFixture {
  accountId: string;
  organisationId: string;
  email: string;
  password: string;
  totpSecret: string;
}

/** A fast hash for fixtures: computed once, reused by every fixture account. */
const FIXTURE_PASSWORD = 'Fixture pass phrase for tests 7';
let fixtureHash: Promise<string> | undefined;

export async function makeStaff(
  t: TestApp,
  organisationId: string,
  roles: Role[],
  options: { enrolled?: boolean; name?: string } = {},
): Promise<StaffFixture> {
  fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
  const email = `staff${++sequence}.${Date.now().toString(36)}@example.org`;
  const row = await t.db
    .insertInto('staff_account')
    .values({
      organisation_id: organisationId,
      email,
      display_name: options.name ?? `Staff ${sequence}`,
      status: 'active',
      locale: 'zh-CN',
      password_hash: await fixtureHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const totpSecret = newTotpSecret();
  if (options.enrolled ?? true) {
    await t.db
      .updateTable('staff_account')
      .set({ totp_secret: t.keyring.sealText(totpSecret, totpContext(row.id)), mfa_enrolled_at: new Date() })
      .where('id', '=', row.id)
      .execute();
  }
  if (roles.length)
    await t.db
      .insertInto('staff_account_role')
      .values(roles.map((role) => ({ account_id: row.id, role })))
      .execute();
  return { accountId: row.id, organisationId, email, password: FIXTURE_PASSWORD, totpSecret };
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  sessionId: string;
}

/** A full session created directly (for the access matrix, where the sign-in itself is not under test). */
export async function sessionFor(t: TestApp, accountId: string): Promise<SignedIn> {
  const session = await createSession(t.db, t.app.sessionKeys, accountId, 'full');
  return {
    cookie: `anxin_session=${session.token}`,
    csrf: csrfTokenFor(t.app.csrfKey, session.id),
    sessionId: session.id,
  };
}

export function sessionCookie(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((c) => c.name === 'anxin_session');
  return cookie && cookie.value ? `anxin_session=${cookie.value}` : undefined;
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no form token on the page');
  return match[1];
}

/** Sign in through the real pages: password, then a TOTP code (for the given moment). */
export async function signIn(t: TestApp, staff: StaffFixture, at = Date.now()): Promise<SignedIn> {
  const first = await t.app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    payload: { email: staff.email, password: staff.password },
  });
  if (first.statusCode !== 303) throw new Error(`password step answered ${first.statusCode}`);
  const pending = sessionCookie(first);
  if (!pending) throw new Error('no session cookie after the password step');
  const page = await t.app.inject({ url: '/staff/sign-in/verify', headers: { cookie: pending } });
  const second = await t.app.inject({
    method: 'POST',
    url: '/staff/sign-in/verify',
    headers: { cookie: pending },
    payload: { _csrf: csrfFrom(page.body), code: totpCode(staff.totpSecret, at) },
  });
  if (second.statusCode !== 303) throw new Error(`TOTP step answered ${second.statusCode}`);
  const cookie = sessionCookie(second);
  if (!cookie) throw new Error('no session cookie after the TOTP step');
  const console_ = await t.app.inject({ url: '/staff', headers: { cookie } });
  const session = await t.app.inject({ url: '/api/staff/session', headers: { cookie } });
  if (session.statusCode !== 200)
    throw new Error(`session answered ${session.statusCode} (console ${console_.statusCode})`);
  const body = session.json<{ csrfToken: string }>();
  const row = await t.db
    .selectFrom('staff_session')
    .select('id')
    .where('account_id', '=', staff.accountId)
    .where('revoked_at', 'is', null)
    .where('stage', '=', 'full')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return { cookie, csrf: body.csrfToken, sessionId: row.id };
}
