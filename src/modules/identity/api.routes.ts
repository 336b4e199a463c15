/**
 * The identity JSON API: who is signed in (with the form token API clients send as `x-csrf-token`), and
 * break-glass grants. Page flows for signing in live in auth.routes.tsx.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { BREAK_GLASS_MS } from './principals.ts';
import { auditActorFrom, recordAudit } from '../../platform/audit.ts';
import type { IdentityDeps } from './identity.service.ts';
import { evaluateAccess } from '../../platform/access-policy.ts';
import { clearSignInThrottle } from './throttle-clear.ts';

const SessionView = Type.Object({
  accountId: Type.String(),
  displayName: Type.String(),
  locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
  organisation: Type.Object({
    id: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    regionCode: Type.String(),
  }),
  roles: Type.Array(Type.String()),
  csrfToken: Type.String({
    description: 'Send as the x-csrf-token header with every state-changing request',
  }),
});

const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() }),
});

export function apiRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get(
    '/api/staff/session',
    {
      config: { access: { action: 'identity.session.read' } },
      schema: {
        operationId: 'getStaffSession',
        tags: ['identity'],
        summary: 'The signed-in staff member, their organisation and roles',
        response: { 200: SessionView },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      return {
        accountId: staff.accountId,
        displayName: staff.displayName,
        locale: staff.locale,
        organisation: {
          id: staff.organisationId,
          name: staff.organisationName,
          kind: staff.organisationKind,
          regionCode: staff.regionCode,
        },
        roles: staff.roles,
        csrfToken: staff.csrfToken,
      };
    },
  );

  app.post(
    '/api/staff/break-glass',
    {
      config: { access: { action: 'access.breakGlass.request' } },
      schema: {
        operationId: 'requestBreakGlass',
        tags: ['identity'],
        summary:
          'Open a record outside one’s assignments for 15 minutes, giving a reason; flagged for review',
        body: Type.Object({
          recordType: Type.String({ maxLength: 60 }),
          recordId: Type.String({ maxLength: 100 }),
          reason: Type.String({ minLength: 10, maxLength: 500 }),
        }),
        response: { 201: Type.Object({ expiresAt: Type.String({ format: 'date-time' }) }) },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const { recordType, recordId, reason } = request.body as {
        recordType: string;
        recordId: string;
        reason: string;
      };
      const type = app.recordTypes.get(recordType);
      const placement = type ? await type.locate(app.db, recordId) : undefined;
      const actor = {
        accountId: staff.accountId,
        organisationId: staff.organisationId,
        regionCode: staff.regionCode,
        roles: staff.roles,
      };
      if (!placement || !evaluateAccess(actor, 'access.breakGlass.request', placement).allowed)
        throw new AppError('NOT_FOUND');
      const expiresAt = new Date(Date.now() + BREAK_GLASS_MS);
      await app.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('staff_break_glass')
          .values({
            session_id: staff.sessionId,
            account_id: staff.accountId,
            record_type: recordType,
            record_id: recordId,
            reason: reason.trim(),
            expires_at: expiresAt,
          })
          .execute();
        await recordAudit(trx, {
          event: 'access.break_glass_granted',
          actor: auditActorFrom(request),
          record: { type: recordType, id: recordId },
          details: { minutes: BREAK_GLASS_MS / 60_000 },
          breakGlass: true,
          reason: reason.trim(),
        });
      });
      return reply.status(201).send({ expiresAt: expiresAt.toISOString() });
    },
  );

  app.delete(
    '/api/staff/accounts/:id/sign-in-throttle',
    {
      config: { access: { action: 'identity.account.clearThrottle', record: 'staff_account' } },
      schema: {
        operationId: 'clearSignInThrottle',
        tags: ['identity'],
        summary:
          'Clear the waits that wrong passwords and second-factor codes put on an account, from every network (audited)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            counters: Type.Integer({ description: 'Counters removed; 0 when nothing was throttled' }),
          }),
          404: ErrorResponse,
        },
      },
    },
    async (request) => ({
      counters: await clearSignInThrottle(
        deps,
        (request.params as { id: string }).id,
        auditActorFrom(request),
      ),
    }),
  );
}
