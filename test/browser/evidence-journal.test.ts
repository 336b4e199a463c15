/**
 * Her journal in Debian's Chromium on a phone, in Chinese and English: open the thread with case code and
 * secret → journal → write down an incident → attach a photo. With JavaScript the photo goes up with tus-js-client
 * (served from our origin) over a throttled connection, the progress bar shows bytes and time left; without
 * JavaScript the same form posts multipart. Either way the file is listed with its SHA-256 prefix. axe-clean,
 * no request to another origin, nothing in the phone's storage. Screenshots go to test-results/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  launchBrowser,
  phoneContext,
  recordRequests,
  serveTestApp,
  type ServedApp,
} from '../support/browser.ts';
import { startClamd, type TestClamd } from '../support/clamd.ts';

let served: ServedApp;
let browser: Browser;
let clamd: TestClamd;
let dataDir: string;

beforeAll(async () => {
  clamd = await startClamd();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-journal-browser-'));
  served = await serveTestApp({
    env: { ANXIN_DATA_DIR: dataDir, ANXIN_CLAMD: clamd.address, ANXIN_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  browser = await launchBrowser();
  mkdirSync('test-results', { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await clamd?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const LOCALES = [
  { name: 'zh', prefix: '', title: '我的记录', integrity: '完整性：未被改动' },
  { name: 'en', prefix: '/en', title: 'My journal', integrity: 'Integrity: unchanged' },
] as const;

/** A phone photo of about 1.2 MB (noise does not compress), so a throttled upload takes a few seconds. */
async function photo(): Promise<Buffer> {
  const width = 640;
  const height = 640;
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

async function newCase(): Promise<{ caseCode: string; secret: string }> {
  const created = await served.app.help.createHelpRequest(
    {
      requestType: 'domestic_violence',
      narrative: '他昨晚又打了我。',
      forms: ['physical'],
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
      consentSensitive: true,
    } as unknown as Parameters<ServedApp['app']['help']['createHelpRequest']>[0],
    'zh-CN',
  );
  return { caseCode: created.caseCode, secret: created.secret };
}

async function openJournal(
  page: Page,
  prefix: string,
  code: { caseCode: string; secret: string },
): Promise<void> {
  await page.goto(`${served.baseUrl}${prefix}/help/thread`);
  await page.fill('#caseCode', code.caseCode);
  await page.fill('#secret', code.secret);
  await Promise.all([
    page.waitForURL(/\/help\/thread$/),
    page.click('form[action$="/help/open"] button[type=submit]'),
  ]);
  // From her thread, by its link, to her journal.
  await Promise.all([page.waitForURL(/\/help\/thread\/journal$/), page.click('#thread-journal')]);
  expect(new URL(page.url()).pathname).toBe(`${prefix}/help/thread/journal`);
}

async function addIncident(page: Page, description: string): Promise<void> {
  await page.fill('#incidentDate', '2026-11-04');
  await page.selectOption('#evidenceType', 'injury_assessment');
  await page.fill('#description', description);
  await Promise.all([
    page.waitForURL(/done=saved/),
    page.click('form[action$="/help/thread/journal/entries"] button[type=submit]'),
  ]);
}

function expectSameOrigin(requests: string[]): void {
  const origin = new URL(served.baseUrl).origin;
  expect(
    requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')),
  ).toEqual([]);
}

describe('her journal on a phone', () => {
  for (const locale of LOCALES) {
    it(`${locale.name}: with JavaScript — incident, resumable upload with a progress bar, listed with its SHA-256`, async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const requests = recordRequests(page);
      await openJournal(page, locale.prefix, await newCase());
      expect(await page.textContent('h1')).toBe(locale.title);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({
        path: `test-results/evidence-journal-empty-${locale.name}-phone.png`,
        fullPage: true,
      });

      await addIncident(page, '他把我推倒在地上，我的手臂青了一大块。');
      expect(await axeViolations(page)).toEqual([]);
      // Nothing chosen: the script lets the form go to the server, which explains (and stores nothing).
      await Promise.all([
        page.waitForResponse((r) => r.url().includes('/files') && r.status() === 400),
        page.click('form.journal-attach button[type=submit]'),
      ]);
      await page.waitForLoadState('load');
      expect(await page.textContent('.field-error')).toBe(
        locale.name === 'en' ? 'Choose a file' : '请选择一个文件',
      );
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({
        path: `test-results/evidence-journal-error-${locale.name}-phone.png`,
        fullPage: true,
      });

      const image = await photo();
      const sha = createHash('sha256').update(image).digest('hex');
      // A slow mobile uplink (about 256 KB/s), so the progress is visible for a few seconds.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: 1024 * 1024,
        uploadThroughput: 256 * 1024,
      });
      await page.setInputFiles('form.journal-attach input[type=file]', {
        name: 'arm.png',
        mimeType: 'image/png',
        buffer: image,
      });
      const done = page.waitForURL(/done=uploaded/, { timeout: 60_000 });
      await page.click('form.journal-attach button[type=submit]');
      // Part-way: the bar has moved, and the text gives bytes sent of the total and the time left.
      await page.waitForFunction(() => {
        const bar = document.querySelector<HTMLProgressElement>('form.journal-attach progress');
        const text = document.querySelector('[data-upload-status]')?.textContent ?? '';
        return !!bar && !bar.hidden && bar.value > 0 && bar.value < bar.max && /left|还需/.test(text);
      });
      const status = (await page.textContent('[data-upload-status]')) ?? '';
      expect(status).toMatch(
        locale.name === 'en'
          ? /^[\d.]+ (KB|MB) of 1\.\d MB uploaded, about \d+ (s|min) left$/
          : /^已上传 [\d.]+ (KB|MB) \/ 1\.\d MB，大约还需 \d+ (秒|分钟)$/,
      );
      expect(await page.locator('form.journal-attach .field-error').count()).toBe(0);
      await page.screenshot({
        path: `test-results/evidence-journal-progress-${locale.name}-phone.png`,
        fullPage: true,
      });
      await done;
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });

      await expect(page.textContent('.journal-files')).resolves.toContain('arm.png');
      expect(await page.textContent('.journal-files')).toContain(sha.slice(0, 12));
      expect(await page.textContent('.journal-files')).toContain(locale.integrity);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({
        path: `test-results/evidence-journal-listed-${locale.name}-phone.png`,
        fullPage: true,
      });
      // Nothing kept on the phone: no resume fingerprints or anything else in storage.
      expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
      expect(
        requests.some(
          (u) =>
            /\/assets\/tus-[0-9a-f]{12}\.min\.js$/.test(u) || /\/assets\/tus\.min-[0-9a-f]{12}\.js$/.test(u),
        ),
      ).toBe(true);
      expect(requests.some((u) => u.includes('/api/evidence/uploads'))).toBe(true);
      expectSameOrigin(requests);
      await context.close();
    });

    it(`${locale.name}: without JavaScript — the same form posts multipart, and the file is listed`, async () => {
      const context = await phoneContext(browser, { javaScriptEnabled: false });
      const page = await context.newPage();
      const requests = recordRequests(page);
      await openJournal(page, locale.prefix, await newCase());
      await addIncident(page, '他在微信上威胁我。');
      const image = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#6a4' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(image).digest('hex');
      await page.setInputFiles('form.journal-attach input[type=file]', {
        name: 'chat.png',
        mimeType: 'image/png',
        buffer: image,
      });
      await Promise.all([
        page.waitForURL(/done=uploaded/),
        page.click('form.journal-attach button[type=submit]'),
      ]);
      expect(await page.textContent('.journal-files')).toContain('chat.png');
      expect(await page.textContent('.journal-files')).toContain(sha.slice(0, 12));
      // Nothing chosen: a clear message, nothing stored.
      await Promise.all([
        page.waitForResponse((r) => r.url().includes('/files') && r.status() === 400),
        page.click('form.journal-attach button[type=submit]'),
      ]);
      await page.waitForLoadState('load');
      expect(await page.textContent('.field-error')).toBe(
        locale.name === 'en' ? 'Choose a file' : '请选择一个文件',
      );
      // (axe runs as a script, so it checks this error state in the JavaScript test.)
      await page.screenshot({
        path: `test-results/evidence-journal-nojs-${locale.name}-phone.png`,
        fullPage: true,
      });
      expectSameOrigin(requests);
      await context.close();
    });
  }
});
