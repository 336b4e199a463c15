/** Request helpers shared by the desk's API and pages: who is acting, and the scope the access gate granted. */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import type { Scope } from '../../platform/access-policy.ts';
import type { DeskActor } from './helpline.service.ts';

export function deskActor(request: FastifyRequest): DeskActor {
  const staff = requireStaff(request);
  return {
    accountId: staff.accountId,
    organisationId: staff.organisationId,
    regionCode: staff.regionCode,
    roles: staff.roles,
    displayName: staff.displayName,
    audit: auditActorFrom(request),
  };
}

/** The scope the gate granted for this request's action (handlers filter lists by it). */
export function grantedScopeOf(request: FastifyRequest): Scope {
  const scope = request.access?.scope;
  if (!scope) throw new AppError('NOT_FOUND');
  return scope;
}
