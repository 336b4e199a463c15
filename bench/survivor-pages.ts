/**
 * Survivor pages on the wire: for each page, in both languages, the bytes a phone downloads to render it
 * (HTML + CSS + JS, compressed as served: brotli, and gzip for browsers without it), and whether the home
 * and help-request pages fit one TCP initial window (14 KB). With Lighthouse installed and Debian's Chromium
 * present, also the Lighthouse mobile performance and accessibility scores.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { startBenchServer } from './_support.ts';

const INITIAL_WINDOW = 14 * 1024;
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
const MUST_FIT = new Set(['/', '/help/new']);

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  body: Buffer;
}

/** One request without decompression, so the bytes counted are the bytes on the wire (body only). */
function raw(
  url: string,
  options: { encoding: string; method?: string; body?: string; cookie?: string },
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          'accept-encoding': options.encoding,
          'sec-fetch-site': 'same-origin',
          ...(options.body
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(options.body),
              }
            : {}),
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: body.length, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function decoded(url: string, init?: RequestInit): Promise<string> {
  return (await fetch(url, init)).text();
}

const assetsOf = (html: string): string[] =>
  [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

async function measure(
  base: string,
  label: string,
  fetchRaw: (encoding: string) => Promise<Raw>,
  html: string,
) {
  const assets = assetsOf(html);
  const figures: Record<string, number | boolean> = {};
  for (const [name, encoding] of [
    ['br', 'br'],
    ['gzip', 'gzip'],
  ] as const) {
    const page = await fetchRaw(encoding);
    let total = page.bytes;
    for (const asset of assets) total += (await raw(base + asset, { encoding })).bytes;
    figures[`${name}HtmlBytes`] = page.bytes;
    figures[`${name}TotalBytes`] = total;
  }
  figures.uncompressedHtmlBytes = Buffer.byteLength(html);
  if (MUST_FIT.has(label.replace(/^\/en(?=\/|$)/, '') || '/'))
    figures.fitsInitialWindow =
      (figures.brTotalBytes as number) <= INITIAL_WINDOW &&
      (figures.gzipTotalBytes as number) <= INITIAL_WINDOW;
  return figures;
}

/** Lighthouse, tried twice: Chromium's start under Lighthouse fails now and then on this machine (1 page in 20). */
async function lighthouse(
  url: string,
): Promise<{ performance: number; accessibility: number; attempts?: number } | string> {
  const first = await lighthouseOnce(url);
  if (typeof first !== 'string') return first;
  const second = await lighthouseOnce(url);
  return typeof second === 'string' ? `${first}; again: ${second}` : { ...second, attempts: 2 };
}

async function lighthouseOnce(url: string): Promise<{ performance: number; accessibility: number } | string> {
  const bin = path.resolve(import.meta.dirname, '../node_modules/.bin/lighthouse');
  const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(bin)) return 'lighthouse is not installed (npm install --save-dev lighthouse)';
  if (!existsSync(chrome)) return `no Chromium at ${chrome}`;
  try {
    const { stdout } = await promisify(execFile)(
      bin,
      [
        url,
        '--output=json',
        '--quiet',
        '--only-categories=performance,accessibility',
        '--form-factor=mobile',
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic --no-first-run',
      ],
      { env: { ...process.env, CHROME_PATH: chrome }, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
    );
    const report = JSON.parse(stdout) as { categories: Record<string, { score: number | null }> };
    return {
      performance: Math.round((report.categories.performance?.score ?? 0) * 100),
      accessibility: Math.round((report.categories.accessibility?.score ?? 0) * 100),
    };
  } catch (error) {
    return `lighthouse failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await startBenchServer({ ANXIN_RATE_LIMIT_PER_MINUTE: '1000000' });
  try {
    const base = server.url;
    const pages: Record<string, unknown> = {};
    for (const prefix of ['', '/en']) {
      for (const page of PAGES) {
        const url = prefix + (page === '/' && prefix ? '' : page);
        const html = await decoded(base + url);
        pages[url] = await measure(base, url, (encoding) => raw(base + url, { encoding }), html);
      }
      // The page with her case code and secret (a POST answer) and her thread (behind the session cookie).
      const form =
        'requestType=domestic_violence&narrative=bench&contactChannel=in_app&noVoicemail=on&consentSensitive=on';
      const created = await raw(`${base}${prefix}/help/new`, {
        encoding: 'identity',
        method: 'POST',
        body: form,
      });
      const createdHtml = created.body.toString('utf8');
      pages[`${prefix}/help/new (code and secret)`] = await measure(
        base,
        'created',
        (encoding) => raw(`${base}${prefix}/help/new`, { encoding, method: 'POST', body: form }),
        createdHtml,
      );
      const code = /id="case-code"[^>]*>([^<]+)</.exec(createdHtml)?.[1] ?? '';
      const secret = /id="case-secret"[^>]*>([^<]+)</.exec(createdHtml)?.[1] ?? '';
      const opened = await raw(`${base}${prefix}/help/open`, {
        encoding: 'identity',
        method: 'POST',
        body: new URLSearchParams({ caseCode: code, secret }).toString(),
      });
      const cookie = [opened.headers['set-cookie']].flat()[0]?.split(';')[0] ?? '';
      const threadHtml = (
        await raw(`${base}${prefix}/help/thread`, { encoding: 'identity', cookie })
      ).body.toString('utf8');
      pages[`${prefix}/help/thread (her thread)`] = await measure(
        base,
        'thread',
        (encoding) => raw(`${base}${prefix}/help/thread`, { encoding, cookie }),
        threadHtml,
      );
    }
    const scores: Record<string, unknown> = {};
    // Every survivor page in both languages; BENCH_QUICK=1 scores only the two pages that must fit one window.
    const scored = process.env.BENCH_QUICK === '1' ? ['/', '/help/new'] : PAGES;
    for (const prefix of ['', '/en']) {
      for (const page of scored) {
        const url = prefix + (page === '/' && prefix ? '' : page);
        scores[url] = await lighthouse(base + url);
      }
    }
    return { initialWindowBytes: INITIAL_WINDOW, pages, lighthouseMobile: scores };
  } finally {
    await server.stop();
  }
}
