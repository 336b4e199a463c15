/**
 * The NGO desk in Debian's Chromium, whole journey: a help request filed in the portal appears in the triage
 * queue; a volunteer lawyer claims it and replies; the survivor reads the reply with her case code and secret;
 * a hotline call is registered and linked to the case; a call-back outside her safe window is refused, and
 * inside it the code word is shown before the number. Desk pages pass axe and load nothing from elsewhere;
 * screenshots of the queue and case pages (desktop and phone, both languages) go to test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  axeViolations,
  launchBrowser,
  phoneContext,
  recordRequests,
  serveTestApp,
  type ServedApp,
} from '../support/browser.ts';
import { makeOrganisation, makeStaff, sessionFor } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import { chinaDate, chinaInstant } from '../../src/modules/helpline/helpline.model.ts';

let served: ServedApp;
let browser: Browser;
let lawyerCookie: string;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
  const ngo = await makeOrganisation(served, 'ngo', '110105', '北京安心公益');
  await makeDesk(served, ngo, { national: true });
  const lawyer = await makeStaff(served, ngo, ['volunteer_lawyer'], { name: '李律师' });
  lawyerCookie = (await sessionFor(served, lawyer.accountId)).cookie.replace(/^anxin_session=/, '');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function staffContext(options: { phone?: boolean } = {}): Promise<BrowserContext> {
  const context = options.phone
    ? await phoneContext(browser)
    : await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([
    { name: 'anxin_session', value: lawyerCookie, url: served.baseUrl, httpOnly: true, sameSite: 'Lax' },
  ]);
  return context;
}

async function expectClean(page: Page, requests: string[], what: string) {
  expect(await axeViolations(page), `axe: ${what}`).toEqual([]);
  expect(
    requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:')),
    `origins: ${what}`,
  ).toEqual([]);
}

describe('NGO desk journey', () => {
  it('portal request → queue → claim → reply → she reads it; hotline call linked; call-back refused outside her window', async () => {
    // She files a help request on her phone: phone contact, safe only 09:00–11:00, code word.
    const survivor = await phoneContext(browser);
    const form = await survivor.newPage();
    await form.goto(served.baseUrl + '/help/new');
    await form.fill('#narrative', '他喝酒以后打我，孩子也看到了。');
    await form.locator('details:has(#province) > summary').click();
    await form.selectOption('#province', '11');
    await form.check('input[name=contactChannel][value=phone]');
    await form.fill('#phone', '13800138000');
    await form.fill('#window1From', '09:00');
    await form.fill('#window1To', '11:00');
    await form.fill('#codeWord', '买菜');
    await form.check('#consentSensitive');
    await form.click('button[type=submit]');
    const caseCode = (await form.textContent('#case-code'))?.trim() ?? '';
    const secret = (await form.textContent('#case-secret'))?.trim() ?? '';
    expect(caseCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    await survivor.close();

    // The lawyer sees it in the triage queue and claims it.
    const desk = await staffContext();
    const page = await desk.newPage();
    const requests = recordRequests(page);
    await page.goto(served.baseUrl + '/desk');
    const row = page.locator('table.desk-queue tbody tr').first();
    expect(await row.textContent()).toContain('在线求助');
    await expectClean(page, requests, 'queue');
    await page.screenshot({ path: 'test-results/desk-queue-zh-desktop.png', fullPage: true });
    await row.getByRole('button', { name: '认领' }).click();
    await page.waitForURL(/\/desk\/cases\/[0-9a-f-]{36}$/);
    const caseUrl = page.url();
    expect(await page.textContent('main')).toContain('他喝酒以后打我，孩子也看到了。');
    expect(await page.textContent('main')).not.toContain('13800138000');
    await expectClean(page, requests, 'case');
    await page.screenshot({ path: 'test-results/desk-case-zh-desktop.png', fullPage: true });

    // She hears back in her thread.
    await page.fill('#reply-text', '你好，我是志愿律师李律师。你现在安全吗？');
    await page.click('form[action$="/reply"] button[type=submit]');
    await page.waitForURL(/\?done=reply$/);
    expect(await page.locator('ol.thread li.message.staff').textContent()).toContain('你现在安全吗？');

    const later = await phoneContext(browser);
    const thread = await later.newPage();
    await thread.goto(served.baseUrl + '/help/thread');
    await thread.fill('#caseCode', caseCode);
    await thread.fill('#secret', secret);
    await thread.click('button[type=submit]');
    await thread.waitForURL(/\/help\/thread$/);
    expect(await thread.locator('li.msg.staff').textContent()).toContain(
      '你好，我是志愿律师李律师。你现在安全吗？',
    );
    await later.close();

    // A hotline call from her is registered and linked to the case.
    const caseId = /cases\/([0-9a-f-]{36})/.exec(caseUrl)?.[1] ?? '';
    await page.goto(served.baseUrl + '/desk/calls');
    await page.fill('#call-duration', '12');
    await page.fill('#call-summary', '她打来热线，说明昨晚的情况。');
    await page.check('input[name=link][value=existing]');
    await page.selectOption('#call-case', caseId);
    await page.click('form[action$="/desk/calls"] button[type=submit]');
    await page.waitForURL(/\?done=call$/);
    expect(page.url()).toContain(caseId);
    expect(await page.textContent('main')).toContain('她打来热线，说明昨晚的情况。');
    await expectClean(page, requests, 'case with call');

    // Outside her safe window the call-back cannot start; inside it, the code word comes before the number.
    const today = chinaDate(new Date());
    try {
      served.app.helpline.clock = () => chinaInstant(today, '13:00');
      await page.click('form[action$="/callback"] button[type=submit]');
      expect(await page.locator('.form-error').first().textContent()).toContain('现在不在她的安全时间内');
      expect(await page.textContent('main')).not.toContain('13800138000');
      expect(await served.db.selectFrom('helpline_callback_attempt').select('id').execute()).toHaveLength(0);

      served.app.helpline.clock = () => chinaInstant(today, '10:00');
      await page.goto(caseUrl);
      await page.click('form[action$="/callback"] button[type=submit]');
      const text = (await page.textContent('main')) ?? '';
      expect(await page.textContent('[data-testid=code-word]')).toContain('买菜');
      expect(text.indexOf('买菜')).toBeLessThan(text.indexOf('13800138000'));
      await expectClean(page, requests, 'call-back');
      await page.screenshot({ path: 'test-results/desk-callback-zh-desktop.png', fullPage: true });
    } finally {
      served.app.helpline.clock = () => new Date();
    }

    // Screenshots: queue and case, both languages, desktop and phone.
    for (const phone of [false, true]) {
      const context = await staffContext({ phone });
      const shot = await context.newPage();
      const shotRequests = recordRequests(shot);
      for (const [prefix, lang] of [
        ['', 'zh'],
        ['/en', 'en'],
      ] as const) {
        await shot.goto(`${served.baseUrl}${prefix}/desk?view=mine`);
        await expectClean(shot, shotRequests, `queue ${lang}`);
        await shot.screenshot({
          path: `test-results/desk-queue-${lang}-${phone ? 'phone' : 'desktop'}.png`,
          fullPage: true,
        });
        await shot.goto(`${served.baseUrl}${prefix}/desk/cases/${caseId}`);
        await expectClean(shot, shotRequests, `case ${lang}`);
        if (phone)
          expect(
            await shot.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
            `no sideways scrolling (${lang})`,
          ).toBe(true);
        await shot.screenshot({
          path: `test-results/desk-case-${lang}-${phone ? 'phone' : 'desktop'}.png`,
          fullPage: true,
        });
        for (const [path, name] of [
          ['/desk/calls', 'calls'],
          ['/desk/roster', 'roster'],
        ] as const) {
          await shot.goto(`${served.baseUrl}${prefix}${path}`);
          await expectClean(shot, shotRequests, `${name} ${lang}`);
          if (phone)
            expect(
              await shot.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
              `no sideways scrolling on ${name} (${lang})`,
            ).toBe(true);
          await shot.screenshot({
            path: `test-results/desk-${name}-${lang}-${phone ? 'phone' : 'desktop'}.png`,
            fullPage: true,
          });
        }
      }
      await context.close();
    }
    await desk.close();
  }, 120_000);
});
