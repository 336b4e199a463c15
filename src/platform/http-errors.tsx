/**
 * The one error handler: every thrown error becomes an `AppError` code, answered as JSON for the API
 * (`{ error: { code, message, fields, requestId } }`) or as a page in the user's language otherwise.
 * Nothing internal (stack, SQL, driver message) ever reaches the user; 5xx errors are logged with the
 * request id so staff can find them.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { outageError } from './database-outage.ts';
import { AppError, ERROR_CODES, type ErrorBody, type FieldProblem } from './errors.ts';
import type { MessageKey } from './i18n/catalog.ts';
import { sendPage } from './render/page.tsx';

interface AjvIssue {
  instancePath?: string;
  keyword: string;
  params?: Record<string, unknown>;
}

const AJV_MESSAGES: Record<string, MessageKey> = {
  required: 'validation.required',
  maxLength: 'validation.tooLong',
  minLength: 'validation.tooShort',
  type: 'validation.type',
  format: 'validation.format',
  pattern: 'validation.format',
  enum: 'validation.choice',
  const: 'validation.choice',
  anyOf: 'validation.invalid',
  maxItems: 'validation.tooMany',
  minimum: 'validation.range',
  maximum: 'validation.range',
  exclusiveMinimum: 'validation.range',
  exclusiveMaximum: 'validation.range',
  additionalProperties: 'validation.unknownField',
};

export function fieldProblemsFromAjv(issues: AjvIssue[]): FieldProblem[] {
  return issues.map((issue) => {
    const base = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const missing = issue.params?.missingProperty;
    const extra = issue.params?.additionalProperty;
    const field = [base, typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : '']
      .filter(Boolean)
      .join('.');
    const limit = issue.params?.limit;
    return {
      field: field || '(body)',
      message: AJV_MESSAGES[issue.keyword] ?? 'validation.invalid',
      ...(typeof limit === 'number' ? { params: { limit } } : {}),
    };
  });
}

/** Map anything thrown to an AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyError & { validation?: AjvIssue[] };
  if (Array.isArray(fe.validation))
    return new AppError('VALIDATION', { fields: fieldProblemsFromAjv(fe.validation), cause: error });
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION', {
        fields: [{ field: '(body)', message: 'validation.invalid' }],
        cause: error,
      });
    default:
      break;
  }
  if (fe.statusCode === 400 || (fe instanceof SyntaxError && fe.statusCode === undefined && 'body' in fe)) {
    return new AppError('VALIDATION', {
      fields: [{ field: '(body)', message: 'validation.invalid' }],
      cause: error,
    });
  }
  if (fe.statusCode === 404) return new AppError('NOT_FOUND', { cause: error });
  if (fe.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED', { cause: error });
  if (fe.statusCode === 413) return new AppError('BODY_TOO_LARGE', { cause: error });
  if (fe.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', { cause: error });
  if (fe.statusCode === 429) return new AppError('RATE_LIMITED', { params: { seconds: 60 }, cause: error });
  if (fe.statusCode === 503) return new AppError('UNAVAILABLE', { cause: error });
  return new AppError('INTERNAL', { cause: error });
}

export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function errorBody(request: FastifyRequest, error: AppError): ErrorBody {
  const message = error.options.message ?? ERROR_CODES[error.code].message;
  const fields = error.options.fields?.map((f) => ({
    field: f.field,
    message: request.t('error.validation.field', { field: f.field, problem: request.t(f.message, f.params) }),
  }));
  return {
    error: {
      code: error.code,
      message: request.t(message, error.options.params),
      ...(fields?.length ? { fields } : {}),
      requestId: request.id,
    },
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
  const body = errorBody(request, error);
  if (wantsJson(request))
    return reply.status(error.status).type('application/json; charset=utf-8').send(body);
  return sendPage(request, reply, {
    status: error.status,
    title: request.t('error.title'),
    body: (
      <>
        <h1>{request.t('error.title')}</h1>
        <p role="alert">{body.error.message}</p>
        {body.error.fields && (
          <ul class="errors">
            {body.error.fields.map((f) => (
              <li>{f.message}</li>
            ))}
          </ul>
        )}
        {error.code === 'SAVE_UNAVAILABLE' && <RetryForm request={request} />}
        <p>
          <a href={request.localePath('/')}>{request.t('error.backHome')}</a>
        </p>
      </>
    ),
  });
}

/** Fields never written back into a page, even to resend: a secret she typed is typed again. */
const NOT_KEPT = /password|secret|totp|recovery/i;

/**
 * What she sent in a form, kept on the outage page as a form that sends it again unchanged (to the same
 * address, with the same form token). Only for plain form posts; nothing here was stored.
 */
function RetryForm({ request }: { request: FastifyRequest }) {
  const body = request.body;
  if (
    !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ||
    !body ||
    typeof body !== 'object'
  )
    return null;
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (NOT_KEPT.test(name)) continue;
    for (const one of Array.isArray(value) ? value : [value])
      if (typeof one === 'string') fields.push([name, one]);
  }
  return (
    <form method="post" action={request.originalUrl} autocomplete="off">
      <p>{request.t('error.retry.lead')}</p>
      {fields.map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button class="button" type="submit">
        {request.t('error.retry.submit')}
      </button>
    </form>
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    let appError = toAppError(error);
    // The database being away is an outage she can wait out, not an internal error.
    if (appError.code === 'INTERNAL') appError = (await outageError(request, error, app.db)) ?? appError;
    if (appError.code === 'UNAVAILABLE' || appError.code === 'SAVE_UNAVAILABLE') {
      // An outage or a stop in progress: expected, and logged once elsewhere (/readyz, the shutdown steps).
      request.log.warn({ code: appError.code }, 'request refused: unavailable');
    } else if (appError.status >= 500) {
      request.log.error({ err: error, code: appError.code }, 'request failed');
    }
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler({ preHandler: app.rateLimit ? app.rateLimit() : undefined }, (request, reply) =>
    sendError(request, reply, new AppError('NOT_FOUND')),
  );
}
