/**
 * Background work: pg-boss queues on the same PostgreSQL, fed by a transactional outbox.
 *
 * A module that needs work done after a change (notify the police, start a deadline timer) calls
 * `addToOutbox(trx, topic, payload)` inside the transaction that makes the change: if the change rolls back,
 * the work was never asked for; if it commits, the work will happen. The relay moves outbox rows into pg-boss
 * in one transaction per batch (rows locked with SKIP LOCKED, so several app processes relay without
 * doubling), and pg-boss runs the handlers with retries. Payloads carry identifiers only, never personal data.
 * The relay polls (every 500 ms): a NOTIFY on insert would take PostgreSQL's global notify lock at every
 * commit that adds work, serialising those commits. While nothing is due, a poll is one index probe of the
 * pending rows (the partial index `outbox_pending`), whatever the table's history.
 *
 * Rows do not accumulate: a row relayed to pg-boss is deleted once its handler has succeeded (until then the
 * backup exports it as not yet sent, see platform/backup.ts), a row taken by a consumer (`consume`) is deleted
 * in the consumer's own transaction, and a row no handler of this process takes is discarded (with a warning)
 * once it is a day old.
 *
 * Consumers (`consume(topic, consumer)`) take a topic's rows without a job queue in between: the rows are
 * locked, handed to the consumer on a transaction and deleted in that same transaction, so each is acted on
 * exactly once — never skipped, never repeated — however many arrive at once and however many processes poll.
 * `drainOutbox` runs the same step on demand (the desk drains its intake before reading its queue).
 */
import { fromKysely, PgBoss, type Job } from 'pg-boss';
import { sql, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Executor = Transaction<Database> | Db;

/** One outbox row handed to a consumer. */
export interface OutboxEvent {
  id: string;
  payload: Record<string, unknown>;
}

/**
 * Acts on a batch of a topic's rows inside the transaction that deletes them. It may return ids it cannot act
 * on yet: those rows stay and come back a minute later.
 */
export type OutboxConsumer = (trx: Transaction<Database>, events: OutboxEvent[]) => Promise<string[] | void>;

const POSTPONE = '1 minute';

/** Rows of a topic no handler takes are kept this long (a process of a newer version may take them), then dropped. */
const UNHANDLED_RETENTION = '1 day';
/** How often the relay looks for unhandled and stranded rows. */
const SWEEP_EVERY_MS = 10 * 60_000;

interface DrainOptions {
  batch?: number;
  wait?: boolean;
}

/**
 * Take up to `batch` due rows of `topic`, act on them with `consumer` and delete them, all in one
 * transaction; returns how many were taken. `wait`: wait for rows another transaction holds (so that after
 * this returns, every row committed before the call has been acted on) instead of skipping them.
 */
export async function drainOutboxOnce(
  db: Db,
  topic: string,
  consumer: OutboxConsumer,
  options: DrainOptions = {},
): Promise<number> {
  const batch = options.batch ?? 500;
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('outbox')
      .select(['id', 'payload'])
      .where('dispatched_at', 'is', null)
      .where('available_at', '<=', sql<Date>`now()`)
      .where('topic', '=', topic)
      .orderBy('id')
      .limit(batch)
      .forUpdate();
    if (!options.wait) query = query.skipLocked();
    const rows = await query.execute();
    if (rows.length === 0) return 0;
    const postponed = new Set((await consumer(trx, rows)) ?? []);
    const done = rows.filter((r) => !postponed.has(r.id)).map((r) => r.id);
    if (done.length) await trx.deleteFrom('outbox').where('id', 'in', done).execute();
    if (postponed.size)
      await trx
        .updateTable('outbox')
        .set({ available_at: sql<Date>`now() + ${POSTPONE}::interval` })
        .where('id', 'in', [...postponed])
        .execute();
    return rows.length;
  });
}

/**
 * `drainOutboxOnce` until no due row of the topic is left; returns how many were taken. (Until a pass takes
 * nothing: with `wait`, a pass that waited for rows another transaction then deleted may come back short.)
 */
export async function drainOutbox(...args: Parameters<typeof drainOutboxOnce>): Promise<number> {
  let total = 0;
  for (;;) {
    const taken = await drainOutboxOnce(...args);
    total += taken;
    if (taken === 0) return total;
  }
}

/**
 * An idle poll: is any row of these topics due? One seek per topic in the pending-rows index (`outbox_due`:
 * the topic, then the oldest due time, which is what each branch asks for), so its cost does not grow with the
 * table's history or with rows of other topics. Exported for the test that checks its plan.
 */
