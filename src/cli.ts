/**
 * The command line: `npx anxin <command>` or `npm run cli -- <command>`. Commands open the same database
 * the server would (embedded or DATABASE_URL) and close it when done. Modules add their commands below.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, resolveMasterKey, type Config } from './config.ts';
import { backupFileSourceFactories, createBackup, restoreBackup } from './platform/backup.ts';
import { Keyring } from './platform/crypto.ts';
import { isFreshDatabase, migrateToLatest } from './db/migrator.ts';
import { openDatabase, type OpenDatabase } from './db/open.ts';
import { evidenceCommand } from './modules/evidence/evidence.cli.ts';
import { auditCommand, createAdminCommand } from './modules/identity/identity.cli.ts';
import { reportsCommand } from './modules/reports/reports.cli.ts';

interface Command {
  summary: string;
  usage: string;
  run(args: string[], config: Config): Promise<number>;
}

async function withDatabase<T>(config: Config, work: (database: OpenDatabase) => Promise<T>): Promise<T> {
  const database = await openDatabase(config, () => undefined);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/**
 * A module's command runs with every module's messages and policy rows installed, as in the app (loaded only
 * for these commands: the others start faster without the modules).
 */
function withModules(command: Command): Command {
  return {
    ...command,
    async run(args, config) {
      (await import('./modules/index.ts')).installAllModules();
      return command.run(args, config);
    },
  };
}

export const commands: Record<string, Command> = {
  backup: {
    summary: 'Write an encrypted backup of the database and stored files',
    usage: 'anxin backup --out <file>',
    async run(args, config) {
      const { values } = parseArgs({ args, options: { out: { type: 'string' } }, allowPositionals: false });
      if (!values.out) throw new Error('say where to write the backup: --out <file>');
      const keyring = new Keyring(await resolveMasterKey(config));
      const out = values.out;
      const summary = await withDatabase(config, (database) =>
        createBackup(
          database.connectionString,
          keyring,
          out,
          backupFileSourceFactories.map((f) => f(config)),
        ),
      );
      console.log(
        `Backup written to ${out}: ${summary.tables} tables, ${summary.rows} rows, ${summary.files} files (${summary.bytes} bytes).`,
      );
      console.log('It is encrypted with the master key: keep the key, separately, to restore it.');
      return 0;
    },
  },
  restore: {
    summary: 'Restore a backup into a fresh, empty instance (same master key, same version)',
    usage: 'anxin restore --in <file>',
    async run(args, config) {
      const { values } = parseArgs({ args, options: { in: { type: 'string' } }, allowPositionals: false });
      if (!values.in) throw new Error('say which backup to restore: --in <file>');
      const keyring = new Keyring(await resolveMasterKey(config));
      const file = values.in;
      const summary = await withDatabase(config, async (database) => {
        if (!(await isFreshDatabase(database.db))) {
          throw new Error(
            'restore only into a new instance: this database already holds Anxin data (use a fresh ANXIN_DATA_DIR or an empty DATABASE_URL)',
          );
        }
        await migrateToLatest(database.db);
        return restoreBackup(
          database.connectionString,
          keyring,
          file,
          backupFileSourceFactories.map((f) => f(config)),
        );
      });
      console.log(
        `Restored ${summary.tables} tables, ${summary.rows} rows, ${summary.files} files (${summary.bytes} bytes).`,
      );
      return 0;
    },
  },
  evidence: withModules(evidenceCommand),
  reports: withModules(reportsCommand),
  audit: {
    summary: 'Check the audit trail’s hash chain; names the first broken link',
    usage: 'anxin audit verify',
    run: (args, config) => auditCommand(args, () => openDatabase(config, () => undefined)),
  },
  'create-admin': {
    summary: 'Invite a platform administrator (prints a one-time sign-up link)',
    usage: 'anxin create-admin --email <e-mail> --name <name> [--region <code>] [--lang zh-CN|en]',
    run: async (args, config) =>
      createAdminCommand(
        args,
        async () => {
          // A new installation may not have started yet: bring the schema up first.
          const database = await openDatabase(config, () => undefined);
          await migrateToLatest(database.db);
          return database;
        },
        new Keyring(await resolveMasterKey(config)),
        config.publicUrl,
      ),
  },
  migrate: {
    summary: 'Apply every pending database migration',
    usage: 'anxin migrate',
    async run(args, config) {
      parseArgs({ args, options: {}, allowPositionals: false });
      const results = await withDatabase(config, (database) => migrateToLatest(database.db));
      if (results.length === 0) console.log('The database is up to date.');
      for (const r of results) console.log(`applied ${r.migrationName}`);
      return 0;
    },
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: anxin <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(
      ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`,
    ),
    '',
    'Configuration comes from the same environment variables as the server (see README).',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return name ? 0 : 64;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 64;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78;
    }
    throw error;
  }
  try {
    return await command.run(args, config);
  } catch (error) {
    console.error(`anxin ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli.ts')) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
