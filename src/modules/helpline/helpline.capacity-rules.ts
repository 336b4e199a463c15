/** The capacity rules the desk's service applies (kept apart from helpline.capacity.ts, which uses the service). */
import type { Role } from '../../platform/access-policy.ts';
import type { StaffRole } from '../help/help.service.ts';

/** A minor, or an adult the desk marked as lacking full capacity: the mandatory report applies. */
export const mandatoryReportApplies = (row: {
  victim_minor: boolean | null;
  lacks_capacity: boolean;
}): boolean => row.victim_minor === true || row.lacks_capacity;

/** The role a reply is shown under on her thread: a lawyer is a lawyer, a caseworker a caseworker, else staff. */
export function staffRoleOf(roles: readonly Role[]): StaffRole {
  if (roles.includes('volunteer_lawyer')) return 'lawyer';
  if (roles.includes('caseworker')) return 'caseworker';
  return 'staff';
}
