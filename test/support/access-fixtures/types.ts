import type { Role } from '../../../src/platform/access-policy.ts';
import type { TestApp } from '../test-app.ts';

export interface RecordFixtureContext {
  role: Role;
  /** The caller (never the owner of, nor assigned to, the records made). */
  actorAccountId: string;
  ownOrganisationId: string;
  ownRegionCode: string;
  /** Another organisation of the same kind, in another region. */
  otherOrganisationId: string;
  otherRegionCode: string;
}

/**
 * A valid body for a route that names records in its body (`access.body`), keyed `METHOD url`: the matrix and the
 * role fuzzer put a record id into each declared field, so the body check — not validation — decides.
 */
export type BodySamples = Record<string, Record<string, unknown>>;

export interface RecordFixture {
  recordType: string;
  /** Make one record in the caller's organisation and one in the other organisation; return their ids. */
  create(t: TestApp, context: RecordFixtureContext): Promise<{ own: string; other: string }>;
}
