/**
 * Opaque cursors for keyset-paginated lists: the sort key of the last item a page showed, as base64url JSON.
 * Clients pass it back unchanged (`cursor`); anything that does not decode to the expected shape is a
 * validation error on the `cursor` field, and changes nothing.
 */
import { AppError } from './errors.ts';

export function encodeCursor(key: Record<string, string | number | boolean | null>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key inside a cursor, when every field named in `fields` is a string; else a VALIDATION error. */
export function decodeCursor<K extends string>(cursor: string, fields: readonly K[]): Record<K, string> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const record = value as Record<string, unknown> | undefined;
  if (
    typeof record !== 'object' ||
    record === null ||
    !fields.every((f) => typeof record[f] === 'string' && record[f].length <= 100)
  )
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'validation.format' }] });
  return Object.fromEntries(fields.map((f) => [f, record[f] as string])) as Record<K, string>;
}

/** Page size: the asked-for limit within [1, max], else the default. */
export const pageSize = (limit: number | undefined, fallback = 50, max = 200): number =>
  Math.min(Math.max(limit ?? fallback, 1), max);

/** A timestamptz as PostgreSQL prints it (`2026-03-01 10:00:00.123456+08`): the exact key of a keyset cursor. */
export const isDbTimestamp = (value: string): boolean =>
  /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?[+-][0-9]{2}(:[0-9]{2}){0,2}$/.test(
    value,
  );
