/** Applications: drafts kept server-side, filing with the competent court (with her consent to NGO-chosen evidence), her timeline and notices. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import {
  MEASURES,
  servingOrganisation,
  venueRegion,
  type ApplicationInput,
  type ApplicationStatus,
} from './orders.model.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import { helpCaseOwnerRef } from './orders.seams.ts';
import { type OrdersCore, type OrdersActor, type TimelineEntry } from './orders.core.ts';
import {
  insertApplication,
  listApplicantNotices,
  listApplicationsOfHelpRequest,
  listEvents,
  updateApplication,
} from './orders.repository.ts';

function normalise(c: OrdersCore, input: ApplicationInput): ApplicationInput {
  const measures = [...new Set(input.measures ?? [])];
  return {
    ...input,
    measures,
    evidenceIds: [...new Set(input.evidenceIds ?? [])],
    venueBasis: input.venueBasis ?? 'applicant',
  };
}

/**
 * Create or update a draft. Drafts may be incomplete; the problems that would stop it being filed are
 * returned so the form can say exactly what is missing.
 */
export async function saveDraft(
  c: OrdersCore,
  actor: OrdersActor,
  input: ApplicationInput,
  origin: {
    id?: string;
    channel: 'portal' | 'ngo' | 'oral';
    helpRequestId?: string | null;
    originCaseRef?: string | null;
    evidenceOwnerRef?: string | null;
  },
): Promise<{ id: string; problems: FieldProblem[] }> {
  const data = normalise(c, input);
  const id = origin.id ?? randomUUID();
  const values = {
    particulars: c.seal(JSON.stringify(data), 'order_application', 'particulars', id),
    relationship: data.relationship ?? null,
    proxy_kind: data.proxy?.kind ?? null,
    measures: (data.measures ?? []).filter((m) => (MEASURES as readonly string[]).includes(m)),
    urgent: data.urgent === true,
    venue_basis: data.venueBasis ?? 'applicant',
    evidence_ids: data.evidenceIds ?? [],
    consent_online: data.consentOnline === true,
    consent_electronic_service: data.consentElectronicService === true,
    updated_at: c.now(),
  };
  const problems = c.problems(data);
  await c.db.transaction().execute(async (trx) => {
    if (origin.id) {
      const row = await c.load(trx, origin.id, true);
      if (row.status !== 'draft' && row.status !== 'returned') throw new AppError('CONFLICT');
      await updateApplication(trx, id, values);
    } else {
      await insertApplication(trx, {
        id,
        status: 'draft',
        channel: origin.channel,
        help_request_id: origin.helpRequestId ?? null,
        origin_case_ref: origin.originCaseRef ?? null,
        evidence_owner_ref: origin.evidenceOwnerRef ?? null,
        created_by: actor.accountId,
        ...values,
      });
    }
    // The names and ID number the lists search by, written with the particulars (orders.search-index.ts).
    await c.search.indexIn(trx, id, data, values.updated_at);
    await recordAudit(trx, {
      event: 'orders.application_saved',
      actor: actor.audit,
      record: { type: 'order_application', id },
      details: { channel: origin.channel, complete: problems.length === 0 },
    });
  });
  return { id, problems };
}

/** The application's particulars for its applicant (portal) or the staff member who created it. */
export async function getDraft(
  c: OrdersCore,
  id: string,
): Promise<{
  id: string;
  status: ApplicationStatus;
  input: ApplicationInput;
  problems: FieldProblem[];
  helpRequestId: string | null;
  courtNote: string | null;
}> {
  const row = await c.load(c.db, id);
  const input = c.particularsOf(row);
  return {
    id,
    status: row.status,
    input,
    problems: c.problems(input),
    helpRequestId: row.help_request_id,
    courtNote: row.court_note ? c.open(row.court_note, 'order_application', 'court_note', id) : null,
  };
}

/** The competent court for an application (ADVL 25): the court serving the chosen place. */
export async function competentCourt(
  c: OrdersCore,
  input: ApplicationInput,
): Promise<{ id: string; name: string; regionCode: string } | undefined> {
  const place = venueRegion(input);
  if (!place) return undefined;
  return servingOrganisation(await c.deps.organisations.servingPlace('court', place), place);
}

/** Evidence may only come from her own vault (the owner this application was started for). */
async function foreignEvidence(
  c: OrdersCore,
  ownerRef: string | null,
  ids: readonly string[],
): Promise<boolean> {
  if (ids.length === 0) return false;
  const source = c.deps.evidence();
  if (!source || !ownerRef) return true;
  for (const id of ids) {
    const item = await source.getItem(id);
    if (!item || item.ownerRef !== ownerRef) return true;
  }
  return false;
}

/**
 * File the application with the competent court; VALIDATION lists everything missing (nothing changes).
 * The chosen evidence is shared with the court: a `share` entry goes on each item's custody chain. An NGO-started
 * application with evidence waits for her answer on each item (CONSENT_PENDING; she is asked in her thread) and
 * takes to the court only the items she allowed.
 */
