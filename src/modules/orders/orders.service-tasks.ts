/** Service of the order on each party (送达). */
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { type ServiceMethod, type ServiceParty } from './orders.model.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import { lockServiceTask, updateServiceTask } from './orders.order-repository.ts';

export async function recordService(
  c: OrdersCore,
  actor: OrdersActor,
  taskId: string,
  input: { method: ServiceMethod; servedAt: Date; serverName: string },
): Promise<{ applicationId: string; party: ServiceParty }> {
  if (!input.serverName.trim())
    throw new AppError('VALIDATION', {
      fields: [{ field: 'serverName', message: 'orders.problem.serverName' }],
    });
  if (Number.isNaN(input.servedAt.getTime()) || input.servedAt.getTime() > c.now().getTime() + 5 * 60_000)
    throw new AppError('VALIDATION', {
      fields: [{ field: 'servedAt', message: 'orders.problem.futureDate' }],
    });
  return c.db.transaction().execute(async (trx) => {
    const task = await lockServiceTask(trx, taskId);
    if (!task) throw new AppError('NOT_FOUND');
    if (task.status === 'done') throw new AppError('CONFLICT');
    await updateServiceTask(trx, taskId, {
      status: 'done',
      method: input.method,
      served_at: input.servedAt,
      served_by: actor.accountId,
      server_name: c.seal(input.serverName.trim(), 'order_service_task', 'server_name', taskId),
    });
    await c.event(
      trx,
      task.application_id,
      'served',
      actor.ref,
      { party: task.party, method: input.method },
      task.party === 'respondent' || task.party === 'applicant',
    );
    await recordAudit(trx, {
      event: 'orders.service_recorded',
      actor: actor.audit,
      record: { type: 'order_application', id: task.application_id },
      details: { party: task.party, method: input.method },
    });
    return { applicationId: task.application_id, party: task.party };
  });
}
