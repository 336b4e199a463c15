/**
 * Administration pages for platform and organisation admins: organisations, accounts (invite by one-time
 * link, disable, reset the second factor, roles) and the audit viewer. Lists are filtered by the scope the
 * access gate granted (`request.access.scope`): a platform admin sees all, an organisation admin their own.
 * The use cases are shared with the JSON API (accounts.ts, audit-view.ts, admin.api.ts): each state-changing
 * page route names its API twin (`config.operation`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import {
  createCheckedOrganisation,
  disableAccount,
  inOrganisationScope as inScope,
  invitationLink,
  inviteStaff,
  listAccounts,
  listOrganisations,
  resetAccountMfa,
  setAccountRoles,
} from './accounts.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { listAuditEvents } from './audit-view.ts';
import { CsrfField, FormError, Notice, StaffBar } from './components.tsx';
import type { IdentityDeps, InviteProblem } from './identity.service.ts';
import { clearSignInThrottle } from './throttle-clear.ts';
import { IDENTITY_POLICY } from './identity.policy.ts';
import {
  ORGANISATION_KINDS,
  ROLES,
  ROLE_ORGANISATION_KINDS,
  allActions,
  grantedScope,
  isOrganisationKind,
  ruleFor,
  type Scope,
} from '../../platform/access-policy.ts';
import { regionName, regionOptions } from './regions.ts';

const FormToken = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const Uuid = Type.String({ format: 'uuid' });

function page(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: preact.ComponentChildren,
  status = 200,
): FastifyReply {
  return sendPage(request, reply, {
    survivor: false,
    status,
    title,
    body: (
      <>
        <StaffBar request={request} />
        <nav class="admin-nav" aria-label={request.t('identity.admin.nav')}>
          <a href={request.localePath('/staff/admin/organisations')}>
            {request.t('identity.admin.organisations')}
          </a>
          <a href={request.localePath('/staff/admin/accounts')}>{request.t('identity.admin.accounts')}</a>
          <a href={request.localePath('/staff/admin/audit')}>{request.t('identity.admin.audit')}</a>
          <a href={request.localePath('/staff/admin/roles')}>{request.t('identity.admin.roles')}</a>
        </nav>
        {body}
      </>
    ),
  });
}

function scopeOf(request: FastifyRequest): Scope {
  const scope = request.access?.scope;
  if (!scope) throw new AppError('NOT_FOUND');
  return scope;
}

/** Restrict a query that joins organisations as `o` to the actor's scope (use with `$call`). */
function inOrganisationScope(request: FastifyRequest) {
  return inScope(requireStaff(request), scopeOf(request));
}

const ORG_FIELDS = {
  kind: Type.String({ maxLength: 40 }),
  name: Type.String({ maxLength: 300 }),
  regionCode: Type.String({ maxLength: 20 }),
};

