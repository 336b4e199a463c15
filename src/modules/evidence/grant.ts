/**
 * Upload grants: the tus endpoint is reachable without a staff session (survivors upload from the portal),
 * so every request must carry a short-lived grant issued by a service function after the caller was
 * authorised (her case session, or a staff member's access to the case). A grant is a payload signed with
 * an HMAC under a key derived from the master key; it names the owner the upload will belong to.
 */
import { randomBytes } from 'node:crypto';
import { safeEqual, hmacSha256 } from '../../platform/crypto.ts';

export const GRANT_HEADER = 'anxin-upload-grant';
/** How long a grant may be used to start or resume uploads. */
export const GRANT_TTL_MS = 6 * 60 * 60 * 1000;

export interface UploadGrant {
  ownerRef: string;
  uploadedBy: string;
  journalEntryId: string | null;
  /** Her thread session the grant was issued in: the grant ends with it (sign-out, idle or absolute expiry). */
  threadSessionId: string | null;
  expiresAt: number;
}

export function signGrant(
  key: Buffer,
  grant: Omit<UploadGrant, 'expiresAt' | 'threadSessionId'> & {
    expiresAt?: number;
    threadSessionId?: string | null;
  },
): string {
  const body = {
    v: 1,
    o: grant.ownerRef,
    b: grant.uploadedBy,
    j: grant.journalEntryId,
    s: grant.threadSessionId ?? null,
    e: grant.expiresAt ?? Date.now() + GRANT_TTL_MS,
    n: randomBytes(9).toString('base64url'),
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/** The grant in a token, or undefined when it is malformed, forged or expired. */
export function verifyGrant(
  key: Buffer,
  token: string | null | undefined,
  now = Date.now(),
): UploadGrant | undefined {
  if (!token || token.length > 2048) return undefined;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || !safeEqual(signature, mac(key, payload)))
    return undefined;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      body.v !== 1 ||
      typeof body.o !== 'string' ||
      typeof body.b !== 'string' ||
      typeof body.e !== 'number'
    )
      return undefined;
    if (body.e < now) return undefined;
    return {
      ownerRef: body.o,
      uploadedBy: body.b,
      journalEntryId: typeof body.j === 'string' ? body.j : null,
      threadSessionId: typeof body.s === 'string' ? body.s : null,
      expiresAt: body.e,
    };
  } catch {
    return undefined;
  }
}

function mac(key: Buffer, payload: string): string {
  return hmacSha256(key)
    .update('evidence-upload-grant\0' + payload)
    .digest('base64url');
}
