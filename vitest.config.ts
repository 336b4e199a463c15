import { defineConfig } from 'vitest/config';

// Tiers (see docs/testing.md): unit (pure logic), app (the real app through inject() on a real PostgreSQL,
// one database per test file), browser (Debian's Chromium against a listening app), fuzz (from the OpenAPI document).
const jsx = { oxc: { jsx: { runtime: 'automatic' as const, importSource: 'preact' } } };
const dbTier = { globalSetup: ['test/support/global-setup.ts'], testTimeout: 30_000, hookTimeout: 120_000 };

export default defineConfig({
  ...jsx,
  test: {
    maxWorkers: 2,
    projects: [
      { ...jsx, test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'] } },
      { ...jsx, test: { name: 'app', include: ['test/app/**/*.test.{ts,tsx}'], ...dbTier } },
      {
        ...jsx,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          ...dbTier,
          testTimeout: 60_000,
        },
      },
      // A mixed load for LOAD_SECONDS (only with `npm run test:load`: not part of `npm test`).
      {
        ...jsx,
        test: { name: 'load', include: ['test/load/**/*.test.{ts,tsx}'], ...dbTier, testTimeout: 3_600_000 },
      },
      // kill -9 under a write load; CRASH_ROUNDS rounds (short by default).
      {
        ...jsx,
        test: {
          name: 'crash',
          include: ['test/crash/**/*.test.{ts,tsx}'],
          ...dbTier,
          testTimeout: 3_600_000,
        },
      },
      // Property-based requests from the OpenAPI document; FUZZ_RUNS per operation (short by default).
      {
        ...jsx,
        test: { name: 'fuzz', include: ['test/fuzz/**/*.test.{ts,tsx}'], ...dbTier, testTimeout: 1_800_000 },
      },
    ],
  },
});