export function dueProbe(topics: string[]) {
  const perTopic = topics.map(
    (topic) =>
      sql`(select id from outbox where dispatched_at is null and topic = ${topic} and available_at <= now() order by available_at limit 1)`,
  );
  return sql<{ id: string }>`select id from (${sql.join(perTopic, sql` union all `)}) due limit 1`;
}

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
  trx: Executor,
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
  private readonly consumers = new Map<string, OutboxConsumer>();
  private readonly workerIds = new Map<string, string>();
  private readonly queueOptions = new Map<string, { expireInSeconds?: number }>();
  private lastSweep = 0;
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
    if (this.handlers.has(topic) || this.consumers.has(topic))
      throw new Error(`A handler for ${topic} is already registered`);
    this.handlers.set(topic, handler);
    this.queueOptions.set(topic, options);
  }

  /** Register a consumer for a topic before `start()`: its rows are acted on and deleted in one transaction. */
  consume(topic: string, consumer: OutboxConsumer): void {
    if (this.handlers.has(topic) || this.consumers.has(topic))
      throw new Error(`A handler for ${topic} is already registered`);
    this.consumers.set(topic, consumer);
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
      // The relay wakes the worker when it sends work (notifyWorker), so the worker's own poll is only a
      // slow backstop (an idle server's database does next to nothing).
      const workerId = await this.boss.work<Record<string, unknown>>(
        topic,
        { batchSize: 5, pollingIntervalSeconds: 30, burstWhenBatchFull: true },
        async (jobs) => {
          for (const job of jobs) {
            await handler(job.data, job);
            // Done: the row is no longer needed (a failure here leaves it for the sweep).
            const outboxId = job.data.outboxId;
            if (typeof outboxId === 'string')
              await this.db.deleteFrom('outbox').where('id', '=', outboxId).execute();
          }
        },
      );
      this.workerIds.set(topic, workerId);
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
    const sent = new Set<string>();
    const moved = await this.db.transaction().execute(async (trx) => {
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
        sent.add(row.topic);
      }
      return rows.length;
    });
    for (const topic of sent) {
      const workerId = this.workerIds.get(topic);
      if (workerId) this.boss.notifyWorker(workerId);
    }
    return moved;
  }

  /** Whether any row of a handled or consumed topic is due. */
  private async anythingDue(): Promise<boolean> {
    const topics = [...this.handlers.keys(), ...this.consumers.keys()];
    if (topics.length === 0) return false;
    return (await dueProbe(topics).execute(this.db)).rows.length > 0;
  }

  /**
   * Rows that would otherwise stay for ever: of a topic no handler of this process takes (older than a day),
   * and relayed rows whose job is gone or finished (their handler's own delete failed). Returns how many went.
   */
  async sweepOnce(): Promise<number> {
    const topics = [...this.handlers.keys(), ...this.consumers.keys()];
    const unhandled = await this.db
      .deleteFrom('outbox')
      .where('dispatched_at', 'is', null)
      .where('created_at', '<', sql<Date>`now() - ${UNHANDLED_RETENTION}::interval`)
      .$if(topics.length > 0, (q) => q.where('topic', 'not in', topics))
      .returning('topic')
      .execute();
    if (unhandled.length) {
      const counts: Record<string, number> = {};
      for (const r of unhandled) counts[r.topic] = (counts[r.topic] ?? 0) + 1;
      this.log.warn({ topics: counts }, 'outbox rows no handler takes were discarded');
    }
    const finished = await sql<{ n: string }>`
      with gone as (
        delete from outbox o where o.dispatched_at is not null
          and o.dispatched_at < now() - interval '10 minutes'
          and not exists (select 1 from pgboss.job j where j.id = o.job_id and j.state not in ('completed'))
        returning 1)
      select count(*)::text as n from gone`.execute(this.db);
    return unhandled.length + Number(finished.rows[0]?.n ?? 0);
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
          if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) {
            this.lastSweep = Date.now();
            await this.sweepOnce();
          }
          if (!(await this.anythingDue())) continue;
          const moved = await this.relayOnce();
          if (moved === 100) this.again = true;
          for (const [topic, consumer] of this.consumers) {
            const taken = await drainOutboxOnce(this.db, topic, consumer);
            if (taken === 500) this.again = true;
          }
        } catch (error) {
          this.log.warn({ err: error }, 'outbox relay failed; will retry');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.relaying = undefined;
    });
  }
}
