/**
 * Guards every route gets before its own validation.
 *
 * Control characters in a query or path value (a NUL cannot even be stored as text in PostgreSQL) are refused
 * with a 400 naming the field, before any handler sees them: one rule instead of one per parameter (the
 * fuzzer found a NUL reaching the database through two different parameters).
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
    if (fields.length) throw new AppError('VALIDATION', { fields });
  });
}
