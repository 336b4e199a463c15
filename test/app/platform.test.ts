import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Type } from 'typebox';
import { RateLimiter } from '../../src/platform/rate-limit.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    configure(app) {
      // A probe route exercising the platform's validation, rate limiting and error style.
      app.post(
        '/api/probe',
        {
          config: {
            access: { public: true, reason: 'test probe' },
            rateLimit: { max: 2, timeWindow: 60_000 },
          },
          schema: {
            operationId: 'probe',
            body: Type.Object({
              note: Type.String({ minLength: 1, maxLength: 5 }),
              count: Type.Integer({ minimum: 1 }),
            }),
            response: { 200: Type.Object({ ok: Type.Boolean() }) },
          },
        },
        async () => ({ ok: true, leaked: 'column' }),
      );
      app.get(
        '/api/probe/:name',
        {
          config: { access: { public: true, reason: 'test probe' } },
          schema: {
            operationId: 'probeGet',
            params: Type.Object({ name: Type.String({ maxLength: 20 }) }),
            querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 20 })) }),
          },
        },
        async () => ({ ok: true }),
      );
    },
  });
});
afterAll(async () => t?.close());

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    // Ready; the details say whether the malware scanner answers (here `none`: files are not scanned).
    expect(ready.json()).toMatchObject({
      status: 'ready',
      details: { scanner: { answering: true, scanner: expect.stringContaining('none') } },
    });
  });
});

describe('pages', () => {
  it('serves the home page in Chinese by default and in English under /en', async () => {
    const zh = await t.app.inject('/');
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('你并不孤单');
    expect(zh.body).toContain('href="/en"');
    const en = await t.app.inject('/en');
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('You are not alone');
    expect(en.body).toContain('href="/"');
    expect(en.headers['content-language']).toBe('en');
  });

  it('sends strict security headers and no-store on survivor pages', async () => {
    const res = await t.app.inject('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('loads only same-origin assets, fingerprinted, compressed and cacheable', async () => {
    const page = await t.app.inject('/');
    const urls = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    const css = urls.find((u) => u.startsWith('/assets/app-'))!;
    const res = await t.app.inject({ url: css, headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toContain('immutable');
    expect((await t.app.inject('/assets/app-000000000000.css')).statusCode).toBe(404);
  });

  it('quick exit clears site data and leaves for a neutral site', async () => {
    const res = await t.app.inject('/exit');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('https://www.weather.com.cn/');
    expect(res.headers['clear-site-data']).toContain('"storage"');
  });
});

describe('errors', () => {
  it('answers unknown API paths with a JSON error in the request language', async () => {
    const zh = await t.app.inject('/api/nothing-here');
    expect(zh.statusCode).toBe(404);
    expect(zh.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: '找不到这个页面或记录。' } });
    const en = await t.app.inject({ url: '/api/nothing-here', headers: { 'accept-language': 'en' } });
    expect(en.json().error.message).toBe('We could not find this page or record.');
  });

  it('answers unknown pages with a page in the path language', async () => {
    const res = await t.app.inject('/en/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('We could not find this page or record.');
  });

  it('explains bad input field by field and strips undeclared response fields', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'accept-language': 'en' },
      payload: { note: 'far too long', count: 'many' },
    });
    expect(bad.statusCode).toBe(400);
    const body = bad.json();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['count', 'note']);
    expect(body.error.fields.find((f: { field: string }) => f.field === 'note').message).toBe(
      '“note”: at most 5 characters',
    );
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      headers: { 'content-type': 'application/json' },
      payload: '{"note":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION');
  });

  it('refuses state-changing requests from another site', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      remoteAddress: '10.2.2.2',
      headers: { origin: 'https://evil.example', 'accept-language': 'en' },
      payload: { note: 'hi', count: 1 },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF');
    const fetchSite = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      remoteAddress: '10.2.2.2',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { note: 'hi', count: 1 },
    });
    expect(fetchSite.statusCode).toBe(403);
    const same = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      remoteAddress: '10.2.2.2',
      headers: { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' },
      payload: { note: 'hi', count: 1 },
    });
    expect(same.statusCode).toBe(200);
  });

  it('rejects oversized bodies with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe',
      remoteAddress: '10.1.1.1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('rate-limits through PostgreSQL and says when to come back', async () => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/probe',
        remoteAddress: '10.9.8.7',
        headers: { 'accept-language': 'en' },
        payload: { note: 'hi', count: 1 },
      });
    // The earlier probe calls came from the default address; this address has its own window.
    expect((await send()).json()).toEqual({ ok: true });
    expect((await send()).statusCode).toBe(200);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/^Too many attempts\. Please try again in \d+ seconds\.$/);
    const rows = await t.db.selectFrom('rate_limit_counter').select(['key']).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.key).join()).not.toContain('10.9.8.7');
  });

  it('counts concurrent hits exactly when they are group-committed, across two limiters (two processes)', async () => {
    const key = t.keyring.deriveKey('rate-limit');
    const a = new RateLimiter(t.db, key);
    const b = new RateLimiter(t.db, key);
    const limit = { max: 100, windowMs: 60_000 };
    const hits = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).hit('probe.batch', i % 3 === 0 ? 'subject-2' : 'subject-1', limit),
      ),
    );
    // Every caller got its own position in its subject's window: no count lost or repeated.
    for (const subject of [0, 1]) {
      const counts = hits
        .filter((_, i) => (i % 3 === 0 ? 0 : 1) === subject)
        .map((h) => h.hits)
        .sort((x, y) => x - y);
      expect(counts).toEqual(Array.from({ length: counts.length }, (_, i) => i + 1));
    }
    // 133 hits on subject-1 with a limit of 100, 67 on subject-2.
    expect(hits.filter((h) => !h.allowed)).toHaveLength(33);
    expect((await a.hit('probe.batch', 'subject-1', limit)).hits).toBe(134);
  });
});

