/**
 * Start a protection-order application from a desk case (the case page's button and `startOrderFromCase` in
 * the API): the orders module drafts it with her help request and vault, owned by the staff member who
 * started it; the start is on the case's audit trail. Without the orders module installed there is nothing
 * to start: 404.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { findCaseRow } from './helpline.repository.ts';
import type { DeskActor } from './helpline.service.ts';

/** The seam to the protection-order module: present once that module decorates the app with it. */
export interface OrdersFromCase {
  startApplicationFromCase(input: {
    caseId: string;
    helpRequestId: string | null;
    organisationId: string;
    staffAccountId: string;
    audit?: AuditActor;
  }): Promise<{ id?: string; href: string }>;
}

export function ordersSeam(app: FastifyInstance): OrdersFromCase | undefined {
  if (!app.hasDecorator('ordersService')) return undefined;
  const candidate = (app as unknown as { ordersService?: Partial<OrdersFromCase> }).ordersService;
  return typeof candidate?.startApplicationFromCase === 'function'
    ? (candidate as OrdersFromCase)
    : undefined;
}

/** The draft application started for the case, and the page where staff complete it with her. */
export async function startOrderFromCase(
  app: FastifyInstance,
  actor: DeskActor,
  caseId: string,
): Promise<{ applicationId: string; href: string }> {
  const seam = ordersSeam(app);
  if (!seam) throw new AppError('NOT_FOUND');
  const row = await findCaseRow(app.db, caseId);
  if (!row) throw new AppError('NOT_FOUND');
  const started = await seam.startApplicationFromCase({
    caseId,
    helpRequestId: row.help_request_id,
    organisationId: actor.organisationId,
    staffAccountId: actor.accountId,
    audit: actor.audit,
  });
  await app.db.transaction().execute((trx) =>
    recordAudit(trx, {
      event: 'helpline.order_started',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: {},
    }),
  );
  const applicationId =
    started.id ?? /\/orders\/applications\/([0-9a-f-]{36})\//.exec(started.href)?.[1] ?? '';
  return { applicationId, href: started.href };
}
