/**
 * Structured logs (pino). Personal data never reaches a log: request logs carry method, route pattern,
 * status and timing — no query string, no body, no IP, no cookies — and known personal fields are redacted
 * wherever they appear in a logged object.
 */
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.ts';

/** Field names that may hold personal data or secrets, redacted at any depth up to two levels. */
export const REDACTED_FIELDS = [
  'password',
  'newPassword',
  'secret',
  'token',
  'totp',
  'totpSecret',
  'recoveryCodes',
  'cookie',
  'authorization',
  'name',
  'fullName',
  'phone',
  'email',
  'address',
  'idNumber',
  'narrative',
  'body',
  'codeWord',
  'contact',
  'wechat',
  'ip',
  'userAgent',
  'detail',
  'parameters',
  'DATABASE_URL',
  'databaseUrl',
  'masterKey',
  'ANXIN_MASTER_KEY',
] as const;

const redactPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

/** What a request matching no route is logged as, instead of its path. */
export const NO_ROUTE = '(no route)';

export function loggerOptions(
  level: LogLevel,
  destination?: NodeJS.WritableStream,
): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req(request: { method: string; url: string; id: string; routeOptions?: { url?: string } }) {
        // The route pattern (/cases/:id), never the concrete URL, which could carry identifiers; a request
        // matching no route has no pattern, and its path (which could hold a case code) is not logged either.
        return {
          method: request.method,
          route: request.routeOptions?.url ?? NO_ROUTE,
          id: request.id,
        };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
    },
    ...(destination ? { stream: destination } : {}),
  };
}
