/**
 * The events systems can subscribe to, and the one call a module makes to raise one: `raiseWebhookEvent(trx,
 * …)` inside the transaction of the change, so the event exists exactly when the change does (outbox). The
 * payload carries identifiers and the event type only — never her personal data; the system reads what it
 * may through the API, under its own scopes and audit.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { addToOutbox } from '../../platform/jobs.ts';

export const WEBHOOK_EVENTS = [
  'application.submitted',
  'application.accepted',
  'application.decided',
  'violation.reported',
  'order.expiring',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_EVENT_TOPIC = 'webhooks.event';

/** Identifiers only. `organisationIds`: whose subscriptions receive it (the court; the police station…). */
export interface WebhookEventData {
  organisationIds: string[];
  applicationId?: string;
  orderId?: string;
  violationId?: string;
  /** Short codes only (a decision's outcome, days left). */
  details?: Record<string, string | number | boolean>;
}

export async function raiseWebhookEvent(
  trx: Transaction<Database>,
  event: WebhookEvent,
  data: WebhookEventData,
): Promise<void> {
  const organisationIds = [...new Set(data.organisationIds.filter(Boolean))];
  if (organisationIds.length === 0) return;
  await addToOutbox(trx, WEBHOOK_EVENT_TOPIC, {
    eventId: randomUUID(),
    event,
    occurredAt: new Date().toISOString(),
    ...data,
    organisationIds,
  });
}
