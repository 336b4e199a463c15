/**
 * The reports module's access rules (contributed through the module descriptor to the platform's access policy, platform/access-policy.ts). The work report and its
 * exports are for NGO supervisors and administrators: organisation scope (their own organisation's report),
 * platform admins all organisations. Publishing makes a suppressed snapshot public. The dashboards are for the
 * staff of each kind of organisation over their own organisation.
 */
import type { ActionRule } from '../../platform/access-policy.ts';

const SUPERVISORS = {
  ngo_supervisor: 'organisation',
  organisation_admin: 'organisation',
  platform_admin: 'all',
} as const;

export const REPORTS_POLICY = {
  'reports.read': { roles: SUPERVISORS },
  'reports.export': { roles: SUPERVISORS },
  'reports.publish': { roles: SUPERVISORS },
  'reports.dashboard.ngo': {
    roles: { ngo_supervisor: 'organisation', volunteer_lawyer: 'organisation', caseworker: 'organisation' },
  },
  'reports.dashboard.court': { roles: { judge: 'organisation', court_clerk: 'organisation' } },
  'reports.dashboard.police': { roles: { police_officer: 'organisation' } },
  'reports.dashboard.federation': {
    roles: { federation_officer: 'organisation', community_officer: 'organisation' },
  },
} as const satisfies Record<string, ActionRule>;
