/**
 * Staff passwords: argon2id hashes (OWASP parameters), and the rules a new password must meet — long
 * enough, not about the person, and not on the common/breached password list shipped with the project
 * (`fxa-common-password-list`: the 50,000 most common passwords from breach corpora).
 */
import { createRequire } from 'node:module';
import { hash, verify } from '@node-rs/argon2';

const require = createRequire(import.meta.url);
const commonPasswords = require('fxa-common-password-list') as { test(password: string): boolean };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

// OWASP: argon2id, m = 19 MiB, t = 2, p = 1.
/** `Algorithm.Argon2id` (a const enum, which verbatimModuleSyntax cannot import). */
const ARGON2ID = 2;
const ARGON2 = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not reveal which emails exist. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('anxin-no-such-account-' + Math.random().toString(36));
  return dummyHash;
}

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'personal' | 'repetitive';

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  personal: { email?: string; name?: string } = {},
): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'tooShort';
  if (length > MAX_PASSWORD_LENGTH) return 'tooLong';
  const lower = password.toLowerCase();
  if (new Set(lower).size <= 3) return 'repetitive';
  if (commonPasswords.test(password) || commonPasswords.test(lower)) return 'common';
  // Common words padded with digits or symbols ("password123456").
  const core = lower.replace(/[^a-z]+/g, '');
  if (core.length >= 4 && commonPasswords.test(core) && core.length >= length - 6) return 'common';
  const local = personal.email?.toLowerCase().split('@')[0];
  if (local && local.length >= 4 && lower.includes(local)) return 'personal';
  const name = personal.name?.toLowerCase().replace(/\s+/g, '');
  if (name && name.length >= 3 && lower.replace(/\s+/g, '').includes(name)) return 'personal';
  return undefined;
}
