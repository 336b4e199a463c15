/** The case: the caseworker's view, replies in her thread, notes, classification, her evidence, closing. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { textProblems } from '../help/help.model.ts';
import type { ThreadMessage } from '../help/help.service.ts';
import { getCallbackContact, listWaitingCallbacks } from '../help/help.desk-api.ts';
import { recordAudit } from '../../platform/audit.ts';
import { mandatoryReportApplies, staffRoleOf } from './helpline.capacity-rules.ts';
import {
  caseRecords,
  findCaseOrigin,
  findCaseRow,
  hasMandatoryReport,
  insertCaseNote,
  updateCase,
} from './helpline.repository.ts';
import { staffNames } from './helpline.directory.ts';
import { firstResponseState, type ClosingOutcome } from './helpline.model.ts';
import {
  type HelplineCore,
  REPORTS_REFOLD,
  refoldDay,
  helpCaseOwnerRef,
  DESK_LIMITS,
  problemsOf,
  summariseContact,
  type DeskEvidenceSource,
  type DeskActor,
  type CaseNote,
  type ContactSummary,
  type CaseView,
  type ClassificationInput,
} from './helpline.core.ts';

export async function caseView(c: HelplineCore, actor: DeskActor, caseId: string): Promise<CaseView> {
  const row = await findCaseRow(c.db, caseId);
  if (!row) throw new AppError('NOT_FOUND');
  const minutes = await c.firstResponseMinutes(row.organisation_id);
  const request = row.help_request_id
    ? await c.help.getRequestForStaff(c.db, row.help_request_id)
    : undefined;
  const { notes, referrals, reports, calls } = await caseRecords(c.db, caseId);
  const names = await staffNames(c.db, row.organisation_id, [
    ...new Set([
      ...notes.map((n) => n.author_account_id),
      ...(row.assigned_account_id ? [row.assigned_account_id] : []),
    ]),
  ]);
  const waiting = await listWaitingCallbacks(c.db, {
    helpRequestIds: row.help_request_id ? [row.help_request_id] : [],
    callbackIds: row.callback_id ? [row.callback_id] : [],
  });
  let contact: ContactSummary | null = null;
  if (request) contact = summariseContact(request.contact, request.noGuardianContact);
  else if (row.callback_id) {
    const callback = await getCallbackContact(c.db, c.keyring, row.callback_id);
    if (callback)
      contact = {
        channel: 'phone',
        windows: callback.windows,
        hasCodeWord: Boolean(callback.codeWord),
        noVoicemail: callback.noVoicemail,
        noSms: callback.noSms,
        noGuardianContact: false,
      };
  }
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    receivedAt: row.received_at,
    assignedTo: row.assigned_account_id
      ? { id: row.assigned_account_id, name: names.get(row.assigned_account_id) ?? '' }
      : null,
    firstResponse: firstResponseState(row.received_at, row.first_responded_at, minutes, c.clock()),
    classification: {
      requestType: row.request_type,
      otherType:
        c.openOrNull(row.other_type_sealed, 'helpline_case.other_type', row.id) ?? request?.otherType ?? null,
      forms: row.forms,
      relationship: row.relationship,
      victimMinor: row.victim_minor,
      childrenWitnessed: row.children_witnessed,
      ageBand: row.age_band,
      gender: row.gender,
      province: row.province,
      dangerLevel: row.danger_level,
    },
    caseCode: request?.caseCode ?? null,
    consentBasis: request?.consentBasis ?? null,
    contact,
    messages: request?.messages ?? [],
    notes: notes.map((n) => ({
      id: n.id,
      author: names.get(n.author_account_id) ?? '',
      text: c.open(n.body_sealed, 'helpline_case_note.body', n.id),
      createdAt: n.created_at,
    })),
    referrals: referrals.map((r) => ({
      id: r.id,
      kind: r.kind,
      agency: c.openOrNull(r.agency_sealed, 'helpline_referral.agency', r.id),
      status: r.status,
      outcome: c.openOrNull(r.outcome_sealed, 'helpline_referral.outcome', r.id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    mandatoryReports: reports.map((r) => ({
      id: r.id,
      reportedAt: r.reported_at,
      channel: r.channel,
      policeStation: c.open(r.police_station_sealed, 'helpline_mandatory_report.police_station', r.id),
      reference: c.openOrNull(r.reference_sealed, 'helpline_mandatory_report.reference', r.id),
      details: c.openOrNull(r.details_sealed, 'helpline_mandatory_report.details', r.id),
    })),
    calls: calls.map((call) => c.callView(call, actor, true)),
    waitingCallbacks: waiting.map((w) => ({ id: w.id, createdAt: w.createdAt })),
    evidence:
      row.help_request_id && c.evidenceSource
        ? (await c.evidenceSource.listForOwner(helpCaseOwnerRef(row.help_request_id))).map((e) => ({
            id: e.id,
            evidenceType: e.evidenceType,
            filename: e.filename,
            incidentDate: e.incidentDate,
            size: e.size,
            sha256: e.sha256,
            uploadedAt: e.uploadedAt,
          }))
        : [],
    closedAt: row.closed_at,
    closingOutcome: row.closing_outcome,
    closingNote: c.openOrNull(row.closing_note_sealed, 'helpline_case.closing_note', row.id),
  };
}

/** A staff reply on her thread (through the help module), counted as the first response if it is one. */
export async function reply(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  text: string,
): Promise<ThreadMessage> {
  problemsOf(textProblems('text', text, DESK_LIMITS.reply, true));
  return c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    c.refuseIfClosed(row);
    if (!row.help_request_id)
      throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.reply.noThread' }] });
    const message = await c.help.postStaffReply(
      trx,
      row.help_request_id,
      actor.accountId,
      text,
      staffRoleOf(actor.roles),
    );
    await updateCase(trx, caseId, {
      first_responded_at: row.first_responded_at ?? c.clock(),
      status: 'in_progress',
    });
    await recordAudit(trx, {
      event: 'helpline.reply_sent',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: {},
    });
    return message;
  });
}

