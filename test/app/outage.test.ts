/**
 * While the database is away: API calls are answered 503 with Retry-After and her words (not 500 INTERNAL),
 * and a form she sent from a page comes back as a page that still holds what she wrote, ready to send again.
 * The database is taken away for real (no connections allowed, existing ones cut), as in readiness.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { acceptableHelpRequest } from '../support/help-request.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { catalogs } from '../../src/platform/i18n/catalog.ts';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../../src/platform/database-outage.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await setConnections(true).catch(() => undefined);
  await t?.close();
});

async function setConnections(allowed: boolean): Promise<void> {
  const name = new URL(t.databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  try {
    await admin.query(`alter database ${name} with allow_connections ${allowed ? 'true' : 'false'}`);
    if (!allowed)
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
  } finally {
    await admin.end();
  }
}

describe('while the database is away', () => {
  it('answers API writes and reads 503 with Retry-After in her language, and keeps her form on the page', async () => {
    // A working write first, so the pool holds connections that the outage then cuts.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/requests',
          remoteAddress: '10.9.0.1',
          payload: acceptableHelpRequest,
        })
      ).statusCode,
    ).toBe(201);
    await setConnections(false);
    try {
      const zhWrite = await t.app.inject({
        method: 'POST',
        url: '/api/help/requests',
        remoteAddress: '10.9.0.2',
        payload: acceptableHelpRequest,
      });
      expect(zhWrite.statusCode, zhWrite.body).toBe(503);
      expect(zhWrite.headers['retry-after']).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
      expect(zhWrite.json().error.code).toBe('SAVE_UNAVAILABLE');
      expect(zhWrite.json().error.message).toContain('暂时无法保存，请稍后再试；你写的内容还在页面上');

      const enWrite = await t.app.inject({
        method: 'POST',
        url: '/api/help/requests',
        remoteAddress: '10.9.0.3',
        headers: { 'accept-language': 'en' },
        payload: acceptableHelpRequest,
      });
      expect(enWrite.statusCode).toBe(503);
      expect(enWrite.json().error.message).toContain('what you wrote is still on the page');

      const read = await t.app.inject({
        method: 'GET',
        url: '/api/help/thread/messages',
        remoteAddress: '10.9.0.4',
        headers: { authorization: `Bearer ${'a'.repeat(40)}` },
      });
      expect(read.statusCode).toBe(503);
      expect(read.headers['retry-after']).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
      expect(read.json().error.code).toBe('UNAVAILABLE');

      // Her form from the page: the answer holds what she wrote, in a form that sends it again unchanged.
      const form = {
        requestType: 'domestic_violence',
        narrative: '我需要帮助 <他在家>',
        contactChannel: 'in_app',
        consentSensitive: 'on',
        forms: ['physical', 'threats'],
      };
      const params = new URLSearchParams({
        requestType: form.requestType,
        narrative: form.narrative,
        contactChannel: form.contactChannel,
        consentSensitive: form.consentSensitive,
      });
      for (const f of form.forms) params.append('forms', f);
      const page = await t.app.inject({
        method: 'POST',
        url: '/en/help/new',
        remoteAddress: '10.9.0.5',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: params.toString(),
      });
      expect(page.statusCode).toBe(503);
      expect(page.headers['retry-after']).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('what you wrote is still on the page');
      expect(page.body).toContain('<form method="post" action="/en/help/new"');
      expect(page.body).toContain('name="narrative" value="我需要帮助 &lt;他在家>"');
      expect(page.body).toContain('name="forms" value="physical"');
      expect(page.body).toContain('name="forms" value="threats"');
      expect(page.body).not.toContain(catalogs['zh-CN']['error.internal']);
    } finally {
      await setConnections(true);
    }
    // Back again: the same request is saved.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/requests',
          remoteAddress: '10.9.0.6',
          payload: acceptableHelpRequest,
        })
      ).statusCode,
    ).toBe(201);
  });

  it('never writes a secret she typed back into the page', async () => {
    await setConnections(false);
    try {
      const page = await t.app.inject({
        method: 'POST',
        url: '/help/open',
        remoteAddress: '10.9.0.7',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'caseCode=ABCD-EFGH&secret=123412341234',
      });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('name="caseCode" value="ABCD-EFGH"');
      expect(page.body).not.toContain('123412341234');
    } finally {
      await setConnections(true);
    }
  });
});
