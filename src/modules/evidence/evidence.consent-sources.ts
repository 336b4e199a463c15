/**
 * The seam through which other modules tell the vault which organisations an item reaches by her consent
 * beyond her direct shares (evidence_share). The orders module adds one at start: the courts of the applications
 * and violation reports she filed with the item (orders.evidence-consent.ts). The vault reads no table of theirs.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** The organisations an item reaches by her consent, as one module records it. */
export type EvidenceConsentSource = (db: Kysely<Database>, evidenceId: string) => Promise<string[]>;

export const consentSources = new Set<EvidenceConsentSource>();

/** Add a consent source (the same function again is a no-op: the app is built once per test). */
export function addEvidenceConsentSource(source: EvidenceConsentSource): void {
  consentSources.add(source);
}
