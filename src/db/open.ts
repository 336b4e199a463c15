/**
 * Opening the database the configuration points at: the external PostgreSQL from DATABASE_URL, or the
 * embedded server in the data directory. Shared by the server and the CLI.
 */
import type { Config } from '../config.ts';
import { connectDatabase, serverMajorVersion, type DatabaseHandle } from './database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts';

export interface OpenDatabase extends DatabaseHandle {
  connectionString: string;
  embedded: EmbeddedServer | undefined;
}

export const MIN_POSTGRES_MAJOR = 15;

export async function openDatabase(config: Config, log: (line: string) => void): Promise<OpenDatabase> {
  let embedded: EmbeddedServer | undefined;
  let connectionString = config.databaseUrl;
  if (connectionString === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
    connectionString = embedded.url;
  }
  const handle = connectDatabase(connectionString);
  try {
    const major = await serverMajorVersion(handle.db);
    if (major < MIN_POSTGRES_MAJOR)
      throw new Error(`PostgreSQL ${MIN_POSTGRES_MAJOR} or later is required (this server is ${major})`);
  } catch (error) {
    await handle.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...handle,
    connectionString,
    embedded,
    close: async () => {
      await handle.close();
      await embedded?.stop();
    },
  };
}
