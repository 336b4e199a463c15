/**
 * Backup and restore of a whole instance: every table of the database and every stored file, in one archive
 * that is gzip-compressed and then encrypted with the master key (framed AES-256-GCM, `Keyring.encryptStream`).
 * Restoring needs the same master key — the data keys inside are wrapped by it — and an empty database.
 *
 * The archive is newline-delimited JSON: a header (format, time, migrations), then per table its columns and
 * rows, then files in base64 chunks with their SHA-256, then an end record with counts. Rows are read through
 * a cursor and files streamed, so memory stays flat. Transient state is left out: rate-limit counters, the
 * migration lock, and pg-boss's job tables; outbox rows whose job had not completed are exported as not yet
 * dispatched, so that work is relayed again after a restore (handlers are idempotent).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import type { Keyring } from './crypto.ts';
import type { Config } from '../config.ts';

export const BACKUP_FORMAT = 'anxin-backup/1';
const CONTEXT = 'anxin-backup';
const SKIPPED_TABLES = new Set([
  'rate_limit_counter',
  'guess_throttle',
  'proof_of_work_spent',
  'kysely_migration_lock',
]);
const FILE_CHUNK = 48 * 1024;

/** A store of files to include, byte for byte (evidence is already encrypted at rest). */
export interface BackupFileSource {
  name: string;
  list(): AsyncIterable<{ key: string }>;
  read(key: string): Promise<Readable>;
  write(key: string, body: Readable): Promise<void>;
}

/** Modules that keep files register a factory here (e.g. the evidence store for the configured driver). */
export const backupFileSourceFactories: ((config: Config) => BackupFileSource)[] = [];

export interface BackupSummary {
  tables: number;
  rows: number;
  files: number;
  bytes: number;
}

interface TableInfo {
  name: string;
  columns: string[];
}

async function listTables(client: pg.ClientBase): Promise<TableInfo[]> {
  const { rows } = await client.query<{ table_name: string; columns: string[] }>(`
    select c.relname as table_name,
           array_agg(a.attname::text order by a.attnum) filter (where a.attgenerated = '') as columns
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relkind in ('r', 'p')
    group by c.relname
    order by c.relname`);
  return rows
    .filter((r) => !SKIPPED_TABLES.has(r.table_name))
    .map((r) => ({ name: r.table_name, columns: r.columns }));
}

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
async function dependencyOrder(client: pg.ClientBase, tables: TableInfo[]): Promise<TableInfo[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(`
    select cl.relname as child, pl.relname as parent
    from pg_constraint k
    join pg_class cl on cl.oid = k.conrelid
    join pg_class pl on pl.oid = k.confrelid
    join pg_namespace n on n.oid = cl.relnamespace and n.nspname = 'public'
    where k.contype = 'f' and cl.relname <> pl.relname`);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done' || !byName.has(name)) return;
    if (state.get(name) === 'visiting') return; // a cycle: foreign keys are checked at the end anyway
    state.set(name, 'visiting');
    for (const r of rows) if (r.child === name) visit(r.parent);
    state.set(name, 'done');
    ordered.push(byName.get(name)!);
  };
  for (const t of tables) visit(t.name);
  return ordered;
}

const quote = (identifier: string): string => {
  if (!/^[a-z_][a-z0-9_$]*$/.test(identifier)) throw new Error(`Unexpected identifier ${identifier}`);
  return `"${identifier}"`;
};

