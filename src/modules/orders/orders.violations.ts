/** Violations of an order: reports and the court's decision on them. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { chinaDate, violationDecisionProblems, type ViolationDecisionInput } from './orders.model.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import { findOrder, insertViolation, lockViolation, updateViolation } from './orders.order-repository.ts';
import { isUuid } from '../../platform/ids.ts';

/** A violation, reported by her (portal) or by police, with evidence. */
export async function reportViolation(
  c: OrdersCore,
  actor: OrdersActor,
  orderId: string,
  input: {
    reportedBy: 'survivor' | 'police';
    occurredOn: string;
    description: string;
    evidenceIds?: string[];
  },
): Promise<{ id: string }> {
  const problems: FieldProblem[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.occurredOn) || Number.isNaN(Date.parse(input.occurredOn)))
    problems.push({ field: 'occurredOn', message: 'orders.problem.incidentDate' });
  else if (input.occurredOn > chinaDate(c.now()))
    problems.push({ field: 'occurredOn', message: 'orders.problem.futureDate' });
  if (!input.description.trim())
    problems.push({ field: 'description', message: 'orders.problem.incidentDescription' });
  if (input.description.length > 4000)
    problems.push({ field: 'description', message: 'orders.problem.tooLong', params: { max: 4000 } });
  if ((input.evidenceIds ?? []).some((id) => !isUuid(id)))
    problems.push({ field: 'evidenceIds', message: 'orders.problem.evidence' });
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  return c.db.transaction().execute(async (trx) => {
    const order = await findOrder(trx, orderId);
    if (!order) throw new AppError('NOT_FOUND');
    if (order.status !== 'in_force' || order.valid_until.getTime() <= c.now().getTime())
      throw new AppError('CONFLICT');
    const id = randomUUID();
    await insertViolation(trx, {
      id,
      order_id: orderId,
      reported_by: input.reportedBy,
      reporter_ref: actor.ref,
      occurred_on: input.occurredOn,
      description: c.seal(input.description.trim(), 'order_violation', 'description', id),
      evidence_ids: [...new Set(input.evidenceIds ?? [])],
      status: 'reported',
    });
    await c.event(trx, order.application_id, 'violation_reported', actor.ref, {
      reportedBy: input.reportedBy,
    });
    await c.notify(trx, order.application_id, 'court', 'violation_reported');
    await c.notify(trx, order.application_id, 'police', 'violation_reported');
    await recordAudit(trx, {
      event: 'orders.violation_reported',
      actor: actor.audit,
      record: { type: 'order_application', id: order.application_id },
      details: { reportedBy: input.reportedBy },
    });
    await raiseWebhookEvent(trx, 'violation.reported', {
      organisationIds: await c.webhookOrganisations(trx, order.application_id),
      applicationId: order.application_id,
      orderId,
      violationId: id,
    });
    return { id };
  });
}

/** ADVL 34: the court's enforcement decision. */
export async function decideViolation(
  c: OrdersCore,
  actor: OrdersActor,
  violationId: string,
  input: ViolationDecisionInput,
): Promise<void> {
  const problems = violationDecisionProblems(input);
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  await c.db.transaction().execute(async (trx) => {
    const v = await lockViolation(trx, violationId);
    if (!v) throw new AppError('NOT_FOUND');
    if (v.status !== 'reported') throw new AppError('CONFLICT');
    await updateViolation(trx, violationId, {
      status: 'decided',
      outcome: input.outcome,
      fine_yuan: input.outcome === 'fine' ? (input.fineYuan ?? null) : null,
      detention_days: input.outcome === 'detention' ? (input.detentionDays ?? null) : null,
      reasons: c.seal((input.reasons ?? '').trim(), 'order_violation', 'reasons', violationId),
      decided_by: actor.accountId,
      decided_at: c.now(),
    });
    await c.event(trx, v.application_id, 'violation_decided', actor.ref, { outcome: input.outcome });
    await c.notify(trx, v.application_id, 'applicant', 'violation_decided');
    await c.notify(trx, v.application_id, 'police', 'violation_decided');
    await recordAudit(trx, {
      event: 'orders.violation_decided',
      actor: actor.audit,
      record: { type: 'order_application', id: v.application_id },
      details: { outcome: input.outcome },
    });
  });
}
