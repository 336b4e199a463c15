import { describe, expect, it } from 'vitest';
import {
  ROLES,
  SCOPES,
  evaluateAccess,
  extendAccessPolicy,
  grantedScope,
  recordInScope,
  ruleFor,
  type Actor,
  allActions,
} from '../../src/platform/access-policy.ts';
import { installAllModules } from '../../src/modules/index.ts';

// The policy is the modules' rows, added at start as the app does.
installAllModules();

const actor = (roles: Actor['roles'], overrides: Partial<Actor> = {}): Actor => ({
  accountId: 'me',
  organisationId: 'org-a',
  regionCode: '3201',
  roles,
  ...overrides,
});

describe('the access policy', () => {
  it('denies by default: unknown actions and roles without a grant', () => {
    expect(evaluateAccess(actor([...ROLES]), 'no.such.action')).toEqual({
      allowed: false,
      reason: 'no-rule',
    });
    expect(evaluateAccess(actor(['caseworker']), 'identity.account.invite')).toEqual({
      allowed: false,
      reason: 'not-granted',
    });
    expect(evaluateAccess(actor([]), 'staff.console.view')).toEqual({
      allowed: false,
      reason: 'not-granted',
    });
  });

  it('gives the widest scope among several roles', () => {
    expect(grantedScope(actor(['organisation_admin', 'platform_admin']), 'identity.account.list')).toBe(
      'all',
    );
    expect(grantedScope(actor(['caseworker', 'organisation_admin']), 'identity.account.list')).toBe(
      'organisation',
    );
  });

  it('places records in scopes, wider scopes including narrower ones', () => {
    const me = actor(['caseworker']);
    const record = {
      organisationId: 'org-b',
      regionCode: '320102',
      ownerAccountId: 'someone',
      assignedAccountIds: ['me'],
    };
    expect(recordInScope(me, 'own', record)).toBe(false);
    expect(recordInScope(me, 'assigned', record)).toBe(true);
    expect(recordInScope(me, 'organisation', record)).toBe(true); // includes assigned
    expect(recordInScope(me, 'region', { organisationId: 'org-b', regionCode: '320102' })).toBe(true); // Nanjing district inside Nanjing
    expect(recordInScope(me, 'region', { organisationId: 'org-b', regionCode: '500112' })).toBe(false);
    expect(recordInScope(me, 'organisation', { organisationId: 'org-a', regionCode: null })).toBe(true);
    expect(recordInScope(me, 'own', { organisationId: null, regionCode: null, ownerAccountId: 'me' })).toBe(
      true,
    );
    expect(recordInScope(me, 'all', { organisationId: null, regionCode: null })).toBe(true);
  });

  it('refuses records out of scope, and allows break-glass only with a grant and within its scope', () => {
    extendAccessPolicy({
      'unit.case.read': {
        roles: { caseworker: 'assigned', ngo_supervisor: 'assigned' },
        breakGlass: { ngo_supervisor: 'organisation' },
      },
    });
    const record = { organisationId: 'org-a', regionCode: '3201', assignedAccountIds: ['someone-else'] };
    expect(evaluateAccess(actor(['caseworker']), 'unit.case.read', record)).toEqual({
      allowed: false,
      reason: 'out-of-scope',
    });
    expect(evaluateAccess(actor(['ngo_supervisor']), 'unit.case.read', record)).toEqual({
      allowed: false,
      reason: 'out-of-scope',
    });
    expect(evaluateAccess(actor(['ngo_supervisor']), 'unit.case.read', record, true)).toEqual({
      allowed: true,
      scope: 'organisation',
      breakGlass: true,
    });
    expect(
      evaluateAccess(
        actor(['ngo_supervisor']),
        'unit.case.read',
        { ...record, organisationId: 'org-z' },
        true,
      ),
    ).toMatchObject({ allowed: false });
    expect(evaluateAccess(actor(['caseworker']), 'unit.case.read', record, true)).toMatchObject({
      allowed: false,
    });
    expect(
      evaluateAccess(
        actor(['ngo_supervisor']),
        'unit.case.read',
        { ...record, assignedAccountIds: ['me'] },
        true,
      ),
    ).toEqual({ allowed: true, scope: 'assigned', breakGlass: false });
  });

  it('lets modules add actions once, never redefine them', () => {
    extendAccessPolicy({ 'unit.thing.list': { roles: { judge: 'organisation' } } });
    extendAccessPolicy({ 'unit.thing.list': { roles: { judge: 'organisation' } } }); // same rule again: fine
    expect(ruleFor('unit.thing.list')).toEqual({ roles: { judge: 'organisation' } });
    expect(() => extendAccessPolicy({ 'unit.thing.list': { roles: { judge: 'all' } } })).toThrow(/twice/);
    expect(() => extendAccessPolicy({ 'audit.event.list': { roles: {} } })).toThrow(/twice/);
  });

  it('uses only known roles and scopes', () => {
    for (const action of allActions()) {
      const rule = ruleFor(action)!;
      for (const [role, scope] of Object.entries(rule.roles)) {
        expect(ROLES, action).toContain(role);
        expect(SCOPES, action).toContain(scope);
      }
    }
  });
});
