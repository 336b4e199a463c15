/**
 * Identity's read service for the other modules: organisations (public facts about institutions: name, kind,
 * region) and staff accounts (who is active in an organisation, display names). Other modules read
 * `organisation` and `staff_account` only through these functions (the declared exceptions are listed in
 * test/unit/identity-reads.test.ts), so identity can change its tables without breaking them.
 * Each takes the caller's executor, so it can run inside the caller's transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { OrganisationKind, Role } from '../../platform/access-policy.ts';

type Executor = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OrganisationFacts {
  id: string;
  name: string;
  kind: OrganisationKind;
  regionCode: string;
  /** False once the organisation was disabled. */
  active: boolean;
}

/** One organisation by id, or undefined (no such organisation, or not an id). */
export async function findOrganisation(db: Executor, id: string): Promise<OrganisationFacts | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom('organisation')
    .select(['id', 'name', 'kind', 'region_code', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toFacts(row);
}

/** Organisations by id (unknown ids are left out), keyed by id. */
export async function findOrganisations(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, OrganisationFacts>> {
  const valid = [...new Set(ids.filter((id) => UUID.test(id)))];
  if (valid.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisation')
    .select(['id', 'name', 'kind', 'region_code', 'disabled_at'])
    .where('id', 'in', valid)
    .execute();
  return new Map(rows.map((row) => [row.id, toFacts(row)]));
}

/**
 * Active organisations of these kinds: whose region is one of `regionCodes`, or starts with `regionPrefix` (or is
 * national, `00`), or any region. `order` sorts them (unsorted when omitted); `limit` caps the list.
 */
export async function listOrganisations(
  db: Executor,
  filter: {
    kinds: readonly OrganisationKind[];
    regionCodes?: readonly string[];
    regionPrefix?: string;
    order?: 'name' | 'kind,name';
    limit?: number;
  },
): Promise<OrganisationFacts[]> {
  if (filter.kinds.length === 0 || filter.regionCodes?.length === 0) return [];
  let query = db
    .selectFrom('organisation')
    .select(['id', 'name', 'kind', 'region_code', 'disabled_at'])
    .where('disabled_at', 'is', null)
    .where('kind', 'in', [...filter.kinds]);
  if (filter.regionCodes) query = query.where('region_code', 'in', [...filter.regionCodes]);
  const prefix = filter.regionPrefix;
  if (prefix !== undefined)
    query = query.where((eb) =>
      eb.or([eb('region_code', 'like', `${prefix}%`), eb('region_code', '=', '00')]),
    );
  if (filter.order === 'kind,name') query = query.orderBy('kind');
  if (filter.order) query = query.orderBy('name');
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.execute();
  return rows.map(toFacts);
}

/** The active staff accounts of these organisations (ids only). */
export async function activeAccountIds(db: Executor, organisationIds: readonly string[]): Promise<string[]> {
  if (organisationIds.length === 0) return [];
  const rows = await db
    .selectFrom('staff_account')
    .select('id')
    .where('organisation_id', 'in', [...organisationIds])
    .where('status', '=', 'active')
    .execute();
  return rows.map((r) => r.id);
}

/** Active staff of an organisation holding any of these roles, by name, each with those of its roles. */
export async function activeStaffWithRoles(
  db: Executor,
  organisationId: string,
  roles: readonly Role[],
): Promise<{ id: string; displayName: string; roles: Role[] }[]> {
  const rows = await db
    .selectFrom('staff_account as a')
    .innerJoin('staff_account_role as r', 'r.account_id', 'a.id')
    .select(['a.id', 'a.display_name', 'r.role'])
    .where('a.organisation_id', '=', organisationId)
    .where('a.status', '=', 'active')
    .where('r.role', 'in', [...roles])
    .orderBy('a.display_name')
    .orderBy('a.id')
    .orderBy('r.role')
    .execute();
  const byId = new Map<string, { id: string; displayName: string; roles: Role[] }>();
  for (const row of rows) {
    const member = byId.get(row.id) ?? { id: row.id, displayName: row.display_name, roles: [] };
    member.roles.push(row.role as Role);
    byId.set(row.id, member);
  }
  return [...byId.values()];
}

/** Display names of staff accounts of one organisation (accounts of other organisations are left out). */
export async function staffDisplayNames(
  db: Executor,
  organisationId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('staff_account')
    .select(['id', 'display_name'])
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** Staff accounts by e-mail address (demo seeds find the demo accounts this way), with their organisation. */
export async function accountsByEmail(
  db: Executor,
  emails: readonly string[],
): Promise<{ id: string; email: string; organisationId: string; regionCode: string }[]> {
  if (emails.length === 0) return [];
  return db
    .selectFrom('staff_account as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['a.id', 'a.email', 'o.id as organisationId', 'o.region_code as regionCode'])
    .where('a.email', 'in', [...emails])
    .execute();
}

function toFacts(row: {
  id: string;
  name: string;
  kind: string;
  region_code: string;
  disabled_at: Date | null;
}): OrganisationFacts {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as OrganisationKind,
    regionCode: row.region_code,
    active: row.disabled_at === null,
  };
}
