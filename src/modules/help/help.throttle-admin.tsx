/**
 * A platform admin clears the waits wrong secrets put on a case code (from every network), for example after
 * the desk confirmed her code word on the phone and she says she cannot open her thread. One use case for the
 * API operation (`clearCaseCodeThrottle`) and the console page (`/staff/help/throttle`); the clearing and its
 * audit event (the help request's id, never the code) are one transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { auditActorFrom, recordAudit, type AuditActor } from '../../platform/audit.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { CsrfField, FormError, Notice, StaffBar } from '../identity/components.tsx';
import { extendAccessPolicy } from '../../platform/access-policy.ts';
import { CASE_CODE, normalizeCaseCode } from './help.model.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'help.throttle_cleared': { counters: number };
  }
}

const ACTION = 'help.throttle.clear';
const PAGE = '/staff/help/throttle';

/** Returns how many counters were removed; NOT_FOUND when no help request has this code. */
export async function clearCaseCodeThrottle(
  db: Db,
  rateLimiter: RateLimiter,
  rawCode: string,
  actor: AuditActor,
): Promise<number> {
  const caseCode = normalizeCaseCode(rawCode);
  if (!CASE_CODE.test(caseCode)) throw new AppError('NOT_FOUND');
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('help_request')
      .select('id')
      .where('case_code', '=', caseCode)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND');
    const counters = await rateLimiter.guesses.clearSubject('help.open', caseCode, trx);
    await recordAudit(trx, {
      event: 'help.throttle_cleared',
      actor,
      record: { type: 'help_request', id: row.id },
      details: { counters },
    });
    return counters;
  });
}

const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() }),
});

export function throttleAdminRoutes(app: FastifyInstance): void {
  extendAccessPolicy({ [ACTION]: { roles: { platform_admin: 'all' } } });
  app.staffConsoleLinks.push({ action: ACTION, href: PAGE, label: 'help.throttleAdmin.title' });

  app.post(
    '/api/help/throttle/clear',
    {
      config: { access: { action: ACTION } },
      schema: {
        operationId: 'clearCaseCodeThrottle',
        tags: ['help'],
        summary:
          'Clear the waits wrong secrets put on a case code, from every network (platform admins; audited)',
        body: Type.Object(
          { caseCode: Type.String({ minLength: 1, maxLength: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ counters: Type.Integer() }), 404: ErrorResponse },
      },
    },
    async (request) => ({
      counters: await clearCaseCodeThrottle(
        app.db,
        app.rateLimiter,
        (request.body as { caseCode: string }).caseCode,
        auditActorFrom(request),
      ),
    }),
  );

  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { notice?: string; error?: string; status?: number } = {},
  ) =>
    sendPage(request, reply, {
      survivor: false,
      status: options.status ?? 200,
      title: request.t('help.throttleAdmin.title'),
      body: (
        <>
          <StaffBar request={request} />
          <h1>{request.t('help.throttleAdmin.title')}</h1>
          <p class="lead">{request.t('help.throttleAdmin.lead')}</p>
          {options.notice && <Notice>{options.notice}</Notice>}
          {options.error && <FormError>{options.error}</FormError>}
          <form method="post" action={request.localePath(PAGE)} class="stack" autocomplete="off">
            <CsrfField token={requireStaff(request).csrfToken} />
            <label for="caseCode">{request.t('help.throttleAdmin.caseCode')}</label>
            <input id="caseCode" name="caseCode" required maxLength={20} autocomplete="off" />
            <button type="submit" class="button">
              {request.t('help.throttleAdmin.submit')}
            </button>
          </form>
        </>
      ),
    });

  app.get(PAGE, { config: { access: { action: ACTION } }, schema: { hide: true } }, async (request, reply) =>
    page(request, reply),
  );

  app.post(
    PAGE,
    {
      config: { access: { action: ACTION }, operation: 'clearCaseCodeThrottle' },
      schema: {
        hide: true,
        body: Type.Object({
          _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          caseCode: Type.String({ maxLength: 20 }),
        }),
      },
    },
    async (request, reply) => {
      try {
        await clearCaseCodeThrottle(
          app.db,
          app.rateLimiter,
          (request.body as { caseCode: string }).caseCode,
          auditActorFrom(request),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND')
          return page(request, reply, { error: request.t('help.throttleAdmin.unknown'), status: 404 });
        throw error;
      }
      return page(request, reply, { notice: request.t('help.throttleAdmin.done') });
    },
  );
}
