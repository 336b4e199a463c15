/**
 * One signed-in actor per staff role, each with an organisation of its own and one of the same kind in another
 * region, and the record fixtures every module registers (test/support/access-fixtures): shared by the access
 * matrix and the role fuzzer.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROLE_ORGANISATION_KINDS, type Role } from '../../src/platform/access-policy.ts';
import type { BodySamples, RecordFixture, RecordFixtureContext } from './access-fixtures/types.ts';
import { makeOrganisation, makeStaff } from './identity-fixtures.ts';
import type { TestApp } from './test-app.ts';

export const OWN_REGION = '110105'; // Beijing, Chaoyang
export const OTHER_REGION = '500112'; // Chongqing, Yubei

/** Every file in access-fixtures/ (but types.ts): each may export `recordFixtures` and `bodySamples`. */
async function fixtureModules(): Promise<{ recordFixtures?: RecordFixture[]; bodySamples?: BodySamples }[]> {
  const dir = path.resolve(import.meta.dirname, 'access-fixtures');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
    .sort();
  return Promise.all(
    files.map(
      async (file) =>
        (await import(pathToFileURL(path.join(dir, file)).href)) as {
          recordFixtures?: RecordFixture[];
          bodySamples?: BodySamples;
        },
    ),
  );
}

/** Every module's record fixtures. */
export async function loadRecordFixtures(): Promise<RecordFixture[]> {
  return (await fixtureModules()).flatMap((m) => m.recordFixtures ?? []);
}

/** Every module's valid bodies for routes that name records in their body. */
export async function loadBodySamples(): Promise<BodySamples> {
  return Object.assign({}, ...(await fixtureModules()).map((m) => m.bodySamples ?? {})) as BodySamples;
}

/** An actor with this one role in a new organisation of the role's kind, and another organisation elsewhere. */
export async function makeRoleActor(t: TestApp, role: Role): Promise<RecordFixtureContext> {
  const kind = ROLE_ORGANISATION_KINDS[role][0] ?? 'ngo';
  const own = await makeOrganisation(t, kind, OWN_REGION);
  const other = await makeOrganisation(t, kind, OTHER_REGION);
  const actor = await makeStaff(t, own, [role]);
  return {
    role,
    actorAccountId: actor.accountId,
    ownOrganisationId: own,
    ownRegionCode: OWN_REGION,
    otherOrganisationId: other,
    otherRegionCode: OTHER_REGION,
  };
}
