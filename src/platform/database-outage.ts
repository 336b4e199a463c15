/**
 * The database being away is an outage, not a bug: requests that needed it are answered 503 with
 * `Retry-After` and words she can act on ("could not save, try again; what you wrote is still on the page"),
 * never 500 INTERNAL. A form post from a page is answered with a page that still holds what she sent, ready
 * to send again (`outageRetryForm` in http-errors.tsx).
 */
import type { FastifyRequest } from 'fastify';
import { pingDatabase, type Db } from '../db/database.ts';
import { AppError } from './errors.ts';

/** Seconds a client is asked to wait before trying again while the database is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 10;

// PostgreSQL SQLSTATEs that mean "no usable connection", not "your statement was wrong": class 08
// (connection exception), 57P01–57P03 (shut down by an administrator, crashed, cannot connect now), 53300
// (too many connections), 3D000 (the database is gone).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);
// node-postgres's own words for a connection that could not be made or was lost.
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end',
  'is not currently accepting connections',
  'the database system is',
];

/** True when an error (or its cause) says the database could not be reached, rather than refused a statement. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || NETWORK_ERRORS.has(code))
  )
    return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((words) => message.includes(words))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true; // AggregateError
  return isDatabaseUnavailable(cause, depth + 1);
}

/**
 * The outage answer for a request, when the error that failed it was the database being away: recognised by
 * the error itself, or — for a failure no rule above knows — by the database not answering a ping now.
 */
export async function outageError(
  request: FastifyRequest,
  error: unknown,
  db: Db,
): Promise<AppError | undefined> {
  if (!isDatabaseUnavailable(error) && (await pingDatabase(db, 1_000))) return undefined;
  const writes = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  return new AppError(writes ? 'SAVE_UNAVAILABLE' : 'UNAVAILABLE', {
    cause: error,
    headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) },
  });
}
