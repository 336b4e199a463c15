/**
 * The protection-order one-stop in Debian's Chromium, whole path, with four staff roles and the survivor:
 * her help request becomes an NGO case; the lawyer starts an application from the case, completes it with
 * two of her evidence files and files it; the court clerk accepts from the docket; police and federation
 * submit their opinions; the judge sees everything in one view, records the questioning and grants two
 * measures; the PDF reads back right (pdftotext) and is rendered to PNG; the QR page verifies the order; the
 * clerk records service; she sees each step on her phone, reports a violation, and the judge decides it.
 * Screenshots (both languages; phone for her pages and the public check page) go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
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
import { makeEvidence, makeOrdersWorld, pdfText, type Actor, type OrdersWorld } from '../support/orders.ts';
import { makeStaff, sessionFor } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';

let served: ServedApp;
let browser: Browser;
let w: OrdersWorld;
let lawyer: Actor;

beforeAll(async () => {
  served = await serveTestApp();
  browser = await launchBrowser();
  w = await makeOrdersWorld(served);
  await makeDesk(served, w.ngo, { national: true });
  const staff = await makeStaff(served, w.ngo, ['volunteer_lawyer'], { name: '李律师' });
  lawyer = {
    ...(await sessionFor(served, staff.accountId)),
    accountId: staff.accountId,
    organisationId: w.ngo,
  };
  mkdirSync('test-results', { recursive: true });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function as(
  actor: Actor,
  options: { phone?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = options.phone
    ? await phoneContext(browser)
    : await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([
    {
      name: 'anxin_session',
      value: actor.cookie.replace(/^anxin_session=/, ''),
      url: served.baseUrl,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  return { context, page: await context.newPage() };
}

async function submitForm(page: Page, form: string): Promise<void> {
  // Wait for the navigation the post starts (a load state alone is already reached on the page posted from).
  await Promise.all([
    page.waitForEvent('framenavigated'),
    page.locator(form).locator('button[type=submit]').first().click(),
  ]);
  await page.waitForLoadState('load');
}

describe('protection-order one-stop in the browser', () => {
  it('help request → NGO case → application with two files → accept → opinions → grant → PDF → QR check → service → her timeline → violation decided', async () => {
    // She asks for help on her phone and keeps her case code and secret.
    const her = await phoneContext(browser);
    const form = await her.newPage();
    await form.goto(served.baseUrl + '/help/new');
    await form.fill('#narrative', '他用皮带打我，还说要杀了我。');
    await form.check('input[name=contactChannel][value=in_app]');
    await form.check('#consentSensitive');
    await form.click('button[type=submit]');
    const caseCode = (await form.textContent('#case-code'))?.trim() ?? '';
    const secret = (await form.textContent('#case-secret'))?.trim() ?? '';
    expect(caseCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const helpRequest = await served.db
      .selectFrom('help_request')
      .select('id')
      .where('case_code', '=', caseCode)
      .executeTakeFirstOrThrow();
    // Two files in her vault (uploaded through the evidence module in its own tests).
    const evidenceIds = await makeEvidence(served, `help-case:${helpRequest.id}`);

    // The lawyer claims the case and starts the application from it.
    const desk = await as(lawyer);
    await desk.page.goto(served.baseUrl + '/desk');
    await desk.page
      .locator('table.desk-queue tbody tr')
      .first()
      .getByRole('button', { name: '认领' })
      .click();
    await desk.page.waitForURL(/\/desk\/cases\/[0-9a-f-]{36}$/);
    await Promise.all([
      desk.page.waitForURL(/\/orders\/applications\/[0-9a-f-]{36}\/edit$/),
      desk.page.getByRole('button', { name: '开始保护令申请' }).click(),
    ]);
    const applicationId = /applications\/([0-9a-f-]{36})\/edit/.exec(desk.page.url())![1]!;
    // What is missing is listed before anything is filled in.
    expect(await desk.page.textContent('.error-summary')).toContain('请填写被申请人（施暴者）的姓名。');
    const p = desk.page;
    await p.fill('[id="applicant.name"]', '李梅');
    await p.fill('[id="applicant.regionCode"]', '320102');
    await p.fill('[id="applicant.address"]', '南京市玄武区梅园新村17号302室');
    await p.fill('[id="respondent.name"]', '王强');
    await p.fill('[id="respondent.idNumber"]', '320102198801011236');
    await p.selectOption('[id="relationship"]', 'spouse');
    await p.fill('[id="incidents.0.date"]', '2026-10-03');
    await p.fill('[id="incidents.0.description"]', '他用皮带抽打我的后背。');
    await p.fill('[id="incidents.1.date"]', '2026-11-01');
    await p.fill('[id="incidents.1.description"]', '他打电话说要杀了我。');
    await p.check('input[name=measures][value=no_violence]');
    await p.check('input[name=measures][value=no_contact]');
    for (const id of evidenceIds) await p.check(`input[name=evidenceIds][value="${id}"]`);
    await p.check('input[name=consentOnline]');
    await p.check('input[name=consentElectronicService]');
    await Promise.all([
      p.waitForURL(/\/orders\/applications\/[0-9a-f-]{36}$/),
      p.getByRole('button', { name: '提交给法院' }).click(),
    ]);
    // The lawyer chose her files: filing waits for her answer, file by file (issue 13).
    expect(await p.textContent('ul.evidence-consents')).toContain('等待她回答');
    // (Her own phone session, in its own browser context: the later part of this story signs in again.)
    const answering = await phoneContext(browser);
    const asked = await answering.newPage();
    await asked.goto(served.baseUrl + '/help/thread');
    await asked.fill('#caseCode', caseCode);
    await asked.fill('#secret', secret);
    // The page is already loaded: wait for her thread itself, not for a load event that has already fired.
    await asked.locator('form:has(#caseCode) button[type=submit]').click();
    await asked.locator('#thread-consent').waitFor();
    expect(await asked.textContent('main')).toContain('你的律师想把这 2 个文件提交给法院：');
    await Promise.all([asked.waitForLoadState('load'), asked.locator('#thread-consent').click()]);
    for (const radio of await asked.locator('input[type=radio][value=allowed]').all()) await radio.check();
    await Promise.all([
      asked.waitForURL(/\/help\/thread\/consent\?saved=1$/),
      asked.getByRole('button', { name: '提交我的回答' }).click(),
    ]);
    expect(await axeViolations(asked)).toEqual([]);
    await answering.close();
    await p.goto(served.baseUrl + `/orders/applications/${applicationId}/edit`);
    await Promise.all([
      p.waitForURL(/\/orders\/applications\/[0-9a-f-]{36}$/),
      p.getByRole('button', { name: '提交给法院' }).click(),
    ]);
    expect(await p.textContent('ul.evidence-consents')).not.toContain('等待她回答');
    await desk.context.close();

    // The clerk accepts from the docket.
    const clerk = await as(w.clerk);
    const requests = recordRequests(clerk.page);
    await clerk.page.goto(served.baseUrl + '/orders/docket');
    expect(await clerk.page.textContent('table.docket')).toContain('已提交，等待法院受理');
    await clerk.page.locator('table.docket a').first().click();
    await submitForm(clerk.page, `form[action="/orders/applications/${applicationId}/accept"]`);
    expect(await clerk.page.textContent('main')).toMatch(/苏0102民保令1号/);
    await clerk.page.goto(served.baseUrl + '/orders/docket');
    expect(await clerk.page.textContent('table.docket')).toMatch(/剩余 7[01] 小时/);
    expect(await axeViolations(clerk.page)).toEqual([]);
    await clerk.page.screenshot({ path: 'test-results/orders-docket-zh.png', fullPage: true });
    await clerk.page.goto(served.baseUrl + '/en/orders/docket');
    expect(await clerk.page.textContent('table.docket')).toMatch(/7[01] h \d+ min left/);
    await clerk.page.screenshot({ path: 'test-results/orders-docket-en.png', fullPage: true });
    expect(requests.filter((u) => !u.startsWith(served.baseUrl) && !u.startsWith('data:'))).toEqual([]);

    // Police and federation give their opinions on their own task pages.
    for (const [agency, text] of [
      [w.officer, '10月3日出警一次，现场见伤痕。'],
      [w.federationOfficer, '申请人曾两次到妇联求助，情况属实。'],
    ] as const) {
      const s = await as(agency);
      await s.page.goto(served.baseUrl + '/orders/reviews');
      await s.page.locator('ul.review-tasks a').first().click();
      expect(await s.page.textContent('main')).not.toContain('梅园新村');
      if (agency === w.officer) await s.page.fill('input[name=callOuts]', '1');
      await s.page.fill('textarea[name=opinion]', text);
      await submitForm(s.page, 'form.stack');
      expect(await s.page.textContent('main')).toContain(text);
      await s.context.close();
    }

    // The judge's one view: opinions, evidence integrity; questioning; grant two measures.
    const judge = await as(w.judge);
    const view = served.baseUrl + `/orders/applications/${applicationId}`;
    await judge.page.goto(view);
    const main = (await judge.page.textContent('main')) ?? '';
    expect(main).toContain('10月3日出警一次');
    expect(main).toContain('申请人曾两次到妇联求助');
    expect(main).toContain('验伤报告.pdf');
    expect(main.match(/完整（SHA-256 与保管链核验通过）/g)).toHaveLength(2);
    await judge.page.selectOption('select[name=channel]', 'phone');
    await submitForm(judge.page, `form[action="/orders/applications/${applicationId}/questioning"]`);
    expect(await judge.page.textContent('main')).toContain('未回应（不影响作出保护令）');
    expect(await axeViolations(judge.page)).toEqual([]);
    await judge.page.screenshot({ path: 'test-results/orders-review-zh.png', fullPage: true });
    await judge.page.goto(served.baseUrl + `/en/orders/applications/${applicationId}`);
    await judge.page.screenshot({ path: 'test-results/orders-review-en.png', fullPage: true });
    await judge.page.goto(view);
    const decision = judge.page.locator(`form[action="/orders/applications/${applicationId}/decision"]`);
    await decision.locator('input[name=measures][value=no_violence]').check();
    await decision.locator('input[name=measures][value=no_contact]').check();
    await decision.locator('input[name=validMonths]').fill('6');
    await submitForm(judge.page, `form[action="/orders/applications/${applicationId}/decision"]`);
    expect(await judge.page.textContent('main'), 'decision').toContain('禁止被申请人实施家庭暴力');

    // The respondent's copy of the PDF: right Chinese text, no applicant address; rendered to PNG to look at.
    const pdf = await judge.page.request.get(
      served.baseUrl + `/api/orders/applications/${applicationId}/document?copy=respondent`,
    );
    expect(pdf.status()).toBe(200);
    const bytes = await pdf.body();
    const text = pdfText(bytes).replace(/\s+/g, '');
    for (const expected of [
      '人身安全保护令',
      '苏0102民保令1号',
      '被申请人：王强',
      '一、禁止被申请人对申请人实施家庭暴力',
      '二、禁止被申请人骚扰、跟踪、接触申请人及其相关近亲属',
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain('三、');
    expect(text).not.toContain('梅园新村');
    writeFileSync('test-results/orders-order-respondent.pdf', bytes);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '70',
      '-f',
      '1',
      '-l',
      '1',
      'test-results/orders-order-respondent.pdf',
      'test-results/orders-order-respondent',
    ]);
    const checkUrl = /(http:\/\/127\.0\.0\.1:\d+\/order-check\/[A-Za-z0-9_-]+)/.exec(
      pdfText(bytes).replace(/\n/g, ''),
    )?.[1];
    expect(checkUrl).toBeDefined();

    // Anyone with the QR code (a police officer on the street) checks it on a phone.
    const street = await phoneContext(browser);
    const check = await street.newPage();
    await check.goto(checkUrl!.replace(/^http:\/\/[^/]+/, served.baseUrl));
    expect(await check.textContent('.order-check')).toContain('有效');
    expect(await check.textContent('.order-check')).toContain('南京市玄武区人民法院');
    expect(await check.textContent('body')).not.toContain('李梅');
    expect(await axeViolations(check)).toEqual([]);
    await check.screenshot({ path: 'test-results/orders-check-zh-phone.png', fullPage: true });
    await check.goto(checkUrl!.replace(/^http:\/\/[^/]+/, served.baseUrl + '/en'));
    expect(await check.textContent('.order-check')).toContain('Valid');
    await check.screenshot({ path: 'test-results/orders-check-en-phone.png', fullPage: true });
    await street.close();

    // The clerk records service on the respondent.
    await clerk.page.goto(view);
    const serviceForm = clerk.page.locator('ul.service li', { hasText: '被申请人' }).locator('form');
    await serviceForm.locator('input[name=serverName]').fill('张书记员');
    await Promise.all([clerk.page.waitForLoadState('load'), serviceForm.locator('button').click()]);
    expect(await clerk.page.textContent('ul.service')).toContain('张书记员');

    // She opens her thread on her phone and sees each step, then reports a violation in one step.
    const portal = await her.newPage();
    await portal.goto(served.baseUrl + '/help/thread');
    await portal.fill('#caseCode', caseCode);
    await portal.fill('#secret', secret);
    // The page is already loaded: wait until the sign-in form has given way to her thread.
    await portal.locator('form:has(#caseCode) button[type=submit]').click();
    await portal.locator('#caseCode').waitFor({ state: 'detached' });
    await portal.goto(served.baseUrl + `/help/thread/orders/${applicationId}`);
    const steps = await portal.locator('ol.timeline li').allTextContents();
    for (const step of ['法院已收到申请', '法院已受理', '审查中', '法院已作出人身安全保护令', '保护令已送达'])
      expect(steps.join('\n')).toContain(step);
    await portal.screenshot({ path: 'test-results/orders-timeline-zh-phone.png', fullPage: true });
    await portal.fill('#occurredOn', '2026-11-20');
    await portal.fill('#description', '他又到我单位门口堵我。');
    await submitForm(portal, 'form.violation-report');
    expect(await portal.textContent('main')).toContain('已报告');

    // The judge decides the violation; her timeline shows it.
    await judge.page.goto(view);
    const violation = judge.page.locator('ul.violations form');
    await violation.locator('select[name=outcome]').selectOption('fine');
    await violation.locator('input[name=fineYuan]').fill('500');
    await violation.locator('textarea[name=reasons]').fill('违反禁止接触措施');
    await Promise.all([judge.page.waitForLoadState('load'), violation.locator('button').click()]);
    expect(await judge.page.textContent('ul.violations')).toContain('罚款 500');
    await portal.goto(served.baseUrl + `/en/help/thread/orders/${applicationId}`);
    expect((await portal.locator('ol.timeline li').allTextContents()).join('\n')).toContain(
      'The court decided on the violation',
    );
    await portal.screenshot({ path: 'test-results/orders-timeline-en-phone.png', fullPage: true });
    // Her own application form on her phone: starts as a server-side draft listing what is missing.
    await portal.goto(served.baseUrl + '/help/thread/orders');
    await Promise.all([
      portal.waitForURL(/\/help\/thread\/orders\/[0-9a-f-]{36}$/),
      portal.getByRole('button', { name: '开始申请' }).click(),
    ]);
    expect(await portal.textContent('.error-summary')).toContain('请至少选择一项请求法院采取的保护措施。');
    await portal.fill('[id="applicant.name"]', '李梅');
    await Promise.all([
      portal.waitForLoadState('load'),
      portal.getByRole('button', { name: '保存草稿' }).click(),
    ]);
    expect(await portal.inputValue('[id="applicant.name"]')).toBe('李梅');
    expect(await axeViolations(portal)).toEqual([]);
    await portal.screenshot({ path: 'test-results/orders-form-zh-phone.png', fullPage: true });
    await her.close();
    await clerk.context.close();
    await judge.context.close();
    // The whole journey of four parties (with her consent step) takes 50 s on a quiet machine: a hang guard of
    // 2 minutes, not a speed target.
  }, 120_000);
});
