/**
 * Passkeys in Debian's Chromium with a virtual authenticator (Chrome DevTools Protocol): a signed-in staff
 * member adds a passkey on their account page, signs out, and at the next sign-in uses the passkey instead
 * of a TOTP code. Served on `localhost`, since WebAuthn does not accept an IP address as relying party.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, phoneContext, serveTestApp, type ServedApp } from '../support/browser.ts';
import { csrfFrom, makeOrganisation, makeStaff, type StaffFixture } from '../support/identity-fixtures.ts';
import { totpCode } from '../../src/modules/identity/totp.ts';

let served: ServedApp;
let browser: Browser;
let staff: StaffFixture;
let base: string;
/** The passkey answer the browser sent at sign-in, to try replaying it. */
let usedAssertion = '';

beforeAll(async () => {
  served = await serveTestApp();
  base = served.baseUrl.replace('127.0.0.1', 'localhost');
  browser = await launchBrowser();
  staff = await makeStaff(
    served,
    await makeOrganisation(served, 'court', '500112', '渝北区人民法院'),
    ['judge'],
    { name: '赵法官' },
  );
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

it('adds a passkey and then signs in with it instead of a code', async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await page.goto(base + '/staff/sign-in');
  await page.fill('#email', staff.email);
  await page.fill('#password', staff.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // No passkey yet: the verify page offers none.
  expect(await page.locator('#passkey-sign-in').count()).toBe(0);
  await page.fill('#code', totpCode(staff.totpSecret));
  await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
  expect(await page.textContent('h1')).toBe('法院工作台');

  await page.goto(base + '/staff/account');
  expect(await page.textContent('main')).toContain('你还没有添加通行密钥');
  await Promise.all([page.waitForURL(/saved=1/), page.click('#passkey-add')]);
  expect(await page.textContent('main')).toContain('添加于');
  const stored = await served.db
    .selectFrom('staff_passkey')
    .select(['credential_id', 'public_key'])
    .where('account_id', '=', staff.accountId)
    .execute();
  expect(stored).toHaveLength(1);

  await Promise.all([page.waitForNavigation(), page.click('.staff-bar button')]);
  await page.fill('#email', staff.email);
  await page.fill('#password', staff.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  expect(new URL(page.url()).pathname).toBe('/staff/sign-in/verify');
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/staff/sign-in/passkey'))
      usedAssertion = request.postData() ?? '';
  });
  await Promise.all([page.waitForURL(base + '/staff'), page.click('#passkey-sign-in')]);
  expect(await page.textContent('h1')).toBe('法院工作台');
  const events = await served.db
    .selectFrom('audit_event')
    .select(['event', 'details'])
    .where('actor_account_id', '=', staff.accountId)
    .orderBy('seq')
    .execute();
  expect(events.map((e) => e.event)).toEqual([
    'identity.sign_in',
    'identity.passkey_added',
    'identity.sign_out',
    'identity.sign_in',
  ]);
  expect(events.at(-1)?.details).toEqual({ method: 'passkey' });
  await context.close();
});

it('refuses a passkey answer replayed into another sign-in, and one for a challenge it did not issue', async () => {
  // Without a browser: a forged credential body is refused and the session stays at the second step.
  const first = await served.app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    payload: { email: staff.email, password: staff.password },
  });
  const cookie = first.cookies.find((c) => c.name === 'anxin_session');
  const header = `anxin_session=${cookie?.value ?? ''}`;
  const page = await served.app.inject({ url: '/staff/sign-in/verify', headers: { cookie: header } });
  const csrf = csrfFrom(page.body);
  // The genuine answer from the earlier sign-in, replayed into this new sign-in: its challenge was bound to
  // the earlier session, so it is refused.
  expect(usedAssertion).toContain('"credential"');
  const replayed = await served.app.inject({
    method: 'POST',
    url: '/api/staff/sign-in/passkey',
    headers: { cookie: header, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    payload: usedAssertion,
  });
  expect(replayed.statusCode).toBe(400);
  // A made-up answer is refused too.
  const credential = (
    await served.db
      .selectFrom('staff_passkey')
      .select('credential_id')
      .where('account_id', '=', staff.accountId)
      .executeTakeFirstOrThrow()
  ).credential_id;
  const forged = await served.app.inject({
    method: 'POST',
    url: '/api/staff/sign-in/passkey',
    headers: { cookie: header, 'x-csrf-token': csrf },
    payload: {
      credential: {
        id: credential,
        rawId: credential,
        type: 'public-key',
        response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      },
    },
  });
  expect(forged.statusCode).toBe(400);
  expect(
    (await served.app.inject({ url: '/api/staff/session', headers: { cookie: header } })).statusCode,
  ).toBe(401);
});
