/**
 * The identity service: signing in (password, then TOTP or a recovery code), TOTP enrolment, invitations,
 * and the administration of organisations and accounts. Every change is written with its audit event in
 * one transaction. Failures are AppErrors or typed results the pages turn into messages; nothing here
 * logs a password, code, secret or token.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import type { GuessAttempt, GuessPolicies } from '../../platform/throttle.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import {
  dummyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
  type PasswordProblem,
} from './passwords.ts';
import { ROLE_ORGANISATION_KINDS, isRole, type OrganisationKind } from '../../platform/access-policy.ts';
import { advanceSession, createSession, revokeAllSessions, type SessionKeys } from './sessions.ts';
import { newRecoveryCodes, newTotpSecret, newToken, recoveryCodeHash, tokenHash, totpStep } from './totp.ts';

/**
 * Guessing is throttled, never locked (platform/throttle.ts). Passwords: one network guessing one address gets
 * 5 tries, then waits doubling from 30 s (at most an hour); an address guessed from many networks gets 50,
 * then waits of at most 5 minutes; one network gets 30 wrong tries over all addresses, then waits. The right
 * password from another network is accepted; successful sign-ins count nothing.
 */
export const SIGN_IN_THROTTLE: GuessPolicies = {
  source: { free: 5, baseMs: 30_000, capMs: 60 * 60_000, memoryMs: 24 * 60 * 60_000 },
  subject: { free: 50, baseMs: 1_000, capMs: 5 * 60_000, memoryMs: 24 * 60 * 60_000 },
  network: { free: 30, baseMs: 60_000, capMs: 60 * 60_000, memoryMs: 60 * 60_000 },
};
/** TOTP codes, recovery codes and passkeys (one account, after its password): a lower ceiling per account. */
export const SECOND_FACTOR_THROTTLE: GuessPolicies = {
  source: { free: 5, baseMs: 30_000, capMs: 60 * 60_000, memoryMs: 24 * 60 * 60_000 },
  subject: { free: 10, baseMs: 30_000, capMs: 15 * 60_000, memoryMs: 24 * 60 * 60_000 },
  network: { free: 30, baseMs: 60_000, capMs: 60 * 60_000, memoryMs: 60 * 60_000 },
};
export const PASSWORD_GUESSES = 'identity.password';
export const SECOND_FACTOR_GUESSES = 'identity.second-factor';
export const INVITATION_MS = 7 * 24 * 60 * 60_000;

export interface IdentityDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  rateLimiter: RateLimiter;
  sessionKeys: SessionKeys;
  recoveryKey: Buffer;
}

export const totpContext = (accountId: string): string => `staff_account.totp_secret:${accountId}`;
export const pendingTotpContext = (sessionId: string): string => `staff_session.pending_totp:${sessionId}`;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type SignInResult =
  | { ok: true; session: { id: string; token: string }; accountId: string; next: 'mfa' | 'enrol' }
  | { ok: false; why: 'invalid' }
  | { ok: false; why: 'throttled'; retryAfterSeconds: number };

/** Step one: email and password. Answers the same for a wrong password and an unknown email. */
export async function signInWithPassword(
  deps: IdentityDeps,
  input: { email: string; password: string },
  actor: Omit<AuditActor, 'accountId' | 'roles' | 'organisationId'>,
): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  const attempt = deps.rateLimiter.guesses.attempt(
    PASSWORD_GUESSES,
    email,
    actor.ip ?? 'unknown',
    SIGN_IN_THROTTLE,
  );
  const decision = await attempt.check();
  const account = await deps.db
    .selectFrom('staff_account as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['a.id', 'a.password_hash', 'a.status', 'a.totp_secret', 'a.organisation_id', 'o.disabled_at'])
    .where('a.email', '=', email)
    .executeTakeFirst();
  const auditFailure = async (why: 'password' | 'throttled' | 'disabled'): Promise<void> => {
    if (!account) return;
    await deps.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'identity.sign_in_failed',
        actor: { ...actor, accountId: account.id, roles: [], organisationId: account.organisation_id },
        details: { stage: 'password', why },
      }),
    );
  };
  if (!decision.allowed) {
    await auditFailure('throttled');
    return { ok: false, why: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  }
  // Always spend the same effort, whether or not the account exists.
  const valid = await verifyPassword(account?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!account || !valid) {
    await attempt.failed();
    await auditFailure('password');
    return { ok: false, why: 'invalid' };
  }
  if (account.status !== 'active' || account.disabled_at) {
    await auditFailure('disabled');
    return { ok: false, why: 'invalid' };
  }
  await attempt.succeeded();
  const next = account.totp_secret ? 'mfa' : 'enrol';
  const session = await createSession(deps.db, deps.sessionKeys, account.id, next);
  return { ok: true, session, accountId: account.id, next };
}

