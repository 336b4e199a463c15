/**
 * Sign-in for systems (a court's case system, a police system): an organisation admin registers a client
 * with scopes — access-policy actions, at most what the organisation's working roles may do over the whole
 * organisation (`systemScopes`) — and is shown its secret once (only an HMAC is stored). The system trades
 * its id and secret for a short-lived signed access token (OAuth 2.0 client credentials, RFC 6749 §4.4;
 * a JWT signed with HS256 under a key derived from the master key, via `jose`), and sends it as
 * `Authorization: Bearer` to the API. Every request looks the client up by primary key, so a revocation (or
 * a disabled organisation, or a scope taken away) takes effect at the very next request — no token lists to
 * distribute, no waiting for expiry.
 */
import { createSecretKey, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hmacSha256 } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import {
  ruleFor,
  systemScopes,
  type OrganisationKind,
  type Role,
  type Scope,
} from '../../platform/access-policy.ts';
import { isUuid } from '../../platform/ids.ts';

/** Lifetime of an access token: short, since a system can always ask for another. */
export const SYSTEM_TOKEN_SECONDS = 600;

export interface SystemClientKeys {
  /** HMAC key for client secrets. */
  secret: Buffer;
  /** HS256 key for access tokens. */
  token: KeyObject;
  /** Issuer and audience of the tokens (the public URL). */
  issuer: string;
}

export function systemClientKeys(
  deriveKey: (purpose: string) => Buffer,
  publicUrl: string,
): SystemClientKeys {
  return {
    secret: deriveKey('identity.system-secret'),
    token: createSecretKey(deriveKey('identity.system-token')),
    issuer: publicUrl,
  };
}

/** The principal behind a verified bearer token, looked up afresh for this request. */
export interface SystemPrincipal {
  clientId: string;
  name: string;
  organisationId: string;
  organisationName: string;
  organisationKind: OrganisationKind;
  regionCode: string;
  /** What it may do now: the token's scopes that the client still holds and its organisation allows. */
  grants: Record<string, Scope>;
  /** False when the client was revoked or its organisation disabled. */
  active: boolean;
}

export interface SystemClientView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** The audit actor of a system: its client id stands where a staff account would, with the role `system`. */
export function systemAuditActor(
  principal: Pick<SystemPrincipal, 'clientId' | 'organisationId'>,
  ip: string | null,
  userAgent: string | null,
): AuditActor {
  return {
    accountId: principal.clientId,
    roles: ['system'],
    organisationId: principal.organisationId,
    ip,
    userAgent,
  };
}

function secretHash(keys: SystemClientKeys, secret: string): Buffer {
  return hmacSha256(keys.secret).update(secret).digest();
}

/** Register a client for an organisation; answers the secret, which is never shown again. */
export async function registerSystemClient(
  db: Kysely<Database>,
  keys: SystemClientKeys,
  input: {
    organisationId: string;
    organisationKind: OrganisationKind;
    name: string;
    scopes: readonly string[];
    createdBy: string;
    audit: AuditActor;
  },
): Promise<{ id: string; secret: string; scopes: string[] }> {
  const allowed = systemScopes(input.organisationKind);
  const problems: FieldProblem[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100)
    problems.push({ field: 'name', message: 'identity.system.problem.name' });
  input.scopes.forEach((scope, i) => {
    if (!Object.hasOwn(allowed, scope))
      problems.push({
        field: `scopes.${i}`,
        message: 'identity.system.problem.scope',
        params: { scope: scope.slice(0, 80) },
      });
  });
  if (input.scopes.length === 0)
    problems.push({ field: 'scopes', message: 'identity.system.problem.scope', params: { scope: '—' } });
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const scopes = [...new Set(input.scopes)].sort();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('system_client')
      .values({
        id,
        organisation_id: input.organisationId,
        name,
        scopes,
        secret_hash: secretHash(keys, secret),
        created_by: input.createdBy,
      })
      .execute();
    await recordAudit(trx, {
      event: 'system.client_registered',
      actor: input.audit,
      record: { type: 'system_client', id },
      details: { scopes: scopes.join(' ') },
    });
  });
  return { id, secret, scopes };
}

export async function listSystemClients(
  db: Executor,
  organisationId: string | undefined,
): Promise<SystemClientView[]> {
  let query = db
    .selectFrom('system_client')
    .select(['id', 'name', 'scopes', 'created_at', 'revoked_at'])
    .orderBy('created_at', 'desc')
    .limit(500);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** Revoke a client: its tokens are refused from the next request on. Revoking twice changes nothing. */
export async function revokeSystemClient(
  db: Kysely<Database>,
  clientId: string,
  revokedBy: string,
  audit: AuditActor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('system_client')
      .set({ revoked_at: new Date(), revoked_by: revokedBy })
      .where('id', '=', clientId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (row)
      await recordAudit(trx, {
        event: 'system.client_revoked',
        actor: audit,
        record: { type: 'system_client', id: clientId },
        details: {},
      });
  });
}

