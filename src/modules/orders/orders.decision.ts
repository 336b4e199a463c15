/** The decision (grant or reject), changes to the order, and reconsideration. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import {
  MEASURES,
  decisionProblems,
  extensionStart,
  orderValidUntil,
  reconsiderationClosesAt,
  type DecisionInput,
  type Measure,
} from './orders.model.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import { updateApplication } from './orders.repository.ts';
import { findOrder, insertOrder, insertServiceTask, updateOrder } from './orders.order-repository.ts';

/**
 * Grant with measures, validity (≤ 6 months) and terms, or reject with reasons. A grant creates the order
 * with an unguessable check token, service tasks for respondent, applicant, police and committee, and
 * notifications through the outbox.
 */
export async function decide(
  c: OrdersCore,
  actor: OrdersActor,
  applicationId: string,
  input: DecisionInput,
): Promise<{ orderId: string | null; caseNumber: string }> {
  const now = c.now();
  const problems = decisionProblems(input, now);
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  return c.db.transaction().execute(async (trx) => {
    const app = await c.load(trx, applicationId, true);
    if (app.status !== 'accepted' || !app.case_number || !app.court_id || !app.court_region_code)
      throw new AppError('CONFLICT');
    if (input.outcome === 'reject') {
      await updateApplication(trx, applicationId, {
        status: 'rejected',
        decided_at: now,
        court_note: c.seal((input.reasons ?? '').trim(), 'order_application', 'court_note', applicationId),
        updated_at: now,
      });
      await c.event(trx, applicationId, 'rejected', actor.ref);
      await c.notify(
        trx,
        applicationId,
        'applicant',
        'decided',
        c.applicantChannels(app.consent_electronic_service),
      );
      await recordAudit(trx, {
        event: 'orders.decided',
        actor: actor.audit,
        record: { type: 'order_application', id: applicationId },
        details: { outcome: 'reject', measures: '' },
      });
      await raiseWebhookEvent(trx, 'application.decided', {
        organisationIds: [app.court_id],
        applicationId,
        details: { outcome: 'reject' },
      });
      return { orderId: null, caseNumber: app.case_number };
    }
    const orderId = randomUUID();
    const token = randomBytes(24).toString('base64url');
    const measures = [...new Set(input.measures ?? [])] as Measure[];
    const validUntil = orderValidUntil(input, now);
    if (!validUntil)
      throw new AppError('VALIDATION', {
        fields: [{ field: 'validUntil', message: 'orders.problem.validity', params: { months: 6 } }],
      });
    const terms = {
      otherMeasure: input.otherMeasure?.trim() || undefined,
      keepAwayMetres: input.keepAwayMetres,
      keepAwayPlaces: c.particularsOf(app).keepAwayPlaces,
      terms: input.terms?.trim() || undefined,
    };
    await insertOrder(trx, {
      id: orderId,
      application_id: applicationId,
      case_number: app.case_number,
      court_id: app.court_id,
      court_region_code: app.court_region_code,
      measures,
      terms: c.seal(JSON.stringify(terms), 'protection_order', 'terms', orderId),
      valid_from: now,
      valid_until: validUntil,
      status: 'in_force',
      check_token_hash: createHash('sha256').update(token).digest(),
      check_token: c.seal(token, 'protection_order', 'check_token', orderId),
      decided_by: actor.accountId ?? '',
      updated_at: now,
    });
    await updateApplication(trx, applicationId, { status: 'granted', decided_at: now, updated_at: now });
    for (const party of ['respondent', 'applicant', 'police', 'committee'] as const) {
      await insertServiceTask(trx, { id: randomUUID(), order_id: orderId, party, status: 'open' });
    }
    await c.event(trx, applicationId, 'granted', actor.ref, {
      measures,
      validUntil: validUntil.toISOString(),
    });
    await c.notify(
      trx,
      applicationId,
      'applicant',
      'decided',
      c.applicantChannels(app.consent_electronic_service),
    );
    await c.notify(trx, applicationId, 'police', 'order_issued');
    await c.notify(trx, applicationId, 'committee', 'order_issued');
    await recordAudit(trx, {
      event: 'orders.decided',
      actor: actor.audit,
      record: { type: 'order_application', id: applicationId },
      details: { outcome: 'grant', measures: measures.join(',') },
    });
    await raiseWebhookEvent(trx, 'application.decided', {
      organisationIds: await c.webhookOrganisations(trx, applicationId),
      applicationId,
      orderId,
      details: { outcome: 'grant' },
    });
    return { orderId, caseNumber: app.case_number };
  });
}

