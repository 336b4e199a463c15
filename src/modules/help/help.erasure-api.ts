/**
 * The seam her deletion (help.deletion.ts, PIPL 47) reaches other modules' records through: each module that
 * holds something of hers registers its part when it is registered (orders: court records kept and drafts
 * deleted; evidence: her vault; helpline: the desk case redacted). Help imports none of them, so survivor code
 * never depends on desk or court code; a part a module does not register is simply nothing to erase.
 * All parts run in the deletion's one transaction, except `removeObjects`, after the commit.
 */
import type { FastifyInstance } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface ErasedVault {
  items: number;
  kept: number;
  journalEntries: number;
  uploads: number;
  /** Object prefixes to remove once the transaction has committed. */
  prefixes: string[];
}

export interface ErasureParts {
  /** Filed applications of her request (court records the law keeps) and the evidence ids the court holds. */
  courtRecords(
    trx: Transaction<Database>,
    helpRequestId: string,
  ): Promise<{ applications: number; evidenceIds: Set<string> }>;
  /** Her drafts never filed; returns how many went. */
  deleteDrafts(trx: Transaction<Database>, helpRequestId: string): Promise<number>;
  /** How many of these items are hers (the files the court keeps, counted for her before she confirms). */
  countOwned(trx: Transaction<Database>, ownerRef: string, ids: ReadonlySet<string>): Promise<number>;
  /** Her journal, unfinished uploads and every item not kept. */
  eraseVault(
    trx: Transaction<Database>,
    input: { ownerRef: string; keep: ReadonlySet<string>; actor: string; reason: string },
  ): Promise<ErasedVault>;
  /** After the commit: remove the stored objects now (a queued job removes them otherwise). */
  removeObjects(prefixes: string[]): Promise<void>;
  /** The desk case from her request closed and redacted; the China days its facts are counted on. */
  redactDesk(
    trx: Transaction<Database>,
    helpRequestId: string,
    now: Date,
  ): Promise<{ cases: number; days: string[] }>;
}

const nothing: ErasureParts = {
  courtRecords: () => Promise.resolve({ applications: 0, evidenceIds: new Set<string>() }),
  deleteDrafts: () => Promise.resolve(0),
  countOwned: () => Promise.resolve(0),
  eraseVault: () => Promise.resolve({ items: 0, kept: 0, journalEntries: 0, uploads: 0, prefixes: [] }),
  removeObjects: () => Promise.resolve(),
  redactDesk: () => Promise.resolve({ cases: 0, days: [] }),
};

const registered = new WeakMap<FastifyInstance, Partial<ErasureParts>>();

/** A module adds its part of her deletion (at register time). */
export function registerErasureParts(app: FastifyInstance, parts: Partial<ErasureParts>): void {
  registered.set(app, { ...registered.get(app), ...parts });
}

/** Every part, with "nothing to erase" for a module that is not installed. */
export function erasureParts(app: FastifyInstance): ErasureParts {
  return { ...nothing, ...registered.get(app) };
}
