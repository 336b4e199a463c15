/** The desk's triage queue: settings, the queue and supervisor view, caseworkers' loads, claiming and assigning. */
import { AppError } from '../../platform/errors.ts';
import { listWaitingCallbacks } from '../help/help.desk-api.ts';
import { recordAudit } from '../../platform/audit.ts';
import { findDeskSetting, listOpenCases, updateCase, upsertDeskSetting } from './helpline.repository.ts';
import { listDeskStaff, staffNames, type DeskStaffMember } from './helpline.directory.ts';
import { DEFAULT_FIRST_RESPONSE_MINUTES, compareTriage, firstResponseState } from './helpline.model.ts';
import { type HelplineCore, type DeskActor, type QueueItem, type LawyerLoad } from './helpline.core.ts';

export async function deskSettings(
  c: HelplineCore,
  organisationId: string,
): Promise<{ firstResponseMinutes: number; provinces: string[] }> {
  const row = await findDeskSetting(c.db, organisationId);
  return {
    firstResponseMinutes: row?.first_response_minutes ?? DEFAULT_FIRST_RESPONSE_MINUTES,
    provinces: row?.provinces ?? [],
  };
}

export async function saveDeskSettings(
  c: HelplineCore,
  actor: DeskActor,
  input: { firstResponseMinutes: number; provinces: string[] },
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    await upsertDeskSetting(trx, actor.organisationId, {
      first_response_minutes: input.firstResponseMinutes,
      provinces: input.provinces,
      updated_at: c.clock(),
    });
    await recordAudit(trx, {
      event: 'helpline.settings_changed',
      actor: actor.audit,
      details: { firstResponseMinutes: input.firstResponseMinutes, provinces: input.provinces },
    });
  });
}

/**
 * The organisation's open cases in triage order. `whole`: every open case (supervisor view); otherwise the
 * unclaimed ones.
 */
export async function queue(
  c: HelplineCore,
  organisationId: string,
  options: { whole: boolean },
): Promise<QueueItem[]> {
  await c.takeIntake();
  const minutes = await c.firstResponseMinutes(organisationId);
  const rows = await listOpenCases(c.db, organisationId, {
    unassignedOnly: !options.whole,
    limit: 1000,
  });
  const names = await staffNames(c.db, organisationId, [
    ...new Set(rows.flatMap((r) => (r.assigned_account_id ? [r.assigned_account_id] : []))),
  ]);
  const waiting = await listWaitingCallbacks(c.db, {
    helpRequestIds: rows.flatMap((r) => (r.help_request_id ? [r.help_request_id] : [])),
    callbackIds: rows.flatMap((r) => (r.callback_id ? [r.callback_id] : [])),
  });
  const now = c.clock();
  const summaries = new Map((await c.help.listOpenRequests(c.db, 1000)).map((s) => [s.id, s]));
  return rows
    .map((r) => {
      const open = r.help_request_id ? summaries.get(r.help_request_id) : undefined;
      return {
        caseId: r.id,
        source: r.source,
        status: r.status,
        dangerLevel: r.danger_level,
        victimMinor: r.victim_minor,
        requestType: r.request_type,
        province: r.province,
        receivedAt: r.received_at,
        assignedTo: r.assigned_account_id
          ? { id: r.assigned_account_id, name: names.get(r.assigned_account_id) ?? '' }
          : null,
        firstResponse: firstResponseState(r.received_at, r.first_responded_at, minutes, now),
        callbackWaiting: waiting.some(
          (w) =>
            w.id === r.callback_id || (r.help_request_id !== null && w.helpRequestId === r.help_request_id),
        ),
        awaitingReply: open !== undefined && r.first_responded_at !== null,
      };
    })
    .sort((a, b) =>
      compareTriage(
        { dangerLevel: a.dangerLevel, isMinor: a.victimMinor, receivedAt: a.receivedAt },
        { dangerLevel: b.dangerLevel, isMinor: b.victimMinor, receivedAt: b.receivedAt },
      ),
    );
}

/** The open cases assigned to one staff member, in triage order. */
export async function myCases(c: HelplineCore, actor: DeskActor): Promise<QueueItem[]> {
  return (await queue(c, actor.organisationId, { whole: true })).filter(
    (item) => item.assignedTo?.id === actor.accountId,
  );
}

/** Each desk staff member's open cases and how many of those still wait for a first response. */
export async function loads(
  c: HelplineCore,
  organisationId: string,
  items: QueueItem[],
): Promise<LawyerLoad[]> {
  const staff = await listDeskStaff(c.db, organisationId);
  return staff.map((member) => {
    const mine = items.filter((i) => i.assignedTo?.id === member.id);
    return {
      accountId: member.id,
      name: member.displayName,
      openCases: mine.length,
      unanswered: mine.filter((i) => i.firstResponse.minutesLeft !== null).length,
    };
  });
}

export async function deskStaff(c: HelplineCore, organisationId: string): Promise<DeskStaffMember[]> {
  return listDeskStaff(c.db, organisationId);
}

/** She takes an unclaimed case; a case someone else holds is a conflict. */
export async function claim(c: HelplineCore, actor: DeskActor, caseId: string): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    c.refuseIfClosed(row);
    if (row.assigned_account_id === actor.accountId) return;
    if (row.assigned_account_id !== null)
      throw new AppError('CONFLICT', {
        fields: [{ field: 'case', message: 'helpline.case.claimedAlready' }],
      });
    await updateCase(trx, caseId, {
      assigned_account_id: actor.accountId,
      assigned_at: c.clock(),
      status: 'in_progress',
    });
    await recordAudit(trx, {
      event: 'helpline.case_claimed',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: {},
    });
  });
}

/** A supervisor assigns (or reassigns) a case to one of the organisation's desk staff. */
export async function assign(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  assigneeId: string,
): Promise<void> {
  const staff = await listDeskStaff(c.db, actor.organisationId);
  if (
    !staff.some(
      (s) =>
        s.id === assigneeId &&
        s.roles.some((r) => r === 'volunteer_lawyer' || r === 'caseworker' || r === 'ngo_supervisor'),
    )
  ) {
    throw new AppError('VALIDATION', { fields: [{ field: 'accountId', message: 'validation.choice' }] });
  }
  await c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    c.refuseIfClosed(row);
    await updateCase(trx, caseId, {
      assigned_account_id: assigneeId,
      assigned_at: c.clock(),
      status: 'in_progress',
    });
    await recordAudit(trx, {
      event: 'helpline.case_assigned',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { assignee: assigneeId },
    });
  });
}
