/**
 * The signature on every webhook delivery, in the header `Anxin-Signature: t=<unix seconds>,v1=<hex>`, where
 * v1 = HMAC-SHA256(subscription secret, `<t>.<raw body>`) — the scheme Stripe uses, so receivers know it. A
 * receiver recomputes v1 over the raw bytes it received, compares in constant time, and refuses a timestamp
 * older than its tolerance (5 minutes suggested) so a captured delivery cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'anxin-signature';

export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** The receiver's check (the same as docs/systems-api.md's example): true when the header matches the body. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now: Date = new Date(),
): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
