/**
 * The identity module's access rules (contributed through its descriptor, see index.ts): signing in, one's own
 * account, administration, the audit viewer, system clients and break-glass requests.
 */
import { ADMINS, EVERY_ROLE_OWN, type ActionRule } from '../../platform/access-policy.ts';

export const IDENTITY_POLICY = {
  // Signing in and one's own account.
  'identity.signIn.verify': { roles: EVERY_ROLE_OWN, stages: ['mfa'] },
  'identity.totp.enrol': { roles: EVERY_ROLE_OWN, stages: ['enrol'] },
  'identity.session.signOut': { roles: EVERY_ROLE_OWN, stages: ['mfa', 'enrol'] },
  'identity.session.read': { roles: EVERY_ROLE_OWN },
  'identity.session.signOutEverywhere': { roles: EVERY_ROLE_OWN },
  'identity.account.updateOwn': { roles: EVERY_ROLE_OWN },
  'identity.passkey.manage': { roles: EVERY_ROLE_OWN },
  'staff.console.view': { roles: EVERY_ROLE_OWN },
  // Administration.
  'identity.organisation.list': { roles: ADMINS },
  'identity.organisation.create': { roles: { platform_admin: 'all' } },
  'identity.account.list': { roles: ADMINS },
  'identity.account.invite': { roles: ADMINS },
  'identity.account.disable': { roles: ADMINS },
  'identity.account.resetMfa': { roles: ADMINS },
  'identity.account.clearThrottle': { roles: ADMINS },
  'identity.account.setRoles': { roles: ADMINS },
  'audit.event.list': { roles: ADMINS },
  // Systems (a court's or police system) calling the API for their organisation: see system-clients.ts.
  'identity.systemClient.manage': { roles: ADMINS },
  // Break-glass: a supervisor reaching a record of their organisation outside their assignments, with a reason.
  'access.breakGlass.request': { roles: { ngo_supervisor: 'organisation' } },
} as const satisfies Record<string, ActionRule>;
