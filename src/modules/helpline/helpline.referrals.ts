/** Referrals to other agencies and the mandatory report (ADVL 14, 35; MPL 11). */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../platform/errors.ts';
import { textProblems } from '../help/help.model.ts';
import { recordAudit } from '../../platform/audit.ts';
import { mandatoryReportApplies } from './helpline.capacity-rules.ts';
import { insertMandatoryReport, insertReferral, updateReferralRow } from './helpline.repository.ts';
import { type ReferralKind, type ReferralStatus } from './helpline.model.ts';
import { type HelplineCore, DESK_LIMITS, problemsOf, type DeskActor } from './helpline.core.ts';

export async function createReferral(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  input: { kind: ReferralKind; agency?: string; status: ReferralStatus; outcome?: string },
): Promise<string> {
  problemsOf(
    input.agency !== undefined ? textProblems('agency', input.agency, DESK_LIMITS.agency, false) : [],
    input.outcome !== undefined ? textProblems('outcome', input.outcome, DESK_LIMITS.outcome, false) : [],
  );
  return c.db.transaction().execute(async (trx) => {
    c.refuseIfClosed(await c.lockCase(trx, caseId));
    const id = randomUUID();
    await insertReferral(trx, {
      id,
      case_id: caseId,
      kind: input.kind,
      status: input.status,
      created_by: actor.accountId,
      updated_at: c.clock(),
      created_at: c.clock(),
      agency_sealed: input.agency?.trim()
        ? c.seal(input.agency.trim(), 'helpline_referral.agency', id)
        : null,
      outcome_sealed: input.outcome?.trim()
        ? c.seal(input.outcome.trim(), 'helpline_referral.outcome', id)
        : null,
    });
    await recordAudit(trx, {
      event: 'helpline.referral_created',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { kind: input.kind },
    });
    return id;
  });
}

export async function updateReferral(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  referralId: string,
  input: { status: ReferralStatus; outcome?: string },
): Promise<void> {
  problemsOf(
    input.outcome !== undefined ? textProblems('outcome', input.outcome, DESK_LIMITS.outcome, false) : [],
  );
  await c.db.transaction().execute(async (trx) => {
    await c.lockCase(trx, caseId);
    const updated = await updateReferralRow(trx, caseId, referralId, {
      status: input.status,
      updated_at: c.clock(),
      ...(input.outcome !== undefined
        ? {
            outcome_sealed: input.outcome.trim()
              ? c.seal(input.outcome.trim(), 'helpline_referral.outcome', referralId)
              : null,
          }
        : {}),
    });
    if (!updated) throw new AppError('NOT_FOUND');
    await recordAudit(trx, {
      event: 'helpline.referral_updated',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { status: input.status },
    });
  });
}

/**
 * Record the report made to the police about a minor. The organisation is on record as the reporter; the
 * person who made it is sealed and appears only in the audit trail (ADVL 14: reporter kept confidential).
 */
export async function recordMandatoryReport(
  c: HelplineCore,
  actor: DeskActor,
  caseId: string,
  input: { reportedAt: Date; channel: string; policeStation: string; reference?: string; details?: string },
): Promise<string> {
  problemsOf(
    textProblems('policeStation', input.policeStation, DESK_LIMITS.station, true),
    input.reference !== undefined
      ? textProblems('reference', input.reference, DESK_LIMITS.reference, false)
      : [],
    input.details !== undefined ? textProblems('details', input.details, DESK_LIMITS.details, false) : [],
    input.reportedAt.getTime() > c.clock().getTime() + 5 * 60_000
      ? [{ field: 'reportedAt', message: 'helpline.validation.future' }]
      : [],
  );
  return c.db.transaction().execute(async (trx) => {
    const row = await c.lockCase(trx, caseId);
    if (!mandatoryReportApplies(row))
      throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.report.notMinor' }] });
    const id = randomUUID();
    await insertMandatoryReport(trx, {
      id,
      case_id: caseId,
      reported_at: input.reportedAt,
      channel: input.channel,
      reporter_sealed: c.seal(
        JSON.stringify({ accountId: actor.accountId }),
        'helpline_mandatory_report.reporter',
        id,
      ),
      police_station_sealed: c.seal(
        input.policeStation.trim(),
        'helpline_mandatory_report.police_station',
        id,
      ),
      reference_sealed: input.reference?.trim()
        ? c.seal(input.reference.trim(), 'helpline_mandatory_report.reference', id)
        : null,
      details_sealed: input.details?.trim()
        ? c.seal(input.details.trim(), 'helpline_mandatory_report.details', id)
        : null,
    });
    await recordAudit(trx, {
      event: 'helpline.mandatory_report',
      actor: actor.audit,
      record: { type: 'helpline_case', id: caseId },
      details: { channel: input.channel },
    });
    return id;
  });
}
