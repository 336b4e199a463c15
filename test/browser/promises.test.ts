/**
 * The survivor pages' promises in Debian's Chromium at phone size (issue 13): quick exit stays in reach while she
 * scrolls (no Esc key on a phone) with JavaScript on and off; after walking through several survivor pages and
 * posting on her thread, quick exit leaves no Anxin page behind Back; the page on hiding the visit is linked from
 * every survivor page. Screenshots of the changed pages land in test-results/ (both languages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  axeViolations,
  launchBrowser,
  phoneContext,
  serveNeutralSite,
  serveTestApp,
  type NeutralSite,
  type ServedApp,
} from '../support/browser.ts';

let served: ServedApp;
let browser: Browser;
let neutral: NeutralSite;

beforeAll(async () => {
  neutral = await serveNeutralSite();
  served = await serveTestApp({ env: { ANXIN_QUICK_EXIT_URL: neutral.url } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await neutral?.close();
});

const LOCALES = [
  { prefix: '', lang: 'zh-CN', hide: '怎样不留下访问记录', learn: '这是家暴吗？', directory: '附近的帮助' },
  {
    prefix: '/en',
    lang: 'en',
    hide: 'How to hide this visit',
    learn: 'Is this domestic violence?',
    directory: 'Help near you',
  },
];

/** The quick-exit button lies fully inside the visible screen. */
async function quickExitInReach(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const box = document.getElementById('quick-exit')!.getBoundingClientRect();
    return (
      box.top >= 0 &&
      box.left >= 0 &&
      box.bottom <= window.innerHeight &&
      box.right <= window.innerWidth &&
      box.height >= 44
    );
  });
}

describe('quick exit on a phone', () => {
  for (const locale of LOCALES) {
    for (const javaScriptEnabled of [true, false]) {
      it(`stays within reach while she scrolls, and the hide-the-visit page is one tap away (${locale.lang}, JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
        const context = await phoneContext(browser, { javaScriptEnabled });
        const page = await context.newPage();
        if (javaScriptEnabled) {
          // The front page as a phone shows it (docs/screenshots/home-*-phone.png): quick exit at the thumb.
          await page.goto(`${served.baseUrl}${locale.prefix}/`);
          expect(await quickExitInReach(page)).toBe(true);
          await page.screenshot({ path: `test-results/promises-${locale.lang}-home.png` });
        }
        await page.goto(`${served.baseUrl}${locale.prefix}/help/new`);
        expect(await quickExitInReach(page)).toBe(true);
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
        expect(await quickExitInReach(page)).toBe(true);
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        expect(await quickExitInReach(page)).toBe(true);
        if (javaScriptEnabled)
          await page.screenshot({ path: `test-results/promises-${locale.lang}-help-form-scrolled.png` });

        await page.getByRole('link', { name: locale.hide, exact: true }).click();
        await page.waitForURL(/\/learn\/hide-visit$/);
        expect(await page.textContent('h1')).toBe(locale.hide);
        expect(await page.textContent('main')).toMatch(/WeChat|微信/);
        if (javaScriptEnabled) {
          expect(await axeViolations(page)).toEqual([]);
          await page.screenshot({
            path: `test-results/promises-${locale.lang}-hide-visit.png`,
            fullPage: true,
          });
        }
        await Promise.all([page.waitForURL(neutral.url), page.click('#quick-exit')]);
        await context.close();
      });
    }

    it(`leaves no Anxin page behind Back after several pages and a post on her thread (${locale.lang})`, async () => {
      const created = await served.app.help.createHelpRequest(
        {
          requestType: 'domestic_violence',
          narrative: 'history test',
          forms: [],
          contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
          consentSensitive: true,
        },
        'zh-CN',
      );
      const context = await phoneContext(browser);
      const page = await context.newPage();
      // What she had open before Anxin.
      await page.goto(neutral.url);
      await page.goto(`${served.baseUrl}${locale.prefix}/`);
      await page.getByRole('link', { name: locale.learn }).first().click();
      await page.waitForURL(/\/learn\/domestic-violence$/);
      await page.getByRole('link', { name: locale.directory }).first().click();
      await page.waitForURL(/\/directory$/);
      await page.selectOption('#province', '11');
      await Promise.all([page.waitForURL(/\/directory\?/), page.click('form[role=search] button')]);
      await Promise.all([
        page.waitForURL(/\/help\/thread$/),
        page.click('nav.portal-nav a[href$="/help/thread"]'),
      ]);
      await page.fill('#caseCode', created.caseCode);
      await page.fill('#secret', created.secret);
      await Promise.all([
        page.waitForURL(/\/help\/thread$/),
        page.click('form[action$="/help/open"] button'),
      ]);
      await page.fill('#text', 'more');
      await Promise.all([
        page.waitForURL(/done=sent/),
        page.click('form[action$="/help/thread/message"] button'),
      ]);
      expect(await page.locator('li.msg').count()).toBe(2);

      await Promise.all([page.waitForURL(neutral.url), page.click('#quick-exit')]);
      for (let back = 0; back < 4; back++) {
        await page.goBack({ waitUntil: 'load' }).catch(() => undefined);
        expect(page.url().startsWith(served.baseUrl), `Back ${back + 1}: ${page.url()}`).toBe(false);
      }
      await context.close();
    });
  }
});

describe('a child’s path', () => {
  it('is axe-clean and fits a phone in both languages', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    for (const locale of LOCALES) {
      await page.goto(`${served.baseUrl}${locale.prefix}/help/new/child`);
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.screenshot({ path: `test-results/promises-${locale.lang}-child-form.png`, fullPage: true });
      await page.fill('#narrative', locale.lang === 'en' ? 'My dad hits me.' : '爸爸打我。');
      await page.check('#consentSensitive');
      await page.click('form button[type=submit]');
      expect((await page.textContent('#case-secret'))?.trim().split(' ')).toHaveLength(5);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({
        path: `test-results/promises-${locale.lang}-child-created.png`,
        fullPage: true,
      });
    }
    await context.close();
  });
});
