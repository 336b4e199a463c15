/**
 * Cross-site request forgery defences, in two layers:
 * 1. Every state-changing request (POST, PUT, PATCH, DELETE) coming from another site is refused, judged by
 *    the browser's `Sec-Fetch-Site` and `Origin` headers. This covers anonymous survivor forms too.
 * 2. Forms bound to a session (staff sessions, a survivor's thread session) also carry a token derived from
 *    that session (`csrfTokenFor`), checked with `verifyCsrfToken`; a form posted without it is refused.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';
import { safeEqual, hmacSha256 } from './crypto.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isCrossSite(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') return true;
  // The browser vouches for its own origin (pages could not forge this header). Needed because under
  // `Referrer-Policy: no-referrer` browsers send `Origin: null` on same-origin form posts.
  if (site === 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return false; // not a browser form or fetch (API clients, tests)
  if (origin === 'null') return true;
  const own = `${request.protocol}://${request.host}`;
  return origin !== own && origin !== new URL(publicUrl).origin;
}

export function registerOriginCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (UNSAFE.has(request.method) && isCrossSite(request, app.config.publicUrl)) throw new AppError('CSRF');
  });
}

/** The form token for a session: an HMAC of the session's id under a key derived from the master key. */
export function csrfTokenFor(key: Buffer, sessionId: string): string {
  return hmacSha256(key)
    .update('csrf\0' + sessionId)
    .digest('base64url');
}

export function verifyCsrfToken(key: Buffer, sessionId: string, token: unknown): boolean {
  return typeof token === 'string' && token.length > 0 && safeEqual(token, csrfTokenFor(key, sessionId));
}
