/** Every registered route, whatever it answers (page, JSON, error, redirect), carries the security headers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ANXIN_RATE_LIMIT_PER_MINUTE: '100000' } });
});
afterAll(async () => t?.close());

describe('security headers on every route', () => {
  it('are present on every answer', async () => {
    const routes = t.app.routeRegistry.filter((r) => r.method !== 'HEAD' && !r.url.includes('*'));
    expect(routes.length).toBeGreaterThan(3);
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, 'x');
      const res = await t.app.inject({
        method: route.method as 'GET',
        url,
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      const where = `${route.method} ${route.url} → ${res.statusCode}`;
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, where).toContain("default-src 'self'");
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(csp, where).not.toContain('unsafe-inline');
      expect(res.headers['strict-transport-security'], where).toContain('max-age=');
      expect(res.headers['referrer-policy'], where).toBe('no-referrer');
      expect(res.headers['x-content-type-options'], where).toBe('nosniff');
      expect(res.headers['x-frame-options'], where).toBe('DENY');
      expect(res.statusCode, where).toBeLessThan(500);
    }
  });
});
