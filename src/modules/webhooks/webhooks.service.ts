/**
 * Webhooks for systems: subscriptions (a system client's URL and the events it wants), the fan-out of each
 * event to the subscriptions of the organisations concerned, and delivery with retries.
 *
 * Both steps run from the outbox, so nothing is lost to a crash: the event is an outbox row written with the
 * change; the fan-out writes one `webhook_delivery` row per subscription (unique per subscription and event,
 * so a repeated fan-out adds nothing) and an outbox row to deliver each; a failed attempt is logged on the
 * delivery and the next one is another outbox row, due after a doubling back-off. Delivery is at least once
 * (a crash between the receiver's answer and our record of it sends again): receivers deduplicate on the
 * `Anxin-Delivery` id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookConfig } from '../../config.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks.events.ts';
import { SIGNATURE_HEADER, signatureHeader } from './webhooks.signature.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'webhooks.subscription_created': { events: string };
    'webhooks.subscription_removed': Record<string, never>;
  }
}

export const WEBHOOK_DELIVER_TOPIC = 'webhooks.deliver';
/** After this many failed attempts a delivery is given up ('failed'); with a 30 s base that is about 2 hours. */
export const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

export interface WebhookDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  config: WebhookConfig;
  log: FastifyBaseLogger;
  now?: () => Date;
}

