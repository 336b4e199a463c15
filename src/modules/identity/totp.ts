/**
 * Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app
 * supports) and recovery codes. A code is accepted once: the step it belongs to must be later than the last
 * accepted step, so a code seen over someone's shoulder cannot be replayed.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { hmacSha256 } from '../../platform/crypto.ts';

export const TOTP_PERIOD = 30;
const ISSUER = 'Anxin';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label = 'staff'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

export function totpUri(secret: string, label: string): string {
  return totpFor(secret, label).toString();
}

export function totpCode(secret: string, timestamp = Date.now()): string {
  return totpFor(secret).generate({ timestamp });
}

/** The time step a code belongs to (allowing one step of clock drift either way), or undefined if wrong. */
export function totpStep(secret: string, code: string, timestamp = Date.now()): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor(secret).validate({ token, timestamp, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(timestamp / 1000 / TOTP_PERIOD) + delta;
}

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten codes like `k7m2-p9qx-4tzr`, each usable once when the authenticator is lost. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: 3 }, () =>
      Array.from({ length: 4 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join(''),
    ).join('-'),
  );
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function recoveryCodeHash(key: Buffer, code: string): Buffer {
  return hmacSha256(key)
    .update('recovery\0' + normaliseRecoveryCode(code))
    .digest();
}

/** An opaque random token (sessions, invitations): 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(key: Buffer, token: string): Buffer {
  return hmacSha256(key).update(token).digest();
}
