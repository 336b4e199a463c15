/** The clock sweep: ruling deadlines, reconsideration windows, expiry reminders and follow-ups, each fired once. */
import { type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { EXPIRY_REMINDER_DAYS, DAY_MS, reconsiderationClosesAt, rulingWarningAt } from './orders.model.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import { type OrdersCore } from './orders.core.ts';
import {
  expireOrder,
  insertAlertOnce,
  listAcceptedDueBy,
  listAlerts,
  listOrdersInForceNear,
  listWarningsFollowUpDue,
} from './orders.order-repository.ts';

/**
 * Fire every alert that is due and has not fired: ruling-deadline warnings and breaches, reconsideration
 * windows closing, expiry reminders (14 and 3 days before), expiry, and overdue police follow-up visits.
 * Each alert's key (subject, kind, due time) is inserted with ON CONFLICT DO NOTHING in the transaction
 * that records its effect, so it fires once however many processes sweep and across restarts.
 */
export async function sweepClock(c: OrdersCore): Promise<{ fired: number }> {
  const now = c.now();
  let fired = 0;
  const fire = async (
    subjectId: string,
    kind: string,
    dueAt: Date,
    effect: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<void> => {
    await c.db.transaction().execute(async (trx) => {
      if (!(await insertAlertOnce(trx, { subjectId, kind, dueAt, firedAt: now }))) return;
      await effect(trx);
      fired += 1;
    });
  };
  // Ruling clock: applications still accepted (not decided).
  const accepted = await listAcceptedDueBy(c.db, new Date(now.getTime() + 72 * 3_600_000));
  for (const a of accepted) {
    if (!a.accepted_at || !a.ruling_due_at) continue;
    const warnAt = rulingWarningAt(a.accepted_at, a.urgent);
    if (now.getTime() >= warnAt.getTime()) {
      await fire(a.id, 'ruling_warning', a.ruling_due_at, async (trx) => {
        await c.event(trx, a.id, 'ruling_warning', 'system', {}, false);
        await c.notify(trx, a.id, 'court', 'ruling_warning');
      });
    }
    if (now.getTime() >= a.ruling_due_at.getTime()) {
      await fire(a.id, 'ruling_breach', a.ruling_due_at, async (trx) => {
        await c.event(trx, a.id, 'ruling_breach', 'system', {}, false);
        await c.notify(trx, a.id, 'court', 'ruling_breach');
      });
    }
  }
  // Orders: reconsideration window, expiry reminders, expiry.
  const orders = await listOrdersInForceNear(
    c.db,
    new Date(now.getTime() + EXPIRY_REMINDER_DAYS[0] * DAY_MS),
    new Date(now.getTime() - 6 * DAY_MS),
  );
  for (const o of orders) {
    const closes = reconsiderationClosesAt(o.valid_from);
    if (now.getTime() >= closes.getTime()) {
      await fire(o.id, 'reconsideration_closed', closes, async (trx) => {
        await c.event(trx, o.application_id, 'reconsideration_closed', 'system', {}, false);
      });
    }
    for (const days of EXPIRY_REMINDER_DAYS) {
      const remindAt = new Date(o.valid_until.getTime() - days * DAY_MS);
      if (now.getTime() >= remindAt.getTime() && now.getTime() < o.valid_until.getTime()) {
        await fire(o.id, `expiry_reminder_${days}`, o.valid_until, async (trx) => {
          await c.event(trx, o.application_id, 'expiring', 'system', { days });
          await raiseWebhookEvent(trx, 'order.expiring', {
            organisationIds: await c.webhookOrganisations(trx, o.application_id),
            applicationId: o.application_id,
            orderId: o.id,
            details: { days },
          });
          await c.notify(trx, o.application_id, 'applicant', 'expiry_reminder', ['in_app', 'sms']);
        });
      }
    }
    if (now.getTime() >= o.valid_until.getTime()) {
      await fire(o.id, 'expired', o.valid_until, async (trx) => {
        await expireOrder(trx, o.id, now);
        await c.event(trx, o.application_id, 'expired', 'system');
        await c.notify(trx, o.application_id, 'police', 'order_expired');
      });
    }
  }
  // Police follow-up visits that are due with none recorded.
  const warnings = await listWarningsFollowUpDue(c.db, now);
  for (const w of warnings) {
    await fire(w.id, 'follow_up_due', w.follow_up_due_at, async () => undefined);
  }
  return { fired };
}

/** Alerts fired for a subject (for the docket page and tests). */
export async function alertsFor(
  c: OrdersCore,
  subjectId: string,
): Promise<{ kind: string; dueAt: Date; firedAt: Date }[]> {
  const rows = await listAlerts(c.db, subjectId);
  return rows.map((r) => ({ kind: r.kind, dueAt: r.due_at, firedAt: r.fired_at }));
}
