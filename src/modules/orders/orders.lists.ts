/**
 * What the orders lists share (issue 14): opaque cursors for keyset pagination, page sizes, the receipt number
 * an application is found by before it has a case number, and the audit of a list read (one event for the
 * search, naming which filters were used but never their values, and a `record.read` per case shown).
 */
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 100;

export const PageQuery = {
  cursor: Type.Optional(
    Type.String({ maxLength: 400, description: 'Opaque: the `nextCursor` of the previous page' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT })),
};
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` for the next page; null on the last page',
});

/** The sort key of the last row shown, as an opaque token (its parts are database text, compared as such). */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

const CURSOR_PARTS = {
  /** A timestamptz as PostgreSQL writes it (ISO DateStyle), or infinity for "not yet". */
  time: /^(-?infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
} as const;

/** A date and time that exists (the pattern lets 2026-02-31 25:61 through; PostgreSQL would refuse it). */
function realTime(part: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(part);
  if (!m) return true;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return (
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === se
  );
}

/** The parts of a cursor this list gave out; anything else is bad input (400), never a silent first page. */
export function decodeCursor(
  cursor: string | undefined,
  parts: readonly (keyof typeof CURSOR_PARTS)[],
): string[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== parts.length ||
    !value.every((p, i) => typeof p === 'string' && CURSOR_PARTS[parts[i]!].test(p) && realTime(p))
  )
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'orders.problem.cursor' }] });
  return value as string[];
}

/** One more row than the page is read; answers the page and the cursor after its last row. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  key: (row: T) => string[],
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(key(page[page.length - 1] as T)) };
}

/**
 * The receipt number of an application: the first twelve hex digits of its id, grouped by four
 * (`3F2A-9C1B-77D0`). Given when it is filed, before the court gives a case number; it names nothing.
 */
export function receiptNumber(applicationId: string): string {
  const hex = applicationId.replace(/-/g, '').slice(0, 12).toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

/** The id prefix (`xxxxxxxx-xxxx`) a receipt number stands for; 400 when it is not one. */
export function receiptPrefix(value: string): string {
  const hex = value.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex))
    throw new AppError('VALIDATION', {
      fields: [{ field: 'receiptNumber', message: 'orders.problem.receiptNumber' }],
    });
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}

/**
 * A list read, audited in one transaction: the search (which filters, how many rows) and each case shown.
 * Searches by name or ID number are logged by the filters' names, never their values.
 */
export async function auditListRead(
  db: Db,
  actor: AuditActor,
  list: string,
  action: string,
  filters: Record<string, unknown>,
  records: { type: string; id: string }[],
): Promise<void> {
  const used = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k]) => k)
    .sort()
    .join(',');
  await db.transaction().execute(async (trx) => {
    await recordAudit(trx, {
      event: 'orders.list_read',
      actor,
      details: { list, filters: used, count: records.length },
    });
    for (const record of records)
      await recordAudit(trx, { event: 'record.read', actor, record, details: { action } });
  });
}
