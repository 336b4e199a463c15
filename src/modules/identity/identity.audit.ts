/**
 * The identity module's audit events (sign-in, accounts, organisations, break-glass grants, system clients,
 * the audit viewer), added to the platform's typed event list. Details carry codes and identifiers only.
 */
import '../../platform/audit.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'identity.sign_in': { method: 'totp' | 'recovery_code' | 'passkey' };
    'identity.sign_in_failed': {
      stage: 'password' | 'totp';
      why: 'password' | 'totp_wrong' | 'totp_reused' | 'locked' | 'throttled' | 'disabled';
    };
    'identity.sign_out': { everywhere: boolean; sessions: number };
    'identity.session_expired': { why: 'idle' | 'absolute' };
    'identity.totp_enrolled': Record<string, never>;
    'identity.recovery_code_used': { remaining: number };
    'identity.invitation_created': { roles: string };
    'identity.invitation_accepted': Record<string, never>;
    'identity.account_disabled': Record<string, never>;
    'identity.account_enabled': Record<string, never>;
    'identity.mfa_reset': { sessionsRevoked: number };
    'identity.throttle_cleared': { counters: number };
    'identity.roles_changed': { roles: string };
    'identity.locale_changed': { locale: string };
    'identity.organisation_created': { kind: string; regionCode: string };
    'identity.passkey_added': Record<string, never>;
    'identity.passkey_removed': Record<string, never>;
    'access.break_glass_granted': { minutes: number };
    'system.client_registered': { scopes: string };
    'system.client_revoked': Record<string, never>;
    'system.token_issued': { scopes: string };
    /** Every API call a system makes, answered or refused (route pattern only, never the concrete URL). */
    'system.call': { method: string; route: string; status: number };
    'audit.viewed': { filters: string };
  }
}