export async function submit(
  c: OrdersCore,
  actor: OrdersActor,
  id: string,
): Promise<{ courtId: string; courtName: string }> {
  const filed = await c.db.transaction().execute(async (trx) => {
    const row = await c.load(trx, id, true);
    if (row.status !== 'draft' && row.status !== 'returned') throw new AppError('CONFLICT');
    const input = c.particularsOf(row);
    const problems = c.problems(input);
    if (
      !problems.some((p) => p.field === 'evidenceIds') &&
      (await foreignEvidence(c, row.evidence_owner_ref, row.evidence_ids))
    )
      problems.push({ field: 'evidenceIds', message: 'orders.problem.evidence' });
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    // A returned application goes back to the court that returned it; a new one to the competent court.
    const court =
      row.status === 'returned' && row.court_id
        ? await c.deps.organisations.get(row.court_id)
        : await competentCourt(c, input);
    if (!court)
      throw new AppError('VALIDATION', {
        fields: [{ field: 'venueBasis', message: 'orders.problem.noCourt' }],
      });
    // An NGO chose these files from her vault: each goes to the court only with her answer, and only if she allowed it.
    let evidenceIds = row.evidence_ids;
    if (row.channel === 'ngo' && evidenceIds.length > 0) {
      const answers = new Map(
        (await c.consents.forApplication(trx, id)).map((consent) => [consent.evidenceId, consent.answer]),
      );
      const unasked = evidenceIds.filter((e) => !answers.has(e));
      if (unasked.length > 0 || evidenceIds.some((e) => answers.get(e) === null))
        return { waiting: unasked, helpRequestId: row.help_request_id } as const;
      evidenceIds = evidenceIds.filter((e) => answers.get(e) === 'allowed');
    }
    const submittedAt = c.now();
    await updateApplication(trx, id, {
      status: 'submitted',
      court_id: court.id,
      court_region_code: court.regionCode,
      venue_region_code: venueRegion(input) ?? null,
      submitted_at: submittedAt,
      updated_at: submittedAt,
      // What the court receives names only the items she allowed.
      ...(evidenceIds.length !== row.evidence_ids.length
        ? {
            evidence_ids: evidenceIds,
            particulars: c.seal(
              JSON.stringify({ ...input, evidenceIds }),
              'order_application',
              'particulars',
              id,
            ),
          }
        : {}),
    });
    await c.search.indexIn(trx, id, input, submittedAt);
    await c.event(trx, id, 'received', actor.ref, { resubmitted: row.status === 'returned' });
    await c.notify(trx, id, 'court', 'application_received');
    await recordAudit(trx, {
      event: 'orders.application_submitted',
      actor: actor.audit,
      record: { type: 'order_application', id },
      details: { courtId: court.id },
    });
    await raiseWebhookEvent(trx, 'application.submitted', {
      organisationIds: [court.id],
      applicationId: id,
    });
    return {
      courtId: court.id,
      courtName: court.name,
      evidenceIds,
      resubmitted: row.status === 'returned',
    };
  });
  if ('waiting' in filed) {
    // Nothing is filed: she is asked (once per item) in her thread, and the lawyer is told the application waits.
    if (filed.helpRequestId)
      await c.consents.ask({
        applicationId: id,
        helpRequestId: filed.helpRequestId,
        evidenceIds: filed.waiting,
        askedBy: actor.ref,
        audit: actor.audit,
      });
    throw new AppError('CONSENT_PENDING');
  }
  const source = c.deps.evidence();
  if (source && !filed.resubmitted) {
    for (const evidenceId of filed.evidenceIds)
      await source.recordShare({
        evidenceId,
        actor: actor.ref,
        agency: `court:${filed.courtId}`,
        consentRef: `order_application:${id}`,
      });
  }
  return { courtId: filed.courtId, courtName: filed.courtName };
}

/**
 * For the NGO desk (issue 5): start an application from a case, carrying the facts and the evidence she
 * chose with her consent (`application`), owned by the staff member who started it. Returns the draft, what
 * is still missing, and the page where staff complete it with her.
 */
export async function startApplicationFromCase(
  c: OrdersCore,
  input: {
    caseId: string;
    helpRequestId: string | null;
    organisationId: string;
    staffAccountId: string;
    application?: ApplicationInput;
    audit?: AuditActor;
  },
): Promise<{ id: string; href: string; problems: FieldProblem[] }> {
  const audit: AuditActor = input.audit ?? {
    accountId: input.staffAccountId,
    roles: [],
    organisationId: input.organisationId,
    ip: null,
    userAgent: null,
  };
  const result = await saveDraft(
    c,
    { audit, ref: `staff:${input.staffAccountId}`, accountId: input.staffAccountId },
    input.application ?? { consentOnline: false },
    {
      channel: 'ngo',
      helpRequestId: input.helpRequestId,
      originCaseRef: input.caseId,
      evidenceOwnerRef: input.helpRequestId ? helpCaseOwnerRef(input.helpRequestId) : null,
    },
  );
  return { ...result, href: `/orders/applications/${result.id}/edit` };
}

/** Applications of a help request (her portal case), newest first. */
export async function applicationsForHelpRequest(
  c: OrdersCore,
  helpRequestId: string,
): Promise<{ id: string; status: ApplicationStatus; caseNumber: string | null; createdAt: Date }[]> {
  const rows = await listApplicationsOfHelpRequest(c.db, helpRequestId);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    caseNumber: r.case_number,
    createdAt: r.created_at,
  }));
}

/** The survivor's status timeline (or, with `all`, every step for staff). */
export async function timeline(
  c: OrdersCore,
  applicationId: string,
  options: { all?: boolean } = {},
): Promise<TimelineEntry[]> {
  const rows = await listEvents(c.db, applicationId, options.all === true);
  return rows.map((r) => ({ kind: r.kind, at: r.at, details: r.details }));
}

/** Her in-app notices (the SMS and e-mail copies say nothing about violence). */
export async function applicantNotices(
  c: OrdersCore,
  applicationId: string,
): Promise<{ template: string; at: Date }[]> {
  const rows = await listApplicantNotices(c.db, applicationId);
  return rows.map((r) => ({ template: r.template, at: r.created_at }));
}
