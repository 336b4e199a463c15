/**
 * `npm run bench [name …]`: runs each benchmark module in bench/ (a file exporting `run()`), writes its
 * figures to bench/results/<name>.json and a summary to bench/results/summary.md. Figures only: nothing
 * here passes or fails a build. `BENCH_QUICK=1` shortens long runs.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const dir = import.meta.dirname;
const resultsDir = path.join(dir, 'results');

/**
 * A target a benchmark states before it runs (exported as `targets`): the figure at a dotted path of its result,
 * with an upper (`atMost`) or lower (`atLeast`) bound. Every run judges every target: met or missed.
 */
export interface Target {
  figure: string;
  atMost?: number;
  atLeast?: number;
  unit?: string;
}

interface BenchModule {
  targets?: Target[];
  run(): Promise<Record<string, unknown>>;
}

function judge(targets: Target[], figures: Record<string, unknown>) {
  return targets.map((target) => {
    const value = target.figure
      .split('.')
      .reduce<unknown>(
        (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
        figures,
      );
    const met =
      typeof value === 'number' &&
      (target.atMost === undefined || value <= target.atMost) &&
      (target.atLeast === undefined || value >= target.atLeast);
    return { ...target, value: typeof value === 'number' ? value : null, verdict: met ? 'met' : 'missed' };
  });
}

function targetLine(t: ReturnType<typeof judge>[number]): string {
  const bound = t.atMost !== undefined ? `≤ ${t.atMost}` : `≥ ${t.atLeast}`;
  return `- ${t.verdict === 'met' ? '✅ met' : '❌ missed'}: \`${t.figure}\` = ${t.value ?? 'not measured'} (target ${bound}${t.unit ? ` ${t.unit}` : ''})`;
}

async function main(): Promise<void> {
  // `--summary`: run nothing, rewrite summary.md from the results already in bench/results.
  const summaryOnly = process.argv.includes('--summary');
  const wanted = process.argv.slice(2).filter((a) => a !== '--summary');
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
    .sort();
  const names = files
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((n) => !summaryOnly && (wanted.length === 0 || wanted.includes(n)));
  const unknown = wanted.filter((w) => !files.includes(`${w}.ts`));
  if (unknown.length)
    throw new Error(`Unknown benchmark(s): ${unknown.join(', ')} (have: ${files.join(', ')})`);
  await mkdir(resultsDir, { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  const summary: string[] = [
    '# Benchmark results',
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}. Run at ${new Date().toISOString()}.`,
    '',
  ];
  let failed = 0;
  for (const name of names) {
    console.log(`\n▶ ${name}`);
    const started = Date.now();
    try {
      const module = (await import(path.join(dir, `${name}.ts`))) as BenchModule;
      const figures = await module.run();
      const targets = judge(module.targets ?? [], figures);
      const result = {
        name,
        ranAt: new Date().toISOString(),
        seconds: (Date.now() - started) / 1000,
        machine,
        quick: process.env.BENCH_QUICK === '1',
        targets,
        figures,
      };
      await writeFile(path.join(resultsDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
      summary.push(
        `## ${name}`,
        '',
        ...targets.map(targetLine),
        ...(targets.length ? [''] : []),
        '```json',
        JSON.stringify(figures, null, 2),
        '```',
        '',
      );
      console.log(JSON.stringify(figures, null, 2));
    } catch (error) {
      failed += 1;
      summary.push(`## ${name}`, '', `Failed: ${error instanceof Error ? error.message : String(error)}`, '');
      console.error(`✖ ${name}:`, error);
    }
  }
  // The summary covers every benchmark's latest result, not only those run now (each says when it ran).
  for (const file of (await readdir(resultsDir)).filter((f) => f.endsWith('.json')).sort()) {
    const name = file.replace(/\.json$/, '');
    if (names.includes(name)) continue;
    const earlier = JSON.parse(await readFile(path.join(resultsDir, file), 'utf8')) as {
      ranAt?: string;
      figures?: unknown;
      targets?: ReturnType<typeof judge>;
    };
    const judged = earlier.targets ?? [];
    summary.push(
      `## ${name} (from an earlier run, ${earlier.ranAt ?? 'time unknown'})`,
      '',
      ...judged.map(targetLine),
      ...(judged.length ? [''] : []),
      '```json',
      JSON.stringify(earlier.figures ?? earlier, null, 2),
      '```',
      '',
    );
  }
  await writeFile(path.join(resultsDir, 'summary.md'), summary.join('\n'));
  console.log(`\nResults in ${path.relative(process.cwd(), resultsDir)}/`);
  if (failed) process.exit(1);
}

await main();
