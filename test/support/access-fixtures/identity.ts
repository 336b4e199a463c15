import { randomBytes, randomUUID } from 'node:crypto';
import type { BodySamples, RecordFixture } from './types.ts';
import { makeStaff } from '../identity-fixtures.ts';

export const recordFixtures: RecordFixture[] = [
  {
    recordType: 'organisation',
    create: async (_t, c) => ({ own: c.ownOrganisationId, other: c.otherOrganisationId }),
  },
  {
    recordType: 'staff_account',
    create: async (t, c) => ({
      own: (await makeStaff(t, c.ownOrganisationId, [c.role])).accountId,
      other: (await makeStaff(t, c.otherOrganisationId, [c.role])).accountId,
    }),
  },
  {
    recordType: 'staff_passkey',
    create: async (t, c) => {
      const passkeyOf = async (organisationId: string): Promise<string> => {
        const owner = await makeStaff(t, organisationId, [c.role]);
        const row = await t.db
          .insertInto('staff_passkey')
          .values({
            account_id: owner.accountId,
            credential_id: randomBytes(16).toString('base64url'),
            public_key: randomBytes(77),
            counter: 0,
            transports: ['internal'],
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      };
      return { own: await passkeyOf(c.ownOrganisationId), other: await passkeyOf(c.otherOrganisationId) };
    },
  },
  {
    recordType: 'system_client',
    create: async (t, c) => {
      const clientOf = async (organisationId: string): Promise<string> => {
        const id = randomUUID();
        await t.db
          .insertInto('system_client')
          .values({
            id,
            organisation_id: organisationId,
            name: 'System',
            scopes: [],
            secret_hash: randomBytes(32),
          })
          .execute();
        return id;
      };
      return { own: await clientOf(c.ownOrganisationId), other: await clientOf(c.otherOrganisationId) };
    },
  },
];

/** Inviting into an organisation: the body names the organisation (checked against the admin's scope). */
const invite = {
  displayName: 'Matrix Invitee',
  email: `invitee.${randomBytes(4).toString('hex')}@example.org`,
  roles: ['organisation_admin'],
  locale: 'zh-CN',
};

export const bodySamples: BodySamples = {
  'POST /api/staff/accounts': invite,
  'POST /staff/admin/accounts': invite,
};
