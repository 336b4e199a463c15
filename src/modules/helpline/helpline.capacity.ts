/**
 * Mandatory reporting beyond minors (ADVL 14): a person without full civil capacity who suffers or may suffer
 * domestic violence is reported to the police as a minor is. The desk marks such an adult's case with a flag
 * (`lacksCapacity`, an API operation and the case page use the same function); the mandatory report and the
 * "report before closing" rule then apply. Also: which role a staff reply is shown under on her thread.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { lockCaseRow } from './helpline.repository.ts';
import { deskActor } from './helpline.http.ts';
import { CaseParams, Ok, errors } from './helpline.schemas.ts';
import type { DeskActor } from './helpline.service.ts';

export { mandatoryReportApplies, staffRoleOf } from './helpline.capacity-rules.ts';

/** Set or clear the flag, with its audit event, in one transaction. */
export async function setLacksCapacity(
  db: Db,
  actor: DeskActor,
  caseId: string,
  lacksCapacity: boolean,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await lockCaseRow(trx, caseId);
    if (!row) throw new AppError('NOT_FOUND');
    if (row.status === 'closed')
      throw new AppError('CONFLICT', {
        message: 'helpline.case.closedAlready',
        fields: [{ field: 'case', message: 'helpline.case.closedAlready' }],
      });
    await trx
      .updateTable('helpline_case')
      .set({ lacks_capacity: lacksCapacity })
      .where('id', '=', caseId)
      .execute();
    await recordAudit(trx, {
      event: 'helpline.capacity_flagged',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { lacksCapacity },
    });
  });
}

export const CapacityBody = Type.Object(
  {
    lacksCapacity: Type.Boolean({
      description: 'an adult without full civil capacity: mandatory reporting applies (ADVL 14)',
    }),
  },
  { additionalProperties: false },
);

export function helplineCapacityApi(app: FastifyInstance): void {
  app.put(
    '/api/desk/cases/:id/capacity',
    {
      config: { access: { action: 'helpline.case.classify', record: 'helpline_case' } },
      schema: {
        operationId: 'setCaseCapacity',
        tags: ['helpline'],
        summary:
          'Mark the person as an adult without full civil capacity (mandatory reporting applies, ADVL 14), or clear it',
        params: CaseParams,
        body: CapacityBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof CapacityBody>;
      await setLacksCapacity(
        app.db,
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        body.lacksCapacity,
      );
      return { ok: true };
    },
  );
}
