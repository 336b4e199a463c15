/** Service of the order on each party (送达). */
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../identity/audit.ts';
import { type ServiceMethod, type ServiceParty } from './orders.model.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';

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
    const task = await trx
      .selectFrom('order_service_task as s')
      .innerJoin('protection_order as o', 'o.id', 's.order_id')
      .select(['s.id', 's.party', 's.status', 'o.application_id'])
      .where('s.id', '=', taskId)
      .forUpdate('s')
      .executeTakeFirst();
    if (!task) throw new AppError('NOT_FOUND');
    if (task.status === 'done') throw new AppError('CONFLICT');
    await trx
      .updateTable('order_service_task')
      .set({
        status: 'done',
        method: input.method,
        served_at: input.servedAt,
        served_by: actor.accountId,
        server_name: c.seal(input.serverName.trim(), 'order_service_task', 'server_name', taskId),
      })
      .where('id', '=', taskId)
      .execute();
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