export type SecondFactorResult =
  | { ok: true; session: { id: string; token: string }; recoveryCodesLeft?: number }
  | { ok: false; why: 'wrong' | 'reused' }
  | { ok: false; why: 'throttled'; retryAfterSeconds: number };

/** Step two: a TOTP code (used once) or a recovery code. On success the session becomes a full one. */
export async function verifySecondFactor(
  deps: IdentityDeps,
  sessionId: string,
  accountId: string,
  code: string,
  actor: AuditActor,
): Promise<SecondFactorResult> {
  const attempt = secondFactorAttempt(deps.rateLimiter, accountId, actor.ip);
  const decision = await attempt.check();
  const fail = async (why: 'totp_wrong' | 'totp_reused'): Promise<SecondFactorResult> => {
    if (why === 'totp_wrong') await attempt.failed();
    await deps.db
      .transaction()
      .execute((trx) =>
        recordAudit(trx, { event: 'identity.sign_in_failed', actor, details: { stage: 'totp', why } }),
      );
    return { ok: false, why: why === 'totp_wrong' ? 'wrong' : 'reused' };
  };
  if (!decision.allowed) {
    await deps.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'identity.sign_in_failed',
        actor,
        details: { stage: 'totp', why: 'throttled' },
      }),
    );
    return { ok: false, why: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  }
  const account = await deps.db
    .selectFrom('staff_account')
    .select(['totp_secret', 'totp_last_step'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (!account.totp_secret) return fail('totp_wrong');
  const trimmed = code.replace(/\s+/g, '');
  if (/^\d{6}$/.test(trimmed)) {
    const secret = deps.keyring.openText(account.totp_secret, totpContext(accountId));
    const step = totpStep(secret, trimmed);
    if (step === undefined) return fail('totp_wrong');
    const result = await deps.db.transaction().execute(async (trx) => {
      // Accept each time step once: the update only matches when this step is newer than the last one used.
      const used = await trx
        .updateTable('staff_account')
        .set({ totp_last_step: step })
        .where('id', '=', accountId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) {
        await recordAudit(trx, {
          event: 'identity.sign_in_failed',
          actor,
          details: { stage: 'totp', why: 'totp_reused' },
        });
        return { ok: false as const, why: 'reused' as const };
      }
      const session = await advanceSession(trx, deps.sessionKeys, sessionId, 'full');
      await recordAudit(trx, { event: 'identity.sign_in', actor, details: { method: 'totp' } });
      return { ok: true as const, session };
    });
    if (result.ok) await attempt.succeeded();
    return result;
  }
  // A recovery code: letters and digits, dashes optional.
  const hash = recoveryCodeHash(deps.recoveryKey, trimmed);
  const result = await deps.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('staff_recovery_code')
      .set({ used_at: new Date() })
      .where('account_id', '=', accountId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) {
      await recordAudit(trx, {
        event: 'identity.sign_in_failed',
        actor,
        details: { stage: 'totp', why: 'totp_wrong' },
      });
      return { ok: false as const, why: 'wrong' as const };
    }
    const left = await trx
      .selectFrom('staff_recovery_code')
      .select(sql<string>`count(*)::text`.as('n'))
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    const session = await advanceSession(trx, deps.sessionKeys, sessionId, 'full');
    await recordAudit(trx, {
      event: 'identity.recovery_code_used',
      actor,
      details: { remaining: Number(left.n) },
    });
    await recordAudit(trx, { event: 'identity.sign_in', actor, details: { method: 'recovery_code' } });
    return { ok: true as const, session, recoveryCodesLeft: Number(left.n) };
  });
  await (result.ok ? attempt.succeeded() : attempt.failed());
  return result;
}

