/** Police written warnings (告诫书) and their follow-up visits. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { DAY_MS, WARNING_FOLLOW_UP_DAYS, chinaDate } from './orders.model.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import {
  insertWarning,
  insertWarningVisit,
  listWarningRows,
  lockWarning,
  setWarningVisitNotes,
  updatePoliceWarning,
} from './orders.order-repository.ts';

/** ADVL 16–17: a written warning with the abuser's identity, the facts and the prohibition; follow-up due in 7 days. */
export async function issueWarning(
  c: OrdersCore,
  actor: OrdersActor,
  station: { organisationId: string; regionCode: string },
  input: {
    abuserName: string;
    abuserIdNumber?: string;
    victimName: string;
    facts: string;
    helpRequestId?: string | null;
  },
): Promise<{ id: string; number: string; followUpDueAt: Date }> {
  const problems: FieldProblem[] = [];
  if (!input.abuserName.trim())
    problems.push({ field: 'abuserName', message: 'orders.problem.respondentName' });
  if (!input.victimName.trim())
    problems.push({ field: 'victimName', message: 'orders.problem.applicantName' });
  if (!input.facts.trim()) problems.push({ field: 'facts', message: 'orders.problem.incidentDescription' });
  if (input.abuserIdNumber && !/^\d{17}[\dXx]$/.test(input.abuserIdNumber))
    problems.push({ field: 'abuserIdNumber', message: 'orders.problem.idNumber' });
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  const id = randomUUID();
  const now = c.now();
  const number = `${chinaDate(now).slice(0, 4)}-${station.regionCode.padEnd(6, '0')}-${id.slice(0, 8).toUpperCase()}`;
  const followUp = new Date(now.getTime() + WARNING_FOLLOW_UP_DAYS * DAY_MS);
  await c.db.transaction().execute(async (trx) => {
    await insertWarning(trx, {
      id,
      organisation_id: station.organisationId,
      region_code: station.regionCode,
      warning_number: number,
      help_request_id: input.helpRequestId ?? null,
      particulars: c.seal(
        JSON.stringify({
          abuserName: input.abuserName.trim(),
          abuserIdNumber: input.abuserIdNumber,
          victimName: input.victimName.trim(),
          facts: input.facts.trim(),
        }),
        'police_warning',
        'particulars',
        id,
      ),
      issued_by: actor.accountId ?? '',
      issued_at: now,
      follow_up_due_at: followUp,
    });
    await recordAudit(trx, {
      event: 'orders.warning_issued',
      actor: actor.audit,
      record: { type: 'police_warning', id },
      details: {},
    });
  });
  return { id, number, followUpDueAt: followUp };
}

export async function updateWarning(
  c: OrdersCore,
  actor: OrdersActor,
  warningId: string,
  step: 'delivered_abuser' | 'delivered_victim' | 'committee_notified' | 'visit',
  notes?: string,
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const w = await lockWarning(trx, warningId);
    if (!w) throw new AppError('NOT_FOUND');
    const now = c.now();
    if (step === 'visit') {
      if (!notes?.trim())
        throw new AppError('VALIDATION', { fields: [{ field: 'notes', message: 'orders.problem.note' }] });
      const visitId = await insertWarningVisit(trx, {
        warning_id: warningId,
        visited_at: now,
        visited_by: actor.accountId ?? '',
        notes: Buffer.alloc(0),
      });
      await setWarningVisitNotes(
        trx,
        visitId,
        c.seal(notes.trim(), 'police_warning_visit', 'notes', visitId),
      );
    } else {
      const column =
        step === 'delivered_abuser'
          ? 'delivered_abuser_at'
          : step === 'delivered_victim'
            ? 'delivered_victim_at'
            : 'committee_notified_at';
      await updatePoliceWarning(trx, warningId, { [column]: now });
    }
    await recordAudit(trx, {
      event: 'orders.warning_updated',
      actor: actor.audit,
      record: { type: 'police_warning', id: warningId },
      details: { step },
    });
  });
}

export async function listWarnings(c: OrdersCore, organisationId: string) {
  const now = c.now();
  const rows = await listWarningRows(c.db, organisationId);
  return rows.map((r) => ({
    id: r.id,
    number: r.warning_number,
    issuedAt: r.issued_at,
    deliveredAbuserAt: r.delivered_abuser_at,
    deliveredVictimAt: r.delivered_victim_at,
    committeeNotifiedAt: r.committee_notified_at,
    followUpDueAt: r.follow_up_due_at,
    visits: r.visits ?? 0,
    followUpOverdue: (r.visits ?? 0) === 0 && r.follow_up_due_at.getTime() <= now.getTime(),
  }));
}
