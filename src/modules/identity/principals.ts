/**
 * Who is calling, for the platform's access gate (src/platform/access-guard.ts): the staff member behind the
 * session cookie, or the system behind a bearer token, and the break-glass grants a session holds. Identity
 * implements the gate's `PrincipalSource` here and passes it to `registerAccessGuard`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { PrincipalSource } from '../../platform/access-guard.ts';
import { recordAuditAlone } from '../../platform/audit.ts';
import { AppError } from '../../platform/errors.ts';
import type { StaffContext } from '../../platform/staff.ts';
import { loadStaffSession, type SessionKeys } from './sessions.ts';
import {
  looksLikeJwt,
  systemAuditActor,
  verifySystemToken,
  type SystemClientKeys,
  type SystemPrincipal,
} from './system-clients.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The system client behind this request's bearer token (even a revoked one: its calls are audited). */
    systemCaller: SystemPrincipal | undefined;
  }
  interface FastifyInstance {
    sessionKeys: SessionKeys;
    systemClientKeys: SystemClientKeys;
  }
}

/** How long a break-glass grant lasts. */
export const BREAK_GLASS_MS = 15 * 60_000;

/** The identity module's answer to the gate's "who is calling?". */
export function identityPrincipals(app: FastifyInstance): PrincipalSource {
  app.decorateRequest('systemCaller', undefined);
  return {
    async authenticate(request) {
      const bearer = systemBearer(request);
      return bearer !== undefined
        ? await loadSystemPrincipal(request, bearer)
        : await loadStaffSession(request, app.db, app.sessionKeys);
    },
    breakGlassReason: (staff, recordType, recordId) =>
      liveBreakGlassReason(app.db, staff, recordType, recordId),
  };
}

/** A system's access token on an API request (survivor thread tokens are opaque, never three-part JWTs). */
function systemBearer(request: FastifyRequest): string | undefined {
  if (!request.url.startsWith('/api/')) return undefined;
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] && looksLikeJwt(match[1]) ? match[1] : undefined;
}

/** The system behind a bearer token as the request's principal; refused (401) when the token is bad or revoked. */
async function loadSystemPrincipal(request: FastifyRequest, token: string): Promise<StaffContext> {
  const refuse = () =>
    new AppError('UNAUTHENTICATED', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
  const principal = await verifySystemToken(request.server.db, request.server.systemClientKeys, token);
  if (!principal) throw refuse();
  request.systemCaller = principal;
  if (!principal.active) throw refuse();
  const staff: StaffContext = {
    sessionId: principal.clientId,
    stage: 'full',
    accountId: principal.clientId,
    displayName: principal.name,
    locale: request.locale === 'en' ? 'en' : 'zh-CN',
    organisationId: principal.organisationId,
    organisationName: principal.organisationName,
    organisationKind: principal.organisationKind,
    regionCode: principal.regionCode,
    roles: [],
    csrfToken: '',
    principal: 'system',
    grants: principal.grants,
  };
  request.staff = staff;
  return staff;
}

/** Every call a system makes goes into the audit trail under its own id, with the answer it got. */
export function registerSystemCallAudit(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const caller = request.systemCaller;
    if (!caller) return payload;
    const record = request.access?.record;
    await recordAuditAlone(app.db, {
      event: 'system.call',
      actor: systemAuditActor(
        caller,
        request.ip || null,
        request.headers['user-agent']?.slice(0, 300) ?? null,
      ),
      ...(record ? { record: { type: record.type, id: record.id } } : {}),
      details: {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
      },
    });
    return payload;
  });
}

export async function liveBreakGlassReason(
  db: Kysely<Database>,
  staff: StaffContext,
  recordType: string,
  recordId: string,
): Promise<string | undefined> {
  const grant = await db
    .selectFrom('staff_break_glass')
    .select('reason')
    .where('session_id', '=', staff.sessionId)
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .where('expires_at', '>', new Date())
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return grant?.reason;
}
