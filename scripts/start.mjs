#!/usr/bin/env node
// `npm start`: build when dist/ is missing or stale, then run the compiled server in this same process
// (no TypeScript at run time, no second Node process).
import { ensureBuilt } from './build.mjs';

try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`Anxin cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
await import('../dist/server.js');
