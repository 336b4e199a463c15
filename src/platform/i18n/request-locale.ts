/**
 * The language of a request. Pages: English lives under the `/en` prefix and Chinese at the root, so the
 * choice is carried by the links themselves — remembered while she browses, with no cookie and nothing
 * left on the phone. API: the Accept-Language header. (Staff may later store a preference in their account.)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import {
  DEFAULT_LOCALE,
  localeFromAcceptLanguage,
  translate,
  type Locale,
  type MessageKey,
  type MessageParams,
} from './catalog.ts';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    /** Translate a message key into the request's language. */
    t(key: MessageKey, params?: MessageParams): string;
    /** A path in the request's language (`/help` → `/en/help` for English). */
    localePath(path: string): string;
  }
}

const ENGLISH_PREFIX = /^\/en(?=\/|\?|$)/;
const LOCALE_MARK = Symbol('anxin.locale');

/** Fastify `rewriteUrl`: strip the `/en` prefix and remember it on the raw request. */
export function rewriteLocaleUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (ENGLISH_PREFIX.test(url)) {
    (req as IncomingMessage & { [LOCALE_MARK]?: Locale })[LOCALE_MARK] = 'en';
    const rest = url.replace(ENGLISH_PREFIX, '');
    return rest === '' || rest.startsWith('?') ? '/' + rest : rest;
  }
  return url;
}

export function localePath(locale: Locale, path: string): string {
  if (locale === DEFAULT_LOCALE) return path;
  return path === '/' ? '/en' : `/en${path}`;
}

export function registerRequestLocale(app: FastifyInstance): void {
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', function (this: FastifyRequest, key: MessageKey, params?: MessageParams) {
    return translate(this.locale, key, params);
  });
  app.decorateRequest('localePath', function (this: FastifyRequest, path: string) {
    return localePath(this.locale, path);
  });
  app.addHook('onRequest', async (request) => {
    const marked = (request.raw as IncomingMessage & { [LOCALE_MARK]?: Locale })[LOCALE_MARK];
    if (marked) request.locale = marked;
    else if (request.url.startsWith('/api/'))
      request.locale = localeFromAcceptLanguage(request.headers['accept-language']);
    else request.locale = DEFAULT_LOCALE;
  });
}
