/**
 * Read-only look-ups in the identity module's tables that the desk needs and the identity service does not
 * offer yet: which NGO a new request goes to, and the desk staff of an organisation (to assign work and fill
 * the roster). Names only, never contact details. To be replaced by identity service calls once they exist.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export const DESK_ROLES = ['ngo_supervisor', 'volunteer_lawyer', 'caseworker'] as const;

export interface DeskStaffMember {
  id: string;
  displayName: string;
  roles: string[];
}

/**
 * The NGO that takes a request from this province: a desk that lists the province, then a desk that takes
 * every province, then an NGO in the province, then any NGO (oldest first at each step). Undefined: no NGO.
 */
export async function routeToOrganisation(
  db: Db,
  province: string | null,
): Promise<{ id: string; regionCode: string } | undefined> {
  const row = await db
    .selectFrom('organisation as o')
    .leftJoin('helpline_desk_setting as s', 's.organisation_id', 'o.id')
    .select(['o.id', 'o.region_code'])
    .where('o.kind', '=', 'ngo')
    .where('o.disabled_at', 'is', null)
    .orderBy(
      sql`case
        when ${province}::text is not null and ${province}::text = any(s.provinces) then 0
        when s.organisation_id is not null and cardinality(s.provinces) = 0 then 1
        when ${province}::text is not null and o.region_code like ${province}::text || '%' then 2
        when s.organisation_id is null then 3
        else 4 end`,
    )
    .orderBy('o.created_at')
    .orderBy('o.id')
    .limit(1)
    .executeTakeFirst();
  return row && { id: row.id, regionCode: row.region_code };
}

/** Active desk staff (supervisors, volunteer lawyers, caseworkers) of an organisation, by name. */
export async function listDeskStaff(db: Db, organisationId: string): Promise<DeskStaffMember[]> {
  const rows = await db
    .selectFrom('staff_account as a')
    .innerJoin('staff_account_role as r', 'r.account_id', 'a.id')
    .select(['a.id', 'a.display_name'])
    .select(sql<string[]>`array_agg(r.role order by r.role)`.as('roles'))
    .where('a.organisation_id', '=', organisationId)
    .where('a.status', '=', 'active')
    .where('r.role', 'in', [...DESK_ROLES])
    .groupBy(['a.id', 'a.display_name'])
    .orderBy('a.display_name')
    .execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, roles: r.roles }));
}

/** Display names of staff accounts of one organisation (to show who a case is assigned to). */
export async function staffNames(
  db: Db,
  organisationId: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('staff_account')
    .select(['id', 'display_name'])
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