/** ADVL 30: modify, extend or revoke on application before expiry. Extension keeps within 6 months of the change. */
export async function modifyOrder(
  c: OrdersCore,
  actor: OrdersActor,
  orderId: string,
  input: {
    change: 'modify' | 'extend' | 'revoke';
    measures?: string[];
    validUntil?: string;
    validMonths?: number;
    reasons: string;
  },
): Promise<void> {
  const now = c.now();
  if (!input.reasons.trim())
    throw new AppError('VALIDATION', { fields: [{ field: 'reasons', message: 'orders.problem.reasons' }] });
  await c.db.transaction().execute(async (trx) => {
    const order = await findOrder(trx, orderId, true);
    if (!order) throw new AppError('NOT_FOUND');
    if (order.status !== 'in_force' || order.valid_until.getTime() <= now.getTime())
      throw new AppError('CONFLICT');
    if (input.change === 'revoke') {
      await updateOrder(trx, orderId, { status: 'revoked', updated_at: now });
      await c.event(trx, order.application_id, 'revoked', actor.ref);
    } else if (input.change === 'extend') {
      // An extension runs from the current end, not from today: the next period starts the day after it.
      const until = orderValidUntil(input, extensionStart(order.valid_until));
      if (!until || until.getTime() <= order.valid_until.getTime())
        throw new AppError('VALIDATION', {
          fields: [{ field: 'validUntil', message: 'orders.problem.validity', params: { months: 6 } }],
        });
      await updateOrder(trx, orderId, { valid_until: until, updated_at: now });
      await c.event(trx, order.application_id, 'extended', actor.ref, {
        validUntil: until.toISOString(),
      });
    } else {
      const measures = [...new Set(input.measures ?? [])];
      if (measures.length === 0 || measures.some((m) => !(MEASURES as readonly string[]).includes(m)))
        throw new AppError('VALIDATION', {
          fields: [{ field: 'measures', message: 'orders.problem.measures' }],
        });
      await updateOrder(trx, orderId, { measures, updated_at: now });
      await c.event(trx, order.application_id, 'modified', actor.ref, { measures });
    }
    await c.notify(trx, order.application_id, 'applicant', 'order_changed');
    await c.notify(trx, order.application_id, 'police', 'order_changed');
    await recordAudit(trx, {
      event: 'orders.order_changed',
      actor: actor.audit,
      record: { type: 'order_application', id: order.application_id },
      details: { change: input.change },
    });
  });
}

/** ADVL 31: reconsideration once, within 5 days of the ruling; the order stays in force meanwhile. */
export async function requestReconsideration(
  c: OrdersCore,
  actor: OrdersActor,
  orderId: string,
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const order = await findOrder(trx, orderId, true);
    if (!order) throw new AppError('NOT_FOUND');
    if (order.reconsideration_requested_at) throw new AppError('CONFLICT');
    if (c.now().getTime() >= reconsiderationClosesAt(order.valid_from).getTime())
      throw new AppError('VALIDATION', {
        fields: [{ field: 'orderId', message: 'orders.problem.reconsiderationClosed' }],
      });
    await updateOrder(trx, orderId, { reconsideration_requested_at: c.now(), updated_at: c.now() });
    await c.event(trx, order.application_id, 'reconsideration_requested', actor.ref);
    await recordAudit(trx, {
      event: 'orders.reconsideration',
      actor: actor.audit,
      record: { type: 'order_application', id: order.application_id },
      details: { step: 'requested' },
    });
  });
}

export async function decideReconsideration(
  c: OrdersCore,
  actor: OrdersActor,
  orderId: string,
  outcome: 'upheld' | 'revoked',
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const order = await findOrder(trx, orderId, true);
    if (!order) throw new AppError('NOT_FOUND');
    if (!order.reconsideration_requested_at || order.reconsideration_outcome) throw new AppError('CONFLICT');
    await updateOrder(trx, orderId, {
      reconsideration_outcome: outcome,
      ...(outcome === 'revoked' ? { status: 'revoked' as const } : {}),
      updated_at: c.now(),
    });
    await c.event(trx, order.application_id, 'reconsideration_decided', actor.ref, { outcome });
    await c.notify(trx, order.application_id, 'applicant', 'order_changed');
    await recordAudit(trx, {
      event: 'orders.reconsideration',
      actor: actor.audit,
      record: { type: 'order_application', id: order.application_id },
      details: { step: outcome },
    });
  });
}
