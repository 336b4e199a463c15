/**
 * Administration as JSON API operations: the twins of the admin pages (admin.routes.tsx), calling the same use
 * cases (accounts.ts, audit-view.ts). Lists are limited to the scope the gate granted; an account id of
 * another organisation answers 404 (the gate locates `:id` as a `staff_account`), and so does an organisation
 * id in a body (`access.body`), unless the caller's policy reaches every organisation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import {
  ACCOUNT_STATUSES,
  createCheckedOrganisation,
  disableAccount,
  invitationLink,
  inviteStaff,
  listAccounts,
  listOrganisations,
  resetAccountMfa,
  setAccountRoles,
  type AccountStatus,
} from './accounts.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { listAuditEvents } from './audit-view.ts';
import type { IdentityDeps } from './identity.service.ts';
import { ROLES, type Scope } from '../../platform/access-policy.ts';

const tags = ['identity'];
const Uuid = Type.String({ format: 'uuid' });
const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);
const RoleName = Type.String({ maxLength: 40, description: `One of: ${ROLES.join(', ')}` });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 }));
const Cursor = Type.Optional(
  Type.String({ maxLength: 400, description: 'The nextCursor of the previous page' }),
);
const Params = Type.Object({ id: Uuid });

const OrganisationView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  regionCode: Type.String(),
  disabled: Type.Boolean(),
});
const AccountView = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  email: Type.String(),
  status: Type.Union(ACCOUNT_STATUSES.map((s) => Type.Literal(s))),
  mfaEnrolled: Type.Boolean(),
  roles: Type.Array(Type.String()),
  organisation: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
});
const AuditEventView = Type.Object({
  seq: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    accountId: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.String()),
  }),
  action: Type.String({ description: 'The event, e.g. identity.sign_in' }),
  record: Type.Union([
    Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  sentence: Type.String({ description: 'The event in words, in the caller’s language' }),
  breakGlass: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  raw: Type.Object(
    {
      seq: Type.String(),
      occurredAt: Type.String({ format: 'date-time' }),
      actorAccountId: Type.Union([Type.String(), Type.Null()]),
      actorRoles: Type.Array(Type.String()),
      organisationId: Type.Union([Type.String(), Type.Null()]),
      event: Type.String(),
      recordType: Type.Union([Type.String(), Type.Null()]),
      recordId: Type.Union([Type.String(), Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      breakGlass: Type.Boolean(),
      reason: Type.Union([Type.String(), Type.Null()]),
      details: Type.Record(
        Type.String(),
        Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
      ),
    },
    { description: 'The event as stored in the hash-chained trail' },
  ),
});

function scopeOf(request: FastifyRequest): Scope {
  const scope = request.access?.scope;
  if (!scope) throw new AppError('NOT_FOUND');
  return scope;
}

export function adminApi(app: FastifyInstance, deps: IdentityDeps): void {
  app.get(
    '/api/staff/organisations',
    {
      config: { access: { action: 'identity.organisation.list' } },
      schema: {
        operationId: 'listOrganisations',
        tags,
        summary: 'Organisations one administers (every one, for a platform admin)',
        response: { 200: Type.Object({ items: Type.Array(OrganisationView) }) },
      },
    },
    async (request) => ({
      items: await listOrganisations(app.db, requireStaff(request), scopeOf(request)),
    }),
  );

  app.post(
    '/api/staff/organisations',
    {
      config: { access: { action: 'identity.organisation.create' } },
      schema: {
        operationId: 'createOrganisation',
        tags,
        summary: 'Create an organisation (platform admins)',
        body: Type.Object({
          kind: Type.String({ maxLength: 40 }),
          name: Type.String({ maxLength: 300 }),
          regionCode: Type.String({
            maxLength: 20,
            description: 'GB/T 2260 code of a province, city or county',
          }),
        }),
        response: { 201: Type.Object({ id: Type.String() }) },
      },
    },
    async (request, reply) => {
      const result = await createCheckedOrganisation(
        deps,
        request.body as { kind: string; name: string; regionCode: string },
        auditActorFrom(request),
      );
      if (!result.ok)
        throw new AppError('VALIDATION', {
          fields: [{ field: result.field, message: `identity.admin.${result.problem}` }],
        });
      return reply.status(201).send({ id: result.id });
    },
  );

  app.get(
    '/api/staff/accounts',
    {
      config: { access: { action: 'identity.account.list' } },
      schema: {
        operationId: 'listStaffAccounts',
        tags,
        summary: 'Staff accounts one administers, by organisation and name, a page at a time',
        querystring: Type.Object({
          organisationId: Type.Optional(Uuid),
          role: Type.Optional(RoleName),
          status: Type.Optional(Type.Union(ACCOUNT_STATUSES.map((s) => Type.Literal(s)))),
          name: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name or email' })),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AccountView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query as {
        organisationId?: string;
        role?: string;
        status?: AccountStatus;
        name?: string;
        cursor?: string;
        limit?: number;
      };
      return listAccounts(app.db, requireStaff(request), scopeOf(request), { ...q, limit: q.limit ?? 50 });
    },
  );

  app.post(
    '/api/staff/accounts',
    {
      config: {
        access: { action: 'identity.account.invite', body: { organisationId: { record: 'organisation' } } },
      },
      schema: {
        operationId: 'inviteStaffAccount',
        tags,
        summary:
          'Invite someone into an organisation with roles: answers the one-time link (valid 7 days) to give them',
        body: Type.Object({
          organisationId: Uuid,
          displayName: Type.String({ maxLength: 300 }),
          email: Type.String({ maxLength: 300 }),
          roles: Type.Array(RoleName, { maxItems: 10 }),
          locale: Locale,
        }),
        response: {
          201: Type.Object({
            accountId: Type.String(),
            invitationUrl: Type.String({ description: 'Shown once: the token in it is the credential' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        organisationId: string;
        displayName: string;
        email: string;
        roles: string[];
        locale: 'zh-CN' | 'en';
      };
      const result = await inviteStaff(deps, requireStaff(request), body, auditActorFrom(request));
      if (!result.ok)
        throw new AppError('VALIDATION', {
          fields: result.problems.map((p) => ({
            field: p.field,
            message: `identity.invite.problem.${p.problem}` as const,
          })),
        });
      return reply.status(201).send({
        accountId: result.accountId,
        invitationUrl: invitationLink(app.config.publicUrl, body.locale, result.token),
      });
    },
  );

  app.put(
    '/api/staff/accounts/:id/disabled',
    {
      config: { access: { action: 'identity.account.disable', record: 'staff_account' } },
      schema: {
        operationId: 'setStaffAccountDisabled',
        tags,
        summary: 'Disable an account (ending all its sessions) or enable it again; not one’s own',
        params: Params,
        body: Type.Object({ disabled: Type.Boolean() }),
        response: { 200: Type.Object({ disabled: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { disabled } = request.body as { disabled: boolean };
      await disableAccount(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        disabled,
        auditActorFrom(request),
      );
      return { disabled };
    },
  );

  app.post(
    '/api/staff/accounts/:id/mfa-reset',
    {
      config: { access: { action: 'identity.account.resetMfa', record: 'staff_account' } },
      schema: {
        operationId: 'resetStaffMfa',
        tags,
        summary:
          'Reset an account’s second factor (TOTP, recovery codes, passkeys; its sessions end): it enrols afresh at the next sign-in',
        params: Params,
        response: { 200: Type.Object({ reset: Type.Boolean() }) },
      },
    },
    async (request) => {
      await resetAccountMfa(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        auditActorFrom(request),
      );
      return { reset: true };
    },
  );

  app.put(
    '/api/staff/accounts/:id/roles',
    {
      config: { access: { action: 'identity.account.setRoles', record: 'staff_account' } },
      schema: {
        operationId: 'setStaffRoles',
        tags,
        summary: 'Replace an account’s roles (its sessions end; the new roles apply at the next sign-in)',
        params: Params,
        body: Type.Object({ roles: Type.Array(RoleName, { maxItems: 10 }) }),
        response: { 200: Type.Object({ roles: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const { roles } = request.body as { roles: string[] };
      const result = await setAccountRoles(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        roles,
        auditActorFrom(request),
      );
      if (!result.ok)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'roles', message: `identity.invite.problem.${result.problem}` }],
        });
      return { roles: [...new Set(roles)] };
    },
  );

  app.get(
    '/api/audit',
    {
      config: { access: { action: 'audit.event.list' } },
      schema: {
        operationId: 'listAuditEvents',
        tags,
        summary:
          'The audit trail, newest first: by person, record and dates, each event in words with the raw event (looking is audited)',
        querystring: Type.Object({
          account: Type.Optional(Uuid),
          recordType: Type.Optional(Type.String({ maxLength: 60 })),
          recordId: Type.Optional(Type.String({ maxLength: 100 })),
          from: Type.Optional(Type.String({ format: 'date', description: 'First day (China time)' })),
          to: Type.Optional(Type.String({ format: 'date', description: 'Last day (China time)' })),
          breakGlass: Type.Optional(Type.Boolean({ description: 'Only break-glass events' })),
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AuditEventView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query as {
        account?: string;
        recordType?: string;
        recordId?: string;
        from?: string;
        to?: string;
        breakGlass?: boolean;
        cursor?: string;
        limit?: number;
      };
      const result = await listAuditEvents(
        app.db,
        requireStaff(request),
        scopeOf(request),
        { ...q, limit: q.limit ?? 50 },
        request.locale,
        auditActorFrom(request),
      );
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((e) => ({
          ...e,
          occurredAt: e.occurredAt.toISOString(),
          raw: { ...e.raw, occurredAt: e.raw.occurredAt.toISOString() },
        })),
      };
    },
  );
}
