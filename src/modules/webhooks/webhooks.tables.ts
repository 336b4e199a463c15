/** Tables the webhooks module owns: subscriptions of system clients to events, and every delivery's log. */
import type { ColumnType } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface WebhookSubscriptionTable {
  id: string;
  /** The system client it belongs to (identity module); deliveries stop when the client is revoked. */
  client_id: string;
  organisation_id: string;
  url: string;
  events: ColumnType<string[], string[], string[]>;
  /** The signing secret, sealed (context `webhook_subscription.secret:<id>`): we must sign with it. */
  secret: Buffer;
  created_at: CreatedAt;
  disabled_at: NullableTimestamp;
}

export interface WebhookDeliveryTable {
  id: string;
  subscription_id: string;
  /** The event's id: the same in every subscription's delivery, and what receivers deduplicate on. */
  event_id: string;
  event: string;
  payload: ColumnType<Record<string, unknown>, string, never>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  last_attempt_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
}

export interface WebhooksTables {
  webhook_subscription: WebhookSubscriptionTable;
  webhook_delivery: WebhookDeliveryTable;
}

declare module '../../db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds this module's tables to Database
  interface Database extends WebhooksTables {}
}
