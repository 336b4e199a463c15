/**
 * Request generation for fuzzing from the OpenAPI document: fast-check arbitraries built from each
 * operation's JSON Schemas. Half the values follow the schema (to reach the handler), half are hostile
 * (wrong types, huge strings, markup, nulls, unknown fields) to exercise validation.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import pg from 'pg';
import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
};

const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '<script>alert(1)</script>',
    "'; drop table outbox; --",
    '\u0000',
    '../../etc/passwd',
    '%00',
    '🙂'.repeat(50),
    '家暴'.repeat(3000),
  ),
  fc.string({ maxLength: 300 }),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 5 }),
);

function formatted(format: string | undefined): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case undefined:
    default:
      return undefined;
  }
}

/**
 * An arbitrary producing values that (mostly) satisfy the schema. `ids`: real ids to offer, half the time, where
 * the schema asks for a uuid (an account to assign, a record to link), so that such requests can succeed.
 */
export function fromSchema(
  schema: JsonSchema | undefined,
  depth = 0,
  ids: readonly string[] = [],
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostileValue;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1, ids)));
  if (schema.allOf?.length)
    return fromSchema(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1, ids);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const f = formatted(schema.format);
      if (f) return schema.format === 'uuid' && ids.length ? fc.oneof(fc.constantFrom(...ids), f) : f;
      if (schema.pattern) {
        // Strings that match the schema's pattern, so a valid request really reaches the handler.
        const max = Math.min(schema.maxLength ?? 200, 200);
        const pattern = new RegExp(schema.pattern);
        const matching = fc
          .stringMatching(pattern)
          .filter((v) => v.length >= (schema.minLength ?? 0) && v.length <= max);
        // A date-shaped pattern: real dates too (most strings of that shape, like 2026-19-33, are no day at all).
        return pattern.test('2026-01-01') && !pattern.test('2026-01-01x')
          ? fc.oneof(formatted('date') ?? matching, matching)
          : matching;
      }
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 40, 200),
      });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1, ids), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 6),
      });
    case 'object':
    case undefined: {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = fromSchema(property, depth + 1, ids);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return hostileValue;
  }
}

/** Valid-looking or hostile, half and half. */
export function fuzzValue(
  schema: JsonSchema | undefined,
  ids: readonly string[] = [],
): fc.Arbitrary<unknown> {
  return fc.oneof(
    fromSchema(schema, 0, ids),
    hostileValue,
    fromSchema(schema, 0, ids).map((v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? { ...v, unexpected: '<b>x</b>' } : v,
    ),
  );
}

/**
 * What a rejected request may change, and why: a whole table (`table`), one column of a table
 * (`table.column`: left out of the fingerprint), or some rows (`{ reason, rowsWhere }`: only rows not matching
 * the SQL condition are fingerprinted).
 */
export type ChangeAllowance = Record<string, string | { reason: string; rowsWhere: string }>;

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`odd identifier ${name}`);
  return name;
}

interface TableShape {
  table: string;
  columns: string[];
}

async function tableShapes(client: pg.Client, exclude: ChangeAllowance): Promise<TableShape[]> {
  const { rows } = await client.query<{ table_name: string; columns: string[] }>(
    `select c.table_name, array_agg(c.column_name::text order by c.ordinal_position) as columns
       from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      group by c.table_name order by c.table_name`,
  );
  return rows
    .filter((r) => typeof exclude[r.table_name] !== 'string')
    .map((r) => ({
      table: ident(r.table_name),
      columns: r.columns.map(ident).filter((c) => !(`${r.table_name}.${c}` in exclude)),
    }));
}

/** One query fingerprinting every table (each row as text, excluded columns and rows left out). */
function fingerprintQuery(shapes: TableShape[], exclude: ChangeAllowance): string {
  return shapes
    .map(({ table, columns }) => {
      const allowance = exclude[table];
      const where = typeof allowance === 'object' ? ` where not (${allowance.rowsWhere})` : '';
      const row = `row(${columns.map((c) => `t.${c}`).join(', ')})::text`;
      return `select '${table}' as name, count(*)::text as n, md5(string_agg(${row}, '|' order by ${row})) as h from ${table} t${where}`;
    })
    .join('\nunion all ')
    .concat('\norder by name');
}

