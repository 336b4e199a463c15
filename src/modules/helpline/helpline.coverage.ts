/**
 * Which provinces a desk covers, approved by a platform admin (issue 13): a supervisor asks for provinces in
 * the desk settings, and requests from them are routed to the desk only once an admin approved them here (or
 * made it a national desk). Each approval is audited with the provinces it grants.
 */
import type { Db } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { DeskActor } from './helpline.service.ts';
import './helpline.audit.ts';

export interface DeskCoverage {
  organisationId: string;
  name: string;
  regionCode: string;
  /** What the desk's supervisor asked for. */
  requestedProvinces: string[];
  approvedProvinces: string[];
  national: boolean;
  approvedAt: Date | null;
  /** Active desk staff (supervisors, lawyers, caseworkers): a desk without any is never routed to. */
  staff: number;
}

/** Every NGO desk that is set up, with what it asked for and what is approved. */
export async function listDeskCoverage(db: Db): Promise<DeskCoverage[]> {
  const rows = await db
    .selectFrom('helpline_desk_setting as s')
    .innerJoin('organisation as o', 'o.id', 's.organisation_id')
    .select([
      'o.id',
      'o.name',
      'o.region_code',
      's.provinces',
      's.approved_provinces',
      's.national',
      's.approved_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('staff_account as a')
        .innerJoin('staff_account_role as r', 'r.account_id', 'a.id')
        .select((e) => e.fn.count<string>('a.id').distinct().as('n'))
        .whereRef('a.organisation_id', '=', 'o.id')
        .where('a.status', '=', 'active')
        .where('r.role', 'in', ['ngo_supervisor', 'volunteer_lawyer', 'caseworker'])
        .as('staff'),
    )
    .where('o.kind', '=', 'ngo')
    .orderBy('o.name')
    .execute();
  return rows.map((r) => ({
    organisationId: r.id,
    name: r.name,
    regionCode: r.region_code,
    requestedProvinces: r.provinces,
    approvedProvinces: r.approved_provinces,
    national: r.national,
    approvedAt: r.approved_at,
    staff: Number(r.staff ?? 0),
  }));
}

/** Approve the provinces a desk covers (replacing what was approved), and whether it is a national desk. */
export async function approveDeskCoverage(
  db: Db,
  actor: DeskActor,
  organisationId: string,
  input: { provinces: string[]; national: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('helpline_desk_setting')
      .set({
        approved_provinces: input.provinces,
        national: input.national,
        approved_by: actor.accountId,
        approved_at: new Date(),
      })
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new AppError('NOT_FOUND');
    await recordAudit(trx, {
      event: 'helpline.coverage_approved',
      actor: actor.audit,
      record: { type: 'organisation', id: organisationId },
      details: { provinces: input.provinces, national: input.national },
    });
  });
}
