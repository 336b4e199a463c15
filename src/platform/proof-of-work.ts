/**
 * A light proof of work (hashcash-style) that makes flooding a form cost the sender CPU time while a person
 * on a cheap phone barely notices. No third party is involved and nothing identifies the solver.
 *
 * The server issues a signed, expiring challenge: `v1.<expires, unix seconds>.<bits>.<random id>.<HMAC>` (the
 * HMAC, under a key derived from the master key, covers everything before it, so nobody can mint or alter a
 * challenge). A solution is a decimal nonce such that SHA-256 of the ASCII string `<challenge>:<nonce>` begins
 * with `bits` zero bits; the proof sent back is that string. Each challenge is accepted once (its id is kept,
 * until it expires, in `proof_of_work_spent`), so one solution cannot be replayed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { hmacSha256, safeEqual } from './crypto.ts';

export interface ProofOfWorkChallenge {
  challenge: string;
  bits: number;
  expiresAt: Date;
}

/** Why a proof was not accepted (it then counts as no proof at all). */
export type ProofVerdict =
  'accepted' | 'missing' | 'malformed' | 'forged' | 'expired' | 'insufficient' | 'spent';

// 72 characters, so `<challenge>:` fills SHA-256's first 64-byte block: a solver hashes that block once.
const CHALLENGE = /^v1\.(\d{10})\.(\d{1,2})\.([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{22})$/;
const NONCE = /^\d{1,15}$/;

/** Leading zero bits of a digest (only the first few bytes are ever looked at). */
export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export class ProofOfWork {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    /** Zero bits required; 0 turns the work off (challenges are still signed and single-use). */
    readonly bits: number,
    /** How long a challenge stays good: long enough to write a help request. */
    readonly ttlMs: number = 3 * 60 * 60_000,
  ) {}

  issue(now = Date.now()): ProofOfWorkChallenge {
    const expires = Math.floor((now + this.ttlMs) / 1000);
    const body = `v1.${expires}.${this.bits}.${randomBytes(24).toString('base64url')}`;
    return { challenge: `${body}.${this.mac(body)}`, bits: this.bits, expiresAt: new Date(expires * 1000) };
  }

  /** Check a proof (`<challenge>:<nonce>`) and, when it is good, spend it. */
  async redeem(proof: string | undefined, now = Date.now()): Promise<ProofVerdict> {
    if (!proof) return 'missing';
    const colon = proof.lastIndexOf(':');
    const challenge = proof.slice(0, colon);
    const match = CHALLENGE.exec(challenge);
    if (colon < 0 || !match || !NONCE.test(proof.slice(colon + 1))) return 'malformed';
    const [, expires, bits, id, mac] = match as unknown as [string, string, string, string, string];
    if (!safeEqual(mac, this.mac(challenge.slice(0, challenge.lastIndexOf('.'))))) return 'forged';
    if (Number(expires) * 1000 <= now) return 'expired';
    // The challenge says how much work was asked when it was issued; never less than asked now.
    const required = Math.max(Number(bits), this.bits);
    if (leadingZeroBits(createHash('sha256').update(proof, 'ascii').digest()) < required)
      return 'insufficient';
    const spent = await sql`
      insert into proof_of_work_spent (id, expires_at) values (${id}, to_timestamp(${Number(expires)}))
      on conflict (id) do nothing returning id`.execute(this.db);
    return spent.rows.length === 1 ? 'accepted' : 'spent';
  }

  /** Forget spent challenges that expired (they would be refused as expired anyway). */
  async sweep(): Promise<number> {
    const result = await this.db
      .deleteFrom('proof_of_work_spent')
      .where('expires_at', '<', sql<Date>`now()`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private mac(body: string): string {
    return hmacSha256(this.key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
