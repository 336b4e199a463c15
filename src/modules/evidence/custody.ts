/**
 * The custody log: every upload, view, download, share, export and deletion of an evidence item is an
 * entry, and each answer she gives when asked to let an item go to a court (`consent`: allowed or refused). Entries are chained per item: each entry's hash covers the previous entry's hash and its own
 * canonical content, so a changed, removed or inserted entry breaks every hash after it. The table refuses
 * UPDATE, DELETE and TRUNCATE (trigger in 0004_evidence). The same `verifyChain` runs in the app and, on
 * the copy in an export bundle, offline in `anxin evidence verify`.
 */
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export const CUSTODY_ACTIONS = [
  'upload',
  'view',
  'download',
  'share',
  'export',
  'delete',
  'check',
  'consent',
] as const;
export type CustodyAction = (typeof CUSTODY_ACTIONS)[number];
export const GENESIS_HASH = '0'.repeat(64);

export interface CustodyEntry {
  evidenceId: string;
  seq: number;
  action: CustodyAction;
  actor: string;
  at: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same content always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(entry: Omit<CustodyEntry, 'hash'>): string {
  const content = canonicalJson({
    evidenceId: entry.evidenceId,
    seq: entry.seq,
    action: entry.action,
    actor: entry.actor,
    at: entry.at,
    details: entry.details,
  });
  return createHash('sha256').update(`anxin-custody-v1\n${entry.prevHash}\n${content}`).digest('hex');
}

/** Check a chain (one item's entries in order); returns the first broken entry's seq, or none. */
export function verifyChain(
  entries: CustodyEntry[],
): { ok: true } | { ok: false; seq: number; problem: string } {
  let prev = GENESIS_HASH;
  for (const [i, entry] of entries.entries()) {
    if (entry.seq !== i + 1)
      return { ok: false, seq: entry.seq, problem: `entry ${i + 1} is missing or out of order` };
    if (entry.prevHash !== prev)
      return { ok: false, seq: entry.seq, problem: 'does not follow the previous entry' };
    if (entryHash(entry) !== entry.hash)
      return { ok: false, seq: entry.seq, problem: 'its content was changed' };
    prev = entry.hash;
  }
  return { ok: true };
}

export async function appendCustody(
  trx: Transaction<Database>,
  input: { evidenceId: string; action: CustodyAction; actor: string; details?: Record<string, unknown> },
): Promise<CustodyEntry> {
  // One writer per item at a time, so two entries can never claim the same place in the chain.
  await sql`select pg_advisory_xact_lock(hashtextextended(${'evidence-custody:' + input.evidenceId}, 0))`.execute(
    trx,
  );
  const last = await trx
    .selectFrom('evidence_custody')
    .select(['seq', 'hash'])
    .where('evidence_id', '=', input.evidenceId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const entry: Omit<CustodyEntry, 'hash'> = {
    evidenceId: input.evidenceId,
    seq: (last?.seq ?? 0) + 1,
    action: input.action,
    actor: input.actor,
    at: new Date().toISOString(),
    // Round-trip through JSON so the stored (jsonb) and hashed content are the same values.
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const full: CustodyEntry = { ...entry, hash: entryHash(entry) };
  await trx
    .insertInto('evidence_custody')
    .values({
      evidence_id: full.evidenceId,
      seq: full.seq,
      action: full.action,
      actor: full.actor,
      at: full.at,
      details: JSON.stringify(full.details),
      prev_hash: full.prevHash,
      hash: full.hash,
    })
    .execute();
  return full;
}

export async function readCustody(
  db: Db | Transaction<Database>,
  evidenceId: string,
): Promise<CustodyEntry[]> {
  const rows = await db
    .selectFrom('evidence_custody')
    .selectAll()
    .where('evidence_id', '=', evidenceId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    evidenceId: row.evidence_id,
    seq: row.seq,
    action: row.action,
    actor: row.actor,
    at: row.at.toISOString(),
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}

/** Verify every item's chain in the database (a periodic check, and the CLI). */
export async function verifyAllCustody(db: Db): Promise<{
  items: number;
  entries: number;
  broken: { evidenceId: string; seq: number; problem: string }[];
}> {
  const ids = await db.selectFrom('evidence_custody').select('evidence_id').distinct().execute();
  const broken: { evidenceId: string; seq: number; problem: string }[] = [];
  let entries = 0;
  for (const { evidence_id } of ids) {
    const chain = await readCustody(db, evidence_id);
    entries += chain.length;
    const result = verifyChain(chain);
    if (!result.ok) broken.push({ evidenceId: evidence_id, seq: result.seq, problem: result.problem });
  }
  return { items: ids.length, entries, broken };
}
