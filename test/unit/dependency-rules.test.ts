/**
 * The import rules of .dependency-cruiser.cjs catch what they are meant to: each case plants a small tree
 * (with the project's own config) in a temporary folder, breaks one rule in it, and runs dependency-cruiser
 * on it; the same tree without the break passes. (`npm run depcruise` checks the real tree in CI.)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** Files every case starts from: a platform file, two modules with their public and internal files. */
const BASE: Record<string, string> = {
  'src/platform/errors.ts': 'export const ERRORS = 1;\n',
  'src/db/schema.ts': 'export interface Database { x: number }\n',
  'src/modules/help/help.service.ts':
    "import { ERRORS } from '../../platform/errors.ts';\nexport const help = ERRORS;\n",
  'src/modules/help/help.tables.ts': 'export interface HelpTables { a: number }\n',
  'src/modules/help/help.pages.tsx':
    "import { help } from './help.service.ts';\nexport const pages = help;\n",
  'src/modules/helpline/helpline.service.ts':
    "import { help } from '../help/help.service.ts';\nexport const desk = help;\n",
  'src/modules/helpline/helpline.pages.tsx':
    "import { desk } from './helpline.service.ts';\nexport const p = desk;\n",
  'src/modules/helpline/helpline.repository.ts': 'export const repo = 1;\n',
};

let dir: string;

function plant(files: Record<string, string>): void {
  rmSync(path.join(dir, 'src'), { recursive: true, force: true });
  for (const [file, text] of Object.entries({ ...BASE, ...files })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

/** The names of the rules the planted tree breaks. */
function violations(files: Record<string, string>): string[] {
  plant(files);
  const run = spawnSync(
    process.execPath,
    [depcruise, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
  if (!run.stdout) throw new Error(`dependency-cruiser did not run: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string } }[] } };
  return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'anxin-depcruise-'));
  copyFileSync(path.join(root, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
        jsx: 'react-jsx',
      },
      include: ['src'],
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the import rules (.dependency-cruiser.cjs)', { timeout: 120_000 }, () => {
  it('pass a tree that keeps them', () => {
    expect(violations({})).toEqual([]);
  });

  it('fail when the platform imports a module', () => {
    expect(
      violations({
        'src/platform/planted.ts':
          "import { help } from '../modules/help/help.service.ts';\nexport const x = help;\n",
      }),
    ).toEqual(['core-imports-no-module']);
  });

  it('fail when db/ imports a module, even for a type', () => {
    expect(
      violations({
        'src/db/schema.ts':
          "import type { HelpTables } from '../modules/help/help.tables.ts';\nexport interface Database extends HelpTables { x: number }\n",
      }),
    ).toEqual(['core-imports-no-module']);
  });

  it('fail on an import circle', () => {
    expect(
      violations({
        'src/platform/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
        'src/platform/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      }),
    ).toEqual(['no-circular']);
  });

  it('fail when survivor code imports the desk', () => {
    expect(
      violations({
        'src/modules/help/help.pages.tsx':
          "import { desk } from '../helpline/helpline.service.ts';\nexport const pages = desk;\n",
      }),
    ).toEqual(['survivor-code-imports-no-desk']);
  });

  it("fail when a module reaches into another module's internals or tables", () => {
    expect(
      violations({
        'src/modules/orders/orders.service.ts':
          "import { repo } from '../helpline/helpline.repository.ts';\nimport type { HelpTables } from '../help/help.tables.ts';\nexport const o: HelpTables | number = repo;\n",
      }),
    ).toEqual(['modules-meet-through-public-surface', 'no-foreign-tables']);
  });
});
