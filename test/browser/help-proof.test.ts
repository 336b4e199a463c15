/**
 * The help form with its proof of work in Debian's Chromium: with JavaScript on, the page's script solves the
 * challenge on submit and the request is filed with the proof spent; with JavaScript off, the same form is
 * filed without one. Both end on her case code and secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, phoneContext, serveTestApp, type ServedApp } from '../support/browser.ts';

let served: ServedApp;
let browser: Browser;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

const spent = async () => (await served.db.selectFrom('proof_of_work_spent').select('id').execute()).length;

describe('the help form submits', () => {
  for (const javaScriptEnabled of [true, false]) {
    it(`with JavaScript ${javaScriptEnabled ? 'on (solving the proof of work)' : 'off (no proof)'}`, async () => {
      const before = await spent();
      const context = await phoneContext(browser, { javaScriptEnabled });
      const page = await context.newPage();
      const posted: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') posted.push(request.postData() ?? '');
      });
      await page.goto(served.baseUrl + '/en/help/new');
      await page.fill('#narrative', 'He hits me and I am scared.');
      await page.check('#consentSensitive');
      await page.click('button[type=submit]');
      expect((await page.textContent('#case-code'))?.trim()).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      const proof = new URLSearchParams(posted.at(-1)).get('proof') ?? '';
      if (javaScriptEnabled) {
        expect(proof).toMatch(/^v1\.\d{10}\.\d+\.[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22}:\d+$/);
        expect(await spent()).toBe(before + 1);
      } else {
        expect(proof).toBe('');
        expect(await spent()).toBe(before);
      }
      await context.close();
    });
  }
});
