/**
 * Server-side staff sessions in PostgreSQL. The browser holds only a random token in an HttpOnly cookie;
 * the table holds its HMAC, so a database dump opens no session. A session ends after 30 minutes without
 * use (idle), 12 hours after sign-in (absolute), at sign-out, or when the account is disabled or its
 * second factor reset. Sessions part-way through signing in (`mfa`, `enrol`) last 15 minutes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { csrfTokenFor } from '../../platform/csrf.ts';
import { recordAudit } from '../../platform/audit.ts';
import { isRole, type OrganisationKind } from '../../platform/access-policy.ts';
import type { SessionStage, StaffContext } from '../../platform/staff.ts';
import { newToken, tokenHash } from './totp.ts';

export const SESSION_COOKIE = 'anxin_session';
export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;
export const PARTIAL_SESSION_MS = 15 * 60_000;
/** How often last-use is written back (a write per request would be wasteful). */
const TOUCH_EVERY_MS = 30_000;

export interface SessionKeys {
  token: Buffer;
  csrf: Buffer;
}

export async function createSession(
  trx: Transaction<Database> | Kysely<Database>,
  keys: SessionKeys,
  accountId: string,
  stage: SessionStage,
): Promise<{ id: string; token: string }> {
  const token = newToken();
  const lifetime = stage === 'full' ? ABSOLUTE_TIMEOUT_MS : PARTIAL_SESSION_MS;
  const row = await trx
    .insertInto('staff_session')
    .values({
      account_id: accountId,
      token_hash: tokenHash(keys.token, token),
      stage,
      last_seen_at: new Date(),
      expires_at: new Date(Date.now() + lifetime),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

/** Move a session to its next stage under a new token (the old token stops working: no session fixation). */
export async function advanceSession(
  trx: Transaction<Database>,
  keys: SessionKeys,
  sessionId: string,
  stage: SessionStage,
): Promise<{ id: string; token: string }> {
  const old = await trx
    .updateTable('staff_session')
    .set({ revoked_at: new Date(), pending_totp_secret: null })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .returning('account_id')
    .executeTakeFirst();
  if (!old) throw new Error('session ended while signing in');
  return createSession(trx, keys, old.account_id, stage);
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.server.config.publicUrl.startsWith('https://'),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.server.config.publicUrl.startsWith('https://'),
  });
}

/**
 * The session behind the request's cookie, checked against every time-out; sets `request.staff`.
 * An ended session is revoked so it can never come back.
 */
export async function loadStaffSession(
  request: FastifyRequest,
  db: Kysely<Database>,
  keys: SessionKeys,
): Promise<StaffContext | undefined> {
  if (request.staff) return request.staff;
  const token = request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) return undefined;
  const row = await db
    .selectFrom('staff_session as s')
    .innerJoin('staff_account as a', 'a.id', 's.account_id')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select([
      's.id as sessionId',
      's.stage',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      's.revoked_at',
      'a.id as accountId',
      'a.display_name',
      'a.locale',
      'a.status',
      'o.id as organisationId',
      'o.name as organisationName',
      'o.kind',
      'o.region_code',
      'o.disabled_at as organisationDisabledAt',
    ])
    .select(
      sql<
        string[]
      >`coalesce((select array_agg(role order by role) from staff_account_role r where r.account_id = a.id), '{}')`.as(
        'roles',
      ),
    )
    .where('s.token_hash', '=', tokenHash(keys.token, token))
    .executeTakeFirst();
  if (!row) {
    request.staffSessionEnded = 'ended';
    return undefined;
  }
  const now = Date.now();
  let ended: 'idle' | 'absolute' | 'ended' | undefined;
  if (row.revoked_at) ended = 'ended';
  else if (row.status !== 'active' || row.organisationDisabledAt) ended = 'ended';
  else if (row.expires_at.getTime() <= now) ended = 'absolute';
  else if (row.last_seen_at.getTime() + IDLE_TIMEOUT_MS <= now) ended = 'idle';
  if (ended) {
    request.staffSessionEnded = ended;
    if (!row.revoked_at) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('staff_session')
          .set({ revoked_at: new Date(), pending_totp_secret: null })
          .where('id', '=', row.sessionId)
          .execute();
        if (ended === 'idle' || ended === 'absolute') {
          await recordAudit(trx, {
            event: 'identity.session_expired',
            actor: {
              accountId: row.accountId,
              roles: row.roles,
              organisationId: row.organisationId,
              ip: request.ip || null,
              userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
            },
            details: { why: ended },
          });
        }
      });
    }
    return undefined;
  }
  if (now - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db
      .updateTable('staff_session')
      .set({ last_seen_at: new Date() })
      .where('id', '=', row.sessionId)
      .execute();
  }
  const staff: StaffContext = {
    sessionId: row.sessionId,
    stage: row.stage,
    accountId: row.accountId,
    displayName: row.display_name,
    locale: row.locale,
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    organisationKind: row.kind as OrganisationKind,
    regionCode: row.region_code,
    roles: row.roles.filter(isRole),
    csrfToken: csrfTokenFor(keys.csrf, row.sessionId),
  };
  request.staff = staff;
  return staff;
}

export async function revokeSession(
  db: Kysely<Database> | Transaction<Database>,
  sessionId: string,
): Promise<void> {
  await db
    .updateTable('staff_session')
    .set({ revoked_at: new Date(), pending_totp_secret: null })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** End every live session of an account; returns how many were ended. */
export async function revokeAllSessions(
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<number> {
  const result = await db
    .updateTable('staff_session')
    .set({ revoked_at: new Date(), pending_totp_secret: null })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
