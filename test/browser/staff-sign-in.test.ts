/**
 * The staff journey in Debian's Chromium at phone size: an admin invites someone; the invited person sets a
 * password, enrols TOTP from the QR page, keeps their recovery codes and reaches only their console; then
 * a wrong code, a reused code, an expired session and a form posted without its token are all refused with
 * clear messages. Screenshots of the sign-in and enrolment pages in both languages go to test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  axeViolations,
  launchBrowser,
  phoneContext,
  recordRequests,
  serveTestApp,
  type ServedApp,
} from '../support/browser.ts';
import { makeOrganisation, makeStaff, type StaffFixture } from '../support/identity-fixtures.ts';
import { totpCode } from '../../src/modules/identity/totp.ts';

let served: ServedApp;
let browser: Browser;
let admin: StaffFixture;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
  const ngo = await makeOrganisation(served, 'ngo', '500112', '渝北区反家暴服务中心');
  admin = await makeStaff(served, ngo, ['organisation_admin'], { name: '王管理员' });
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.fill('#code', code);
  await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
}

describe('staff sign-in in a phone browser', () => {
  it('invitation → password → TOTP enrolment → console; wrong, reused, expired and token-less attempts refused', async () => {
    // The admin signs in and creates the invitation.
    const adminContext = await phoneContext(browser);
    const adminPage = await adminContext.newPage();
    await adminPage.goto(served.baseUrl + '/staff/sign-in');
    await signInWithPassword(adminPage, admin.email, admin.password);
    expect(new URL(adminPage.url()).pathname).toBe('/staff/sign-in/verify');
    await enterCode(adminPage, totpCode(admin.totpSecret));
    expect(new URL(adminPage.url()).pathname).toBe('/staff');
    await adminPage.click('a[href="/staff/admin/accounts"]');
    await adminPage.fill('#inv-name', '李社工');
    await adminPage.fill('#inv-email', 'li.caseworker@example.org');
    await adminPage.check('input[name=roles][value=caseworker]');
    await Promise.all([adminPage.waitForNavigation(), adminPage.click('text=生成邀请链接')]);
    const link = (await adminPage.locator('.callout code.secret').textContent()) ?? '';
    expect(link).toMatch(/\/staff\/invite\//);
    await adminContext.close();

    // The invited person, on their own phone.
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const requests = recordRequests(page);
    const errors: string[] = [];
    page.on('console', (m) => {
      // Refusals answer 4xx on purpose; anything else (a CSP violation, a script error) is a failure.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    await page.goto(served.baseUrl + new URL(link).pathname); // the link names the configured public URL
    expect(await page.textContent('h1')).toBe('接受邀请');
    await page.fill('#password', 'password1234');
    await page.fill('#confirm', 'password1234');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.textContent('[role=alert]')).toContain('常见或已泄露的密码');
    const password = '渝北的山城夜景很美 2024';
    await page.fill('#password', password);
    await page.fill('#confirm', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

    // TOTP enrolment: the QR code page, in both languages.
    expect(new URL(page.url()).pathname).toBe('/staff/totp/enrol');
    expect(await page.textContent('h1')).toBe('设置两步验证');
    expect(
      await page.locator('.qr img').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBeGreaterThan(100);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/staff-totp-enrol-zh-CN-phone.png', fullPage: true });
    await page.goto(served.baseUrl + '/en/staff/totp/enrol');
    expect(await page.textContent('h1')).toBe('Set up two-step verification');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/staff-totp-enrol-en-phone.png', fullPage: true });
    const secret = ((await page.locator('code.secret').first().textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.goto(served.baseUrl + '/staff/totp/enrol');
    await enterCode(page, '000000' === totpCode(secret) ? '111111' : '000000');
    expect(await page.textContent('[role=alert]')).toContain('验证码不正确');
    const enrolledAt = Date.now();
    await enterCode(page, totpCode(secret, enrolledAt));
    expect(await page.textContent('h1')).toBe('保存你的恢复码');
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await Promise.all([page.waitForNavigation(), page.click('text=我已保存，进入工作台')]);

    // Only their console: an NGO console without administration.
    expect(await page.textContent('h1')).toBe('公益机构工作台');
    expect(await page.textContent('main')).toContain('社工');
    expect(await page.locator('a[href*="/staff/admin"]').count()).toBe(0);
    const admin404 = await page.goto(served.baseUrl + '/staff/admin/accounts');
    expect(admin404?.status()).toBe(404);

    // Sign out, then sign in again: a wrong code, then the code already used at enrolment, are refused.
    await page.goto(served.baseUrl + '/staff');
    await Promise.all([page.waitForNavigation(), page.click('.staff-bar button')]);
    expect(await page.textContent('[role=status]')).toContain('你已安全退出');
    await signInWithPassword(page, 'li.caseworker@example.org', password);
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in/verify');
    const current = totpCode(secret, enrolledAt);
    await enterCode(page, String((Number(current) + 500_000) % 1_000_000).padStart(6, '0'));
    expect(await page.textContent('[role=alert]')).toContain('验证码不正确');
    await enterCode(page, current);
    expect(await page.textContent('[role=alert]')).toContain('这个验证码已经用过了');
    await enterCode(page, totpCode(secret, enrolledAt + 30_000));
    expect(new URL(page.url()).pathname).toBe('/staff');

    // A form posted without its token changes nothing.
    await page.goto(served.baseUrl + '/staff/account');
    await page.evaluate(() =>
      document.querySelectorAll('input[name=_csrf]').forEach((input) => input.remove()),
    );
    await page.selectOption('#locale', 'en');
    await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
    expect(await page.textContent('[role=alert]')).toContain('表单已过期或来源无效');
    const stored = await served.db
      .selectFrom('staff_account')
      .select('locale')
      .where('email', '=', 'li.caseworker@example.org')
      .executeTakeFirstOrThrow();
    expect(stored.locale).toBe('zh-CN');

    // An idle session ends: the next page is the sign-in page, saying why.
    const account = await served.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', 'li.caseworker@example.org')
      .executeTakeFirstOrThrow();
    await served.db
      .updateTable('staff_session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('account_id', '=', account.id)
      .execute();
    await page.goto(served.baseUrl + '/staff');
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
    expect(await page.textContent('[role=status]')).toContain('为了安全已自动退出');

    expect(requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  for (const { path, lang, heading } of [
    { path: '/staff/sign-in', lang: 'zh-CN', heading: '工作人员登录' },
    { path: '/en/staff/sign-in', lang: 'en', heading: 'Staff sign-in' },
  ]) {
    it(`shows the sign-in page in ${lang}, accessible, with an error in that language`, async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      await page.goto(served.baseUrl + path);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.textContent('h1')).toBe(heading);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `test-results/staff-sign-in-${lang}-phone.png`, fullPage: true });
      await signInWithPassword(page, 'nobody@example.org', 'wrong password here');
      expect(await page.textContent('[role=alert]')).toBe(
        lang === 'en' ? 'The email or password is not right.' : '邮箱或密码不正确。',
      );
      await context.close();
    });
  }
});
