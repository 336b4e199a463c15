/**
 * Demo data for a newcomer: loaded only when demo data is enabled (never in production) and only into a
 * database this start created from empty, so real records are never mixed with demo ones.
 * Each module contributes a seed through its descriptor (`demo`, src/platform/module.ts); the runtime runs
 * them in module order inside one transaction.
 */
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Keyring } from '../platform/crypto.ts';

export interface DemoSeedContext {
  trx: Transaction<Database>;
  keyring: Keyring;
  /** Lines printed to the console at the end (e.g. sign-in details for demo accounts). */
  print: (line: string) => void;
}

export type DemoSeed = (context: DemoSeedContext) => Promise<void>;