/** One guess of an account's second factor (TOTP, recovery code, passkey) from a network. */
export function secondFactorAttempt(
  rateLimiter: RateLimiter,
  accountId: string,
  ip: string | null | undefined,
): GuessAttempt {
  return rateLimiter.guesses.attempt(
    SECOND_FACTOR_GUESSES,
    accountId,
    ip ?? 'unknown',
    SECOND_FACTOR_THROTTLE,
  );
}

/** The TOTP secret being enrolled on this session, created on first call and kept (sealed) on the session. */
export async function pendingTotpSecret(deps: IdentityDeps, sessionId: string): Promise<string> {
  const row = await deps.db
    .selectFrom('staff_session')
    .select('pending_totp_secret')
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  if (row.pending_totp_secret)
    return deps.keyring.openText(row.pending_totp_secret, pendingTotpContext(sessionId));
  const secret = newTotpSecret();
  await deps.db
    .updateTable('staff_session')
    .set({ pending_totp_secret: deps.keyring.sealText(secret, pendingTotpContext(sessionId)) })
    .where('id', '=', sessionId)
    .execute();
  return secret;
}

export type EnrolResult =
  | { ok: true; session: { id: string; token: string }; recoveryCodes: string[] }
  | { ok: false; why: 'wrong' }
  | { ok: false; why: 'throttled'; retryAfterSeconds: number };

/** Confirm enrolment with a first code from the app; stores the secret, issues recovery codes, signs in. */
export async function confirmTotpEnrolment(
  deps: IdentityDeps,
  sessionId: string,
  accountId: string,
  code: string,
  actor: AuditActor,
): Promise<EnrolResult> {
  const attempt = secondFactorAttempt(deps.rateLimiter, accountId, actor.ip);
  const decision = await attempt.check();
  if (!decision.allowed)
    return { ok: false, why: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  const secret = await pendingTotpSecret(deps, sessionId);
  const step = totpStep(secret, code);
  if (step === undefined) {
    await attempt.failed();
    return { ok: false, why: 'wrong' };
  }
  const recoveryCodes = newRecoveryCodes();
  const result = await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_account')
      .set({
        totp_secret: deps.keyring.sealText(secret, totpContext(accountId)),
        totp_last_step: step,
        mfa_enrolled_at: new Date(),
      })
      .where('id', '=', accountId)
      .execute();
    await trx.deleteFrom('staff_recovery_code').where('account_id', '=', accountId).execute();
    await trx
      .insertInto('staff_recovery_code')
      .values(
        recoveryCodes.map((c) => ({
          account_id: accountId,
          code_hash: recoveryCodeHash(deps.recoveryKey, c),
        })),
      )
      .execute();
    const session = await advanceSession(trx, deps.sessionKeys, sessionId, 'full');
    await recordAudit(trx, { event: 'identity.totp_enrolled', actor, details: {} });
    await recordAudit(trx, { event: 'identity.sign_in', actor, details: { method: 'totp' } });
    return { ok: true as const, session, recoveryCodes };
  });
  await attempt.succeeded();
  return result;
}

export interface InvitationView {
  accountId: string;
  email: string;
  displayName: string;
  organisationName: string;
}

/** The invitation behind a link, when it is unused and unexpired. */
export async function findInvitation(deps: IdentityDeps, token: string): Promise<InvitationView | undefined> {
  if (token.length > 100) return undefined;
  return deps.db
    .selectFrom('staff_invitation as i')
    .innerJoin('staff_account as a', 'a.id', 'i.account_id')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['a.id as accountId', 'a.email', 'a.display_name as displayName', 'o.name as organisationName'])
    .where('i.token_hash', '=', tokenHash(deps.sessionKeys.token, token))
    .where('i.used_at', 'is', null)
    .where('i.expires_at', '>', new Date())
    .where('a.status', '=', 'invited')
    .executeTakeFirst();
}

