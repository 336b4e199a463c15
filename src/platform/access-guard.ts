/**
 * The one gate every non-public route passes through before anything else runs (an `onRequest` hook, so
 * before the body is even parsed): it loads the staff session, evaluates the route's declared action — and
 * the record named by `:id`, when the route declares a record type — against the access policy, and
 * refuses by default. Not signed in: 401 (pages go to the sign-in page). Signed in but not allowed, or the
 * record is outside the actor's scope: 404, so nobody learns that a record exists. State-changing requests
 * must also carry the session's form token (`_csrf` field or `x-csrf-token` header).
 *
 * Record types are registered by the modules that own them (`registerRecordType`); reads of case-level
 * records are written to the audit trail, and break-glass access is allowed only with a live grant given
 * with a reason, and flagged.
 *
 * The gate is the platform's; who the caller is comes from the identity module through a `PrincipalSource`
 * (dependency inversion: the platform defines the interface, identity implements it and passes it to
 * `registerAccessGuard`), so the platform reads no table of identity's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { RouteAccess } from './access.ts';
import { verifyCsrfToken } from './csrf.ts';
import { AppError } from './errors.ts';
import { wantsJson } from './http-errors.tsx';
import { auditActorFrom, recordAuditAlone } from './audit.ts';
import {
  evaluateAccess,
  ruleFor,
  type AccessDecision,
  type RecordPlacement,
  type Scope,
} from './access-policy.ts';
import type { StaffContext } from './staff.ts';

export interface RecordType {
  /** Case-level records (cases, help requests, evidence, orders): every read is audited. */
  caseLevel: boolean;
  /** Where the record sits, or undefined when there is no such record. */
  locate(db: Kysely<Database>, id: string): Promise<RecordPlacement | undefined>;
}

/** What the gate decided for this request, for handlers (list filters) and the access-matrix test. */
export interface RequestAccess {
  action: string;
  decision: AccessDecision;
  /** The widest scope the actor has for the action (handlers filter lists by it). */
  scope?: Scope;
  record?: { type: string; id: string; placement: RecordPlacement };
  /** Ids the body named (`access.body`), each with the decision for it (set once the body is valid). */
  body?: Record<string, { type: string; id: string; action: string; allowed: boolean }>;
}

/**
 * Who is calling, found by the identity module (its sessions and system clients) for the gate. The platform
 * defines what it needs; identity implements it and passes it to `registerAccessGuard`.
 */
export interface PrincipalSource {
  /**
   * The staff member or system behind the request (and set it as `request.staff`), or undefined when there
   * is none; a bad or revoked system token throws 401 itself.
   */
  authenticate(request: FastifyRequest): Promise<StaffContext | undefined>;
  /** The reason of a live break-glass grant this session holds for the record, if any. */
  breakGlassReason(staff: StaffContext, recordType: string, recordId: string): Promise<string | undefined>;
}

