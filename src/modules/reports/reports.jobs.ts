/**
 * The reports module's background work: the periodic fold (every 5 minutes: new records, and the recent days
 * of the sources whose records change after insertion) and `reports.refold`, which rebuilds the days another
 * module's write touched (a back-dated call, a classification, a withdrawal of consent). Modules ask for a
 * refold with `addToOutbox(trx, 'reports.refold', { from, to })` in the transaction of the change; the
 * handler is idempotent (rebuilding a day twice gives the same rollup).
 */
import type { FastifyInstance } from 'fastify';
import { isCalendarDate } from './reports.service.ts';
import {
  FOLD_TOPIC,
  REFOLD_TOPIC,
  SOURCES,
  foldRollups,
  refoldDays,
  type FoldSource,
} from './reports.fold.ts';

/** The days a `reports.refold` payload names, or null when it names none validly. */
export function refoldRequestOf(
  payload: Record<string, unknown>,
): { from: string; to: string; sources?: FoldSource[] } | null {
  const { from, to, sources } = payload;
  if (
    typeof from !== 'string' ||
    typeof to !== 'string' ||
    !isCalendarDate(from) ||
    !isCalendarDate(to) ||
    from > to
  )
    return null;
  if (sources === undefined) return { from, to };
  if (
    !Array.isArray(sources) ||
    !sources.every((s): s is FoldSource => (SOURCES as readonly unknown[]).includes(s))
  )
    return null;
  return { from, to, sources };
}

export function reportsJobs(app: FastifyInstance): void {
  app.jobs.handle(FOLD_TOPIC, async () => {
    await foldRollups(app.db);
  });
  app.jobs.handle(REFOLD_TOPIC, async (payload) => {
    const request = refoldRequestOf(payload);
    // A malformed request can never succeed: say so once instead of retrying it.
    if (!request)
      return void app.log.warn({ topic: REFOLD_TOPIC }, 'ignored a refold request without a valid period');
    await refoldDays(app.db, request.from, request.to, request.sources);
  });
  // Scheduled once the job runner has started (it starts before the server listens).
  app.addHook('onListen', async () => {
    try {
      await app.jobs.schedule(FOLD_TOPIC, '*/5 * * * *');
    } catch (error) {
      app.log.warn({ err: error }, 'could not schedule the report rollup fold; reports fold on demand');
    }
  });
}
