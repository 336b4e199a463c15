/**
 * Request generation for fuzzing from the OpenAPI document: fast-check arbitraries built from each
 * operation's JSON Schemas. Half the values follow the schema (to reach the handler), half are hostile
 * (wrong types, huge strings, markup, nulls, unknown fields) to exercise validation.
 */
import fc from 'fast-check';
import pg from 'pg';

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
  fc.constantFrom('', ' ', '<script>alert(1)</script>', "'; drop table outbox; --", '\u0000', '../../etc/passwd', '%00', '🙂'.repeat(50), '家暴'.repeat(3000)),
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
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case undefined:
    default:
      return undefined;
  }
}

/** An arbitrary producing values that (mostly) satisfy the schema. */
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostileValue;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1)));
  if (schema.allOf?.length) return fromSchema(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const f = formatted(schema.format);
      if (f) return f;
      if (schema.pattern) {
        // Strings that match the schema's pattern, so a valid request really reaches the handler.
        const max = Math.min(schema.maxLength ?? 200, 200);
        return fc.stringMatching(new RegExp(schema.pattern)).filter((v) => v.length >= (schema.minLength ?? 0) && v.length <= max);
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 6) });
    case 'object':
    case undefined: {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = fromSchema(property, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return hostileValue;
  }
}

/** Valid-looking or hostile, half and half. */
export function fuzzValue(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  return fc.oneof(fromSchema(schema), hostileValue, fromSchema(schema).map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, unexpected: '<b>x</b>' } : v)));
}

/**
 * A fingerprint of everything stored, to prove a rejected request changed nothing. Tables that legitimately
 * change on rejected requests are left out and must be named with the reason.
 */
export async function storedDataFingerprint(url: string, exclude: Record<string, string>): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const parts: string[] = [];
    for (const { table_name } of tables) {
      if (table_name in exclude) continue;
      if (!/^[a-z_][a-z0-9_]*$/.test(table_name)) throw new Error(`odd table name ${table_name}`);
      const { rows } = await client.query<{ h: string | null; n: string }>(
        `select md5(string_agg(t::text, '|' order by t::text)) as h, count(*)::text as n from ${table_name} t`,
      );
      parts.push(`${table_name}:${rows[0]?.n}:${rows[0]?.h ?? ''}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** The first rows (as text) that differ between a table in two databases: a diagnostic for fingerprint mismatches. */
export async function firstDifferingRows(urlA: string, urlB: string, table: string, limit = 3): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`odd table name ${table}`);
  const rows = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ r: string }>(`select t::text as r from ${table} t order by 1`)).rows.map((x) => x.r);
    } finally {
      await client.end();
    }
  };
  const [a, b] = await Promise.all([rows(urlA), rows(urlB)]);
  const inB = new Set(b);
  const inA = new Set(a);
  return [...a.filter((r) => !inB.has(r)).slice(0, limit).map((r) => `only in first: ${r}`), ...b.filter((r) => !inA.has(r)).slice(0, limit).map((r) => `only in second: ${r}`)];
}