/**
 * A fingerprint of everything stored, to prove a rejected request changed nothing. Tables that legitimately
 * change on rejected requests are left out and must be named with the reason.
 */
export async function storedDataFingerprint(url: string, exclude: ChangeAllowance): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fingerprintWith(client, fingerprintQuery(await tableShapes(client, exclude), exclude));
  } finally {
    await client.end();
  }
}

async function fingerprintWith(client: pg.Client, query: string): Promise<string> {
  const { rows } = await client.query<{ name: string; n: string; h: string | null }>(query);
  return rows.map((r) => `${r.name}:${r.n}:${r.h ?? ''}`).join('\n');
}

/**
 * The fuzzer's view of stored data, fast enough to check before and after every request. It installs, in the
 * test's own database, a statement-level trigger on every fingerprinted table (for UPDATE: only of the
 * fingerprinted columns) that bumps a sequence. Sequences are not transactional, so the counter moves with
 * every write statement, even one rolled back: when it has not moved, nothing fingerprinted can have changed
 * and the last fingerprint still holds; when it has, the full fingerprint is computed again.
 */
export class StoredDataWatch {
  private cached: { counter: string; fingerprint: string } | undefined;

  private constructor(
    private readonly client: pg.Client,
    private readonly query: string,
  ) {}

  static async open(url: string, exclude: ChangeAllowance): Promise<StoredDataWatch> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const shapes = await tableShapes(client, exclude);
    await client.query(`create sequence fuzz_write_counter;
      create function fuzz_count_write() returns trigger language plpgsql as $$ begin perform nextval('fuzz_write_counter'); return null; end $$;`);
    for (const { table, columns } of shapes) {
      await client.query(`create trigger fuzz_count_write after insert or delete or truncate on ${table} for each statement execute function fuzz_count_write();
        create trigger fuzz_count_update after update of ${columns.join(', ')} on ${table} for each statement execute function fuzz_count_write();`);
    }
    return new StoredDataWatch(client, fingerprintQuery(shapes, exclude));
  }

  private async counter(): Promise<string> {
    const { rows } = await this.client.query<{ v: string }>(
      `select (last_value * is_called::int)::text as v from fuzz_write_counter`,
    );
    return rows[0]?.v ?? '';
  }

  /**
   * Wait (up to 5 s) until no other connection to this database is inside a writing transaction: a statement bumps
   * the counter before its transaction commits, so a fingerprint taken meanwhile would be cached without that
   * transaction's rows (and its commit blamed on the next request). Between two fuzzed requests nothing should be
   * writing; if something still is after 5 s, the fingerprint is not cached.
   */
  private async settled(): Promise<boolean> {
    for (let i = 0; i < 250; i++) {
      const { rows } = await this.client.query<{ q: string }>(
        `select left(query, 200) as q from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and backend_xid is not null`,
      );
      if (rows.length === 0) return true;
      for (const { q } of rows) this.busy.add(q);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  /** Statements found still writing between two requests (work an earlier request left running): a diagnostic. */
  readonly busy = new Set<string>();

  /** The fingerprint now, and the write counter it belongs to. */
  async snapshot(): Promise<{ counter: string; fingerprint: string }> {
    if (!(await this.settled())) {
      this.cached = undefined;
      return { counter: 'unsettled', fingerprint: await fingerprintWith(this.client, this.query) };
    }
    const counter = await this.counter();
    if (this.cached?.counter !== counter)
      this.cached = { counter, fingerprint: await fingerprintWith(this.client, this.query) };
    return this.cached;
  }

  /** The tables whose fingerprinted rows differ from an earlier snapshot (none: nothing changed). */
  async changesSince(before: { counter: string; fingerprint: string }): Promise<string[]> {
    const now = (await this.snapshot()).fingerprint;
    if (now === before.fingerprint) return [];
    const earlier = new Set(before.fingerprint.split('\n'));
    return now
      .split('\n')
      .filter((line) => !earlier.has(line))
      .map((line) => line.split(':')[0] ?? line);
  }

  /** For a failure message: the last-written rows of the given tables (new row versions sit at the end). */
  async lastRows(tables: string[], limit = 2): Promise<string> {
    const lines: string[] = [];
    for (const table of tables) {
      const { rows } = await this.client.query<{ r: string }>(
        `select left(t::text, 300) as r from ${ident(table)} t order by ctid desc limit ${limit}`,
      );
      lines.push(...rows.map((row) => `${table}: ${row.r}`));
    }
    return lines.join('\n');
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The first rows (as text) that differ between a table in two databases: a diagnostic for fingerprint mismatches. */
export async function firstDifferingRows(
  urlA: string,
  urlB: string,
  table: string,
  limit = 3,
): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`odd table name ${table}`);
  const rows = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ r: string }>(`select t::text as r from ${table} t order by 1`)).rows.map(
        (x) => x.r,
      );
    } finally {
      await client.end();
    }
  };
  const [a, b] = await Promise.all([rows(urlA), rows(urlB)]);
  const inB = new Set(b);
  const inA = new Set(a);
  return [
    ...a
      .filter((r) => !inB.has(r))
      .slice(0, limit)
      .map((r) => `only in first: ${r}`),
    ...b
      .filter((r) => !inA.has(r))
      .slice(0, limit)
      .map((r) => `only in second: ${r}`),
  ];
}

