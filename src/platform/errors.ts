/**
 * One error style for the whole app: a code from this list, mapped to an HTTP status and to a message in
 * both languages. Routes throw `AppError`; the error handler answers JSON for the API and a page for pages.
 * 5xx answers never carry internal messages.
 */
import type { MessageKey, MessageParams } from './i18n/catalog.ts';

export const ERROR_CODES = {
  VALIDATION: { status: 400, message: 'error.validation' },
  CSRF: { status: 403, message: 'error.csrf' },
  UNAUTHENTICATED: { status: 401, message: 'error.unauthenticated' },
  FORBIDDEN: { status: 403, message: 'error.forbidden' },
  NOT_FOUND: { status: 404, message: 'error.notFound' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'error.methodNotAllowed' },
  CONFLICT: { status: 409, message: 'error.conflict' },
  /** An NGO-filed application waits for her answer on each evidence item (orders.consent.ts). */
  CONSENT_PENDING: { status: 409, message: 'orders.consent.waiting' },
  BODY_TOO_LARGE: { status: 413, message: 'error.bodyTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'error.unsupportedMediaType' },
  LOCKED: { status: 423, message: 'error.locked' },
  RATE_LIMITED: { status: 429, message: 'error.rateLimited' },
  INTERNAL: { status: 500, message: 'error.internal' },
  UNAVAILABLE: { status: 503, message: 'error.unavailable' },
  EVIDENCE_AWAITING_CHECK: { status: 409, message: 'evidence.awaitingCheck.staff' },
  /** A write while the database is away: nothing was saved, and what she wrote is still on her page. */
  SAVE_UNAVAILABLE: { status: 503, message: 'error.saveUnavailable' },
} as const satisfies Record<string, { status: number; message: MessageKey }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A field-level problem, named by its path in the input (e.g. `contact.phone`). */
export interface FieldProblem {
  field: string;
  message: MessageKey;
  params?: MessageParams;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly options: {
      /** A message clearer than the code's own (e.g. why a CONFLICT happened); same params. */
      message?: MessageKey;
      params?: MessageParams;
      fields?: FieldProblem[];
      cause?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
  }
}

export const notFound = (): AppError => new AppError('NOT_FOUND');
export const validationError = (fields: FieldProblem[]): AppError => new AppError('VALIDATION', { fields });

/** The JSON body every API error has. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    fields?: { field: string; message: string }[];
    requestId: string;
  };
}
