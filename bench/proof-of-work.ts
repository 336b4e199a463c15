/**
 * The help form's proof of work (src/web/proof-of-work.js) solved in Debian's Chromium: time per solve at the
 * configured difficulty (ANXIN_PROOF_OF_WORK_BITS, default 13), on this machine's CPU and with Chromium's CPU
 * throttling at 4× and 6× (DevTools' stand-ins for mid-range and slow phones), and the hash rate behind it.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.ts';

const SOLVES = Number(process.env.BENCH_QUICK ? 15 : 60);

function challenge(bits: number): string {
  const expires = Math.floor(Date.now() / 1000) + 3600;
  return `v1.${expires}.${bits}.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function run(): Promise<Record<string, unknown>> {
  const bits = loadConfig({
    NODE_ENV: 'test',
    ANXIN_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: 'postgres://unused/none',
  }).proofOfWorkBits;
  const script = await readFile(path.resolve(import.meta.dirname, '../src/web/proof-of-work.js'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const figures: Record<string, unknown> = { bits, solves: SOLVES, expectedTries: 2 ** bits };
  try {
    for (const throttle of [1, 4, 6]) {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
      const page = await context.newPage();
      await page.goto('about:blank');
      await page.addScriptTag({ content: script });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
      const runs: { ms: number; tries: number }[] = [];
      for (let i = 0; i < SOLVES; i++) {
        runs.push(
          await page.evaluate(
            ([c, b]) =>
              new Promise<{ ms: number; tries: number }>((resolve) => {
                const started = performance.now();
                (
                  window as unknown as {
                    AnxinProof: { solve(c: string, b: number, done: (p: string) => void): void };
                  }
                ).AnxinProof.solve(c, b, (proof) =>
                  resolve({
                    ms: performance.now() - started,
                    tries: Number(proof.slice(proof.lastIndexOf(':') + 1)) + 1,
                  }),
                );
              }),
            [challenge(bits), bits] as const,
          ),
        );
      }
      const times = runs.map((r) => r.ms).sort((a, b) => a - b);
      const tries = runs.reduce((n, r) => n + r.tries, 0);
      const totalMs = runs.reduce((n, r) => n + r.ms, 0);
      figures[`cpu${throttle}x`] = {
        meanMs: Math.round(totalMs / runs.length),
        p50Ms: Math.round(percentile(times, 50)),
        p90Ms: Math.round(percentile(times, 90)),
        maxMs: Math.round(times.at(-1) ?? 0),
        hashesPerSecond: Math.round(tries / (totalMs / 1000)),
      };
      console.log(`  CPU ${throttle}×:`, figures[`cpu${throttle}x`]);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return figures;
}
