/**
 * The principal behind a request, as the platform sees it: a signed-in staff member or a system client acting
 * for its organisation. The identity module finds it (sessions, system tokens) and hands it to the access gate
 * through the `PrincipalSource` the gate defines (access-guard.ts); the platform never reads identity's tables.
 */
import type { OrganisationKind, Role, Scope } from './access-policy.ts';

export type SessionStage = 'mfa' | 'enrol' | 'full';

/** The signed-in (or signing-in) staff member of a request. */
export interface StaffContext {
  sessionId: string;
  stage: SessionStage;
  accountId: string;
  displayName: string;
  locale: 'zh-CN' | 'en';
  organisationId: string;
  organisationName: string;
  organisationKind: OrganisationKind;
  regionCode: string;
  roles: Role[];
  /** The form token bound to this session. */
  csrfToken: string;
  /** Set for a system client calling with a bearer token (system-clients.ts): `accountId` is the client's id. */
  principal?: 'system';
  /** A system's grants (action → scope), in place of roles. */
  grants?: Readonly<Record<string, Scope>>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The staff member behind this request's session, once loaded (undefined: not looked at or none). */
    staff: StaffContext | undefined;
    /** Set when a session cookie was presented but its session had ended (to say so on the sign-in page). */
    staffSessionEnded: 'idle' | 'absolute' | 'ended' | undefined;
  }
}
