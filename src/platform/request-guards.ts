/**
 * Guards every route gets before its own validation.
 *
 * Control characters in a query or path value (a NUL cannot even be stored as text in PostgreSQL) are refused
 * with a 400 naming the field, before any handler sees them: one rule instead of one per parameter (the
 * fuzzer found a NUL reaching the database through two different parameters). In a JSON or form body, line
 * breaks and tabs are her words and stay; a NUL, which no text column can hold, is refused the same way
 * wherever it sits (the fuzzer found one reaching the directory through a body).
 */
import type { FastifyInstance } from 'fastify';
import { AppError, type FieldProblem } from './errors.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export function registerControlCharacterGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const fields: FieldProblem[] = [];
    for (const values of [request.params, request.query]) {
      if (!values || typeof values !== 'object') continue;
      for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
        const list: unknown[] = Array.isArray(value) ? value : [value];
        if (list.some((v) => typeof v === 'string' && CONTROL.test(v)))
          fields.push({ field: name, message: 'validation.invalid' });
      }
    }
    if (request.body !== null && typeof request.body === 'object') nulsIn(request.body, '', fields, 0);
    if (fields.length) throw new AppError('VALIDATION', { fields });
  });
}

/** Each string in a parsed body holding a NUL, named by its path (`contact.phone`, `items.2`). */
function nulsIn(value: unknown, path: string, fields: FieldProblem[], depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) fields.push({ field: path || 'body', message: 'validation.invalid' });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > 20) return;
  // Plain data only (JSON and form bodies); uploads and streams are not walked.
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>))
    nulsIn(child, path ? `${path}.${key}` : key, fields, depth + 1);
}
