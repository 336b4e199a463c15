/** Hotline calls and call-backs under her safe-contact rules. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { textProblems } from '../help/help.model.ts';
import { getCallbackContact, setCallbackStatus } from '../help/help.desk-api.ts';
import { recordAudit } from '../../platform/audit.ts';
import { evaluateAccess, type Scope } from '../../platform/access-policy.ts';
import {
  findCallbackAttempt,
  findCaseOrigin,
  findCasePlacement,
  finishCallbackAttempt,
  insertCallbackAttempt,
  insertCase,
  insertHotlineCall,
  listHotlineCalls,
  updateCase,
} from './helpline.repository.ts';
import { callChannelAllowed, chinaDate, safeWindowCheck, type CallbackResult } from './helpline.model.ts';
import {
  type HelplineCore,
  REPORTS_REFOLD,
  refoldDay,
  DESK_LIMITS,
  placementOf,
  problemsOf,
  type DeskActor,
  type HotlineCall,
  type CallbackStart,
  type HotlineCallInput,
} from './helpline.core.ts';

/**
 * Register a call as it comes in: linked to a case the actor may work on, or opening a new case assigned to
 * them (the call itself is the first response), or on its own.
 */
export async function registerCall(
  c: HelplineCore,
  actor: DeskActor,
  input: HotlineCallInput,
): Promise<{ callId: string; caseId: string | null }> {
  const problems = textProblems('summary', input.summary, DESK_LIMITS.summary, true);
  if (input.caseId && input.openCase)
    problems.push({ field: 'openCase', message: 'helpline.call.linkOrOpen' });
  if (input.startedAt.getTime() > c.clock().getTime() + 5 * 60_000)
    problems.push({ field: 'startedAt', message: 'helpline.validation.future' });
  problemsOf(problems);
  return c.db.transaction().execute(async (trx) => {
    let caseId: string | null = null;
    if (input.caseId) {
      const row = await findCasePlacement(trx, input.caseId);
      if (!row || !evaluateAccess(actor, 'helpline.case.note', placementOf(row)).allowed) {
        throw new AppError('VALIDATION', {
          fields: [{ field: 'caseId', message: 'helpline.call.caseUnknown' }],
        });
      }
      caseId = row.id;
    } else if (input.openCase) {
      caseId = randomUUID();
      const minor =
        input.callerMinor ??
        (input.callerAgeBand ? input.callerAgeBand === 'under_14' || input.callerAgeBand === '14_17' : null);
      await insertCase(trx, {
        id: caseId,
        organisation_id: actor.organisationId,
        region_code: actor.regionCode,
        source: 'hotline',
        status: 'in_progress',
        received_at: input.startedAt,
        first_responded_at: input.startedAt,
        assigned_account_id: actor.accountId,
        assigned_at: c.clock(),
        request_type: input.category,
        victim_minor: minor,
        age_band: input.callerAgeBand ?? null,
        gender: input.callerGender ?? null,
        province: input.province ?? null,
      });
      await recordAudit(trx, {
        event: 'helpline.case_opened',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { source: 'hotline' },
      });
    }
    const callId = randomUUID();
    await insertHotlineCall(trx, {
      id: callId,
      organisation_id: actor.organisationId,
      case_id: caseId,
      registered_by: actor.accountId,
      started_at: input.startedAt,
      duration_seconds: Math.round(input.durationMinutes * 60),
      caller_age_band: input.callerAgeBand ?? null,
      caller_gender: input.callerGender ?? null,
      caller_minor: input.callerMinor ?? null,
      province: input.province ?? null,
      category: input.category,
      summary_sealed: c.seal(input.summary.trim(), 'helpline_hotline_call.summary', callId),
      follow_up_needed: input.followUpNeeded,
    });
    await recordAudit(trx, {
      event: 'helpline.call_registered',
      actor: actor.audit,
      record: { type: 'helpline_hotline_call', id: callId },
      details: { linked: Boolean(input.caseId), opened: Boolean(input.openCase) },
    });
    // A call entered after its day (a backlog from a paper log): the work report folds that day again.
    if (chinaDate(input.startedAt) < chinaDate(c.clock()))
      await addToOutbox(trx, REPORTS_REFOLD, refoldDay(input.startedAt, ['hotline', 'desk']));
    return { callId, caseId };
  });
}

/** Calls of the organisation (scope `organisation`) or those the actor registered (`own`), newest first. */
export async function listCalls(
  c: HelplineCore,
  actor: DeskActor,
  scope: Scope,
  limit = 200,
): Promise<HotlineCall[]> {
  const rows = await listHotlineCalls(c.db, actor.organisationId, {
    ...(scope === 'own' || scope === 'assigned' ? { registeredBy: actor.accountId } : {}),
    limit,
  });
  return rows.map((call) => c.callView(call, actor, false));
}