export type AcceptResult =
  | { ok: true; session: { id: string; token: string } }
  | { ok: false; why: 'gone' }
  | { ok: false; why: 'password'; problem: PasswordProblem | 'mismatch' };

/** Accept an invitation: set the password; the account becomes active and TOTP enrolment follows. */
export async function acceptInvitation(
  deps: IdentityDeps,
  token: string,
  password: string,
  confirm: string,
  actor: Omit<AuditActor, 'accountId' | 'roles' | 'organisationId'>,
): Promise<AcceptResult> {
  const invitation = await findInvitation(deps, token);
  if (!invitation) return { ok: false, why: 'gone' };
  if (password !== confirm) return { ok: false, why: 'password', problem: 'mismatch' };
  const problem = passwordProblem(password, { email: invitation.email, name: invitation.displayName });
  if (problem) return { ok: false, why: 'password', problem };
  const passwordHash = await hashPassword(password);
  return deps.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('staff_invitation')
      .set({ used_at: new Date() })
      .where('token_hash', '=', tokenHash(deps.sessionKeys.token, token))
      .where('used_at', 'is', null)
      .returning('account_id')
      .executeTakeFirst();
    if (!claimed) return { ok: false as const, why: 'gone' as const };
    const account = await trx
      .updateTable('staff_account')
      .set({ password_hash: passwordHash, status: 'active', password_changed_at: new Date() })
      .where('id', '=', claimed.account_id)
      .where('status', '=', 'invited')
      .returning(['id', 'organisation_id'])
      .executeTakeFirst();
    if (!account) return { ok: false as const, why: 'gone' as const };
    const roles = await trx
      .selectFrom('staff_account_role')
      .select('role')
      .where('account_id', '=', account.id)
      .execute();
    await recordAudit(trx, {
      event: 'identity.invitation_accepted',
      actor: {
        ...actor,
        accountId: account.id,
        roles: roles.map((r) => r.role),
        organisationId: account.organisation_id,
      },
      record: { type: 'staff_account', id: account.id },
      details: {},
    });
    const session = await createSession(trx, deps.sessionKeys, account.id, 'enrol');
    return { ok: true as const, session };
  });
}

export type InviteProblem = {
  field: string;
  problem: 'email' | 'name' | 'roles' | 'roleKind' | 'taken' | 'organisation';
};

