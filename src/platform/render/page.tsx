/**
 * Sending a server-rendered page: the layout around the content, in the request's language.
 * Survivor pages are never cached (`no-store`) and carry the quick-exit button and script.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { AssetRegistry } from './assets.ts';
import { Layout } from './layout.tsx';
import { localePath } from '../i18n/request-locale.ts';

declare module 'fastify' {
  interface FastifyInstance {
    assets: AssetRegistry;
  }
}

export interface PageOptions {
  title: string;
  body: ComponentChildren;
  /** Survivor-facing page: quick exit. Defaults to true: every page is treated as one unless it says otherwise. */
  survivor?: boolean;
  /** Replace the visible page title with a neutral one (SAFETY.md: neutral titles). */
  neutralTitle?: boolean;
  status?: number;
  scripts?: string[];
  /** Where the other-language link goes, when not this page's own path (a page answering a form post). */
  languagePath?: string;
}

/** The path the language switch links to: this page's own, unless nothing answers a GET there (a form post's result). */
function languageSwitchPath(request: FastifyRequest, options: PageOptions): string {
  if (options.languagePath) return options.languagePath;
  const path = request.url.split('?')[0] ?? '/';
  if (request.method === 'GET' || request.method === 'HEAD') return path;
  return request.server.findRoute({ method: 'GET', url: path }) ? path : '/';
}

export function renderPage(request: FastifyRequest, options: PageOptions): string {
  const assets = request.server.assets;
  const survivor = options.survivor ?? true;
  const otherLocale = request.locale === 'en' ? 'zh-CN' : 'en';
  const path = languageSwitchPath(request, options);
  const title = options.neutralTitle
    ? request.t('app.neutralTitle')
    : `${options.title} · ${request.t('app.name')}`;
  const scripts = [...(survivor ? [assets.url('quick-exit.js')] : []), ...(options.scripts ?? [])];
  return (
    '<!doctype html>' +
    renderToString(
      <Layout
        locale={request.locale}
        title={title}
        text={{
          appName: request.t('app.name'),
          skipToContent: request.t('layout.skipToContent'),
          switchLanguage: request.t('layout.switchLanguage'),
          quickExit: request.t('layout.quickExit'),
          quickExitHint: request.t('layout.quickExitHint'),
          footer: request.t('layout.footer'),
          hideVisit: request.t('layout.hideVisit'),
        }}
        hideVisitHref={request.localePath('/learn/hide-visit')}
        otherLanguageHref={localePath(otherLocale, path)}
        homeHref={request.localePath('/')}
        stylesheet={assets.url('app.css')}
        scripts={scripts}
        quickExit={survivor}
      >
        {options.body}
      </Layout>,
    )
  );
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply {
  const html = renderPage(request, options);
  // Every page, survivor or staff, may show personal or case data: never stored by a browser or proxy. (Set here,
  // before sending: a header set after `send()` may arrive too late, once the response is written.)
  reply.header('cache-control', 'no-store');
  return reply
    .status(options.status ?? 200)
    .header('content-language', request.locale)
    .type('text/html; charset=utf-8')
    .send(html);
}
