/**
 * The survivor portal in Debian's Chromium at phone size, in both languages, with JavaScript on and off:
 * file a help request, write down code and secret, come back later in a fresh browser and read a staff reply
 * (posted through HelpService, as the NGO desk will); quick exit from every survivor page; axe-core on every
 * page and state; no request to any other origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { chinaDate, chinaInstant } from '../../src/modules/helpline/helpline.model.ts';
import { makeOrganisation, makeStaff } from '../support/identity-fixtures.ts';
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

const PAGES = [
  '/',
  '/help/new',
  '/help/thread',
  '/safety-check',
  '/learn/domestic-violence',
  '/learn/protection-order',
  '/learn/minors',
  '/hotline',
  '/directory',
  '/callback',
];
const inLocale = (prefix: string, path: string) =>
  prefix === '' ? path : path === '/' ? '/en' : `/en${path}`;

const LOCALES = [
  {
    prefix: '',
    lang: 'zh-CN',
    start: '我需要帮助',
    narrative: '他打我，我很害怕。',
    reply: '我们收到了。你现在安全吗？',
    noReply: '律师还没有回复',
    staff: '志愿律师',
    ordersLink: '申请保护令 / 查看进度',
    ordersTitle: '申请人身安全保护令',
  },
  {
    prefix: '/en',
    lang: 'en',
    start: 'I need help',
    narrative: 'He hits me and I am scared.',
    reply: 'We have your message. Are you safe now?',
    noReply: 'No reply yet',
    staff: 'Volunteer lawyer',
    ordersLink: 'Apply for a protection order / see progress',
    ordersTitle: 'Apply for a personal safety protection order',
  },
];

async function expectClean(page: Page, requests: string[], what: string, javaScriptEnabled = true) {
  // axe-core runs as a script in the page, so it runs where scripts do; the same pages are checked with JS on.
  if (javaScriptEnabled) expect(await axeViolations(page), `axe: ${what}`).toEqual([]);
  expect(
    requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:')),
    `origins: ${what}`,
  ).toEqual([]);
}

describe('a survivor asks for help and comes back for the reply', () => {
  for (const locale of LOCALES) {
    for (const javaScriptEnabled of [true, false]) {
      it(`${locale.lang}, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
        const shots = javaScriptEnabled ? `test-results/survivor-${locale.lang}` : undefined;
        // First visit: file the request and write down code and secret.
        const first = await phoneContext(browser, { javaScriptEnabled });
        const page = await first.newPage();
        const requests = recordRequests(page);
        await page.goto(served.baseUrl + inLocale(locale.prefix, '/'));
        await expectClean(page, requests, 'home', javaScriptEnabled);
        if (shots) await page.screenshot({ path: `${shots}-home.png`, fullPage: true });
        await page.getByRole('link', { name: locale.start, exact: true }).click();
        await page.waitForURL(/\/help\/new$/);
        await expectClean(page, requests, 'help form', javaScriptEnabled);
        if (shots) await page.screenshot({ path: `${shots}-help-form.png`, fullPage: true });

        // Sending without consent shows the problems and keeps what she wrote.
        await page.fill('#narrative', locale.narrative);
        await page.click('button[type=submit]');
        expect(await page.inputValue('#narrative')).toBe(locale.narrative);
        expect(await page.isVisible('#errors')).toBe(true);
        await expectClean(page, requests, 'help form with errors', javaScriptEnabled);
        if (shots) await page.screenshot({ path: `${shots}-help-form-errors.png`, fullPage: true });

        await page.check('#consentSensitive');
        await page.fill('#codeWord', locale.lang === 'en' ? 'groceries' : '买菜');
        await page.click('button[type=submit]');
        const caseCode = (await page.textContent('#case-code'))?.trim() ?? '';
        const secret = (await page.textContent('#case-secret'))?.trim() ?? '';
        expect(caseCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
        expect(secret).toMatch(/^\d{4} \d{4} \d{4}$/);
        await expectClean(page, requests, 'code and secret', javaScriptEnabled);
        if (shots) await page.screenshot({ path: `${shots}-code-secret.png`, fullPage: true });
        await first.close();

        // Later, in a fresh browser: open the thread with code and secret.
        const later = await phoneContext(browser, { javaScriptEnabled });
        const back = await later.newPage();
        const backRequests = recordRequests(back);
        await back.goto(served.baseUrl + inLocale(locale.prefix, '/help/thread'));
        await expectClean(back, backRequests, 'open form', javaScriptEnabled);
        await back.fill('#caseCode', caseCode.toLowerCase());
        await back.fill('#secret', secret);
        await back.click('button[type=submit]');
        // The open form is itself at /help/thread: wait for her thread (sent in the background where JavaScript runs).
        await back.waitForSelector('ol.messages');
        expect(await back.textContent('main')).toContain(locale.narrative);
        expect(await back.textContent('main')).toContain(locale.noReply);

        // The NGO desk replies through the help service.
        const request = await served.db
          .selectFrom('help_request')
          .select('id')
          .where('case_code', '=', caseCode)
          .executeTakeFirstOrThrow();
        await served.db
          .transaction()
          .execute((trx) =>
            served.app.help.postStaffReply(trx, request.id, 'staff:browser-test', locale.reply, 'lawyer'),
          );
        await back.reload();
        const staffMessage = back.locator('li.msg.staff');
        expect(await staffMessage.textContent()).toContain(locale.reply);
        expect(await staffMessage.textContent()).toContain(locale.staff);
        await expectClean(back, backRequests, 'thread with reply', javaScriptEnabled);
        if (shots) await back.screenshot({ path: `${shots}-thread.png`, fullPage: true });

        // She adds a message.
        await back.fill('#text', locale.lang === 'en' ? 'Thank you' : '谢谢');
        // Sent in the background where JavaScript runs (one history entry), then her thread opens in place.
        await Promise.all([
          back.waitForURL(/\/help\/thread\?done=sent$/),
          back.click('form[action$="/help/thread/message"] button'),
        ]);
        expect(await back.locator('li.msg').count()).toBe(3);
        await expectClean(back, backRequests, 'thread after her message', javaScriptEnabled);

        // From her thread to her protection-order application, in her language (same thread session), and back.
        await back.getByRole('link', { name: locale.ordersLink, exact: true }).click();
        await back.waitForURL(/\/help\/thread\/orders$/);
        expect(new URL(back.url()).pathname).toBe(inLocale(locale.prefix, '/help/thread/orders'));
        expect(await back.textContent('h1')).toBe(locale.ordersTitle);
        await expectClean(back, backRequests, 'her protection-order page', javaScriptEnabled);
        await back.goto(served.baseUrl + inLocale(locale.prefix, '/help/thread'));
        expect(await back.locator('li.msg').count()).toBe(3);

        // The cookie that holds her thread session lives only for this browser session.
        const cookies = await later.cookies();
        expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.expires])).toEqual(
          expect.arrayContaining([['ax_thread', true, 'Strict', -1]]),
        );
        await later.close();
      });
    }
  }
});

describe('quick exit', () => {
  for (const locale of LOCALES) {
    it(`leaves every survivor page (${locale.lang}) with no way back and no storage`, async () => {
      const context = await phoneContext(browser);
      for (const path of PAGES) {
        const page = await context.newPage();
        await page.goto(served.baseUrl + inLocale(locale.prefix, path));
        await page.evaluate(() => {
          sessionStorage.setItem('draft', 'x');
          localStorage.setItem('draft', 'x');
        });
        const leave = path === '/hotline' ? page.click('#quick-exit') : page.keyboard.press('Escape');
        await Promise.all([page.waitForURL(neutral.url), leave]);
        expect(await page.title()).toBe('weather');
        await page.goBack().catch(() => undefined);
        expect(page.url().startsWith(served.baseUrl), path).toBe(false);
        await page.close();
      }
      const fresh = await context.newPage();
      await fresh.goto(served.baseUrl + inLocale(locale.prefix, '/'));
      expect(await fresh.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
      await context.close();
    });
  }

  it('ends her thread session too (cookie cleared), with JavaScript on and off', async () => {
    const created = await served.app.help.createHelpRequest(
      {
        requestType: 'domestic_violence',
        narrative: 'exit test',
        forms: [],
        contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
        consentSensitive: true,
      },
      'zh-CN',
    );
    for (const javaScriptEnabled of [true, false]) {
      const context = await phoneContext(browser, { javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(served.baseUrl + '/help/thread');
      await page.fill('#caseCode', created.caseCode);
      await page.fill('#secret', created.secret);
      await page.click('button[type=submit]');
      await page.waitForSelector('ol.messages');
      expect(await page.textContent('main')).toContain('exit test');
      await Promise.all([
        page.waitForURL(neutral.url),
        javaScriptEnabled ? page.keyboard.press('Escape') : page.click('#quick-exit'),
      ]);
      expect((await context.cookies(served.baseUrl)).filter((c) => c.name === 'ax_thread')).toEqual([]);
      await page.goto(served.baseUrl + '/help/thread');
      expect(await page.isVisible('#caseCode')).toBe(true);
      await context.close();
    }
  });
});

describe('hotline hours from the duty roster', () => {
  it('shows who is on duty now and the week’s hours, without names, in both languages (axe-clean)', async () => {
    const today = chinaDate(new Date());
    const organisationId = await makeOrganisation(served, 'ngo');
    const lawyer = await makeStaff(served, organisationId, ['volunteer_lawyer'], { name: '值班的王律师' });
    await served.db
      .insertInto('helpline_duty_shift')
      .values({
        id: randomUUID(),
        organisation_id: organisationId,
        account_id: lawyer.accountId,
        starts_at: chinaInstant(today, '09:00'),
        ends_at: chinaInstant(today, '15:00'),
        created_by: lawyer.accountId,
      })
      .execute();
    served.app.helpline.clock = () => chinaInstant(today, '10:00');
    try {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const requests = recordRequests(page);
      for (const locale of LOCALES) {
        await page.goto(served.baseUrl + inLocale(locale.prefix, '/hotline'));
        const hours = page.locator('section.hotline-hours');
        expect(await hours.textContent()).toContain(
          locale.lang === 'en' ? 'A lawyer is on duty now.' : '现在有律师值班。',
        );
        expect(await hours.locator('dd').first().textContent()).toBe('09:00–15:00');
        expect(await page.textContent('main')).not.toContain('王律师');
        await expectClean(page, requests, `hotline ${locale.lang}`);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
          true,
        );
        await page.screenshot({ path: `test-results/survivor-${locale.lang}-hotline.png`, fullPage: true });
      }
      await context.close();
    } finally {
      served.app.helpline.clock = () => new Date();
    }
  });
});

describe('accessibility and origins on every survivor page and state', () => {
  for (const locale of LOCALES) {
    it(`has no axe-core violations and requests nothing elsewhere (${locale.lang})`, async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const requests = recordRequests(page);
      const errors: string[] = [];
      page.on('console', (m) => {
        // Forms answer 400/401 on purpose; anything else (a CSP violation, a script error) must not happen.
        if (
          m.type() === 'error' &&
          !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
        )
          errors.push(m.text());
      });
      for (const path of PAGES) {
        await page.goto(served.baseUrl + inLocale(locale.prefix, path));
        await expectClean(page, requests, path);
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
          `no sideways scrolling on ${path}`,
        ).toBe(true);
      }
      // States: danger result, directory results and empty search, call-back problems and done, open-form error.
      await page.goto(served.baseUrl + inLocale(locale.prefix, '/safety-check'));
      for (const n of [1, 2, 3]) await page.check(`#q${n}-0`);
      for (const n of [4, 5]) await page.check(`#q${n}-1`);
      await page.click('form button[type=submit]');
      await expectClean(page, requests, 'danger result');
      await page.click('form[action$="/help/new/with-check"] button');
      expect(await page.locator('input[name=danger]').getAttribute('value')).toBe('11100');
      await page.goto(served.baseUrl + inLocale(locale.prefix, '/directory'));
      await page.selectOption('#province', '50');
      await page.click('form[role=search] button');
      expect(await page.locator('ul.cards li').count()).toBeGreaterThan(3);
      await expectClean(page, requests, 'directory results');
      await page.goto(served.baseUrl + inLocale(locale.prefix, '/callback'));
      await page.fill('#phone', 'abc');
      await page.fill('#window1From', '20:00');
      await page.fill('#window1To', '08:00');
      await page.click('form button[type=submit]');
      await page.waitForSelector('#errors');
      await expectClean(page, requests, 'call-back with problems');
      await page.fill('#phone', '13800138000');
      await page.fill('#window1To', '21:00');
      await page.check('#consentSensitive');
      await Promise.all([page.waitForURL(/\/callback\/done$/), page.click('form button[type=submit]')]);
      expect(await page.isVisible('#errors')).toBe(false);
      await expectClean(page, requests, 'call-back done');
      await page.goto(served.baseUrl + inLocale(locale.prefix, '/help/thread'));
      await page.fill('#caseCode', 'ABCD-EFGH');
      await page.fill('#secret', '111122223333');
      await page.click('form button[type=submit]');
      await page.waitForSelector('main p.errors[role=alert]');
      await expectClean(page, requests, 'open form with a wrong secret');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