/** Invite someone into an organisation with roles; returns the one-time link token (shown once). */
export async function inviteAccount(
  deps: IdentityDeps,
  input: {
    organisationId: string;
    email: string;
    displayName: string;
    roles: string[];
    locale: 'zh-CN' | 'en';
  },
  actor: AuditActor,
): Promise<{ ok: true; accountId: string; token: string } | { ok: false; problems: InviteProblem[] }> {
  const email = normaliseEmail(input.email);
  const problems: InviteProblem[] = [];
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    problems.push({ field: 'email', problem: 'email' });
  const displayName = input.displayName.trim();
  if (displayName.length < 1 || displayName.length > 100)
    problems.push({ field: 'displayName', problem: 'name' });
  const roles = [...new Set(input.roles)];
  if (roles.length === 0 || !roles.every(isRole)) problems.push({ field: 'roles', problem: 'roles' });
  const organisation = await deps.db
    .selectFrom('organisation')
    .select(['id', 'kind'])
    .where('id', '=', input.organisationId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!organisation) problems.push({ field: 'organisationId', problem: 'organisation' });
  else if (
    roles.some(
      (r) => isRole(r) && !ROLE_ORGANISATION_KINDS[r].includes(organisation.kind as OrganisationKind),
    )
  )
    problems.push({ field: 'roles', problem: 'roleKind' });
  if (problems.length === 0) {
    const taken = await deps.db
      .selectFrom('staff_account')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    if (taken) problems.push({ field: 'email', problem: 'taken' });
  }
  if (problems.length) return { ok: false, problems };
  const token = newToken();
  return deps.db.transaction().execute(async (trx) => {
    const account = await trx
      .insertInto('staff_account')
      .values({
        organisation_id: input.organisationId,
        email,
        display_name: displayName,
        status: 'invited',
        locale: input.locale,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('staff_account_role')
      .values(roles.map((role) => ({ account_id: account.id, role })))
      .execute();
    await trx
      .insertInto('staff_invitation')
      .values({
        account_id: account.id,
        token_hash: tokenHash(deps.sessionKeys.token, token),
        created_by: actor.accountId,
        expires_at: new Date(Date.now() + INVITATION_MS),
      })
      .execute();
    await recordAudit(trx, {
      event: 'identity.invitation_created',
      actor,
      record: { type: 'staff_account', id: account.id },
      details: { roles: roles.join(',') },
    });
    return { ok: true as const, accountId: account.id, token };
  });
}

export async function setAccountDisabled(
  deps: IdentityDeps,
  accountId: string,
  disabled: boolean,
  actor: AuditActor,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_account')
      .set(
        disabled
          ? { status: 'disabled', disabled_at: new Date() }
          : {
              status: sql<
                'active' | 'invited'
              >`case when password_hash is null then 'invited' else 'active' end`,
              disabled_at: null,
            },
      )
      .where('id', '=', accountId)
      .execute();
    if (disabled) await revokeAllSessions(trx, accountId);
    await recordAudit(trx, {
      event: disabled ? 'identity.account_disabled' : 'identity.account_enabled',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: {},
    });
  });
}

/** Remove the account's TOTP secret, recovery codes and passkeys; the next sign-in enrols afresh. */
export async function resetMfa(deps: IdentityDeps, accountId: string, actor: AuditActor): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_account')
      .set({ totp_secret: null, totp_last_step: null, mfa_enrolled_at: null })
      .where('id', '=', accountId)
      .execute();
    await trx.deleteFrom('staff_recovery_code').where('account_id', '=', accountId).execute();
    await trx.deleteFrom('staff_passkey').where('account_id', '=', accountId).execute();
    const sessions = await revokeAllSessions(trx, accountId);
    await recordAudit(trx, {
      event: 'identity.mfa_reset',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: { sessionsRevoked: sessions },
    });
  });
}

export async function setRoles(
  deps: IdentityDeps,
  accountId: string,
  roles: string[],
  actor: AuditActor,
): Promise<{ ok: true } | { ok: false; problem: 'roles' | 'roleKind' }> {
  const unique = [...new Set(roles)];
  if (unique.length === 0 || !unique.every(isRole)) return { ok: false, problem: 'roles' };
  const account = await deps.db
    .selectFrom('staff_account as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select('o.kind')
    .where('a.id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (unique.some((r) => !ROLE_ORGANISATION_KINDS[r].includes(account.kind as OrganisationKind)))
    return { ok: false, problem: 'roleKind' };
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('staff_account_role').where('account_id', '=', accountId).execute();
    await trx
      .insertInto('staff_account_role')
      .values(unique.map((role) => ({ account_id: accountId, role })))
      .execute();
    // New roles take effect at the next sign-in; ending sessions now avoids stale rights.
    await revokeAllSessions(trx, accountId);
    await recordAudit(trx, {
      event: 'identity.roles_changed',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: { roles: unique.join(',') },
    });
  });
  return { ok: true };
}

export async function createOrganisation(
  deps: IdentityDeps,
  input: { kind: OrganisationKind; name: string; regionCode: string },
  actor: AuditActor,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('organisation')
      .values({ kind: input.kind, name: input.name, region_code: input.regionCode })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      event: 'identity.organisation_created',
      actor,
      record: { type: 'organisation', id: row.id },
      details: { kind: input.kind, regionCode: input.regionCode },
    });
    return row.id;
  });
}