export interface SubscriptionView {
  id: string;
  clientId: string;
  url: string;
  events: string[];
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

const secretContext = (id: string) => `webhook_subscription.secret:${id}`;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export class WebhookService {
  constructor(private readonly deps: WebhookDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Subscribe a client's URL to events; answers the signing secret once. */
  async subscribe(input: {
    clientId: string;
    organisationId: string;
    url: string;
    events: readonly string[];
    audit: AuditActor;
  }): Promise<{ id: string; secret: string }> {
    const url = input.url.trim();
    const problems = [];
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      parsed.username ||
      parsed.password ||
      !this.deps.config.urlPrefixes.some((prefix) => url.startsWith(prefix))
    ) {
      problems.push({
        field: 'url',
        message: 'webhooks.problem.url' as const,
        params: { prefixes: this.deps.config.urlPrefixes.join(', ') },
      });
    }
    input.events.forEach((event, i) => {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
        problems.push({
          field: `events.${i}`,
          message: 'webhooks.problem.event' as const,
          params: { events: WEBHOOK_EVENTS.join(', ') },
        });
    });
    if (input.events.length === 0)
      problems.push({
        field: 'events',
        message: 'webhooks.problem.event' as const,
        params: { events: WEBHOOK_EVENTS.join(', ') },
      });
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const events = [...new Set(input.events)].sort();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_subscription')
        .values({
          id,
          client_id: input.clientId,
          organisation_id: input.organisationId,
          url,
          events,
          secret: this.deps.keyring.sealText(secret, secretContext(id)),
        })
        .execute();
      await recordAudit(trx, {
        event: 'webhooks.subscription_created',
        actor: input.audit,
        record: { type: 'webhook_subscription', id },
        details: { events: events.join(' ') },
      });
    });
    return { id, secret };
  }

  /** Live subscriptions: of one client, or of an organisation (undefined: every one, for the platform admin). */
  async list(filter: { clientId?: string; organisationId?: string }): Promise<SubscriptionView[]> {
    let query = this.deps.db
      .selectFrom('webhook_subscription')
      .select(['id', 'client_id', 'url', 'events', 'created_at'])
      .where('disabled_at', 'is', null)
      .orderBy('created_at', 'desc')
      .limit(500);
    if (filter.clientId) query = query.where('client_id', '=', filter.clientId);
    if (filter.organisationId) query = query.where('organisation_id', '=', filter.organisationId);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      clientId: r.client_id,
      url: r.url,
      events: r.events,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async remove(id: string, audit: AuditActor): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('webhook_subscription')
        .set({ disabled_at: this.now() })
        .where('id', '=', id)
        .where('disabled_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row)
        await recordAudit(trx, {
          event: 'webhooks.subscription_removed',
          actor: audit,
          record: { type: 'webhook_subscription', id },
          details: {},
        });
    });
  }

  /** The delivery log of one subscription, newest first (cursor: a delivery's `createdAt`). */
  async deliveries(subscriptionId: string, before?: string, limit = 50): Promise<DeliveryView[]> {
    let query = this.deps.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit);
    if (before) query = query.where('created_at', '<', new Date(before));
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      eventId: r.event_id,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      lastAttemptAt: iso(r.last_attempt_at),
      nextAttemptAt: iso(r.next_attempt_at),
      deliveredAt: iso(r.delivered_at),
    }));
  }

  /** Outbox handler for an event: one delivery per live subscription of the organisations concerned. */
  async fanOut(payload: Record<string, unknown>): Promise<void> {
    const event = payload.event as WebhookEvent;
    const eventId = String(payload.eventId);
    const organisationIds = (payload.organisationIds as string[] | undefined) ?? [];
    if (organisationIds.length === 0) return;
    const body = {
      id: eventId,
      type: event,
      createdAt: payload.occurredAt,
      data: Object.fromEntries(
        ['applicationId', 'orderId', 'violationId', 'details']
          .filter((k) => payload[k] !== undefined)
          .map((k) => [k, payload[k]]),
      ),
    };
    await this.deps.db.transaction().execute(async (trx) => {
      const subscriptions = await trx
        .selectFrom('webhook_subscription as s')
        .innerJoin('system_client as c', 'c.id', 's.client_id')
        .select(['s.id', 's.organisation_id'])
        .where('s.disabled_at', 'is', null)
        .where('c.revoked_at', 'is', null)
        .where('s.organisation_id', 'in', organisationIds)
        .where(sql<boolean>`${event} = any(s.events)`)
        .execute();
      for (const subscription of subscriptions) {
        const inserted = await trx
          .insertInto('webhook_delivery')
          .values({
            id: randomUUID(),
            subscription_id: subscription.id,
            event_id: eventId,
            event,
            payload: JSON.stringify({ ...body, organisationId: subscription.organisation_id }),
            status: 'pending',
          })
          .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) await addToOutbox(trx, WEBHOOK_DELIVER_TOPIC, { deliveryId: inserted.id });
      }
    });
  }

  /** Outbox handler for one attempt: POST the signed payload; on failure log it and schedule the next. */
  async deliver(deliveryId: string): Promise<void> {
    const row = await this.deps.db
      .selectFrom('webhook_delivery as d')
      .innerJoin('webhook_subscription as s', 's.id', 'd.subscription_id')
      .innerJoin('system_client as c', 'c.id', 's.client_id')
      .select([
        'd.id',
        'd.event',
        'd.payload',
        'd.status',
        'd.attempts',
        's.id as subscriptionId',
        's.url',
        's.secret',
        's.disabled_at',
        'c.revoked_at',
      ])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    if (!row || row.status !== 'pending') return;
    if (row.disabled_at || row.revoked_at) {
      await this.deps.db
        .updateTable('webhook_delivery')
        .set({ status: 'failed', last_error: 'subscription ended', next_attempt_at: null })
        .where('id', '=', row.id)
        .execute();
      return;
    }
    const body = JSON.stringify(row.payload);
    const secret = this.deps.keyring.openText(row.secret, secretContext(row.subscriptionId));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Anxin-Webhooks/1',
          [SIGNATURE_HEADER]: signatureHeader(secret, body, this.now()),
          'anxin-delivery': row.id,
          'anxin-event': row.event,
        },
        body,
      });
      status = response.status;
      await response.body?.cancel();
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (cause) {
      error = cause instanceof Error && cause.name === 'TimeoutError' ? 'timeout' : 'connection failed';
    }
    const now = this.now();
    const attempts = row.attempts + 1;
    await this.deps.db.transaction().execute(async (trx) => {
      if (error === null) {
        await trx
          .updateTable('webhook_delivery')
          .set({
            status: 'delivered',
            attempts,
            last_status_code: status,
            last_error: null,
            last_attempt_at: now,
            next_attempt_at: null,
            delivered_at: now,
          })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .execute();
        return;
      }
      const giveUp = attempts >= MAX_ATTEMPTS;
      const next = giveUp
        ? null
        : new Date(now.getTime() + this.deps.config.retryBaseMs * 2 ** (attempts - 1));
      const updated = await trx
        .updateTable('webhook_delivery')
        .set({
          status: giveUp ? 'failed' : 'pending',
          attempts,
          last_status_code: status,
          last_error: error,
          last_attempt_at: now,
          next_attempt_at: next,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', row.attempts)
        .returning('id')
        .executeTakeFirst();
      if (updated && next)
        await addToOutbox(trx, WEBHOOK_DELIVER_TOPIC, { deliveryId: row.id }, { availableAt: next });
    });
    if (error) this.deps.log.warn({ deliveryId: row.id, attempts, error }, 'webhook delivery failed');
  }
}