/** An internal note: staff only, never shown to her. */
export async function addNote(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  text: string,
): Promise<CaseNote> {
  problemsOf(textProblems('text', text, DESK_LIMITS.note, true));
  return c.db.transaction().execute(async (trx) => {
    await c.lockCase(trx, caseId);
    const id = randomUUID();
    const createdAt = c.clock();
    await insertCaseNote(trx, {
      id,
      case_id: caseId,
      author_account_id: actor.accountId,
      body_sealed: c.seal(text.trim(), 'helpline_case_note.body', id),
      created_at: createdAt,
    });
    await recordAudit(trx, {
      event: 'helpline.note_added',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: {},
    });
    return { id, author: actor.displayName, text: text.trim(), createdAt };
  });
}

export async function classify(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  input: ClassificationInput,
): Promise<void> {
  const problems: FieldProblem[] = [];
  if (input.requestType === 'other')
    problems.push(...textProblems('otherType', input.otherType ?? '', DESK_LIMITS.otherType, true));
  if (new Set(input.forms).size !== input.forms.length)
    problems.push({ field: 'forms', message: 'validation.invalid' });
  if ((input.ageBand === 'under_14' || input.ageBand === '14_17') && input.victimMinor === false)
    problems.push({ field: 'victimMinor', message: 'helpline.validation.minorAge' });
  problemsOf(problems);
  const victimMinor =
    input.victimMinor ?? (input.ageBand ? input.ageBand === 'under_14' || input.ageBand === '14_17' : null);
  await c.db.transaction().execute(async (trx) => {
    const locked = await c.lockCase(trx, caseId);
    await updateCase(trx, caseId, {
      classified_at: c.clock(),
      request_type: input.requestType,
      other_type_sealed:
        input.requestType === 'other' && input.otherType
          ? c.seal(input.otherType.trim(), 'helpline_case.other_type', caseId)
          : null,
      forms: input.forms,
      relationship: input.relationship ?? null,
      victim_minor: victimMinor,
      children_witnessed: input.childrenWitnessed ?? null,
      age_band: input.ageBand ?? null,
      gender: input.gender ?? null,
      province: input.province ?? null,
      danger_level: input.dangerLevel ?? null,
    });
    await recordAudit(trx, {
      event: 'helpline.case_classified',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { dangerLevel: input.dangerLevel ?? 'unassessed' },
    });
    // The work report counts the desk's assessment of her request from now on: fold its day again.
    if (locked.help_request_id)
      await addToOutbox(trx, REPORTS_REFOLD, refoldDay(locked.received_at, ['help']));
  });
}

/**
 * Open one of her evidence files for the case's staff: only an item of this case's owner; the vault writes
 * the download to its custody log, and the desk audits it.
 */
export async function openEvidence(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  evidenceId: string,
): Promise<NonNullable<Awaited<ReturnType<DeskEvidenceSource['openOriginal']>>>> {
  const row = await findCaseOrigin(c.db, caseId);
  if (!row?.help_request_id || !c.evidenceSource) throw new AppError('NOT_FOUND');
  const owner = helpCaseOwnerRef(row.help_request_id);
  const items = await c.evidenceSource.listForOwner(owner);
  if (!items.some((i) => i.id === evidenceId)) throw new AppError('NOT_FOUND');
  const opened = await c.evidenceSource.openOriginal(evidenceId, `staff:${actor.accountId}`, 'download');
  if (!opened || opened.item.ownerRef !== owner) throw new AppError('NOT_FOUND');
  await c.db.transaction().execute((trx) =>
    recordAudit(trx, {
      event: 'helpline.evidence_opened',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { evidenceId },
    }),
  );
  return opened;
}

/** Close with an outcome. A minor's case cannot close before the mandatory report is on record. */
export async function close(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  input: { outcome: ClosingOutcome; note?: string },
): Promise<void> {
  problemsOf(input.note !== undefined ? textProblems('note', input.note, DESK_LIMITS.outcome, false) : []);
  await c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    c.refuseIfClosed(row);
    if (mandatoryReportApplies(row)) {
      if (!(await hasMandatoryReport(trx, caseId)))
        throw new AppError('CONFLICT', {
          fields: [{ field: 'outcome', message: 'helpline.close.reportFirst' }],
        });
    }
    await updateCase(trx, caseId, {
      status: 'closed',
      closed_at: c.clock(),
      closing_outcome: input.outcome,
      closing_note_sealed: input.note?.trim()
        ? c.seal(input.note.trim(), 'helpline_case.closing_note', caseId)
        : null,
    });
    await recordAudit(trx, {
      event: 'helpline.case_closed',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { outcome: input.outcome },
    });
  });
}

/**
 * A read of the case that the gate did not audit (a form answered with the case page again): recorded like the
 * gate records every GET of a case.
 */
export async function recordCaseRead(c: HelplineCore, actor: DeskActor, caseId: string): Promise<void> {
  await c.db.transaction().execute((trx) =>
    recordAudit(trx, {
      event: 'record.read',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { action: 'helpline.case.read' },
    }),
  );
}
