import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  axeViolations,
  launchBrowser,
  phoneContext,
  recordRequests,
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

describe('home page in a phone browser', () => {
  for (const { path, lang, heading } of [
    { path: '/', lang: 'zh-CN', heading: '你并不孤单' },
    { path: '/en', lang: 'en', heading: 'You are not alone' },
  ]) {
    it(`renders ${lang}, passes axe-core and requests nothing from another origin`, async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const requests = recordRequests(page);
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(served.baseUrl + path);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.textContent('h1')).toBe(heading);
      expect(await axeViolations(page)).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(served.baseUrl))).toEqual([]);
      expect(errors).toEqual([]); // e.g. a CSP violation would show here
      await page.screenshot({ path: `test-results/home-${lang}-phone.png`, fullPage: true });
      await context.close();
    });
  }

  it('switches language by link and keeps working with JavaScript off', async () => {
    const context = await phoneContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(served.baseUrl + '/');
    await page.click('a.lang');
    expect(new URL(page.url()).pathname).toBe('/en');
    expect(await page.textContent('h1')).toBe('You are not alone');
    expect(await page.isVisible('#quick-exit')).toBe(true);
    await context.close();
  });

  it('leaves at once on Esc, replacing the history entry and clearing storage', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(served.baseUrl + '/');
    await page.evaluate(() => sessionStorage.setItem('draft', 'x'));
    await Promise.all([page.waitForURL(neutral.url), page.keyboard.press('Escape')]);
    expect(await page.title()).toBe('weather');
    // Back must not return to Anxin.
    await page.goBack().catch(() => undefined);
    expect(page.url().startsWith(served.baseUrl)).toBe(false);
    const fresh = await context.newPage();
    await fresh.goto(served.baseUrl + '/');
    expect(await fresh.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    await context.close();
  });
});
