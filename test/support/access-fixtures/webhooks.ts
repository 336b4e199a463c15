import { randomBytes, randomUUID } from 'node:crypto';
import type { RecordFixture } from './types.ts';

export const recordFixtures: RecordFixture[] = [
  {
    recordType: 'webhook_subscription',
    create: async (t, c) => {
      const subscriptionOf = async (organisationId: string): Promise<string> => {
        const clientId = randomUUID();
        await t.db
          .insertInto('system_client')
          .values({
            id: clientId,
            organisation_id: organisationId,
            name: 'System',
            scopes: [],
            secret_hash: randomBytes(32),
          })
          .execute();
        const id = randomUUID();
        await t.db
          .insertInto('webhook_subscription')
          .values({
            id,
            client_id: clientId,
            organisation_id: organisationId,
            url: 'https://receiver.example/hook',
            events: ['application.submitted'],
            secret: t.keyring.sealText('whsec_fixture', `webhook_subscription.secret:${id}`),
          })
          .execute();
        return id;
      };
      return {
        own: await subscriptionOf(c.ownOrganisationId),
        other: await subscriptionOf(c.otherOrganisationId),
      };
    },
  },
];
