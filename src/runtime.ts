/**
 * The running platform: configuration → master key → database (embedded or external) → migrations →
 * demo data on a fresh database → app → jobs → listening. Used by `server.ts` and by tests that need a
 * real process-like start.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, RATE_LIMIT_SWEEP } from './app.ts';
import { resolveMasterKey, type Config } from './config.ts';
import { isFreshDatabase, migrateToLatest } from './db/migrator.ts';
import { openDatabase, type OpenDatabase } from './db/open.ts';
import { connectDatabase, type Db } from './db/database.ts';
import { Keyring } from './platform/crypto.ts';
import { JobRunner } from './platform/jobs.ts';
import { Clamd } from './modules/evidence/clamd.ts';
import { modules } from './modules/index.ts';

export interface RunningPlatform {
  app: FastifyInstance;
  database: OpenDatabase;
  jobs: JobRunner;
  url: string;
  stop(): Promise<void>;
}

export async function startPlatform(
  config: Config,
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<RunningPlatform> {
  const log = pino({ level: config.logLevel }, options.logStream ?? process.stdout);
  const keyring = new Keyring(await resolveMasterKey(config));
  const database = await openDatabase(config, (line) => log.debug({ postgres: line }, 'embedded postgres'));
  // The embedded default's own clamd (ANXIN_CLAMD unset outside production, clamd installed): supervised like
  // PostgreSQL, but never in the way of start-up — until it answers, uploads are kept awaiting check.
  const scanner = config.evidence.clamd;
  const clamd =
    scanner.kind === 'embedded'
      ? new Clamd({
          dir: scanner.dir,
          socket: scanner.path,
          databaseDir: scanner.databaseDir,
          log: (level, message) => log[level]({ clamd: true }, message),
        })
      : undefined;
  clamd?.supervise();
  try {
    const fresh = await isFreshDatabase(database.db);
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ migrations: applied.map((m) => m.migrationName) }, 'migrations applied');
    if (fresh && config.demoData) await loadDemoData(database.db, keyring, (line) => log.info(line));

    const jobs = new JobRunner(database.db, database.connectionString, log);
    const counters = connectDatabase(database.connectionString, {
      max: 4,
      applicationName: 'anxin-counters',
      asynchronousCommit: true,
    });
    const app = await buildApp({
      config,
      db: database.db,
      counterDb: counters.db,
      keyring,
      jobs,
      logStream: options.logStream,
    });
    app.addHook('onClose', () => counters.close());
    await jobs.start();
    await jobs.schedule(RATE_LIMIT_SWEEP, '*/10 * * * *');
    const address = await app.listen({ port: config.port, host: config.host });
    log.info({ url: address, database: database.embedded ? 'embedded' : 'external' }, 'Anxin is listening');

    let stopping: Promise<void> | undefined;
    return {
      app,
      database,
      jobs,
      url: address,
      stop: () => (stopping ??= stopInOrder(app, jobs, database, log, clamd)),
    };
  } catch (error) {
    await clamd?.stop();
    await database.close();
    throw error;
  }
}

/** Requests in flight get this long to finish once stopping begins; then their connections are closed. */
export const DRAIN_MS = 10_000;

/**
 * The graceful stop, one step after the other: stop accepting (late requests on open connections are answered
 * 503, platform/draining.ts) and let requests in flight finish, at most DRAIN_MS; then the job workers (a job
 * running finishes first); then the app's own clamd, if any; then the pool; and only then the embedded PostgreSQL, which runs in a process group
 * of its own so that a signal to ours does not stop it underneath the requests still draining.
 */
async function stopInOrder(
  app: FastifyInstance,
  jobs: JobRunner,
  database: OpenDatabase,
  log: pino.Logger,
  clamd: Clamd | undefined,
): Promise<void> {
  log.info('stopping: no new requests; finishing those in flight');
  const cut = setTimeout(() => {
    log.warn(
      { afterMs: DRAIN_MS },
      'requests still in flight after the drain period: closing their connections',
    );
    app.server.closeAllConnections();
  }, DRAIN_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
  log.info('requests drained');
  await jobs.stop();
  log.info('job workers stopped');
  await clamd?.stop();
  await database.close();
  log.info({ database: database.embedded ? 'embedded' : 'external' }, 'database closed; stopped');
}

async function loadDemoData(db: Db, keyring: Keyring, print: (line: string) => void): Promise<void> {
  const seeds = modules.flatMap((module) => (module.demo ? [module.demo] : []));
  if (seeds.length === 0) return;
  const lines: string[] = [];
  await db.transaction().execute(async (trx) => {
    for (const seed of seeds) await seed({ trx, keyring, print: (line) => lines.push(line) });
  });
  for (const line of lines) print(line);
}
