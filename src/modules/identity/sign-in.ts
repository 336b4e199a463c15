/**
 * The sign-in use cases the pages (auth.routes.tsx) and the JSON API (sign-in.api.ts) share, beyond the
 * password, second-factor, enrolment and invitation steps of identity.service.ts: which second factors an
 * account can use, the TOTP secret being enrolled, and signing out (here or everywhere). Each change is one
 * transaction with its audit event; the caller sets or clears the cookie.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { pendingTotpSecret, type IdentityDeps } from './identity.service.ts';
import { revokeAllSessions, revokeSession } from './sessions.ts';
import { totpUri } from './totp.ts';

/** What the second sign-in step accepts from this account: TOTP (or a recovery code), and passkeys if any. */
export type SecondFactor = 'totp' | 'recovery_code' | 'passkey';

export async function secondFactorsOf(
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<SecondFactor[]> {
  const passkey = await db
    .selectFrom('staff_passkey')
    .select('id')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return passkey ? ['totp', 'recovery_code', 'passkey'] : ['totp', 'recovery_code'];
}

/** The authenticator app's secret being enrolled on this (enrol-stage) session, and its otpauth:// URI. */
export async function totpEnrolment(
  deps: IdentityDeps,
  sessionId: string,
  organisationName: string,
): Promise<{ secret: string; otpauthUri: string }> {
  const secret = await pendingTotpSecret(deps, sessionId);
  return { secret, otpauthUri: totpUri(secret, organisationName) };
}

/** End this session (any stage). */
export async function signOut(deps: IdentityDeps, sessionId: string, actor: AuditActor): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await revokeSession(trx, sessionId);
    await recordAudit(trx, {
      event: 'identity.sign_out',
      actor,
      details: { everywhere: false, sessions: 1 },
    });
  });
}

/** End every session of the account, on every device; returns how many were ended. */
export async function signOutEverywhere(
  deps: IdentityDeps,
  accountId: string,
  actor: AuditActor,
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const sessions = await revokeAllSessions(trx, accountId);
    await recordAudit(trx, { event: 'identity.sign_out', actor, details: { everywhere: true, sessions } });
    return sessions;
  });
}
