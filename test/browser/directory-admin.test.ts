/**
 * The directory admin screens in Debian's Chromium, in both languages: a platform admin adds an entry (first with
 * a problem, shown on the form in her language), finds it in the list and retires it; axe-core finds nothing on
 * the list, the form, the form with problems and the edit page; nothing is loaded from another origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  axeViolations,
  launchBrowser,
  recordRequests,
  serveTestApp,
  type ServedApp,
} from '../support/browser.ts';
import { makeOrganisation, makeStaff, sessionFor } from '../support/identity-fixtures.ts';

let served: ServedApp;
let browser: Browser;
let token: string;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
  const operator = await makeOrganisation(served, 'platform_operator', '11');
  token = (
    await sessionFor(served, (await makeStaff(served, operator, ['platform_admin'])).accountId)
  ).cookie.replace(/^anxin_session=/, '');
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('directory admin in a browser', () => {
  for (const { prefix, lang, name, required, retired } of [
    { prefix: '', lang: 'zh-CN', name: '测试庇护所（中文）', required: '必填', retired: '已停用' },
    { prefix: '/en', lang: 'en', name: 'Test shelter (English)', required: 'required', retired: 'Retired' },
  ]) {
    it(`adds, lists and retires an entry (${lang}), axe-clean`, async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      await context.addCookies([{ name: 'anxin_session', value: token, url: served.baseUrl }]);
      const page = await context.newPage();
      const requests = recordRequests(page);
      await page.goto(`${served.baseUrl}${prefix}/staff/directory`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await axeViolations(page), 'list').toEqual([]);
      await page.click('a.button[href$="/staff/directory/new"]');
      expect(await axeViolations(page), 'new form').toEqual([]);
      await page.selectOption('#kind', 'shelter');
      await page.selectOption('#province', '31');
      await page.fill('#nameZh', `${name}-zh`);
      await page.click('form[action$="/staff/directory/new"] button[type=submit]');
      expect(await page.textContent('#errors')).toContain(required);
      expect(await page.inputValue('#nameZh')).toBe(`${name}-zh`);
      expect(await axeViolations(page), 'form with problems').toEqual([]);
      await page.fill('#nameEn', name);
      await page.fill('#phone', '021-12345678');
      await page.click('form[action$="/staff/directory/new"] button[type=submit]');
      await page.waitForURL(/\/staff\/directory\?done=saved$/);
      const link = page.getByRole('link', { name: lang === 'en' ? name : `${name}-zh`, exact: true });
      await link.click();
      expect(await page.inputValue('#phone')).toBe('021-12345678');
      expect(await axeViolations(page), 'edit page').toEqual([]);
      await page.screenshot({ path: `test-results/directory-admin-${lang}.png`, fullPage: true });
      await page.click('form[action$="/status"] button');
      await page.waitForURL(/done=retired$/);
      expect(
        await page
          .locator('tr.retired')
          .filter({ hasText: lang === 'en' ? name : `${name}-zh` })
          .textContent(),
      ).toContain(retired);
      expect(requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:'))).toEqual([]);
      await context.close();
    });
  }
});
