/** One migrator for start-up, the CLI and tests. Kysely's migration lock keeps concurrent starts safe. */
import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { migrations } from './migrations/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<NonNullable<MigrationResultSet['results']>> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `Migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      {
        cause: error,
      },
    );
  }
  return results ?? [];
}

/** A database is fresh when no Anxin migration has ever run on it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any schema
export async function isFreshDatabase(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{
    exists: boolean;
  }>`select to_regclass('public.kysely_migration') is not null as exists`.execute(db);
  if (!rows[0]?.exists) return true;
  const count = await sql<{ n: string }>`select count(*)::text as n from kysely_migration`.execute(db);
  return count.rows[0]?.n === '0';
}