/**
 * Start a call-back, only as her rules allow: a channel that permits calls, inside one of her safe windows
 * (China time). A refusal is audited and nothing is shown. On success the code word comes first.
 */
export async function startCallback(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  callbackId?: string,
): Promise<CallbackStart> {
  const row = await findCaseOrigin(c.db, caseId);
  if (!row) throw new AppError('NOT_FOUND');
  if (row.status === 'closed')
    throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.case.closedAlready' }] });
  let rules:
    | {
        phone?: string;
        windows: { from: string; to: string }[];
        codeWord?: string;
        noVoicemail: boolean;
        noSms: boolean;
      }
    | undefined;
  let refusal: { why: string; problem: FieldProblem } | undefined;
  let answeredCallback: string | null = null;
  if (callbackId) {
    const callback = await getCallbackContact(c.db, c.keyring, callbackId);
    const belongs =
      callback &&
      (callback.id === row.callback_id ||
        (row.help_request_id !== null && callback.helpRequestId === row.help_request_id));
    if (!callback || !belongs)
      throw new AppError('VALIDATION', { fields: [{ field: 'callbackId', message: 'validation.choice' }] });
    rules = callback;
    answeredCallback = callback.id;
  } else if (row.help_request_id) {
    const request = await c.help.getRequestForStaff(c.db, row.help_request_id);
    if (request && !callChannelAllowed(request.contact.channel))
      refusal = { why: 'channel', problem: { field: 'callback', message: 'helpline.callback.channel' } };
    rules = request?.contact;
  } else if (row.callback_id) {
    const callback = await getCallbackContact(c.db, c.keyring, row.callback_id);
    rules = callback;
    answeredCallback = callback?.id ?? null;
  }
  if (!refusal && !rules?.phone)
    refusal = { why: 'no_phone', problem: { field: 'callback', message: 'helpline.callback.noPhone' } };
  if (!refusal && rules) {
    const check = safeWindowCheck(rules.windows, c.clock());
    if (!check.inside) {
      refusal = {
        why: 'outside_window',
        problem: {
          field: 'callback',
          message: 'helpline.callback.outsideWindow',
          params: {
            windows: rules.windows.map((w) => `${w.from}–${w.to}`).join(', '),
            next: check.nextFrom ?? '',
          },
        },
      };
    }
  }
  if (refusal || !rules?.phone) {
    const why = refusal?.why ?? 'no_phone';
    await c.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'helpline.callback_refused',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { why },
      }),
    );
    const problem = refusal?.problem ?? { field: 'callback', message: 'helpline.callback.noPhone' };
    // Her rules refused the call (outside her safe times, her channel, no phone): say that, not "someone changed this".
    throw new AppError('CONFLICT', {
      message: problem.message,
      ...(problem.params ? { params: problem.params } : {}),
      fields: [problem],
    });
  }
  const attemptId = randomUUID();
  const phone = rules.phone;
  await c.db.transaction().execute(async (trx) => {
    await insertCallbackAttempt(trx, {
      id: attemptId,
      case_id: caseId,
      callback_id: answeredCallback,
      account_id: actor.accountId,
      started_at: c.clock(),
    });
    await recordAudit(trx, {
      event: 'helpline.callback_started',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { callbackId: answeredCallback ?? '' },
    });
  });
  return {
    attemptId,
    codeWord: rules.codeWord ?? null,
    phone,
    noVoicemail: rules.noVoicemail,
    noSms: rules.noSms,
  };
}

/** How the call-back went: reached and code word confirmed (a first response), not confirmed, not reached. */
export async function finishCallback(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  attemptId: string,
  result: CallbackResult,
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    const attempt = await findCallbackAttempt(trx, caseId, attemptId);
    if (!attempt) throw new AppError('NOT_FOUND');
    if (attempt.result !== null)
      throw new AppError('CONFLICT', {
        fields: [{ field: 'attemptId', message: 'helpline.callback.finishedAlready' }],
      });
    await finishCallbackAttempt(trx, attemptId, result, c.clock());
    if (result === 'reached_confirmed') {
      await updateCase(trx, caseId, {
        first_responded_at: row.first_responded_at ?? c.clock(),
        status: row.status === 'closed' ? 'closed' : 'in_progress',
      });
      if (attempt.callback_id) await setCallbackStatus(trx, attempt.callback_id, 'done');
    }
    await recordAudit(trx, {
      event: 'helpline.callback_finished',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { result },
    });
  });
}
