/**
 * A real app on a database of its own, for one test file: `const t = await createTestApp()` in beforeAll,
 * `await t.close()` in afterAll. Logs are captured in `t.logs` so tests can check what was (not) logged.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { connectDatabase, type Db } from '../../src/db/database.ts';
import { Keyring } from '../../src/platform/crypto.ts';
import { JobRunner } from '../../src/platform/jobs.ts';
import pino from 'pino';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  keyring: Keyring;
  jobs: JobRunner;
  /** Connection string of this file's database. */
  databaseUrl: string;
  /** Every log line the app wrote, as text. */
  logs: string[];
  close(): Promise<void>;
}

let counter = 0;

/** A database of its own: cloned from the migrated template, or empty (no schema) for restores and first starts. */
async function newDatabase(fromTemplate: boolean): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `anxin_t_${process.pid}_${Date.now().toString(36)}_${counter++}_${randomBytes(3).toString('hex')}`;
  const run = async (statement: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  // Names are generated above from digits and letters only; identifiers cannot be parameters.
  await run(
    fromTemplate
      ? `create database ${name} template ${inject('templateDatabase')}`
      : `create database ${name}`,
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

export const createTestDatabase = () => newDatabase(true);
export const createEmptyDatabase = () => newDatabase(false);

export interface TestAppOptions {
  /** Environment settings over the test defaults. */
  env?: Record<string, string>;
  /** Add routes (e.g. a probe route) before the app is ready. */
  configure?: (app: FastifyInstance) => void;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const overrides = options.env ?? {};
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    ANXIN_MASTER_KEY: randomBytes(32).toString('base64'),
    ANXIN_LOG_LEVEL: 'info',
    ANXIN_DATA_DIR: '/tmp/anxin-test-data-unused',
    // No embedded clamd for in-process apps: tests that scan start their own (support/clamd.ts).
    ANXIN_CLAMD: 'none',
    ...overrides,
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const handle = connectDatabase(database.url, { max: 5 });
  const keyring = new Keyring(Buffer.from(config.masterKey ?? '', 'base64'));
  const jobs = new JobRunner(handle.db, database.url, pino({ level: 'silent' }));
  const app = await buildApp({ config, db: handle.db, keyring, jobs, logStream });
  options.configure?.(app);
  await app.ready();
  return {
    app,
    db: handle.db,
    config,
    keyring,
    jobs,
    databaseUrl: database.url,
    logs,
    close: async () => {
      await app.close();
      await handle.close();
      await database.drop();
    },
  };
}