/** An operation of the OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters?: {
    name: string;
    in: 'path' | 'query' | 'header' | 'cookie';
    required?: boolean;
    schema?: JsonSchema;
  }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Every operation of the document (or only those named in FUZZ_OPERATIONS, comma-separated, to chase one failure). */
export async function loadOperations(t: TestApp): Promise<Operation[]> {
  const spec = (await t.app.inject('/api/openapi.json')).json<{
    paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
  }>();
  const only = process.env.FUZZ_OPERATIONS?.split(',');
  return Object.entries(spec.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    )
    .filter((op) => !only || only.includes(op.operationId));
}

/**
 * What a rejected request may change, and why. Everything else is checked before and after every request that
 * ends in a 4xx.
 */
export const CHANGE_ALLOWED: ChangeAllowance = {
  rate_limit_counter: 'every request counts against its network’s limit, accepted or not',
  guess_throttle:
    'a wrong password, code or secret is answered 401 and counted, so the guessing network waits',
  proof_of_work_spent:
    'a help-request proof of work is spent when the request is admitted, before the service may still refuse it',
  kysely_migration_lock: 'migration bookkeeping',
  report_fact_day:
    'the report rollups fold new records in when a report is asked for (derived counts, rebuilt from the records at any time), before the query is judged',
  report_fold_state: 'the watermark of that fold: how far the rollups have read',
  'staff_session.last_seen_at':
    'the gate notes when a session was last used (at most every 30 s), before the request is judged',
  'help_thread_session.last_seen_at':
    'every request made with her thread token keeps the thread open, before the request is judged',
  'help_thread_session.idle_expires_at':
    'as last_seen_at: her idle time-out restarts with every request made with the token',
  audit_event: {
    reason:
      'two audit events are written on purpose for a request that then fails: record.read (the gate allowed the read of a case-level record before the rest of the request is validated: the record was reached) and helpline.callback_refused (who tried to call her outside her rules, answered 409). Any other audit row is checked; rows are append-only (a trigger refuses updates and deletes)',
    rowsWhere: `event in ('record.read', 'helpline.callback_refused')`,
  },
  audit_chain_head: 'moves with every audit row appended (the rows themselves are checked above)',
};

const asText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

