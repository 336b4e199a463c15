/**
 * Record ids are UUIDs. A string shaped loosely like one (36 hex digits and dashes in any order) is not: PostgreSQL
 * refuses to cast it, so every id a caller supplies is checked with `isUuid` before it reaches a query (the
 * gate locates records before the route's schema has validated the path).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
