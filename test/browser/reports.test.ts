/**
 * The report page in Debian's Chromium with JavaScript off: the server-rendered SVG charts display under the
 * page's CSP, every chart has its table, axe-core finds nothing, nothing is loaded from another origin.
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
let cookie: string;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
  const ngo = await makeOrganisation(served, 'ngo', '110105', 'Browser NGO');
  cookie = (await sessionFor(served, (await makeStaff(served, ngo, ['ngo_supervisor'])).accountId)).cookie;
  for (let i = 0; i < 12; i++) {
    const res = await served.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: `10.90.0.${i + 1}`,
      payload: {
        requestType: i < 9 ? 'domestic_violence' : 'sexual_harassment',
        narrative: '求助',
        forms: i % 2 ? ['physical', 'verbal_abuse'] : ['physical'],
        province: i < 6 ? '11' : '31',
        contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
        consentSensitive: true,
      },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('report page in a browser', () => {
  for (const { path, lang } of [
    { path: '/reports', lang: 'zh-CN' },
    { path: '/en/reports?preview=true', lang: 'en' },
  ]) {
    it(`shows charts and tables without JavaScript (${lang}), passes axe-core`, async () => {
      const [name, value] = cookie.split('=') as [string, string];
      const context = await browser.newContext({
        viewport: { width: 1200, height: 900 },
        javaScriptEnabled: false,
      });
      await context.addCookies([{ name, value, url: served.baseUrl }]);
      const page = await context.newPage();
      const requests = recordRequests(page);
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(served.baseUrl + path);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const charts = page.locator('img[src^="data:image/svg+xml"]');
      expect(await charts.count()).toBeGreaterThan(10);
      // Every chart image decoded and has a size (a CSP block or a broken SVG would leave it at 0).
      const widths = await charts.evaluateAll((images) =>
        images.map((img) => (img as HTMLImageElement).naturalWidth),
      );
      expect(widths.filter((w) => w === 0).length, JSON.stringify(widths)).toBe(0);
      const tables = await page.locator('table.report-table').count();
      expect(tables).toBeGreaterThanOrEqual(await charts.count());
      expect(requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
      const withJs = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      await withJs.addCookies([{ name, value, url: served.baseUrl }]);
      const jsPage = await withJs.newPage();
      await jsPage.goto(served.baseUrl + path);
      expect(await axeViolations(jsPage)).toEqual([]);
      await jsPage.screenshot({ path: `test-results/reports-${lang}.png`, fullPage: false });
      await withJs.close();
    });
  }
});
