/**
 * Passkeys (WebAuthn) as an optional, stronger second factor: a staff member who has added one may use it
 * instead of a TOTP code at sign-in (the password is still asked first; TOTP stays enrolled as the fallback).
 *
 * Challenges are stateless: a timestamp and an HMAC over (purpose, session id, timestamp). They are valid for
 * five minutes and only for the session that asked — and a session is replaced at each sign-in step — so a
 * signed challenge cannot be replayed into another session.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hmacSha256 } from '../../platform/crypto.ts';

const CHALLENGE_MS = 5 * 60_000;
type Purpose = 'register' | 'authenticate';

function mac(key: Buffer, purpose: Purpose, sessionId: string, stamp: Buffer): Buffer {
  return hmacSha256(key).update(`webauthn\0${purpose}\0${sessionId}\0`).update(stamp).digest();
}

export function newChallenge(
  key: Buffer,
  purpose: Purpose,
  sessionId: string,
  now = Date.now(),
): Uint8Array<ArrayBuffer> {
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(now));
  return new Uint8Array(Buffer.concat([stamp, mac(key, purpose, sessionId, stamp)]));
}

export function challengeIsOurs(
  key: Buffer,
  purpose: Purpose,
  sessionId: string,
  challenge: string,
  now = Date.now(),
): boolean {
  const raw = Buffer.from(challenge, 'base64url');
  if (raw.length !== 40) return false;
  const stamp = raw.subarray(0, 8);
  const issued = Number(stamp.readBigUInt64BE());
  if (issued > now + 1000 || now - issued > CHALLENGE_MS) return false;
  return timingSafeEqual(raw.subarray(8), mac(key, purpose, sessionId, stamp));
}

/** The relying party: the public host, and the origins a browser may sign for (public URL and this host). */
export function relyingParty(request: FastifyRequest): { rpID: string; origins: string[] } {
  const publicUrl = new URL(request.server.config.publicUrl);
  const own = `${request.protocol}://${request.host}`;
  const ownHost = new URL(own).hostname;
  return {
    rpID: ownHost === publicUrl.hostname ? publicUrl.hostname : ownHost,
    origins: [...new Set([publicUrl.origin, own])],
  };
}

export async function registrationOptions(
  db: Kysely<Database>,
  key: Buffer,
  request: FastifyRequest,
  staff: { sessionId: string; accountId: string; displayName: string; organisationName: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await db
    .selectFrom('staff_passkey')
    .select(['credential_id', 'transports'])
    .where('account_id', '=', staff.accountId)
    .execute();
  const { rpID } = relyingParty(request);
  return generateRegistrationOptions({
    rpName: 'Anxin 安心',
    rpID,
    userName: `${staff.displayName} · ${staff.organisationName}`,
    userDisplayName: staff.displayName,
    userID: new Uint8Array(Buffer.from(staff.accountId.replace(/-/g, ''), 'hex')),
    challenge: newChallenge(key, 'register', staff.sessionId),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export async function registerPasskey(
  db: Kysely<Database>,
  key: Buffer,
  request: FastifyRequest,
  staff: { sessionId: string; accountId: string },
  response: RegistrationResponseJSON,
): Promise<{ credentialId: string; publicKey: Buffer; counter: number; transports: string[] } | undefined> {
  const { rpID, origins } = relyingParty(request);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: (challenge) => challengeIsOurs(key, 'register', staff.sessionId, challenge),
      expectedOrigin: origins,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch {
    return undefined;
  }
  if (!verified.verified) return undefined;
  const credential = verified.registrationInfo.credential;
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey),
    counter: credential.counter,
    transports: credential.transports ?? [],
  };
}

export async function authenticationOptions(
  db: Kysely<Database>,
  key: Buffer,
  request: FastifyRequest,
  staff: { sessionId: string; accountId: string },
): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
  const credentials = await db
    .selectFrom('staff_passkey')
    .select(['credential_id', 'transports'])
    .where('account_id', '=', staff.accountId)
    .execute();
  if (credentials.length === 0) return undefined;
  return generateAuthenticationOptions({
    rpID: relyingParty(request).rpID,
    allowCredentials: credentials.map((c) => ({ id: c.credential_id, transports: c.transports })),
    challenge: newChallenge(key, 'authenticate', staff.sessionId),
    userVerification: 'preferred',
  });
}

/** Verify a passkey assertion for the account; on success the stored signature counter moves forward. */
export async function verifyPasskey(
  db: Kysely<Database>,
  key: Buffer,
  request: FastifyRequest,
  staff: { sessionId: string; accountId: string },
  response: AuthenticationResponseJSON,
): Promise<boolean> {
  const stored = await db
    .selectFrom('staff_passkey')
    .select(['id', 'credential_id', 'public_key', 'counter', 'transports'])
    .where('account_id', '=', staff.accountId)
    .where('credential_id', '=', typeof response.id === 'string' ? response.id : '')
    .executeTakeFirst();
  if (!stored) return false;
  const { rpID, origins } = relyingParty(request);
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: (challenge) => challengeIsOurs(key, 'authenticate', staff.sessionId, challenge),
      expectedOrigin: origins,
      expectedRPID: rpID,
      credential: {
        id: stored.credential_id,
        publicKey: new Uint8Array(stored.public_key),
        counter: Number(stored.counter),
        transports: stored.transports,
      },
      requireUserVerification: false,
    });
    if (!result.verified) return false;
    // A counter that does not move forward (when the authenticator keeps one) means a cloned key.
    const next = result.authenticationInfo.newCounter;
    const updated = await db
      .updateTable('staff_passkey')
      .set({ counter: next, last_used_at: new Date() })
      .where('id', '=', stored.id)
      .where('counter', next === 0 ? '=' : '<', String(next))
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  } catch {
    return false;
  }
}