async function* backupRecords(
  client: pg.ClientBase,
  sources: BackupFileSource[],
  summary: BackupSummary,
): AsyncGenerator<string> {
  const { rows: migrations } = await client.query<{ name: string }>(
    'select name from kysely_migration order by name',
  );
  yield JSON.stringify({
    kind: 'header',
    format: BACKUP_FORMAT,
    createdAt: new Date().toISOString(),
    migrations: migrations.map((m) => m.name),
  });
  const hasBoss = (await client.query(`select to_regclass('pgboss.job') is not null as present`)).rows[0] as {
    present: boolean;
  };
  for (const table of await dependencyOrder(client, await listTables(client))) {
    summary.tables += 1;
    yield JSON.stringify({ kind: 'table', name: table.name, columns: table.columns });
    const columns = table.columns.map(quote).join(', ');
    let select = `select ${columns} from ${quote(table.name)}`;
    if (table.name === 'outbox' && hasBoss.present) {
      // Work whose job had not completed is exported as not yet dispatched: relayed again after restore.
      select = `select ${table.columns
        .map((c) =>
          c === 'dispatched_at' || c === 'job_id'
            ? `case when exists (select 1 from pgboss.job j where j.id = outbox.job_id and j.state = 'completed') then outbox.${quote(c)} end as ${quote(c)}`
            : `outbox.${quote(c)}`,
        )
        .join(', ')} from outbox`;
    }
    await client.query(
      `declare backup_cursor no scroll cursor for select row_to_json(t) as r from (${select}) t`,
    );
    for (;;) {
      const { rows } = await client.query<{ r: Record<string, unknown> }>('fetch 500 from backup_cursor');
      if (rows.length === 0) break;
      for (const { r } of rows) {
        summary.rows += 1;
        yield JSON.stringify({ kind: 'row', table: table.name, data: r });
      }
    }
    await client.query('close backup_cursor');
  }
  for (const source of sources) {
    for await (const { key } of source.list()) {
      summary.files += 1;
      const hash = createHash('sha256');
      let size = 0;
      yield JSON.stringify({ kind: 'file', store: source.name, key });
      for await (const chunk of await source.read(key)) {
        const buffer = chunk as Buffer;
        for (let offset = 0; offset < buffer.length; offset += FILE_CHUNK) {
          const piece = buffer.subarray(offset, offset + FILE_CHUNK);
          hash.update(piece);
          size += piece.length;
          yield JSON.stringify({ kind: 'chunk', data: piece.toString('base64') });
        }
      }
      summary.bytes += size;
      yield JSON.stringify({ kind: 'file-end', size, sha256: hash.digest('hex') });
    }
  }
  yield JSON.stringify({ kind: 'end', tables: summary.tables, rows: summary.rows, files: summary.files });
}

/** Write an encrypted backup of the database at `connectionString` (and the file sources) to `file`. */
export async function createBackup(
  connectionString: string,
  keyring: Keyring,
  file: string,
  sources: BackupFileSource[] = [],
): Promise<BackupSummary> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const summary: BackupSummary = { tables: 0, rows: 0, files: 0, bytes: 0 };
  try {
    // One snapshot for every table: the backup is consistent even while the app keeps writing.
    await client.query('begin isolation level repeatable read read only');
    const lines = Readable.from(
      (async function* () {
        for await (const record of backupRecords(client, sources, summary)) yield record + '\n';
      })(),
    );
    await pipeline(
      lines,
      createGzip(),
      keyring.encryptStream(CONTEXT),
      createWriteStream(file, { mode: 0o600 }),
    );
    await client.query('commit');
    return summary;
  } finally {
    await client.end();
  }
}

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/**
 * Restore a backup into a database that the caller has just migrated from nothing (`isFreshDatabase` before
 * migrating: never over an instance in use). Everything happens in one transaction: a failure leaves the
 * database as it was. Needs a role that may set `session_replication_role` (a superuser), so triggers (e.g.
 * append-only guards) do not refire on restored rows.
 */