export type TokenOutcome =
  | { ok: true; accessToken: string; expiresIn: number; scope: string }
  | { ok: false; error: 'invalid_client' | 'invalid_scope' };

/** Client credentials grant: check the secret and the requested scopes, and sign a token. */
export async function issueSystemToken(
  db: Kysely<Database>,
  keys: SystemClientKeys,
  input: {
    clientId: string;
    secret: string;
    scope: string | undefined;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<TokenOutcome> {
  if (!isUuid(input.clientId) || input.secret.length > 200) return { ok: false, error: 'invalid_client' };
  const client = await db
    .selectFrom('system_client as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .select(['c.id', 'c.scopes', 'c.secret_hash', 'c.revoked_at', 'c.organisation_id', 'o.disabled_at'])
    .where('c.id', '=', input.clientId)
    .executeTakeFirst();
  const presented = secretHash(keys, input.secret);
  if (!client || !timingSafeEqual(presented, client.secret_hash) || client.revoked_at || client.disabled_at)
    return { ok: false, error: 'invalid_client' };
  const requested =
    input.scope === undefined || input.scope.trim() === ''
      ? client.scopes
      : [...new Set(input.scope.trim().split(/\s+/))];
  if (requested.some((s) => !client.scopes.includes(s))) return { ok: false, error: 'invalid_scope' };
  const scope = requested.sort().join(' ');
  const accessToken = await new SignJWT({ scope, org: client.organisation_id })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(keys.issuer)
    .setAudience(`${keys.issuer}/api`)
    .setSubject(client.id)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${SYSTEM_TOKEN_SECONDS}s`)
    .sign(keys.token);
  await db.transaction().execute((trx) =>
    recordAudit(trx, {
      event: 'system.token_issued',
      actor: systemAuditActor(
        { clientId: client.id, organisationId: client.organisation_id },
        input.ip,
        input.userAgent,
      ),
      record: { type: 'system_client', id: client.id },
      details: { scopes: scope },
    }),
  );
  return { ok: true, accessToken, expiresIn: SYSTEM_TOKEN_SECONDS, scope };
}

/** True when the string looks like a JWT (three base64url parts), not an opaque survivor thread token. */
export function looksLikeJwt(token: string): boolean {
  return token.length < 4096 && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/**
 * The system behind a bearer token, or undefined when the token is not one of ours (bad signature, expired,
 * wrong issuer or audience). The client is read by primary key on every call: `active` is false as soon as
 * it is revoked.
 */
export async function verifySystemToken(
  db: Executor,
  keys: SystemClientKeys,
  token: string,
): Promise<SystemPrincipal | undefined> {
  let claims: { sub?: string; scope?: unknown };
  try {
    ({ payload: claims } = await jwtVerify(token, keys.token, {
      issuer: keys.issuer,
      audience: `${keys.issuer}/api`,
      algorithms: ['HS256'],
      typ: 'at+jwt',
    }));
  } catch {
    return undefined;
  }
  if (typeof claims.sub !== 'string' || typeof claims.scope !== 'string') return undefined;
  const row = await db
    .selectFrom('system_client as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .select([
      'c.id',
      'c.name',
      'c.scopes',
      'c.revoked_at',
      'o.id as organisationId',
      'o.name as organisationName',
      'o.kind',
      'o.region_code',
      'o.disabled_at',
    ])
    .where('c.id', '=', claims.sub)
    .executeTakeFirst();
  if (!row) return undefined;
  const kind = row.kind as OrganisationKind;
  const allowed = systemScopes(kind);
  const grants: Record<string, Scope> = {};
  for (const action of claims.scope.split(' ')) {
    const scope = Object.hasOwn(allowed, action) ? allowed[action] : undefined;
    if (scope && row.scopes.includes(action)) grants[action] = scope;
  }
  // Actions every system holds over its own records (its webhook subscriptions), whatever it was given.
  for (const [action, scope] of Object.entries(allowed)) if (ruleFor(action)?.system) grants[action] = scope;
  return {
    clientId: row.id,
    name: row.name,
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    organisationKind: kind,
    regionCode: row.region_code,
    grants,
    active: row.revoked_at === null && row.disabled_at === null,
  };
}

/** Roles a system holds: none (its grants stand in for them). */
export const SYSTEM_ROLES: Role[] = [];
