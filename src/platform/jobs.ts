/**
 * Background work: pg-boss queues on the same PostgreSQL, fed by a transactional outbox.
 *
 * A module that needs work done after a change (notify the police, start a deadline timer) calls
 * `addToOutbox(trx, topic, payload)` inside the transaction that makes the change: if the change rolls back,
 * the work was never asked for; if it commits, the work will happen. The relay moves outbox rows into pg-boss
 * in one transaction per batch (rows locked with SKIP LOCKED, so several app processes relay without
 * doubling), and pg-boss runs the handlers with retries. Payloads carry identifiers only, never personal data.
 * The relay polls (every 500 ms): a NOTIFY on insert would take PostgreSQL's global notify lock at every
 * commit that adds work, serialising those commits.
 */
import { fromKysely, PgBoss, type Job } from 'pg-boss';
import { sql, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

export type JobHandler = (
  payload: Record<string, unknown>,
  job: Job<Record<string, unknown>>,
) => Promise<void>;

/** The outbox row for a piece of work, for callers that insert it in a statement of their own. */
export function outboxRow(
  topic: string,
  payload: Record<string, unknown>,
  options: { availableAt?: Date } = {},
) {
  return { topic, payload: JSON.stringify(payload), available_at: options.availableAt ?? new Date() };
}

export async function addToOutbox(
  trx: Transaction<Database> | Db,
  topic: string,
  payload: Record<string, unknown>,
  options: { availableAt?: Date } = {},
): Promise<string> {
  const row = await trx
    .insertInto('outbox')
    .values(outboxRow(topic, payload, options))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export class JobRunner {
  private readonly boss: PgBoss;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queueOptions = new Map<string, { expireInSeconds?: number }>();
  private timer: NodeJS.Timeout | undefined;
  private relaying: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly connectionString: string,
    private readonly log: FastifyBaseLogger,
    private readonly pollMs = 500,
  ) {
    this.boss = new PgBoss({ connectionString, schema: 'pgboss', max: 4, application_name: 'anxin-jobs' });
    this.boss.on('error', (error: Error) => this.log.error({ err: error }, 'job queue error'));
  }

  /**
   * Register the handler for a topic before `start()`. `expireInSeconds`: how long a job may run before
   * pg-boss gives it to another worker (a process killed mid-job leaves it active until then).
   */
  handle(topic: string, handler: JobHandler, options: { expireInSeconds?: number } = {}): void {
    if (this.handlers.has(topic)) throw new Error(`A handler for ${topic} is already registered`);
    this.handlers.set(topic, handler);
    this.queueOptions.set(topic, options);
  }

  /** Run a topic on a schedule (cron, UTC), e.g. retention sweeps. */
  async schedule(topic: string, cron: string): Promise<void> {
    await this.boss.schedule(topic, cron, {}, { tz: 'UTC' });
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const [topic, handler] of this.handlers) {
      await this.boss.createQueue(topic, {
        retryLimit: 5,
        retryDelay: 5,
        retryBackoff: true,
        ...this.queueOptions.get(topic),
      });
      // Small batches fetched back to back while there is a backlog; a failing batch is retried as a
      // whole, so handlers must be idempotent (they are keyed by the outbox id they receive).
      await this.boss.work<Record<string, unknown>>(
        topic,
        { batchSize: 5, pollingIntervalSeconds: 1, burstWhenBatchFull: true },
        async (jobs) => {
          for (const job of jobs) await handler(job.data, job);
        },
      );
    }
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.relaying;
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }

  /** Move ready outbox rows into their queues; returns how many moved. Exposed for tests and the CLI. */
  async relayOnce(batch = 100): Promise<number> {
    const topics = [...this.handlers.keys()];
    if (topics.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .select(['id', 'topic', 'payload'])
        .where('dispatched_at', 'is', null)
        .where('available_at', '<=', sql<Date>`now()`)
        .where('topic', 'in', topics)
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        // The job row is written in this same transaction: a row is either relayed once or not at all.
        const jobId = await this.boss.send(
          row.topic,
          { ...row.payload, outboxId: row.id },
          { db: fromKysely(trx) },
        );
        await trx
          .updateTable('outbox')
          .set({ dispatched_at: sql<Date>`now()`, job_id: jobId })
          .where('id', '=', row.id)
          .execute();
      }
      return rows.length;
    });
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.relaying) {
      this.again = true;
      return;
    }
    this.relaying = (async () => {
      do {
        this.again = false;
        try {
          const moved = await this.relayOnce();
          if (moved === 100) this.again = true;
        } catch (error) {
          this.log.warn({ err: error }, 'outbox relay failed; will retry');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.relaying = undefined;
    });
  }
}