export function buildUrl(op: Operation, values: Record<string, unknown>): string {
  let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(asText(values[`path.${name}`] ?? 'x')),
  );
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    const v = values[`query.${p.name}`];
    if (p.in === 'query' && v !== undefined) query.set(p.name, asText(v));
  }
  const qs = query.toString();
  if (qs) url += `?${qs}`;
  return url;
}

/** Real ids for path parameters that name no record type: whatever rows exist when the operation is fuzzed. */
const EXISTING: { path: RegExp; parameter: string; table: string }[] = [
  { path: /\/referrals\//, parameter: 'referralId', table: 'helpline_referral' },
  { path: /^\/api\/desk\/roster\//, parameter: 'id', table: 'helpline_duty_shift' },
  { path: /^\/api\/reports\/published\//, parameter: 'id', table: 'report_publication' },
  { path: /^\/api\/evidence\/uploads\//, parameter: 'uploadId', table: 'evidence_upload' },
];

export async function existingPathValues(t: TestApp, op: Operation): Promise<Record<string, string[]>> {
  const values: Record<string, string[]> = {};
  for (const { path, parameter, table } of EXISTING) {
    if (!path.test(op.path) || !op.path.includes(`{${parameter}}`)) continue;
    const { rows } = await sql<{
      id: string;
    }>`select id::text as id from ${sql.table(table)} order by 1 limit 20`.execute(t.db);
    if (rows.length) values[parameter] = rows.map((r) => r.id);
  }
  return values;
}

export interface FuzzCaller {
  /** Who is asking, for failure messages: a role, "survivor", "anonymous". */
  name: string;
  /** Headers sent with every request (session cookie and form token, a bearer token). */
  headers: Record<string, string>;
  /** Real values to mix into a path parameter (e.g. ids of records this caller may or may not reach). */
  realPathValues?: Record<string, readonly string[]>;
  /** Real ids to offer where a body or query field asks for a uuid (the caller's account, its records). */
  realIds?: readonly string[];
  /** Per operation: real record ids to put, half the time, into the body fields that name records (`access.body`). */
  bodyIds?: (op: Operation) => Record<string, readonly string[]>;
  /** Told of every answer with the body sent (e.g. to count 2xx answers that named a record out of scope). */
  onAnswer?: (op: Operation, body: unknown, status: number) => void;
}

export interface FuzzTally {
  requests: number;
  /** Answers by status class, e.g. { '2xx': 10, '4xx': 200 }. */
  byClass: Record<string, number>;
  /** Operations that answered 2xx at least once (the fuzzer got through to the handler and past it). */
  accepted: Set<string>;
}

export const newTally = (): FuzzTally => ({ requests: 0, byClass: {}, accepted: new Set() });

/**
 * Generated requests for an operation: half of them valid throughout (every parameter and the body from the
 * schema, optional query parameters sometimes left out, real path ids half the time) so that handlers are
 * reached past validation; half with each value valid or hostile (see `fuzzValue`).
 */
function requestArbitrary(
  op: Operation,
  realPathValues: Record<string, readonly string[]>,
  ids: readonly string[],
  bodyIds: Record<string, readonly string[]> = {},
): fc.Arbitrary<{ params: Record<string, unknown>; body: unknown }> {
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const build = (
    value: (schema: JsonSchema | undefined, ids: readonly string[]) => fc.Arbitrary<unknown>,
  ) => {
    const parameters: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const p of op.parameters ?? []) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      const key = `${p.in}.${p.name}`;
      const real = p.in === 'path' ? (realPathValues[p.name] ?? []) : [];
      parameters[key] = real.length
        ? fc.oneof(fc.constantFrom(...real), value(p.schema, ids))
        : value(p.schema, ids);
      if (p.in === 'path' || p.required) required.push(key);
    }
    return fc.record({
      params: fc.record(parameters, { requiredKeys: required }),
      body: op.requestBody ? value(bodySchema, ids) : fc.constant(undefined),
    });
  };
  const requests = fc.oneof(
    build((schema, ids) => fromSchema(schema, 0, ids)),
    build((schema, ids) => fuzzValue(schema, ids)),
  );
  const fields = Object.entries(bodyIds).filter(([, values]) => values.length > 0);
  if (!fields.length) return requests;
  // Record ids in the body fields that name records, half the time each: the gate's body check is what decides.
  const picks = fc.record(
    Object.fromEntries(
      fields.map(([field, values]) => [field, fc.option(fc.constantFrom(...values), { nil: undefined })]),
    ),
  );
  return fc.tuple(requests, picks).map(([request, picked]) => {
    if (!request.body || typeof request.body !== 'object' || Array.isArray(request.body)) return request;
    const chosen = Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
    return { ...request, body: { ...(request.body as Record<string, unknown>), ...chosen } };
  });
}

/**
 * Fuzz one operation as one caller for `runs` generated requests: no 5xx, and a request answered with a 4xx
 * changes nothing stored (outside `CHANGE_ALLOWED`).
 */
export async function fuzzOperation(
  t: TestApp,
  watch: StoredDataWatch,
  op: Operation,
  caller: FuzzCaller,
  runs: number,
  tally?: FuzzTally,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      requestArbitrary(op, caller.realPathValues ?? {}, caller.realIds ?? [], caller.bodyIds?.(op)),
      async ({ params, body }) => {
        const before = await watch.snapshot();
        const url = buildUrl(op, params);
        const res = await t.app.inject({
          method: op.method as 'GET',
          url,
          // A different network per request, so per-route limits (e.g. 60 help requests an hour from one
          // network) do not turn the fuzzer away before it reaches the handlers.
          remoteAddress: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
          headers: {
            ...caller.headers,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
        });
        caller.onAnswer?.(op, body, res.statusCode);
        if (tally) {
          tally.requests += 1;
          const cls = `${Math.floor(res.statusCode / 100)}xx`;
          tally.byClass[cls] = (tally.byClass[cls] ?? 0) + 1;
          if (cls === '2xx') tally.accepted.add(op.operationId);
        }
        const what = `${op.operationId} as ${caller.name} (${op.method} ${url})`;
        if (process.env.FUZZ_DEBUG && caller.name === process.env.FUZZ_DEBUG)
          console.log(
            'DBG',
            res.statusCode,
            what,
            JSON.stringify(body)?.slice(0, 150),
            res.body.slice(0, 200),
          );
        expect(res.statusCode, `${what} answered ${res.statusCode}: ${res.body.slice(0, 300)}`).toBeLessThan(
          500,
        );
        if (res.statusCode >= 400) {
          const changed = await watch.changesSince(before);
          if (changed.length)
            expect.fail(
              `${what} changed stored data on a ${res.statusCode}: ${res.body.slice(0, 300)}\nchanged: ${changed.join(', ')}\n${await watch.lastRows(changed)}`,
            );
        }
      },
    ),
    { numRuns: runs, endOnFailure: true },
  );
}

/** A help request filed through the API as she would (a fresh network each time): its case code, secret and id. */
export async function fileHelpRequest(
  t: TestApp,
): Promise<{ caseCode: string; secret: string; helpRequestId: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/help/requests',
    remoteAddress: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
    payload: {
      requestType: 'domestic_violence',
      narrative: '他打我，孩子也看见了。',
      province: '11',
      forms: ['physical'],
      relationship: 'spouse',
      consentSensitive: true,
      contact: {
        channel: 'phone',
        phone: '13800138000',
        windows: [{ from: '09:00', to: '11:00' }],
        codeWord: '买菜',
        noVoicemail: true,
        noSms: true,
      },
    },
  });
  if (res.statusCode !== 201)
    throw new Error(`filing a help request answered ${res.statusCode}: ${res.body}`);
  const { caseCode, secret } = res.json<{ caseCode: string; secret: string }>();
  const row = await t.db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', '=', caseCode)
    .executeTakeFirstOrThrow();
  return { caseCode, secret, helpRequestId: row.id };
}
