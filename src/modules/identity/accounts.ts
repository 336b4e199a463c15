/**
 * Administration use cases shared by the admin pages (admin.routes.tsx) and the JSON API (admin.api.ts):
 * organisations (list, create) and staff accounts (list, invite, disable or enable, reset the second
 * factor, set roles). Lists are limited to the scope the access gate granted for the action (`all` for a
 * platform admin, the organisation for an organisation admin); an organisation or account outside it is
 * answered as if it did not exist. The changes themselves (with their audit events) are in
 * identity.service.ts.
 */
import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { AppError, validationError } from '../../platform/errors.ts';
import type { AuditActor } from '../../platform/audit.ts';
import {
  createOrganisation,
  inviteAccount,
  resetMfa,
  setAccountDisabled,
  setRoles,
  type IdentityDeps,
  type InviteProblem,
} from './identity.service.ts';
import {
  evaluateAccess,
  isOrganisationKind,
  type Actor,
  type OrganisationKind,
  type Scope,
} from '../../platform/access-policy.ts';
import { normaliseRegionCode } from './regions.ts';
import { isUuid } from '../../platform/ids.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Restrict a query that joins organisations as `o` to a scope (use with `$call`). */
export function inOrganisationScope(actor: Pick<Actor, 'organisationId' | 'regionCode'>, scope: Scope) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- applies to any query that has `o` joined
  return <QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB => {
    if (scope === 'all') return query;
    if (scope === 'region')
      return query.where(sql.ref('o.region_code'), 'like', `${actor.regionCode}%`) as QB;
    return query.where(sql.ref('o.id'), '=', actor.organisationId) as QB;
  };
}

export interface OrganisationRow {
  id: string;
  kind: string;
  name: string;
  regionCode: string;
  disabled: boolean;
}

export async function listOrganisations(db: Db, actor: Actor, scope: Scope): Promise<OrganisationRow[]> {
  const rows = await db
    .selectFrom('organisation as o')
    .select(['o.id', 'o.kind', 'o.name', 'o.region_code', 'o.disabled_at'])
    .$call(inOrganisationScope(actor, scope))
    .orderBy('o.kind')
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
  return rows.map((o) => ({
    id: o.id,
    kind: o.kind,
    name: o.name,
    regionCode: o.region_code,
    disabled: o.disabled_at !== null,
  }));
}

export type OrganisationProblem = 'badKind' | 'badName' | 'badRegion';

/** Create an organisation after checking its kind, name and region code (nothing is written on a problem). */
export async function createCheckedOrganisation(
  deps: IdentityDeps,
  input: { kind: string; name: string; regionCode: string },
  actor: AuditActor,
): Promise<{ ok: true; id: string } | { ok: false; field: string; problem: OrganisationProblem }> {
  const name = input.name.trim();
  const regionCode = normaliseRegionCode(input.regionCode);
  if (!isOrganisationKind(input.kind)) return { ok: false, field: 'kind', problem: 'badKind' };
  if (name.length < 1 || name.length > 200) return { ok: false, field: 'name', problem: 'badName' };
  if (!regionCode) return { ok: false, field: 'regionCode', problem: 'badRegion' };
  const id = await createOrganisation(deps, { kind: input.kind, name, regionCode }, actor);
  return { ok: true, id };
}

export const ACCOUNT_STATUSES = ['invited', 'active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export interface AccountFilter {
  organisationId?: string;
  role?: string;
  status?: AccountStatus;
  /** Part of the display name or email, any case. */
  name?: string;
  cursor?: string;
  limit: number;
}

export interface AccountRow {
  id: string;
  displayName: string;
  email: string;
  status: AccountStatus;
  mfaEnrolled: boolean;
  roles: string[];
  organisation: { id: string; name: string; kind: OrganisationKind };
}

