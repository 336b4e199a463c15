/** The order itself: its summary, the PDF for each recipient, and the public check behind the QR code. */
import { createHash } from 'node:crypto';
import { type Selectable } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ProtectionOrderTable } from './orders.tables.ts';
import { chineseDate, reconsiderationClosesAt, type Measure } from './orders.model.ts';
import { renderOrderPdf, type OrderCopy } from './orders.pdf.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import {
  findOrder,
  findOrderByCheckTokenHash,
  findOrderOfApplication,
  orderServiceAndViolations,
} from './orders.order-repository.ts';
import { isUuid } from '../../platform/ids.ts';

export async function orderSummary(c: OrdersCore, order: Selectable<ProtectionOrderTable>) {
  const now = c.now();
  const terms = JSON.parse(c.open(order.terms, 'protection_order', 'terms', order.id)) as {
    otherMeasure?: string;
    keepAwayMetres?: number;
    keepAwayPlaces?: string;
    terms?: string;
  };
  const { service, violations } = await orderServiceAndViolations(c.db, order.id);
  return {
    id: order.id,
    caseNumber: order.case_number,
    measures: order.measures,
    terms,
    validFrom: order.valid_from,
    validUntil: order.valid_until,
    status: order.status,
    inForce: order.status === 'in_force' && order.valid_until.getTime() > now.getTime(),
    reconsiderationOpen:
      order.reconsideration_requested_at === null &&
      now.getTime() < reconsiderationClosesAt(order.valid_from).getTime(),
    reconsiderationOutcome: order.reconsideration_outcome,
    reconsiderationRequestedAt: order.reconsideration_requested_at,
    service: service.map((s) => ({
      id: s.id,
      party: s.party,
      status: s.status,
      method: s.method,
      servedAt: s.served_at,
      serverName: s.server_name ? c.open(s.server_name, 'order_service_task', 'server_name', s.id) : null,
    })),
    violations: violations.map((v) => ({
      id: v.id,
      reportedBy: v.reported_by,
      occurredOn: v.occurred_on,
      description: c.open(v.description, 'order_violation', 'description', v.id),
      evidenceIds: v.evidence_ids,
      status: v.status,
      outcome: v.outcome,
      fineYuan: v.fine_yuan,
      detentionDays: v.detention_days,
      reasons: v.reasons ? c.open(v.reasons, 'order_violation', 'reasons', v.id) : null,
      decidedAt: v.decided_at,
    })),
  };
}

export async function loadOrder(c: OrdersCore, id: string) {
  if (!isUuid(id)) throw new AppError('NOT_FOUND');
  const order = await findOrder(c.db, id);
  if (!order) throw new AppError('NOT_FOUND');
  return order;
}

export async function orderForApplication(c: OrdersCore, applicationId: string) {
  const order = await findOrderOfApplication(c.db, applicationId);
  return order ? orderSummary(c, order) : undefined;
}

/** The order document for one recipient; the respondent's copy leaves out her address and phone. */
export async function orderDocument(
  c: OrdersCore,
  actor: OrdersActor,
  applicationId: string,
  copy: OrderCopy,
): Promise<{ pdf: Buffer; caseNumber: string }> {
  const app = await c.load(c.db, applicationId);
  const order = await findOrderOfApplication(c.db, applicationId);
  if (!order) throw new AppError('NOT_FOUND');
  const court = await c.deps.organisations.get(order.court_id);
  const input = c.particularsOf(app);
  const terms = JSON.parse(c.open(order.terms, 'protection_order', 'terms', order.id)) as {
    otherMeasure?: string;
    keepAwayMetres?: number;
    keepAwayPlaces?: string;
    terms?: string;
  };
  const token = c.open(order.check_token, 'protection_order', 'check_token', order.id);
  const incidents = (input.incidents ?? []).filter((i) => i.date).map((i) => i.date ?? '');
  const facts = incidents.length
    ? `申请人陈述被申请人于${incidents
        .slice(0, 5)
        .map((d) => chineseDate(new Date(`${d}T04:00:00Z`)))
        .join('、')}实施家庭暴力行为，结合在案证据，`
    : '';
  const pdf = await renderOrderPdf({
    courtName: court?.name ?? '',
    caseNumber: order.case_number,
    applicant: {
      name: input.applicant?.name ?? '',
      gender: input.applicant?.gender,
      birthYear: input.applicant?.birthYear,
      address: input.applicant?.address,
    },
    respondent: {
      name: input.respondent?.name ?? '',
      gender: input.respondent?.gender,
      birthYear: input.respondent?.birthYear,
      idNumber: input.respondent?.idNumber,
      address: input.respondent?.address,
    },
    relationship: input.relationship ?? '',
    factsFound: facts,
    measures: order.measures as Measure[],
    otherMeasure: terms.otherMeasure,
    keepAwayMetres: terms.keepAwayMetres,
    keepAwayPlaces: terms.keepAwayPlaces,
    terms: terms.terms,
    validFrom: order.valid_from,
    validUntil: order.valid_until,
    checkUrl: c.checkUrl(token),
    copy,
  });
  await c.db.transaction().execute((trx) =>
    recordAudit(trx, {
      event: 'orders.document_issued',
      actor: actor.audit,
      record: { type: 'order_application', id: applicationId },
      details: { copy },
    }),
  );
  return { pdf, caseNumber: order.case_number };
}

/** The public check (from the QR code): only valid or not, until when, and the issuing court. */
export async function verifyPublic(
  c: OrdersCore,
  token: string,
): Promise<{ valid: boolean; validUntil: Date; courtName: string; status: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  const order = await findOrderByCheckTokenHash(c.db, createHash('sha256').update(token).digest());
  if (!order) return undefined;
  const court = await c.deps.organisations.get(order.court_id);
  const valid = order.status === 'in_force' && order.valid_until.getTime() > c.now().getTime();
  return {
    valid,
    validUntil: order.valid_until,
    courtName: court?.name ?? '',
    status: valid ? 'in_force' : order.status === 'revoked' ? 'revoked' : 'expired',
  };
}
