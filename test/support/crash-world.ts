/**
 * The crash test's database seen from the test: its connection string (embedded server in the data
 * directory, or the external one), and the protection-order staff world (courts, police, federation with
 * staff and full sessions) written straight into it with the orders fixtures, under the server's master key
 * so the server process accepts the sessions.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connectDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { Keyring } from '../../src/platform/crypto.ts';
import { makeOrdersWorld, type OrdersWorld } from './orders.ts';
import type { TestApp } from './test-app.ts';

/** The application database of a server started with `env` (DATABASE_URL, or the embedded one in ANXIN_DATA_DIR). */
export async function crashDatabaseUrl(env: Record<string, string>): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const dataDir = env.ANXIN_DATA_DIR ?? '';
  const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.ANXIN_EMBEDDED_PG_PORT}/anxin`;
}

/** A short connection to the crash database (close it before PostgreSQL may be killed). */
export async function openCrashDatabase(env: Record<string, string>): Promise<DatabaseHandle> {
  return connectDatabase(await crashDatabaseUrl(env), { max: 2 });
}

/** Courts, police, federation and NGO with one account per role and a full session each (see orders.ts). */
export async function makeCrashStaff(env: Record<string, string>): Promise<OrdersWorld> {
  const handle = await openCrashDatabase(env);
  try {
    const keyring = new Keyring(Buffer.from(env.ANXIN_MASTER_KEY ?? '', 'base64'));
    // The fixtures need only the database, the keyring and the two session keys the identity module derives.
    const csrf = keyring.deriveKey('csrf');
    const t = {
      db: handle.db,
      keyring,
      app: { sessionKeys: { token: keyring.deriveKey('identity.token'), csrf }, csrfKey: csrf },
    } as unknown as TestApp;
    return await makeOrdersWorld(t);
  } finally {
    await handle.close();
  }
}