/** The cursor is the sort key of the last row shown: organisation name, display name, id. */
function encodeCursor(row: { organisationName: string; displayName: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.organisationName, row.displayName, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value.every((v) => typeof v === 'string') &&
      isUuid(value[2])
    )
      return value as [string, string, string];
  } catch {
    // fall through
  }
  throw validationError([{ field: 'cursor', message: 'error.validation' }]);
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Accounts in the actor's scope, by organisation and name, a page at a time. */
export async function listAccounts(
  db: Db,
  actor: Actor,
  scope: Scope,
  filter: AccountFilter,
): Promise<{ items: AccountRow[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('organisation as o')
    .innerJoin('staff_account as a', 'a.organisation_id', 'o.id')
    .select([
      'a.id',
      'a.display_name',
      'a.email',
      'a.status',
      'a.mfa_enrolled_at',
      'o.id as organisationId',
      'o.name as organisationName',
      'o.kind',
    ])
    .select((eb) =>
      eb
        .fn<string[]>('array', [
          eb
            .selectFrom('staff_account_role as r')
            .select('r.role')
            .whereRef('r.account_id', '=', 'a.id')
            .orderBy('r.role'),
        ])
        .as('roles'),
    )
    .$call(inOrganisationScope(actor, scope));
  if (filter.organisationId) query = query.where('o.id', '=', filter.organisationId);
  if (filter.status) query = query.where('a.status', '=', filter.status);
  const role = filter.role;
  if (role)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('staff_account_role as fr')
          .select('fr.role')
          .whereRef('fr.account_id', '=', 'a.id')
          .where('fr.role', '=', role),
      ),
    );
  const name = filter.name?.trim();
  if (name) {
    const pattern = `%${escapeLike(name)}%`;
    query = query.where((eb) =>
      eb.or([eb('a.display_name', 'ilike', pattern), eb('a.email', 'ilike', pattern)]),
    );
  }
  if (filter.cursor) {
    const [organisationName, displayName, id] = decodeCursor(filter.cursor);
    query = query.where(
      sql<boolean>`(o.name, a.display_name, a.id) > (${organisationName}, ${displayName}, ${id}::uuid)`,
    );
  }
  const rows = await query
    .orderBy('o.name')
    .orderBy('a.display_name')
    .orderBy('a.id')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map((a) => ({
      id: a.id,
      displayName: a.display_name,
      email: a.email,
      status: a.status,
      mfaEnrolled: a.mfa_enrolled_at !== null,
      roles: a.roles,
      organisation: { id: a.organisationId, name: a.organisationName, kind: a.kind as OrganisationKind },
    })),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({
            organisationName: last.organisationName,
            displayName: last.display_name,
            id: last.id,
          })
        : null,
  };
}

export interface InviteInput {
  organisationId: string;
  displayName: string;
  email: string;
  roles: string[];
  locale: 'zh-CN' | 'en';
}

/**
 * Invite someone into an organisation in the admin's scope (else 404, as if it did not exist). Only a platform
 * admin may make another platform admin (else 404 too). Problems with the input are returned, nothing written.
 */
export async function inviteStaff(
  deps: IdentityDeps,
  admin: Actor,
  input: InviteInput,
  actor: AuditActor,
): Promise<{ ok: true; accountId: string; token: string } | { ok: false; problems: InviteProblem[] }> {
  const organisation = await deps.db
    .selectFrom('organisation')
    .select(['id', 'region_code'])
    .where('id', '=', input.organisationId)
    .executeTakeFirst();
  if (
    !organisation ||
    !evaluateAccess(admin, 'identity.account.invite', {
      organisationId: organisation.id,
      regionCode: organisation.region_code,
    }).allowed
  )
    throw new AppError('NOT_FOUND');
  if (input.roles.includes('platform_admin') && !admin.roles.includes('platform_admin'))
    throw new AppError('NOT_FOUND');
  return inviteAccount(deps, input, actor);
}

/** The link the invited person opens (the token is the credential: shown once, to the admin). */
export function invitationLink(publicUrl: string, locale: 'zh-CN' | 'en', token: string): string {
  return `${publicUrl}${locale === 'en' ? '/en' : ''}/staff/invite/${token}`;
}

/** An admin acts on others' accounts only: one's own is refused (disable, reset, roles). */
function refuseSelf(admin: Actor, accountId: string): void {
  if (accountId === admin.accountId)
    throw new AppError('VALIDATION', { fields: [{ field: 'id', message: 'identity.admin.notSelf' }] });
}

/** Disable (ending every session) or enable an account the gate placed in the admin's scope. */
export async function disableAccount(
  deps: IdentityDeps,
  admin: Actor,
  accountId: string,
  disabled: boolean,
  actor: AuditActor,
): Promise<void> {
  refuseSelf(admin, accountId);
  await setAccountDisabled(deps, accountId, disabled, actor);
}

export async function resetAccountMfa(
  deps: IdentityDeps,
  admin: Actor,
  accountId: string,
  actor: AuditActor,
): Promise<void> {
  refuseSelf(admin, accountId);
  await resetMfa(deps, accountId, actor);
}

/** Replace an account's roles; only a platform admin may give the platform admin role (else 404). */
export async function setAccountRoles(
  deps: IdentityDeps,
  admin: Actor,
  accountId: string,
  roles: string[],
  actor: AuditActor,
): Promise<{ ok: true } | { ok: false; problem: 'roles' | 'roleKind' }> {
  refuseSelf(admin, accountId);
  if (roles.includes('platform_admin') && !admin.roles.includes('platform_admin'))
    throw new AppError('NOT_FOUND');
  return setRoles(deps, accountId, roles, actor);
}