describe('control characters', () => {
  it('refuses a NUL or other control character in a query or path value with a 400 naming the field, in her language', async () => {
    const query = await t.app.inject({ url: '/api/probe/ok?q=a%00b', headers: { 'accept-language': 'en' } });
    expect(query.statusCode).toBe(400);
    expect(query.json().error).toMatchObject({ code: 'VALIDATION', fields: [{ field: 'q' }] });
    const path = await t.app.inject({ url: '/api/probe/a%01b' });
    expect(path.statusCode).toBe(400);
    expect(path.json().error.fields).toEqual([expect.objectContaining({ field: 'name' })]);
    expect((await t.app.inject({ url: '/api/probe/ok?q=%E5%AE%B6%E6%9A%B4' })).statusCode).toBe(200);
  });
});

describe('API document', () => {
  it('is valid OpenAPI 3 and declares security for every operation', async () => {
    const res = await t.app.inject('/api/openapi.json');
    const spec = res.json();
    const validator = new Validator();
    const result = await validator.validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(spec.openapi).toMatch(/^3\./);
    const ops = Object.values(
      spec.paths as Record<string, Record<string, { operationId: string; security?: unknown[] }>>,
    ).flatMap((m) => Object.values(m));
    expect(ops.map((o) => o.operationId)).toEqual(
      expect.arrayContaining(['getHealth', 'getReadiness', 'probe']),
    );
    for (const op of ops) expect(op.security, op.operationId).toBeDefined();
  });

  it('has a browsable page', async () => {
    const res = await t.app.inject('/api/docs');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('getReadiness');
  });
});

describe('access declarations', () => {
  it('refuses to register a route without an access rule', async () => {
    await expect(
      createTestApp({
        configure(app) {
          app.get('/api/undeclared', async () => ({}));
        },
      }),
    ).rejects.toThrow(/declares no access rule/);
  });
});

describe('logs', () => {
  it('keep cookies, query strings and personal fields out', async () => {
    await t.app.inject({
      url: '/?phone=13800138000',
      headers: { cookie: 'anxin_session=very-secret-token' },
    });
    t.app.log.info({ user: { phone: '13900139000', name: '张三' } }, 'probe');
    const text = t.logs.join('');
    expect(text).toContain('"route":"/"');
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('13900139000');
    expect(text).not.toContain('张三');
  });
});
