/** The duty roster and the hotline hours the portal shows. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { deleteShift, insertShift, listShifts } from './helpline.repository.ts';
import { listDeskStaff, staffNames } from './helpline.directory.ts';
import { chinaDate, chinaInstant, dutyDays, type DutyDay } from './helpline.model.ts';
import { type HelplineCore, problemsOf, type DeskActor, type DutyShift } from './helpline.core.ts';

export async function shiftsBetween(
  c: HelplineCore,
  organisationId: string,
  from: Date,
  to: Date,
): Promise<DutyShift[]> {
  const rows = await listShifts(c.db, from, to, organisationId);
  const names = await staffNames(c.db, organisationId, [...new Set(rows.map((r) => r.account_id))]);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    name: names.get(r.account_id) ?? '',
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  }));
}

export async function onDutyNow(c: HelplineCore, organisationId: string): Promise<DutyShift[]> {
  const now = c.clock();
  return (await shiftsBetween(c, organisationId, now, new Date(now.getTime() + 1))).filter(
    (s) => s.startsAt <= now && s.endsAt > now,
  );
}

/** Add a shift (China-time day and hours; `to` of 24:00 ends at midnight). */
export async function addShift(
  c: HelplineCore,
  actor: DeskActor,
  input: { accountId: string; date: string; from: string; to: string },
): Promise<string> {
  const startsAt = chinaInstant(input.date, input.from);
  const endsAt =
    input.to === '24:00'
      ? new Date(chinaInstant(input.date, '00:00').getTime() + 24 * 60 * 60_000)
      : chinaInstant(input.date, input.to);
  const problems: FieldProblem[] = [];
  if (Number.isNaN(startsAt.getTime())) problems.push({ field: 'date', message: 'validation.invalid' });
  if (!(endsAt.getTime() > startsAt.getTime()))
    problems.push({ field: 'to', message: 'helpline.validation.timeOrder' });
  const staff = await listDeskStaff(c.db, actor.organisationId);
  if (!staff.some((s) => s.id === input.accountId))
    problems.push({ field: 'accountId', message: 'validation.choice' });
  problemsOf(problems);
  const id = randomUUID();
  await c.db.transaction().execute(async (trx) => {
    await insertShift(trx, {
      id,
      organisation_id: actor.organisationId,
      account_id: input.accountId,
      starts_at: startsAt,
      ends_at: endsAt,
      created_by: actor.accountId,
    });
    await recordAudit(trx, {
      event: 'helpline.shift_added',
      actor: actor.audit,
      record: { type: 'helpline_duty_shift', id },
      details: {},
    });
  });
  return id;
}

export async function removeShift(c: HelplineCore, actor: DeskActor, shiftId: string): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    if (!(await deleteShift(trx, actor.organisationId, shiftId))) throw new AppError('NOT_FOUND');
    await recordAudit(trx, {
      event: 'helpline.shift_removed',
      actor: actor.audit,
      record: { type: 'helpline_duty_shift', id: shiftId },
      details: {},
    });
  });
}

/**
 * The hotline's hours for the portal: every NGO's shifts for the coming `days` days (China time), merged,
 * and whether someone is on duty now. Says nothing about who.
 */
export async function dutyHours(
  c: HelplineCore,
  days = 7,
): Promise<{ onDutyNow: boolean; today: string; days: DutyDay[] }> {
  const now = c.clock();
  const from = chinaInstant(chinaDate(now), '00:00');
  const to = new Date(from.getTime() + days * 24 * 60 * 60_000);
  const rows = await listShifts(c.db, from, to);
  const shifts = rows.map((r) => ({ startsAt: r.starts_at, endsAt: r.ends_at }));
  return {
    onDutyNow: shifts.some((s) => s.startsAt <= now && s.endsAt > now),
    today: chinaDate(now),
    days: dutyDays(shifts, now, days),
  };
}
