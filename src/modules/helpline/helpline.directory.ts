/**
 * Read-only look-ups in the identity module's tables that the desk needs and the identity service does not
 * offer yet: which NGO a new request goes to, and the desk staff of an organisation (to assign work and fill
 * the roster). Names only, never contact details. To be replaced by identity service calls once they exist.
 */
import { activeStaffWithRoles, staffDisplayNames } from '../identity/identity.directory.service.ts';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

type Executor = Db | Transaction<Database>;

/** Where a new request goes: the organisation and its region. */
export interface DeskRoute {
  id: string;
  regionCode: string;
}

export const DESK_ROLES = ['ngo_supervisor', 'volunteer_lawyer', 'caseworker'] as const;

export interface DeskStaffMember {
  id: string;
  displayName: string;
  roles: string[];
}

/**
 * The desk that takes a request from this province: a desk approved for the province, else a national desk
 * (oldest first at each step). Only a desk that is set up (it has desk settings), staffed (an active
 * supervisor, lawyer or caseworker) and approved by a platform admin is ever chosen: an organisation with no
 * desk settings or no staff is never a fallback. Undefined: no desk can take it yet. `except`: desks not to
 * choose (for an escalation to another desk than the one that let the deadline pass).
 */
export async function routeToOrganisation(
  db: Executor,
  province: string | null,
  except: string[] = [],
): Promise<DeskRoute | undefined> {
  const row = await db
    .selectFrom('organisation as o')
    .innerJoin('helpline_desk_setting as s', 's.organisation_id', 'o.id')
    .select(['o.id', 'o.region_code'])
    .where('o.kind', '=', 'ngo')
    .where('o.disabled_at', 'is', null)
    .$if(except.length > 0, (q) => q.where('o.id', 'not in', except))
    .where((eb) =>
      eb.or([
        eb('s.national', '=', true),
        ...(province
          ? [eb(sql<string>`${province}::text`, '=', sql<string>`any(s.approved_provinces)`)]
          : []),
      ]),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('staff_account as a')
          .innerJoin('staff_account_role as r', 'r.account_id', 'a.id')
          .select('a.id')
          .whereRef('a.organisation_id', '=', 'o.id')
          .where('a.status', '=', 'active')
          .where('r.role', 'in', [...DESK_ROLES]),
      ),
    )
    .orderBy(sql`case when ${province}::text = any(s.approved_provinces) then 0 else 1 end`)
    .orderBy('o.created_at')
    .orderBy('o.id')
    .limit(1)
    .executeTakeFirst();
  return row && { id: row.id, regionCode: row.region_code };
}

/** Active desk staff (supervisors, volunteer lawyers, caseworkers) of an organisation, by name. */
export async function listDeskStaff(db: Db, organisationId: string): Promise<DeskStaffMember[]> {
  return activeStaffWithRoles(db, organisationId, DESK_ROLES);
}

/** Display names of staff accounts of one organisation (to show who a case is assigned to). */
export async function staffNames(
  db: Db,
  organisationId: string,
  ids: string[],
): Promise<Map<string, string>> {
  return staffDisplayNames(db, organisationId, ids);
}
