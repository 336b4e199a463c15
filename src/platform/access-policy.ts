/**
 * The access policy, as data: for each action, which roles may perform it and over which record scope.
 * The platform holds no action of its own: every module contributes its rows through its descriptor
 * (`policy` in src/platform/module.ts, e.g. `identity.policy.ts`, `orders.policy.ts`), or with
 * `extendAccessPolicy` when it is registered (see docs/access-policy.md); `evaluateAccess` is the one
 * function that reads it, called for every non-public route before its handler (see access-guard.ts).
 */

export const ORGANISATION_KINDS = [
  'ngo',
  'court',
  'police_station',
  'womens_federation',
  'community_committee',
  'platform_operator',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const ROLES = [
  'platform_admin',
  'organisation_admin',
  'ngo_supervisor',
  'volunteer_lawyer',
  'caseworker',
  'judge',
  'court_clerk',
  'police_officer',
  'federation_officer',
  'community_officer',
] as const;
export type Role = (typeof ROLES)[number];

/** Which kinds of organisation a role can be held in. */
export const ROLE_ORGANISATION_KINDS: Record<Role, readonly OrganisationKind[]> = {
  platform_admin: ['platform_operator'],
  organisation_admin: ORGANISATION_KINDS,
  ngo_supervisor: ['ngo'],
  volunteer_lawyer: ['ngo'],
  caseworker: ['ngo'],
  judge: ['court'],
  court_clerk: ['court'],
  police_officer: ['police_station'],
  federation_officer: ['womens_federation'],
  community_officer: ['community_committee'],
};

/** Record scopes, narrowest first; each includes the ones before it. */
export const SCOPES = ['own', 'assigned', 'organisation', 'region', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ActionRule {
  /** The roles that may perform the action, each with the widest scope of records it reaches. */
  roles: Partial<Record<Role, Scope>>;
  /**
   * Roles that may reach records beyond their scope by "breaking the glass": they must give a reason, the
   * grant lasts a short time, and every use is flagged in the audit trail for review.
   */
  breakGlass?: Partial<Record<Role, Scope>>;
  /** Session stages besides a full sign-in that may perform the action (sign-in steps). */
  stages?: readonly ('mfa' | 'enrol')[];
  /**
   * A system client may hold this action over this scope whatever the roles say (a system managing its own
   * webhook subscriptions: `own`, the records whose owner is the client).
   */
  system?: Scope;
}

/** Every role, over its own records (one's own account, session, passkeys). */
export const EVERY_ROLE_OWN: Partial<Record<Role, Scope>> = Object.fromEntries(
  ROLES.map((role) => [role, 'own']),
);
/** The administrators: the platform's over everything, an organisation's over their organisation. */
export const ADMINS = {
  platform_admin: 'all',
  organisation_admin: 'organisation',
} as const satisfies Partial<Record<Role, Scope>>;

const moduleRules = new Map<string, ActionRule>();

/**
 * Add a module's actions to the policy (its descriptor's `policy`, added at start, or rules a module adds
 * when it is registered). An action is defined once: redefining one with a different rule is an error;
 * adding the same rule again (the app is built once per test) is not.
 */
export function extendAccessPolicy(rules: Readonly<Record<string, ActionRule>>): void {
  for (const [action, rule] of Object.entries(rules)) {
    const existing = moduleRules.get(action);
    if (existing && JSON.stringify(existing) !== JSON.stringify(rule))
      throw new Error(`Action ${action} is defined twice with different rules`);
    moduleRules.set(action, rule);
  }
}

/** The rule for an action, from the rules the modules contributed; undefined when none (deny). */
export function ruleFor(action: string): ActionRule | undefined {
  return moduleRules.get(action);
}

/** Every action the policy defines. */
export function allActions(): string[] {
  return [...moduleRules.keys()];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isOrganisationKind(value: unknown): value is OrganisationKind {
  return typeof value === 'string' && (ORGANISATION_KINDS as readonly string[]).includes(value);
}

/** The person asking: their account, organisation (and its region) and roles. */
export interface Actor {
  accountId: string;
  organisationId: string;
  regionCode: string;
  roles: readonly Role[];
  /**
   * A system client's grants (action → scope), used instead of roles: see `systemScopes`. A system holds no
   * role and no break-glass.
   */
  grants?: Readonly<Record<string, Scope>>;
}

/** Roles that administer rather than do the work: their actions are never granted to a system. */
const ADMIN_ROLES: readonly Role[] = ['platform_admin', 'organisation_admin'];

/**
 * The scopes a system client of an organisation of this kind may be given: every action that a working role
 * held in such an organisation performs over the whole organisation (or wider), with that widest scope. A
 * system has no account, so actions granted only over one's own or assigned records are left out, and so
 * are administration and sign-in actions.
 */
export function systemScopes(kind: OrganisationKind): Record<string, Scope> {
  const roles = ROLES.filter(
    (role) => !ADMIN_ROLES.includes(role) && ROLE_ORGANISATION_KINDS[role].includes(kind),
  );
  const scopes: Record<string, Scope> = {};
  for (const action of allActions()) {
    const rule = ruleFor(action);
    if (!rule || rule.stages) continue;
    if (rule.system) {
      scopes[action] = rule.system;
      continue;
    }
    const scope = grantedScope({ roles }, action);
    if (scope && scopeRank(scope) >= scopeRank('organisation')) scopes[action] = scope;
  }
  return scopes;
}

/** Where a record sits, as far as access is concerned. */
export interface RecordPlacement {
  organisationId: string | null;
  regionCode: string | null;
  /** The account the record belongs to (a staff account itself, a note's author). */
  ownerAccountId?: string | null;
  /** Accounts the record is assigned to (a case's lawyer and caseworker). */
  assignedAccountIds?: readonly string[];
}

export function scopeRank(scope: Scope): number {
  return SCOPES.indexOf(scope);
}

/** The widest scope any of the actor's roles has for an action, or undefined when none grants it. */
export function grantedScope(
  actor: Pick<Actor, 'roles' | 'grants'>,
  action: string,
  table: 'roles' | 'breakGlass' = 'roles',
): Scope | undefined {
  const rule = ruleFor(action);
  if (!rule) return undefined;
  if (actor.grants)
    return table === 'roles' && Object.hasOwn(actor.grants, action) ? actor.grants[action] : undefined;
  let widest: Scope | undefined;
  for (const role of actor.roles) {
    const scope = rule[table]?.[role];
    if (scope && (widest === undefined || scopeRank(scope) > scopeRank(widest))) widest = scope;
  }
  return widest;
}

/** True when a record lies inside a scope for this actor. Wider scopes include narrower ones. */
export function recordInScope(actor: Actor, scope: Scope, record: RecordPlacement): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'region':
      if (record.regionCode !== null && record.regionCode.startsWith(actor.regionCode)) return true;
      return recordInScope(actor, 'organisation', record);
    case 'organisation':
      if (record.organisationId !== null && record.organisationId === actor.organisationId) return true;
      return recordInScope(actor, 'assigned', record);
    case 'assigned':
      if (record.assignedAccountIds?.includes(actor.accountId)) return true;
      return recordInScope(actor, 'own', record);
    case 'own':
      return record.ownerAccountId != null && record.ownerAccountId === actor.accountId;
  }
}

export type AccessDecision =
  | { allowed: true; scope: Scope; breakGlass: false }
  | { allowed: true; scope: Scope; breakGlass: true }
  | { allowed: false; reason: 'no-rule' | 'not-granted' | 'out-of-scope' };

/**
 * The one decision: may this actor perform this action (on this record, when there is one)?
 * Deny by default: an unknown action, a role without a grant, or a record outside every granted scope
 * is refused. `breakGlassGranted` says the actor holds a live break-glass grant for this record.
 */
export function evaluateAccess(
  actor: Actor,
  action: string,
  record?: RecordPlacement,
  breakGlassGranted = false,
): AccessDecision {
  const rule = ruleFor(action);
  if (!rule) return { allowed: false, reason: 'no-rule' };
  const scope = grantedScope(actor, action);
  const glass = grantedScope(actor, action, 'breakGlass');
  if (scope === undefined && glass === undefined) return { allowed: false, reason: 'not-granted' };
  if (!record) {
    if (scope !== undefined) return { allowed: true, scope, breakGlass: false };
    return { allowed: false, reason: 'not-granted' };
  }
  if (scope !== undefined && recordInScope(actor, scope, record))
    return { allowed: true, scope, breakGlass: false };
  if (glass !== undefined && breakGlassGranted && recordInScope(actor, glass, record))
    return { allowed: true, scope: glass, breakGlass: true };
  return { allowed: false, reason: 'out-of-scope' };
}
