#!/usr/bin/env node
// `npx anxin …`: the command line, compiled (built first when dist/ is missing or stale), in this process, on
// the project's Node 24 (the `node` dev dependency) when the machine's own Node is older.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const node24 = path.resolve(import.meta.dirname, '..', 'node_modules', '.bin', 'node');
if (Number(process.versions.node.split('.')[0]) < 24 && existsSync(node24)) {
  const result = spawnSync(node24, [import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { ensureBuilt } = await import('../scripts/build.mjs');
try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`anxin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const { runCli } = await import('../dist/cli.js');
process.exit(await runCli(process.argv.slice(2)));
