import type { RecordFixture } from './types.ts';
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
];