export async function restoreBackup(
  connectionString: string,
  keyring: Keyring,
  file: string,
  sources: BackupFileSource[] = [],
): Promise<BackupSummary> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const summary: BackupSummary = { tables: 0, rows: 0, files: 0, bytes: 0 };
  try {
    const { rows: current } = await client.query<{ name: string }>(
      'select name from kysely_migration order by name',
    );
    await client.query('begin');
    try {
      await client.query("set local session_replication_role = 'replica'");
    } catch {
      throw new RestoreError(
        'Restoring needs a PostgreSQL role that may set session_replication_role (a superuser)',
      );
    }
    // Rows the migrations seeded (e.g. reference lists) are replaced by the backup's own.
    const tables = (await listTables(client)).filter((t) => t.name !== 'kysely_migration');
    if (tables.length) await client.query(`truncate ${tables.map((t) => quote(t.name)).join(', ')}`);
    const plain = createGunzip();
    // Errors anywhere (a wrong key, a changed byte) destroy `plain`, which ends the loop below with them.
    const feeding = pipeline(createReadStream(file), keyring.decryptStream(CONTEXT), plain);
    feeding.catch(() => undefined);
    let table: { name: string; columns: string[] } | undefined;
    let batch: unknown[] = [];
    let currentFile:
      | {
          source: BackupFileSource;
          key: string;
          hash: ReturnType<typeof createHash>;
          size: number;
          sink: Writable;
          done: Promise<void>;
        }
      | undefined;
    let ended = false;
    let skipping = false;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const cols = table.columns.map(quote).join(', ');
      await client.query(
        `insert into ${quote(table.name)} (${cols}) overriding system value select ${cols} from json_populate_recordset(null::${quote(table.name)}, $1)`,
        [JSON.stringify(batch)],
      );
      summary.rows += batch.length;
      batch = [];
    };
    for await (const line of readLines(plain)) {
      if (!line) continue;
      const record = JSON.parse(line) as { kind: string; [k: string]: unknown };
      switch (record.kind) {
        case 'header': {
          if (record.format !== BACKUP_FORMAT)
            throw new RestoreError(`Unknown backup format ${String(record.format)}`);
          const wanted = (record.migrations as string[]).join(',');
          const have = current.map((m) => m.name).join(',');
          if (wanted !== have)
            throw new RestoreError(
              `The backup was made at schema ${wanted}; this database is at ${have}. Restore with the same Anxin version.`,
            );
          break;
        }
        case 'table':
          await flush();
          skipping = record.name === 'kysely_migration';
          if (skipping) {
            table = undefined;
            break;
          }
          table = { name: record.name as string, columns: record.columns as string[] };
          summary.tables += 1;
          break;
        case 'row':
          if (skipping) {
            summary.rows += 1; // migration bookkeeping: checked against the header, not restored
          } else if (table) {
            batch.push(record.data);
            if (batch.length >= 500) await flush();
          }
          break;
        case 'file': {
          await flush();
          const source = sources.find((s) => s.name === record.store);
          if (!source)
            throw new RestoreError(
              `The backup holds files of a store "${String(record.store)}" this instance does not have`,
            );
          const body = new Readable({ read() {} });
          currentFile = {
            source,
            key: record.key as string,
            hash: createHash('sha256'),
            size: 0,
            sink: new Writable(),
            done: source.write(record.key as string, body),
          };
          currentFile.sink = new Writable({
            write(chunk: Buffer, _e, cb) {
              body.push(chunk);
              cb();
            },
            final(cb) {
              body.push(null);
              cb();
            },
          });
          break;
        }
        case 'chunk': {
          if (!currentFile) throw new RestoreError('Malformed backup: data outside a file');
          const data = Buffer.from(record.data as string, 'base64');
          currentFile.hash.update(data);
          currentFile.size += data.length;
          currentFile.sink.write(data);
          break;
        }
        case 'file-end': {
          if (!currentFile) throw new RestoreError('Malformed backup: file end outside a file');
          currentFile.sink.end();
          await currentFile.done;
          if (currentFile.hash.digest('hex') !== record.sha256 || currentFile.size !== record.size) {
            throw new RestoreError(`File ${currentFile.key} in the backup does not match its recorded hash`);
          }
          summary.files += 1;
          summary.bytes += currentFile.size;
          currentFile = undefined;
          break;
        }
        case 'end':
          await flush();
          if (record.rows !== summary.rows)
            throw new RestoreError(`The backup says ${String(record.rows)} rows; ${summary.rows} were read`);
          ended = true;
          break;
        default:
          throw new RestoreError(`Malformed backup: unknown record ${record.kind}`);
      }
    }
    await feeding;
    if (!ended) throw new RestoreError('The backup is incomplete (no end record)');
    // Identity columns continue after the restored ids.
    const { rows: sequences } = await client.query<{ table_name: string; column_name: string }>(`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and (is_identity = 'YES' or column_default like 'nextval(%')`);
    for (const s of sequences) {
      await client.query(
        `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(s.column_name)}) from ${quote(s.table_name)}), 0) + 1, false)`,
        [`public.${quote(s.table_name)}`, s.column_name],
      );
    }
    await client.query('commit');
    return summary;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Lines of a text stream; a stream error ends the iteration with that error. */
async function* readLines(stream: Readable): AsyncGenerator<string> {
  // A multi-byte character (Chinese text) may be split across two chunks: decode across chunk boundaries.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    rest += decoder.write(chunk as Buffer);
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      yield rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  rest += decoder.end();
  if (rest) yield rest;
}
