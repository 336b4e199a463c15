/**
 * Access-matrix records for the helpline desk: one unassigned case in the caller's organisation, one in the other;
 * and a help request placed by such a case (record type `help_request`).
 */
import { randomUUID } from 'node:crypto';
import type { RecordFixture } from './types.ts';

export const recordFixtures: RecordFixture[] = [
  {
    recordType: 'helpline_case',
    create: async (t, c) => {
      const make = async (organisationId: string, regionCode: string) => {
        const id = randomUUID();
        await t.db
          .insertInto('helpline_case')
          .values({
            id,
            organisation_id: organisationId,
            region_code: regionCode,
            source: 'hotline',
            received_at: new Date(),
            request_type: 'domestic_violence',
          })
          .execute();
        return id;
      };
      return {
        own: await make(c.ownOrganisationId, c.ownRegionCode),
        other: await make(c.otherOrganisationId, c.otherRegionCode),
      };
    },
  },
  {
    recordType: 'help_request',
    create: async (t, c) => {
      const make = async (organisationId: string, regionCode: string) => {
        const helpRequestId = randomUUID();
        await t.db
          .insertInto('helpline_case')
          .values({
            id: randomUUID(),
            organisation_id: organisationId,
            region_code: regionCode,
            source: 'online',
            help_request_id: helpRequestId,
            received_at: new Date(),
            request_type: 'domestic_violence',
          })
          .execute();
        return helpRequestId;
      };
      return {
        own: await make(c.ownOrganisationId, c.ownRegionCode),
        other: await make(c.otherOrganisationId, c.otherRegionCode),
      };
    },
  },
];
