/**
 * The desk's access rules (contributed through the module descriptor to the platform's access policy, platform/access-policy.ts). Need-to-know: a volunteer lawyer
 * or caseworker sees the organisation's queue (to claim work) but opens only the cases assigned to them; the
 * supervisor sees every case of the organisation. Other organisations, courts and police have no grant at all,
 * so the gate answers 404.
 */
import type { ActionRule } from '../../platform/access-policy.ts';

const DESK_STAFF = {
  ngo_supervisor: 'organisation',
  volunteer_lawyer: 'organisation',
  caseworker: 'organisation',
} as const;
const CASE_WORK = {
  ngo_supervisor: 'organisation',
  volunteer_lawyer: 'assigned',
  caseworker: 'assigned',
} as const;

export const HELPLINE_POLICY = {
  'helpline.queue.read': { roles: DESK_STAFF },
  'helpline.queue.supervise': { roles: { ngo_supervisor: 'organisation' } },
  'helpline.settings.manage': {
    roles: { ngo_supervisor: 'organisation', organisation_admin: 'organisation' },
  },
  /** Which provinces a desk covers is decided by the platform, not claimed by the desk. */
  'helpline.coverage.approve': { roles: { platform_admin: 'all' } },
  'helpline.case.claim': {
    roles: { volunteer_lawyer: 'organisation', caseworker: 'organisation', ngo_supervisor: 'organisation' },
  },
  'helpline.case.assign': { roles: { ngo_supervisor: 'organisation' } },
  'helpline.case.read': { roles: CASE_WORK },
  'helpline.case.reply': { roles: CASE_WORK },
  'helpline.case.note': { roles: CASE_WORK },
  'helpline.case.classify': { roles: CASE_WORK },
  'helpline.case.callback': { roles: CASE_WORK },
  'helpline.case.refer': { roles: CASE_WORK },
  'helpline.case.mandatoryReport': { roles: CASE_WORK },
  'helpline.case.close': { roles: CASE_WORK },
  'helpline.case.startOrder': { roles: CASE_WORK },
  'helpline.call.register': { roles: DESK_STAFF },
  /** Lawyers list the calls they registered; the supervisor every call of the organisation. */
  'helpline.call.list': {
    roles: { ngo_supervisor: 'organisation', volunteer_lawyer: 'own', caseworker: 'own' },
  },
  'helpline.roster.read': { roles: { ...DESK_STAFF, organisation_admin: 'organisation' } },
  'helpline.roster.manage': { roles: { ngo_supervisor: 'organisation', organisation_admin: 'organisation' } },
} as const satisfies Record<string, ActionRule>;
