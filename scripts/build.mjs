#!/usr/bin/env node
// The production build: TypeScript in src/ compiled to JavaScript in dist/ (tsconfig.build.json), with the files
// the code reads beside itself (src/web, the region lists) copied along. `npm run build` builds; `npm start` and
// `npx anxin` call ensureBuilt(), which rebuilds only when dist/ is missing or older than src/, so the running
// server is plain JavaScript: no TypeScript compiler or loader stays in memory.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
const COMPILED = /\.(ts|tsx)$/;

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

/** A fingerprint of every source file (name, size, modification time) and the build settings. */
function sourceStamp() {
  const hash = createHash('sha256');
  const inputs = [
    ...filesUnder(src),
    path.join(root, 'tsconfig.json'),
    path.join(root, 'tsconfig.build.json'),
  ].sort();
  for (const file of inputs) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${path.relative(root, file)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

export function isBuildCurrent() {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === sourceStamp();
}

export function build({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    throw new Error(
      'dist/ is missing or older than src/, and TypeScript is not installed (an install without dev dependencies). ' +
        'Build where it is installed (`npm ci && npm run build`) and ship dist/ with the install.',
    );
  }
  const started = Date.now();
  log('Building Anxin (src → dist)…');
  rmSync(dist, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0)
    throw new Error(`the TypeScript build failed (exit ${result.status ?? result.signal})`);
  for (const file of filesUnder(src)) {
    if (!COMPILED.test(file)) cpSync(file, path.join(dist, path.relative(src, file)));
  }
  writeFileSync(stampFile, sourceStamp());
  log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Build when dist/ is missing or stale; a current build is used as it is. */
export function ensureBuilt() {
  if (!isBuildCurrent()) build();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--if-stale')) ensureBuilt();
    else build();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
