/**
 * The webhooks module: system clients (identity module) subscribe to events that other modules raise with
 * `raiseWebhookEvent` in the transaction of the change; deliveries are signed (webhooks.signature.ts), sent
 * from the outbox with retries and back-off, and logged. Guide: docs/systems-api.md.
 */
import type { FastifyInstance } from 'fastify';
import { extendAccessPolicy } from '../../platform/access-policy.ts';
import { registerRecordType } from '../../platform/access-guard.ts';
import { findOrganisation } from '../identity/identity.directory.service.ts';
import { WEBHOOK_EVENT_TOPIC } from './webhooks.events.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { WEBHOOK_DELIVER_TOPIC, WebhookService } from './webhooks.service.ts';
import { isUuid } from '../../platform/ids.ts';

const ADMINS = { platform_admin: 'all', organisation_admin: 'organisation' } as const;

export function webhooksModule(app: FastifyInstance): void {
  extendAccessPolicy({
    // A system manages its own subscriptions (`own`: the client is their owner); admins their organisation's.
    'webhooks.subscription.manage': { roles: ADMINS, system: 'own' },
    'webhooks.delivery.list': { roles: ADMINS, system: 'own' },
  });
  registerRecordType(app, 'webhook_subscription', {
    caseLevel: false,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('webhook_subscription as s')
        .select(['s.client_id', 's.organisation_id'])
        .where('s.id', '=', id)
        .where('s.disabled_at', 'is', null)
        .executeTakeFirst();
      // Its organisation's region from identity's directory service.
      const organisation = row && (await findOrganisation(db, row.organisation_id));
      return (
        organisation && {
          organisationId: organisation.id,
          regionCode: organisation.regionCode,
          ownerAccountId: row.client_id,
        }
      );
    },
  });
  const service = new WebhookService({
    db: app.db,
    keyring: app.keyring,
    config: app.config.webhooks,
    log: app.log,
  });
  app.decorate('webhooks', service);
  app.jobs.handle(WEBHOOK_EVENT_TOPIC, (payload) => service.fanOut(payload));
  // A process killed mid-delivery leaves the job active: another process takes it after a minute.
  app.jobs.handle(WEBHOOK_DELIVER_TOPIC, (payload) => service.deliver(String(payload.deliveryId)), {
    expireInSeconds: 60,
  });
  webhookRoutes(app, service);
}

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookService;
  }
}
