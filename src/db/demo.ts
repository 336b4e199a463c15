/**
 * Demo data for a newcomer: loaded only when demo data is enabled (never in production) and only into a
 * database this start created from empty, so real records are never mixed with demo ones.
 * Each module contributes a seed; seeds run in module order inside one transaction.
 */
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Keyring } from '../platform/crypto.ts';
import { identityDemoSeed } from '../modules/identity/identity.demo.ts';
import { helpDemoSeed } from '../modules/help/help.demo.ts';
import { helplineDemoSeed } from '../modules/helpline/helpline.demo.ts';
import { ordersDemoSeed } from '../modules/orders/orders.demo.ts';

export interface DemoSeedContext {
  trx: Transaction<Database>;
  keyring: Keyring;
  /** Lines printed to the console at the end (e.g. sign-in details for demo accounts). */
  print: (line: string) => void;
}

export type DemoSeed = (context: DemoSeedContext) => Promise<void>;

/** Module seeds, in order. */
export const demoSeeds: { name: string; seed: DemoSeed }[] = [
  { name: 'identity', seed: identityDemoSeed },
  { name: 'help', seed: helpDemoSeed },
  { name: 'helpline', seed: helplineDemoSeed },
  { name: 'orders', seed: ordersDemoSeed },
];
