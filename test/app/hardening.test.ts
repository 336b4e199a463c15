/**
 * Hardening from the outage, bad-input and security reviews (issue 13): bodies that are not UTF-8 are refused
 * naming the field; personal JSON is never cached; a request matching no route logs no concrete path.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormBody } from '../../src/platform/body-parsers.ts';
import { acceptableHelpRequest } from '../support/help-request.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ip = 0;
const nextIp = () => `10.41.0.${++ip}`;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const requestCount = async () =>
  Number((await sql<{ n: string }>`select count(*)::text as n from help_request`.execute(t.db)).rows[0]?.n);

describe('text that is not UTF-8', () => {
  it('is refused in a JSON body with a 400 naming the field, and nothing is stored', async () => {
    const before = await requestCount();
    // A request that is valid in every other way (accepted and stored as U+FFFD before the fix).
    const [head, tail] = JSON.stringify({ ...acceptableHelpRequest, narrative: '他打了我@@' }).split(
      '@@',
    ) as [string, string];
    const payload = Buffer.concat([
      Buffer.from(head, 'utf8'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(tail, 'utf8'),
    ]);
    for (const [language, words] of [
      ['zh-CN', '不是 UTF-8'],
      ['en', 'not UTF-8'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/help/requests',
        remoteAddress: nextIp(),
        headers: { 'content-type': 'application/json', 'accept-language': language },
        payload,
      });
      expect(res.statusCode, res.body).toBe(400);
      const { error } = res.json<{ error: { code: string; fields: { field: string; message: string }[] } }>();
      expect(error.code).toBe('VALIDATION');
      expect(error.fields).toEqual([
        { field: 'narrative', message: expect.stringContaining(words) as string },
      ]);
    }
    expect(await requestCount()).toBe(before);
  });

  it('is refused in a form body (a bad %-escape or a raw byte) with a 400 naming the field, and nothing is stored', async () => {
    const before = await requestCount();
    const start = 'requestType=domestic_violence&contactChannel=in_app&consentSensitive=on&narrative=';
    for (const payload of [
      Buffer.from(start + '%E4%BD%A0%FF%FE'),
      Buffer.concat([Buffer.from(start), Buffer.from([0xe4, 0xbd])]),
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/en/help/new',
        remoteAddress: nextIp(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('“narrative”: holds characters that could not be read (not UTF-8)');
    }
    expect(await requestCount()).toBe(before);
  });

  it('parses form bodies as before: spaces, lists, UTF-8 escapes and raw UTF-8, a malformed escape kept', () => {
    const form = parseFormBody(Buffer.from('a=x+y&b=%E4%BD%A0&b=2&c=100%&d&&e=' + '你', 'utf8'));
    expect({ ...form }).toEqual({ a: 'x y', b: ['你', '2'], c: '100%', d: '', e: '你' });
    expect(Object.getPrototypeOf(form)).toBeNull();
  });
});

describe('a NUL in a body', () => {
  it('is refused with a 400 naming the field, wherever it sits, and nothing is stored (no 500 from the database)', async () => {
    const before = await requestCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: {
        ...acceptableHelpRequest,
        contact: { ...acceptableHelpRequest.contact, codeWord: 'a\u0000b' },
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field)).toEqual([
      'contact.codeWord',
    ]);
    expect(await requestCount()).toBe(before);
    // Line breaks in her words stay hers.
    const multiline = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: { ...acceptableHelpRequest, narrative: '第一行\n第二行\t完' },
    });
    expect(multiline.statusCode, multiline.body).toBe(201);
  });
});

describe('caching and logging of personal data', () => {
  it('marks every API answer no-store: her new case code and secret, her messages, a refusal', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: acceptableHelpRequest,
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { caseCode, secret } = created.json<{ caseCode: string; secret: string }>();
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread',
      remoteAddress: nextIp(),
      payload: { caseCode, secret },
    });
    expect(opened.headers['cache-control']).toBe('no-store');
    const messages = await t.app.inject({
      url: '/api/help/thread/messages',
      remoteAddress: nextIp(),
      headers: { authorization: `Bearer ${opened.json<{ token: string }>().token}` },
    });
    expect(messages.statusCode).toBe(200);
    expect(messages.headers['cache-control']).toBe('no-store');
    const refused = await t.app.inject({ url: '/api/help/thread/messages', remoteAddress: nextIp() });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('logs a request that matches no route without its path', async () => {
    const res = await t.app.inject({
      url: '/api/cases/QZ7K-M4PX/secret-XY?code=QZ7K-M4PX',
      remoteAddress: nextIp(),
    });
    expect(res.statusCode).toBe(404);
    const logged = t.logs.join('');
    expect(logged).toContain('"route":"(no route)"');
    expect(logged).not.toContain('QZ7K');
  });
});