export function adminRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.staffConsoleLinks.push(
    {
      action: 'identity.organisation.list',
      href: '/staff/admin/organisations',
      label: 'identity.admin.organisations',
    },
    { action: 'identity.account.list', href: '/staff/admin/accounts', label: 'identity.admin.accounts' },
    { action: 'audit.event.list', href: '/staff/admin/audit', label: 'identity.admin.audit' },
    { action: 'identity.account.list', href: '/staff/admin/roles', label: 'identity.admin.roles' },
  );

  async function organisationsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { error?: string; values?: Record<string, string>; status?: number; created?: boolean } = {},
  ): Promise<FastifyReply> {
    const staff = requireStaff(request);
    const rows = await listOrganisations(app.db, staff, scopeOf(request));
    const canCreate = grantedScope(staff, 'identity.organisation.create') !== undefined;
    return page(
      request,
      reply,
      request.t('identity.admin.organisations'),
      <>
        <h1>{request.t('identity.admin.organisations')}</h1>
        {form.created && <Notice>{request.t('identity.admin.organisationCreated')}</Notice>}
        <table>
          <thead>
            <tr>
              <th scope="col">{request.t('identity.field.organisationName')}</th>
              <th scope="col">{request.t('identity.field.kind')}</th>
              <th scope="col">{request.t('identity.field.region')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr>
                <td>{o.name}</td>
                <td>{isOrganisationKind(o.kind) ? request.t(`identity.orgKind.${o.kind}`) : o.kind}</td>
                <td>
                  {regionName(o.regionCode)} <code>{o.regionCode.padEnd(6, '0')}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canCreate && (
          <>
            <h2>{request.t('identity.admin.createOrganisation')}</h2>
            {form.error && <FormError>{form.error}</FormError>}
            <form method="post" action={request.localePath('/staff/admin/organisations')} class="stack">
              <CsrfField token={staff.csrfToken} />
              <label for="org-name">{request.t('identity.field.organisationName')}</label>
              <input id="org-name" name="name" required maxLength={200} value={form.values?.name ?? ''} />
              <label for="org-kind">{request.t('identity.field.kind')}</label>
              <select id="org-kind" name="kind">
                {ORGANISATION_KINDS.map((k) => (
                  <option value={k} selected={form.values?.kind === k}>
                    {request.t(`identity.orgKind.${k}`)}
                  </option>
                ))}
              </select>
              <label for="org-region">{request.t('identity.field.regionCode')}</label>
              <input
                id="org-region"
                name="regionCode"
                required
                maxLength={6}
                inputMode="numeric"
                list="regions"
                value={form.values?.regionCode ?? ''}
                aria-describedby="region-hint"
              />
              <p id="region-hint" class="hint">
                {request.t('identity.field.regionHint')}
              </p>
              <datalist id="regions">
                {regionOptions().map((r) => (
                  <option value={r.code}>{r.name}</option>
                ))}
              </datalist>
              <button type="submit" class="button">
                {request.t('identity.admin.create')}
              </button>
            </form>
          </>
        )}
      </>,
      form.status,
    );
  }

  app.get(
    '/staff/admin/organisations',
    {
      config: { access: { action: 'identity.organisation.list' } },
      schema: { hide: true, querystring: Type.Object({ created: Type.Optional(Type.Literal('1')) }) },
    },
    async (request, reply) =>
      organisationsPage(request, reply, { created: (request.query as { created?: string }).created === '1' }),
  );

  app.post(
    '/staff/admin/organisations',
    {
      config: { access: { action: 'identity.organisation.create' }, operation: 'createOrganisation' },
      schema: { hide: true, body: Type.Object({ ...FormToken, ...ORG_FIELDS }) },
    },
    async (request, reply) => {
      const body = request.body as { kind: string; name: string; regionCode: string };
      const values = { kind: body.kind, name: body.name, regionCode: body.regionCode };
      const result = await createCheckedOrganisation(deps, values, auditActorFrom(request));
      if (!result.ok)
        return organisationsPage(request, reply, {
          error: request.t(`identity.admin.${result.problem}`),
          values,
          status: 400,
        });
      return reply.redirect(request.localePath('/staff/admin/organisations') + '?created=1', 303);
    },
  );

  async function accountsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      problems?: InviteProblem[];
      values?: Record<string, string | string[]>;
      invitation?: string;
      notice?: string;
      error?: string;
      status?: number;
    } = {},
  ): Promise<FastifyReply> {
    const staff = requireStaff(request);
    const organisations = await app.db
      .selectFrom('organisation as o')
      .select(['o.id', 'o.name', 'o.kind'])
      .where('o.disabled_at', 'is', null)
      .$call(inOrganisationScope(request))
      .orderBy('o.name')
      .execute();
    // The page shows every account in scope at once (the API pages through the same list).
    const { items: accounts } = await listAccounts(app.db, staff, scopeOf(request), { limit: 100_000 });
    const problemText = (p: InviteProblem): string => request.t(`identity.invite.problem.${p.problem}`);
    const chosenRoles = new Set(
      Array.isArray(form.values?.roles) ? form.values.roles : form.values?.roles ? [form.values.roles] : [],
    );
    return page(
      request,
      reply,
      request.t('identity.admin.accounts'),
      <>
        <h1>{request.t('identity.admin.accounts')}</h1>
        {form.notice && <Notice>{form.notice}</Notice>}
        {form.error && <FormError>{form.error}</FormError>}
        {form.invitation && (
          <div class="callout" role="status">
            <p>{request.t('identity.admin.invitationLink')}</p>
            <p>
              <code class="secret">{form.invitation}</code>
            </p>
          </div>
        )}
        <table>
          <thead>
            <tr>
              <th scope="col">{request.t('identity.field.displayName')}</th>
              <th scope="col">{request.t('identity.field.organisationName')}</th>
              <th scope="col">{request.t('identity.field.roles')}</th>
              <th scope="col">{request.t('identity.field.status')}</th>
              <th scope="col">{request.t('identity.field.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr>
                <td>
                  {a.displayName}
                  <br />
                  <small>{a.email}</small>
                </td>
                <td>{a.organisation.name}</td>
                <td>
                  {a.roles
                    .map((r) =>
                      (ROLES as readonly string[]).includes(r)
                        ? request.t(`identity.role.${r as (typeof ROLES)[number]}`)
                        : r,
                    )
                    .join('、')}
                </td>
                <td>
                  {request.t(`identity.status.${a.status}`)}
                  {a.status === 'active' && !a.mfaEnrolled && <> · {request.t('identity.status.noMfa')}</>}
                </td>
                <td>
                  {a.id !== staff.accountId && (
                    <div class="row-actions">
                      <form
                        method="post"
                        action={request.localePath(`/staff/admin/accounts/${a.id}/disable`)}
                      >
                        <CsrfField token={staff.csrfToken} />
                        <input type="hidden" name="disabled" value={a.status === 'disabled' ? '0' : '1'} />
                        <button type="submit" class="link-button">
                          {request.t(
                            a.status === 'disabled' ? 'identity.admin.enable' : 'identity.admin.disable',
                          )}
                        </button>
                      </form>
                      <details>
                        <summary>{request.t('identity.admin.changeRoles')}</summary>
                        <form
                          method="post"
                          action={request.localePath(`/staff/admin/accounts/${a.id}/roles`)}
                          class="stack"
                        >
                          <CsrfField token={staff.csrfToken} />
                          {ROLES.filter(
                            (r) =>
                              ROLE_ORGANISATION_KINDS[r].includes(a.organisation.kind) &&
                              (r !== 'platform_admin' || staff.roles.includes('platform_admin')),
                          ).map((r) => (
                            <label class="check">
                              <input type="checkbox" name="roles" value={r} checked={a.roles.includes(r)} />{' '}
                              {request.t(`identity.role.${r}`)}
                            </label>
                          ))}
                          <button type="submit" class="button secondary">
                            {request.t('identity.admin.saveRoles')}
                          </button>
                        </form>
                      </details>
                      <form
                        method="post"
                        action={request.localePath(`/staff/admin/accounts/${a.id}/reset-mfa`)}
                      >
                        <CsrfField token={staff.csrfToken} />
                        <button type="submit" class="link-button">
                          {request.t('identity.admin.resetMfa')}
                        </button>
                      </form>
                      <form
                        method="post"
                        action={request.localePath(`/staff/admin/accounts/${a.id}/clear-throttle`)}
                      >
                        <CsrfField token={staff.csrfToken} />
                        <button type="submit" class="link-button">
                          {request.t('identity.admin.clearThrottle')}
                        </button>
                      </form>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{request.t('identity.admin.invite')}</h2>
        {form.problems && form.problems.length > 0 && (
          <ul class="errors" role="alert">
            {form.problems.map((p) => (
              <li>{problemText(p)}</li>
            ))}
          </ul>
        )}
        <form method="post" action={request.localePath('/staff/admin/accounts')} class="stack">
          <CsrfField token={staff.csrfToken} />
          <label for="inv-org">{request.t('identity.field.organisationName')}</label>
          <select id="inv-org" name="organisationId">
            {organisations.map((o) => (
              <option value={o.id} selected={form.values?.organisationId === o.id}>
                {o.name}
              </option>
            ))}
          </select>
          <label for="inv-name">{request.t('identity.field.displayName')}</label>
          <input
            id="inv-name"
            name="displayName"
            required
            maxLength={100}
            value={String(form.values?.displayName ?? '')}
          />
          <label for="inv-email">{request.t('identity.field.email')}</label>
          <input
            id="inv-email"
            name="email"
            type="email"
            required
            maxLength={254}
            value={String(form.values?.email ?? '')}
            autocomplete="off"
          />
          <fieldset>
            <legend>{request.t('identity.field.roles')}</legend>
            {ROLES.filter(
              (r) =>
                r !== 'platform_admin' || grantedScope(staff, 'identity.organisation.create') !== undefined,
            ).map((r) => (
              <label class="check">
                <input type="checkbox" name="roles" value={r} checked={chosenRoles.has(r)} />{' '}
                {request.t(`identity.role.${r}`)}{' '}
                <small>
                  (
                  {ROLE_ORGANISATION_KINDS[r].length === ORGANISATION_KINDS.length
                    ? request.t('identity.admin.anyKind')
                    : ROLE_ORGANISATION_KINDS[r].map((k) => request.t(`identity.orgKind.${k}`)).join('、')}
                  )
                </small>
              </label>
            ))}
          </fieldset>
          <label for="inv-locale">{request.t('identity.account.language')}</label>
          <select id="inv-locale" name="locale">
            <option value="zh-CN">中文</option>
            <option value="en" selected={form.values?.locale === 'en'}>
              English
            </option>
          </select>
          <button type="submit" class="button">
            {request.t('identity.admin.sendInvite')}
          </button>
        </form>
      </>,
      form.status,
    );
  }

  app.get(
    '/staff/admin/accounts',
    {
      config: { access: { action: 'identity.account.list' } },
      schema: {
        hide: true,
        querystring: Type.Object({
          done: Type.Optional(
            Type.Union([
              Type.Literal('disabled'),
              Type.Literal('enabled'),
              Type.Literal('mfa'),
              Type.Literal('roles'),
              Type.Literal('throttle'),
            ]),
          ),
        }),
      },
    },
    async (request, reply) => {
      const done = (request.query as { done?: string }).done;
      return accountsPage(
        request,
        reply,
        done
          ? {
              notice: request.t(
                `identity.admin.done.${done as 'disabled' | 'enabled' | 'mfa' | 'roles' | 'throttle'}`,
              ),
            }
          : {},
      );
    },
  );

  app.post(
    '/staff/admin/accounts',
    {
      config: {
        access: { action: 'identity.account.invite', body: { organisationId: { record: 'organisation' } } },
        operation: 'inviteStaffAccount',
      },
      schema: {
        hide: true,
        body: Type.Object({
          ...FormToken,
          organisationId: Uuid,
          displayName: Type.String({ maxLength: 300 }),
          email: Type.String({ maxLength: 300 }),
          roles: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
          locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as {
        organisationId: string;
        displayName: string;
        email: string;
        roles?: string[];
        locale: 'zh-CN' | 'en';
      };
      const result = await inviteStaff(
        deps,
        requireStaff(request),
        {
          organisationId: body.organisationId,
          displayName: body.displayName,
          email: body.email,
          roles: body.roles ?? [],
          locale: body.locale,
        },
        auditActorFrom(request),
      );
      if (!result.ok)
        return accountsPage(request, reply, {
          problems: result.problems,
          values: { ...body, roles: body.roles ?? [] },
          status: 400,
        });
      return accountsPage(request, reply, {
        invitation: invitationLink(app.config.publicUrl, body.locale, result.token),
        notice: request.t('identity.admin.invited'),
      });
    },
  );

  app.post(
    '/staff/admin/accounts/:id/disable',
    {
      config: {
        access: { action: 'identity.account.disable', record: 'staff_account' },
        operation: 'setStaffAccountDisabled',
      },
      schema: {
        hide: true,
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ ...FormToken, disabled: Type.Union([Type.Literal('1'), Type.Literal('0')]) }),
      },
    },
    async (request, reply) => {
      const disabled = (request.body as { disabled: '1' | '0' }).disabled === '1';
      await disableAccount(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        disabled,
        auditActorFrom(request),
      );
      return reply.redirect(
        request.localePath('/staff/admin/accounts') + `?done=${disabled ? 'disabled' : 'enabled'}`,
        303,
      );
    },
  );

  app.post(
    '/staff/admin/accounts/:id/reset-mfa',
    {
      config: {
        access: { action: 'identity.account.resetMfa', record: 'staff_account' },
        operation: 'resetStaffMfa',
      },
      schema: { hide: true, params: Type.Object({ id: Uuid }), body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      await resetAccountMfa(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        auditActorFrom(request),
      );
      return reply.redirect(request.localePath('/staff/admin/accounts') + '?done=mfa', 303);
    },
  );

  app.post(
    '/staff/admin/accounts/:id/clear-throttle',
    {
      config: {
        access: { action: 'identity.account.clearThrottle', record: 'staff_account' },
        operation: 'clearSignInThrottle',
      },
      schema: { hide: true, params: Type.Object({ id: Uuid }), body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      await clearSignInThrottle(deps, (request.params as { id: string }).id, auditActorFrom(request));
      return reply.redirect(request.localePath('/staff/admin/accounts') + '?done=throttle', 303);
    },
  );

  app.post(
    '/staff/admin/accounts/:id/roles',
    {
      config: {
        access: { action: 'identity.account.setRoles', record: 'staff_account' },
        operation: 'setStaffRoles',
      },
      schema: {
        hide: true,
        params: Type.Object({ id: Uuid }),
        body: Type.Object({
          ...FormToken,
          roles: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
        }),
      },
    },
    async (request, reply) => {
      const roles = (request.body as { roles?: string[] }).roles ?? [];
      const result = await setAccountRoles(
        deps,
        requireStaff(request),
        (request.params as { id: string }).id,
        roles,
        auditActorFrom(request),
      );
      if (!result.ok)
        return accountsPage(request, reply, {
          error: request.t(`identity.invite.problem.${result.problem}`),
          status: 400,
        });
      return reply.redirect(request.localePath('/staff/admin/accounts') + '?done=roles', 303);
    },
  );

  // The roles and what each may do: read straight from the policy data, so the page cannot drift from it.
  app.get(
    '/staff/admin/roles',
    { config: { access: { action: 'identity.account.list' } }, schema: { hide: true } },
    async (request, reply) => {
      const actions = allActions().sort();
      return page(
        request,
        reply,
        request.t('identity.admin.roles'),
        <>
          <h1>{request.t('identity.admin.roles')}</h1>
          <p class="lead">{request.t('identity.admin.rolesLead')}</p>
          <div class="table-scroll">
            <table class="policy">
              <thead>
                <tr>
                  <th scope="col">{request.t('identity.admin.action')}</th>
                  {ROLES.map((r) => (
                    <th scope="col">{request.t(`identity.role.${r}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {actions.map((action) => {
                  const rule = ruleFor(action);
                  return (
                    <tr>
                      <th scope="row">
                        <code>{action}</code>
                      </th>
                      {ROLES.map((r) => {
                        const scope = rule?.roles[r];
                        const glass = rule?.breakGlass?.[r];
                        return (
                          <td>
                            {scope ? request.t(`identity.scope.${scope}`) : '—'}
                            {glass
                              ? ` (${request.t('identity.audit.breakGlass')}: ${request.t(`identity.scope.${glass}`)})`
                              : ''}
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p class="hint">
            {request.t('identity.admin.rolesCount', {
              actions: actions.length,
              base: Object.keys(IDENTITY_POLICY).length,
            })}
          </p>
        </>,
      );
    },
  );

  const AuditQuery = Type.Object({
    account: Type.Optional(Type.Union([Uuid, Type.Literal('')])),
    record: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
    to: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
    breakGlass: Type.Optional(Type.Literal('1')),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
  });

  app.get(
    '/staff/admin/audit',
    { config: { access: { action: 'audit.event.list' } }, schema: { hide: true, querystring: AuditQuery } },
    async (request, reply) => {
      const staff = requireStaff(request);
      const q = request.query as {
        account?: string;
        record?: string;
        from?: string;
        to?: string;
        breakGlass?: string;
        cursor?: string;
      };
      const { items: events, nextCursor } = await listAuditEvents(
        app.db,
        staff,
        scopeOf(request),
        {
          ...(q.account ? { account: q.account } : {}),
          ...(q.record?.trim() ? { recordId: q.record } : {}),
          ...(q.from ? { from: q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
          ...(q.breakGlass === '1' ? { breakGlass: true } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
          limit: 200,
        },
        request.locale,
        auditActorFrom(request),
      );
      const people = await app.db
        .selectFrom('organisation as o')
        .innerJoin('staff_account as a', 'a.organisation_id', 'o.id')
        .select(['a.id', 'a.display_name'])
        .$call(inOrganisationScope(request))
        .orderBy('a.display_name')
        .execute();
      const timeFormat = new Intl.DateTimeFormat(request.locale === 'en' ? 'en-GB' : 'zh-CN', {
        dateStyle: 'short',
        timeStyle: 'medium',
        timeZone: 'Asia/Shanghai',
      });
      return page(
        request,
        reply,
        request.t('identity.admin.audit'),
        <>
          <h1>{request.t('identity.admin.audit')}</h1>
          <form method="get" action={request.localePath('/staff/admin/audit')} class="filters">
            <label for="f-account">{request.t('identity.audit.person')}</label>
            <select id="f-account" name="account">
              <option value="">{request.t('identity.audit.anyone')}</option>
              {people.map((p) => (
                <option value={p.id} selected={q.account === p.id}>
                  {p.display_name}
                </option>
              ))}
            </select>
            <label for="f-record">{request.t('identity.audit.record')}</label>
            <input id="f-record" name="record" maxLength={100} value={q.record ?? ''} />
            <label for="f-from">{request.t('identity.audit.from')}</label>
            <input id="f-from" name="from" type="date" value={q.from ?? ''} />
            <label for="f-to">{request.t('identity.audit.to')}</label>
            <input id="f-to" name="to" type="date" value={q.to ?? ''} />
            <label class="check">
              <input type="checkbox" name="breakGlass" value="1" checked={q.breakGlass === '1'} />{' '}
              {request.t('identity.audit.breakGlassOnly')}
            </label>
            <button type="submit" class="button secondary">
              {request.t('identity.audit.filter')}
            </button>
          </form>
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{request.t('identity.audit.when')}</th>
                <th scope="col">{request.t('identity.audit.person')}</th>
                <th scope="col">{request.t('identity.audit.what')}</th>
                <th scope="col">{request.t('identity.audit.record')}</th>
                <th scope="col">{request.t('identity.audit.network')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr class={e.breakGlass ? 'flagged' : undefined}>
                  <td>{e.seq}</td>
                  <td>{timeFormat.format(e.occurredAt)}</td>
                  <td>
                    {e.actor.displayName ?? request.t('identity.audit.nobody')}
                    {e.actor.roles.length > 0 && <small> ({e.actor.roles.join(', ')})</small>}
                  </td>
                  <td>
                    {e.sentence}
                    <br />
                    <code>{e.action}</code>
                    {Object.keys(e.raw.details).length > 0 && <small> {JSON.stringify(e.raw.details)}</small>}
                    {e.breakGlass && (
                      <strong class="flag">
                        {' '}
                        {request.t('identity.audit.breakGlass')}: {e.reason ?? ''}
                      </strong>
                    )}
                  </td>
                  <td>{e.record ? `${e.record.type} ${e.record.id ?? ''}` : ''}</td>
                  <td>{e.raw.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {events.length === 0 && <p>{request.t('identity.audit.none')}</p>}
          {nextCursor && (
            <p>
              <a
                href={
                  request.localePath('/staff/admin/audit') +
                  '?' +
                  new URLSearchParams({
                    ...Object.fromEntries(
                      Object.entries(q).filter(([k, v]) => k !== 'cursor' && typeof v === 'string' && v),
                    ),
                    cursor: nextCursor,
                  }).toString()
                }
              >
                {request.t('identity.audit.older')}
              </a>
            </p>
          )}
        </>,
      );
    },
  );
}