declare module 'fastify' {
  interface FastifyRequest {
    access: RequestAccess | undefined;
  }
  interface FastifyInstance {
    recordTypes: Map<string, RecordType>;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class UnknownActionError extends Error {
  constructor(method: string | string[], url: string, action: string) {
    super(
      `Route ${String(method)} ${url} declares action "${action}", which the access policy does not define`,
    );
    this.name = 'UnknownActionError';
  }
}

/** Routes whose declared action has no rule in the policy: they answer 404 to everyone until one is added. */
export function routesWithoutRules(app: FastifyInstance): string[] {
  return app.routeRegistry
    .filter((r) => 'action' in r.access && !ruleFor(r.access.action))
    .map((r) => `${r.method} ${r.url} (${(r.access as { action: string }).action})`);
}

export function registerRecordType(app: FastifyInstance, name: string, type: RecordType): void {
  if (app.recordTypes.has(name)) throw new Error(`Record type ${name} is registered twice`);
  app.recordTypes.set(name, type);
}

function routeAccess(request: FastifyRequest): RouteAccess | undefined {
  return (request.routeOptions.config as { access?: RouteAccess } | undefined)?.access;
}

/** Who is asking, as the policy sees it: a person's roles, or a system's scopes (its grants). */
function accessActor(staff: StaffContext) {
  return {
    accountId: staff.accountId,
    organisationId: staff.organisationId,
    regionCode: staff.regionCode,
    roles: staff.roles,
    ...(staff.grants ? { grants: staff.grants } : {}),
  };
}

/** Where an unsigned-in page request goes: the sign-in page, saying why when a session just ended. */
function refuseUnauthenticated(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!wantsJson(request) && request.method === 'GET') {
    const ended = request.staffSessionEnded;
    const query = ended === 'idle' || ended === 'absolute' ? '?ended=timeout' : ended ? '?ended=ended' : '';
    return reply
      .header('cache-control', 'no-store')
      .redirect(request.localePath('/staff/sign-in') + query, 303);
  }
  throw new AppError('UNAUTHENTICATED');
}

export function registerAccessGuard(app: FastifyInstance, principals: PrincipalSource): void {
  app.decorateRequest('staff', undefined);
  app.decorateRequest('staffSessionEnded', undefined);
  app.decorateRequest('access', undefined);

  // Once every module has registered its routes and rules: a declared record type must have a locator (else
  // the app refuses to start); an action without a rule is refused to everyone at run time (deny by default),
  // reported here, and fails the access-matrix test (`routesWithoutRules`).
  app.addHook('onReady', async () => {
    for (const route of app.routeRegistry) {
      const access = route.access;
      if (!('action' in access)) continue;
      if (!ruleFor(access.action))
        app.log.error(
          { route: `${route.method} ${route.url}` },
          new UnknownActionError(route.method, route.url, access.action).message,
        );
      if (access.record !== undefined && (!app.recordTypes.has(access.record) || !/:id\b/.test(route.url))) {
        throw new Error(
          `Route ${route.method} ${route.url} declares record "${access.record}" without a registered record type or an :id parameter`,
        );
      }
      for (const [field, spec] of Object.entries(access.body ?? {})) {
        if (!app.recordTypes.has(spec.record))
          throw new Error(
            `Route ${route.method} ${route.url} declares body field "${field}" as record "${spec.record}", which is not registered`,
          );
      }
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const access = routeAccess(request);
    if (!access || 'public' in access) return; // not found, or public: nothing to check
    const staff = await principals.authenticate(request);
    if (!staff) return refuseUnauthenticated(request, reply);
    const rule = ruleFor(access.action);
    if (!rule) throw new AppError('NOT_FOUND');
    if (staff.stage !== 'full' && !rule.stages?.includes(staff.stage)) {
      // Part-way through signing in: only the next step is open.
      if (!wantsJson(request) && request.method === 'GET') {
        const next = staff.stage === 'mfa' ? '/staff/sign-in/verify' : '/staff/totp/enrol';
        return reply.header('cache-control', 'no-store').redirect(request.localePath(next), 303);
      }
      throw new AppError('UNAUTHENTICATED');
    }
    const actor = accessActor(staff);
    let record: RequestAccess['record'];
    let breakGlassReason: string | undefined;
    if (access.record !== undefined) {
      const type = app.recordTypes.get(access.record);
      const id = (request.params as { id?: unknown } | undefined)?.id;
      if (!type) throw new Error(`Record type ${access.record} is not registered`);
      if (typeof id !== 'string' || id.length > 100) throw new AppError('NOT_FOUND');
      const placement = await type.locate(app.db, id);
      if (!placement) throw new AppError('NOT_FOUND');
      record = { type: access.record, id, placement };
      if (staff.principal !== 'system')
        breakGlassReason = await principals.breakGlassReason(staff, access.record, id);
    }
    const decision = evaluateAccess(actor, access.action, record?.placement, breakGlassReason !== undefined);
    request.access = {
      action: access.action,
      decision,
      ...(decision.allowed ? { scope: decision.scope } : {}),
      ...(record ? { record } : {}),
    };
    if (!decision.allowed) throw new AppError('NOT_FOUND');
    if (record && decision.breakGlass) {
      await recordAuditAlone(app.db, {
        event: 'access.break_glass',
        actor: auditActorFrom(request),
        record: { type: record.type, id: record.id },
        details: {},
        breakGlass: true,
        ...(breakGlassReason ? { reason: breakGlassReason } : {}),
      });
    }
    if (record && request.method === 'GET' && app.recordTypes.get(record.type)?.caseLevel) {
      await recordAuditAlone(app.db, {
        event: 'record.read',
        actor: auditActorFrom(request),
        record: { type: record.type, id: record.id },
        details: { action: access.action },
        breakGlass: decision.breakGlass,
      });
    }
  });

  // Ids inside the body (`access.body`): once the body is valid, each id it names is located and checked like a
  // `:id` — outside the actor's scope, or no such record, is the same 404 — and an allowed case-level record is
  // audited as read, so naming a record in a body reaches no more than naming it in the path.
  app.addHook('preHandler', async (request) => {
    const access = routeAccess(request);
    if (!access || 'public' in access || !access.body || !request.staff || !request.access) return;
    const actor = accessActor(request.staff);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const checked: NonNullable<RequestAccess['body']> = {};
    request.access.body = checked;
    for (const [field, spec] of Object.entries(access.body)) {
      const value = body[field];
      if (value === undefined || value === null || value === '') continue;
      const action = spec.action ?? access.action;
      const type = app.recordTypes.get(spec.record);
      if (!type) throw new Error(`Record type ${spec.record} is not registered`);
      const id = typeof value === 'string' && value.length <= 100 ? value : '';
      const placement = id ? await type.locate(app.db, id) : undefined;
      const allowed = placement !== undefined && evaluateAccess(actor, action, placement).allowed;
      checked[field] = { type: spec.record, id, action, allowed };
      if (!allowed) throw new AppError('NOT_FOUND');
    }
    for (const record of Object.values(checked)) {
      if (!app.recordTypes.get(record.type)?.caseLevel) continue;
      await recordAuditAlone(app.db, {
        event: 'record.read',
        actor: auditActorFrom(request),
        record: { type: record.type, id: record.id },
        details: { action: record.action },
        breakGlass: false,
      });
    }
  });

  // Form token for every state-changing request made with a session (checked before the body is validated).
  app.addHook('preValidation', async (request) => {
    const access = routeAccess(request);
    if (!access || 'public' in access || !UNSAFE.has(request.method)) return;
    const staff = request.staff;
    if (!staff) throw new AppError('UNAUTHENTICATED');
    // A bearer token is not sent by browsers on their own, so a system's request cannot be forged cross-site.
    if (staff.principal === 'system') return;
    const body = request.body as { _csrf?: unknown } | undefined;
    const token =
      request.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined);
    if (!verifyCsrfToken(app.csrfKey, staff.sessionId, token)) throw new AppError('CSRF');
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    csrfKey: Buffer;
  }
}

/** The staff member of a request that passed the gate (handlers of `{ action }` routes only). */
export function requireStaff(request: FastifyRequest): StaffContext {
  if (!request.staff) throw new AppError('UNAUTHENTICATED');
  return request.staff;
}
