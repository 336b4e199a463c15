/**
 * The error body every API answer with a 4xx carries (see `ErrorBody` in errors.ts), as a schema, and the
 * 4xx answers every API operation documents: those any route can give (401/404 behind the access gate, 403
 * for a state-changing request without its form token, 400 for bad input, 429 for the global rate limit).
 * Routes that document their own keep them; these fill in the rest.
 */
import { Type } from 'typebox';
import type { RouteAccess } from './route-access.ts';

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String({ description: 'In the caller’s language (Accept-Language: zh-CN first, en)' }),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.String(),
  }),
});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The error answers a route may give, by status, for the ones its schema does not document already. */
export function defaultErrorResponses(
  methods: readonly string[],
  access: RouteAccess,
  schema: Record<string, unknown>,
): Record<number, unknown> {
  const statuses = new Set<number>([429]);
  if (schema.body || schema.querystring || schema.params) statuses.add(400);
  if ('action' in access) {
    statuses.add(401);
    statuses.add(404);
    if (methods.some((m) => UNSAFE.has(m))) statuses.add(403);
  }
  const documented = (schema.response ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    [...statuses]
      .filter((s) => !(String(s) in documented) && !('4xx' in documented))
      .map((s) => [s, ErrorResponse]),
  );
}
