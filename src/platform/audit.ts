/**
 * The audit trail: typed events (who, with which roles, in which organisation, did what, to which record,
 * from which network address and browser, when), written in the same transaction as the change they record.
 *
 * The table is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained: each event's
 * hash covers its own fields and the previous event's hash, and `audit_chain_head` holds the last position
 * and hash. Changing or deleting any row — even with the trigger disabled — breaks the chain, and
 * `verifyAuditChain` (the `anxin audit verify` command) names the first broken link.
 *
 * Writers take a transaction-scoped lock on the chain head, so events are chained in commit order.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/schema.ts';
import './staff.ts';

/**
 * Every kind of event, with the details it may carry (identifiers and codes only: never personal data). The
 * platform's own events are here; each module adds its events by augmenting this interface
 * (`declare module '…/platform/audit.ts' { interface AuditEventDetails { … } }`, e.g. identity.audit.ts).
 */
export interface AuditEventDetails {
  /** A read of a case-level record through the gate (access-guard.ts). */
  'record.read': { action: string };
  /** A read with a break-glass grant (access-guard.ts). */
  'access.break_glass': Record<string, never>;
}

export type AuditEventName = keyof AuditEventDetails;

export interface AuditActor {
  accountId: string | null;
  roles: readonly string[];
  organisationId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEventInput<E extends AuditEventName> {
  event: E;
  actor: AuditActor;
  record?: { type: string; id: string };
  details: AuditEventDetails[E];
  breakGlass?: boolean;
  reason?: string;
}

interface ChainedFields {
  seq: string;
  occurred_at: Date;
  actor_account_id: string | null;
  actor_roles: string[];
  organisation_id: string | null;
  event: string;
  record_type: string | null;
  record_id: string | null;
  ip: string | null;
  user_agent: string | null;
  break_glass: boolean;
  reason: string | null;
  details: Record<string, unknown>;
}

function canonicalDetails(details: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => a.localeCompare(b))));
}

/** The hash of one event: SHA-256 over the previous hash and the event's fields in a fixed order. */
export function auditHash(prev: Buffer, row: ChainedFields): Buffer {
  const fields = [
    row.seq,
    row.occurred_at.toISOString(),
    row.actor_account_id ?? '',
    JSON.stringify(row.actor_roles),
    row.organisation_id ?? '',
    row.event,
    row.record_type ?? '',
    row.record_id ?? '',
    row.ip ?? '',
    row.user_agent ?? '',
    row.break_glass ? '1' : '0',
    row.reason ?? '',
    canonicalDetails(row.details),
  ];
  return createHash('sha256').update(prev).update(JSON.stringify(fields)).digest();
}

/** The actor of a request: the signed-in staff member (if any) and where the request came from. */
export function auditActorFrom(request: FastifyRequest): AuditActor {
  const staff = request.staff;
  return {
    accountId: staff?.accountId ?? null,
    roles: staff?.principal === 'system' ? ['system'] : (staff?.roles ?? []),
    organisationId: staff?.organisationId ?? null,
    ip: request.ip || null,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
  };
}

/** The survivor as an audit actor (her thread, no account): the network she came from, never who she is. */
export function survivorAuditActorFrom(request: FastifyRequest): AuditActor {
  return {
    accountId: null,
    roles: ['survivor'],
    organisationId: null,
    ip: request.ip || null,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
  };
}

/** Append an event to the chain inside the caller's transaction (the change and its record commit together). */
export async function recordAudit<E extends AuditEventName>(
  trx: Transaction<Database>,
  input: AuditEventInput<E>,
): Promise<string> {
  const head = await sql<{
    seq: string;
    hash: Buffer;
  }>`select seq::text as seq, hash from audit_chain_head where id = 1 for update`.execute(trx);
  const last = head.rows[0];
  if (!last) throw new Error('audit_chain_head is missing: run the migrations');
  const row: ChainedFields = {
    seq: String(BigInt(last.seq) + 1n),
    occurred_at: new Date(),
    actor_account_id: input.actor.accountId,
    actor_roles: [...input.actor.roles],
    organisation_id: input.actor.organisationId,
    event: input.event,
    record_type: input.record?.type ?? null,
    record_id: input.record?.id ?? null,
    ip: input.actor.ip,
    user_agent: input.actor.userAgent,
    break_glass: input.breakGlass ?? false,
    reason: input.reason ?? null,
    details: input.details,
  };
  const hash = auditHash(last.hash, row);
  await trx
    .insertInto('audit_event')
    .values({ ...row, details: canonicalDetails(row.details), prev_hash: last.hash, hash })
    .execute();
  await trx.updateTable('audit_chain_head').set({ seq: row.seq, hash }).where('id', '=', 1).execute();
  return row.seq;
}

/** Convenience for a single event outside any other change (a read, a failed sign-in). */
export async function recordAuditAlone<E extends AuditEventName>(
  db: Kysely<Database>,
  input: AuditEventInput<E>,
): Promise<string> {
  return db.transaction().execute((trx) => recordAudit(trx, input));
}

export type AuditVerification =
  | { ok: true; events: number }
  | { ok: false; events: number; seq: string; problem: 'changed' | 'missing' | 'unlinked' | 'head' };

/**
 * Walk the chain from the first event: recompute every hash, check that each event links to the one before
 * and that positions have no gaps, and that the head matches the last event. Reports the first broken link.
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  let prev: Buffer = Buffer.alloc(32);
  let expected = 1n;
  let events = 0;
  const batch = 1000;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>=', String(expected))
      .orderBy('seq')
      .limit(batch)
      .execute();
    for (const row of rows) {
      const seq = BigInt(row.seq);
      if (seq !== expected) return { ok: false, events, seq: String(expected), problem: 'missing' };
      if (!row.prev_hash.equals(prev)) return { ok: false, events, seq: row.seq, problem: 'unlinked' };
      const recomputed = auditHash(prev, { ...row, details: row.details });
      if (!recomputed.equals(row.hash)) return { ok: false, events, seq: row.seq, problem: 'changed' };
      prev = row.hash;
      expected = seq + 1n;
      events += 1;
    }
    if (rows.length < batch) break;
  }
  const head = await db
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!head) return { ok: false, events, seq: String(expected), problem: 'head' };
  if (BigInt(head.seq) !== expected - 1n) {
    // The head says more events were written than remain: the last ones were deleted.
    return {
      ok: false,
      events,
      seq: BigInt(head.seq) >= expected ? String(expected) : head.seq,
      problem: BigInt(head.seq) >= expected ? 'missing' : 'head',
    };
  }
  if (!head.hash.equals(prev)) return { ok: false, events, seq: head.seq, problem: 'changed' };
  return { ok: true, events };
}

export function describeVerification(result: AuditVerification): string {
  if (result.ok) return `Audit chain intact: ${result.events} event(s) verified.`;
  const what = {
    changed: 'its contents were changed (hash does not match)',
    missing: 'it is missing (deleted)',
    unlinked: 'it does not link to the event before it (an earlier event was changed or replaced)',
    head: 'the chain head does not match the last event',
  }[result.problem];
  return `Audit chain BROKEN at event #${result.seq}: ${what}. ${result.events} event(s) before it verified.`;
}
