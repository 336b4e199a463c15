/**
 * The webhooks API: a system subscribes its own URL to events (or its organisation's admin does it for one of
 * the organisation's clients), lists and removes subscriptions, and reads each one's delivery log.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { WEBHOOK_EVENTS } from './webhooks.events.ts';
import type { WebhookService } from './webhooks.service.ts';

const Uuid = Type.String({ format: 'uuid' });
const EventName = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));
const Subscription = Type.Object({
  id: Uuid,
  clientId: Uuid,
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
const Delivery = Type.Object({
  id: Uuid,
  subscriptionId: Uuid,
  eventId: Uuid,
  event: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function webhookRoutes(app: FastifyInstance, service: WebhookService): void {
  app.post(
    '/api/webhooks/subscriptions',
    {
      config: { access: { action: 'webhooks.subscription.manage' } },
      schema: {
        operationId: 'createWebhookSubscription',
        tags: ['systems'],
        summary:
          'Subscribe a URL to events; the signing secret is answered once. A system subscribes itself; an admin names one of the organisation’s clients',
        body: Type.Object({
          url: Type.String({ maxLength: 500 }),
          events: Type.Array(EventName, { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
          clientId: Type.Optional(Uuid),
        }),
        response: {
          201: Type.Object({
            id: Uuid,
            secret: Type.String({
              description: 'HMAC-SHA256 key of the Anxin-Signature header (docs/systems-api.md)',
            }),
          }),
        },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const body = request.body as { url: string; events: string[]; clientId?: string };
      let clientId: string;
      if (staff.principal === 'system') {
        clientId = staff.accountId;
      } else {
        // The client must be a live one of the admin's organisation (read through identity's table, by id).
        const client = body.clientId
          ? await app.db
              .selectFrom('system_client')
              .select('id')
              .where('id', '=', body.clientId)
              .where('organisation_id', '=', staff.organisationId)
              .where('revoked_at', 'is', null)
              .executeTakeFirst()
          : undefined;
        if (!client)
          throw new AppError('VALIDATION', {
            fields: [{ field: 'clientId', message: 'webhooks.problem.client' }],
          });
        clientId = client.id;
      }
      const created = await service.subscribe({
        clientId,
        organisationId: staff.organisationId,
        url: body.url,
        events: body.events,
        audit: auditActorFrom(request),
      });
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/api/webhooks/subscriptions',
    {
      config: { access: { action: 'webhooks.subscription.manage' } },
      schema: {
        operationId: 'listWebhookSubscriptions',
        tags: ['systems'],
        summary: 'Live subscriptions: a system’s own, or the organisation’s for its admin',
        response: { 200: Type.Object({ items: Type.Array(Subscription) }) },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      const scope = request.access?.scope;
      const filter =
        scope === 'all'
          ? {}
          : scope === 'organisation'
            ? { organisationId: staff.organisationId }
            : { clientId: staff.accountId };
      return { items: await service.list(filter) };
    },
  );

  app.delete(
    '/api/webhooks/subscriptions/:id',
    {
      config: { access: { action: 'webhooks.subscription.manage', record: 'webhook_subscription' } },
      schema: {
        operationId: 'removeWebhookSubscription',
        tags: ['systems'],
        summary: 'Stop a subscription (pending deliveries are not sent)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (request) => {
      await service.remove((request.params as { id: string }).id, auditActorFrom(request));
      return { ok: true };
    },
  );

  app.get(
    '/api/webhooks/subscriptions/:id/deliveries',
    {
      config: { access: { action: 'webhooks.delivery.list', record: 'webhook_subscription' } },
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['systems'],
        summary:
          'The delivery log of a subscription, newest first: status, attempts, last answer, next attempt',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({
          before: Type.Optional(
            Type.String({
              format: 'date-time',
              description: 'Cursor: the createdAt of the last delivery of the previous page',
            }),
          ),
        }),
        response: { 200: Type.Object({ items: Type.Array(Delivery) }) },
      },
    },
    async (request) => {
      const { before } = request.query as { before?: string };
      return { items: await service.deliveries((request.params as { id: string }).id, before) };
    },
  );
}
