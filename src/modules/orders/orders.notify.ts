/**
 * Notifications through adapters (in-app, SMS, e-mail), run by the `orders.notify` job from the outbox, so a
 * failed send is retried by pg-boss and a sent one is never sent twice (the row's status is checked and set
 * under a row lock). SMS and e-mail text is one neutral sentence that says nothing about violence or courts:
 * the details are behind her case code and secret.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { ordersZh } from './orders.messages.ts';
import type { ApplicationInput } from './orders.model.ts';

export interface OutboundMessage {
  to: string;
  text: string;
}

/** A delivery channel. `send` throws on failure (the job retries). */
export interface NotificationAdapter {
  send(message: OutboundMessage): Promise<void>;
}

export interface NotificationAdapters {
  sms?: NotificationAdapter;
  email?: NotificationAdapter;
}

/** The only SMS/e-mail text, whatever the event (SAFETY.md: SMS templates that say nothing about violence). */
export const NEUTRAL_TEXT = ordersZh['orders.sms.neutral'];

export class OrdersNotifier {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly log: FastifyBaseLogger,
    public adapters: NotificationAdapters = {},
  ) {}

  /** Deliver one notification; idempotent. */
  async deliver(notificationId: string): Promise<'sent' | 'skipped' | 'failed'> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('order_notification')
        .selectAll()
        .where('id', '=', notificationId)
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.status !== 'pending') return 'skipped';
      const attempts = row.attempts + 1;
      if (row.channel === 'in_app') {
        await trx
          .updateTable('order_notification')
          .set({ status: 'sent', attempts, sent_at: new Date() })
          .where('id', '=', row.id)
          .execute();
        return 'sent';
      }
      const adapter = row.channel === 'sms' ? this.adapters.sms : this.adapters.email;
      const to =
        row.recipient === 'applicant'
          ? await this.applicantAddress(row.application_id, row.channel)
          : undefined;
      if (!adapter || !to) {
        // No gateway configured or no address she gave: recorded as failed, never retried, in-app copy stands.
        await trx
          .updateTable('order_notification')
          .set({ status: 'failed', attempts })
          .where('id', '=', row.id)
          .execute();
        this.log.warn(
          { notificationId: row.id, channel: row.channel },
          'notification not sent: no adapter or no address',
        );
        return 'failed';
      }
      await trx.updateTable('order_notification').set({ attempts }).where('id', '=', row.id).execute();
      await adapter.send({ to, text: NEUTRAL_TEXT });
      await trx
        .updateTable('order_notification')
        .set({ status: 'sent', sent_at: new Date() })
        .where('id', '=', row.id)
        .execute();
      return 'sent';
    });
  }

  private async applicantAddress(
    applicationId: string,
    channel: 'sms' | 'email',
  ): Promise<string | undefined> {
    const app = await this.db
      .selectFrom('order_application')
      .select(['id', 'particulars'])
      .where('id', '=', applicationId)
      .executeTakeFirst();
    if (!app || channel === 'email') return undefined;
    const input = JSON.parse(
      this.keyring.openText(app.particulars, `order_application.particulars:${app.id}`),
    ) as ApplicationInput;
    return input.applicant?.phone?.trim() || undefined;
  }
}
