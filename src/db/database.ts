/** The connection pool and the typed query builder over it. */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// Dates as JS Dates (default), bigint ids as strings (no precision loss), numeric as strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connectDatabase(
  connectionString: string,
  options: {
    max?: number;
    applicationName?: string;
    /**
     * Commit without waiting for the disk (`synchronous_commit = off`). Only for data whose last few
     * hundred milliseconds may be lost in a database crash: rate-limit counters, never a survivor's records.
     */
    asynchronousCommit?: boolean;
  } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'anxin',
    ...(options.asynchronousCommit ? { options: '-c synchronous_commit=off' } : {}),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restarted) must not crash the process;
  // the next query gets a fresh connection and /readyz reports the outage meanwhile.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}

/** True when the database answers a trivial query within the timeout. */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = sql<{ ok: number }>`select 1 as ok`.execute(db).then((r) => r.rows[0]?.ok === 1);
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** PostgreSQL's major version, checked at start-up: Anxin needs 15 or later. */
export async function serverMajorVersion(db: Db): Promise<number> {
  const { rows } = await sql<{ server_version_num: string }>`show server_version_num`.execute(db);
  return Math.floor(Number(rows[0]?.server_version_num ?? 0) / 10_000);
}
