/**
 * `anxin reports refold [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: rebuild the work report's daily rollups from
 * the records, for the days given (China time, inclusive) or, without them, for everything from the first
 * record. For after a backlog was entered directly in the database, or a change of counting rules. Safe to run
 * while the server runs: it waits for a fold in progress, and rebuilding a day twice gives the same rollup.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { openDatabase } from '../../db/open.ts';
import { chinaDayOf, foldRollups, refoldDays } from './reports.fold.ts';
import { isCalendarDate } from './reports.service.ts';

export const reportsCommand = {
  summary: 'Work report: rebuild the daily rollups from the records (all of them, or the days given)',
  usage: 'anxin reports refold [--from YYYY-MM-DD] [--to YYYY-MM-DD]',
  async run(args: string[], config: Config): Promise<number> {
    const [sub, ...rest] = args;
    if (sub !== 'refold') {
      process.stderr.write(`Usage: ${reportsCommand.usage}\n`);
      return 64;
    }
    const { values } = parseArgs({
      args: rest,
      options: { from: { type: 'string' }, to: { type: 'string' } },
      allowPositionals: false,
    });
    for (const name of ['from', 'to'] as const) {
      const value = values[name];
      if (value !== undefined && !isCalendarDate(value))
        throw new Error(`--${name} must be a calendar date, YYYY-MM-DD`);
    }
    const whole = values.from === undefined && values.to === undefined;
    const from = values.from ?? '2000-01-01';
    const to = values.to ?? chinaDayOf(new Date());
    if (from > to) throw new Error('--from must not be after --to');
    const database = await openDatabase(config, () => undefined);
    try {
      const result = whole
        ? await foldRollups(database.db, { rebuild: true, wait: true })
        : await refoldDays(database.db, from, to);
      for (const [source, days] of Object.entries(result.days)) {
        process.stdout.write(`${source.padEnd(8)} ${days ? `${days.from} – ${days.to}` : 'no records'}\n`);
      }
      return 0;
    } finally {
      await database.close();
    }
  },
};
