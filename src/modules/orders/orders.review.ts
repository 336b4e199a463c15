/** Parallel review by police, federation and committee, questioning of the respondent, and the court's review view. */
import { randomUUID } from 'node:crypto';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import { clockState, timeLeft } from './orders.model.ts';
import { evidenceIntegrity, type EvidenceIntegrity } from './orders.seams.ts';
import { type OrdersCore, type OrdersActor } from './orders.core.ts';
import {
  findReviewTask,
  findReviewTaskOfAgency,
  insertQuestioning,
  listQuestioning,
  listReviewTaskRows,
  listReviewTasksOfApplication,
  listWarningsOfHelpRequest,
  updateApplication,
  updateReviewTask,
} from './orders.repository.ts';
import { findOrderOfApplication } from './orders.order-repository.ts';
import { timeline as applicationTimeline } from './orders.applications.ts';
import { orderSummary } from './orders.order-document.ts';

export async function listReviewTasks(
  c: OrdersCore,
  organisationId: string,
): Promise<
  {
    id: string;
    applicationId: string;
    caseNumber: string | null;
    agency: string;
    status: string;
    urgent: boolean;
    rulingDueAt: Date | null;
    createdAt: Date;
  }[]
> {
  const rows = await listReviewTaskRows(c.db, organisationId);
  return rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id,
    caseNumber: r.case_number,
    agency: r.agency,
    status: r.status,
    urgent: r.urgent,
    rulingDueAt: r.ruling_due_at,
    createdAt: r.created_at,
  }));
}

/**
 * What an agency sees for its task: the respondent's identity and the facts, never the applicant's address
 * or phone (they need neither to verify or give an opinion).
 */
export async function reviewTaskView(c: OrdersCore, taskId: string) {
  const task = await findReviewTask(c.db, taskId);
  if (!task) throw new AppError('NOT_FOUND');
  const app = await c.load(c.db, task.application_id);
  const input = c.particularsOf(app);
  return {
    id: task.id,
    applicationId: app.id,
    agency: task.agency,
    status: task.status,
    caseNumber: app.case_number,
    urgent: app.urgent,
    rulingDueAt: app.ruling_due_at,
    applicantName: input.applicant?.name ?? '',
    respondent: {
      name: input.respondent?.name ?? '',
      idNumber: input.respondent?.idNumber,
      birthYear: input.respondent?.birthYear,
      regionCode: input.respondent?.regionCode,
      description: input.respondent?.description,
    },
    relationship: input.relationship ?? '',
    incidents: input.incidents ?? [],
    measures: app.measures,
    requestNote: task.request_note
      ? c.open(task.request_note, 'order_review_task', 'request_note', task.id)
      : null,
    opinion: task.opinion ? c.open(task.opinion, 'order_review_task', 'opinion', task.id) : null,
    recommendation: task.recommendation,
    verification: task.verification,
  };
}

/** Police verification or a federation/committee opinion. */
export async function submitAgencyOpinion(
  c: OrdersCore,
  actor: OrdersActor,
  taskId: string,
  input: {
    opinion: string;
    recommendation: 'grant' | 'reject' | 'no_view';
    callOuts?: number;
    earlierWarnings?: number;
    incidentsOnRecord?: number;
  },
): Promise<void> {
  const problems: FieldProblem[] = [];
  if (!input.opinion.trim()) problems.push({ field: 'opinion', message: 'orders.problem.opinion' });
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
  await c.db.transaction().execute(async (trx) => {
    const task = await findReviewTask(trx, taskId, true);
    if (!task) throw new AppError('NOT_FOUND');
    const app = await c.load(trx, task.application_id);
    // The court has decided (or the application is no longer under review): the opinion comes too late.
    if (app.status !== 'accepted')
      throw new AppError('CONFLICT', {
        message: 'orders.problem.opinionLate',
        fields: [{ field: 'opinion', message: 'orders.problem.opinionLate' }],
      });
    const verification =
      task.agency === 'police'
        ? {
            callOuts: input.callOuts ?? 0,
            earlierWarnings: input.earlierWarnings ?? 0,
            incidentsOnRecord: input.incidentsOnRecord ?? 0,
          }
        : null;
    await updateReviewTask(trx, taskId, {
      status: 'submitted',
      opinion: c.seal(input.opinion.trim(), 'order_review_task', 'opinion', taskId),
      recommendation: input.recommendation,
      verification: verification ? JSON.stringify(verification) : null,
      submitted_by: actor.accountId,
      submitted_at: c.now(),
    });
    await c.event(trx, task.application_id, 'opinion_submitted', actor.ref, { agency: task.agency }, false);
    await c.notify(trx, task.application_id, 'court', 'opinion_submitted');
    await recordAudit(trx, {
      event: 'orders.review_submitted',
      actor: actor.audit,
      record: { type: 'order_application', id: task.application_id },
      details: { agency: task.agency },
    });
  });
}

/** The judge asks an agency (or the applicant) for more. */
export async function requestMore(
  c: OrdersCore,
  actor: OrdersActor,
  applicationId: string,
  from: 'police' | 'federation' | 'committee' | 'applicant',
  note: string,
): Promise<void> {
  if (!note.trim())
    throw new AppError('VALIDATION', { fields: [{ field: 'note', message: 'orders.problem.note' }] });
  await c.db.transaction().execute(async (trx) => {
    const app = await c.load(trx, applicationId, true);
    if (app.status !== 'accepted') throw new AppError('CONFLICT');
    if (from === 'applicant') {
      await updateApplication(trx, applicationId, {
        court_note: c.seal(note.trim(), 'order_application', 'court_note', applicationId),
      });
      await c.event(trx, applicationId, 'more_requested', actor.ref, { from });
      await c.notify(
        trx,
        applicationId,
        'applicant',
        'more_requested',
        c.applicantChannels(app.consent_electronic_service),
      );
    } else {
      const task = await findReviewTaskOfAgency(trx, applicationId, from);
      if (!task)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'from', message: 'orders.problem.noAgency' }],
        });
      await updateReviewTask(trx, task.id, {
        status: 'more_requested',
        request_note: c.seal(note.trim(), 'order_review_task', 'request_note', task.id),
      });
      await c.event(trx, applicationId, 'more_requested', actor.ref, { from }, false);
      await c.notify(trx, applicationId, from === 'police' ? 'police' : 'committee', 'more_requested');
    }
    await recordAudit(trx, {
      event: 'orders.more_requested',
      actor: actor.audit,
      record: { type: 'order_application', id: applicationId },
      details: { from },
    });
  });
}

/** SPC 7: questioning of the respondent by platform, phone, SMS, chat or e-mail; silence does not block an order. */
export async function recordQuestioning(
  c: OrdersCore,
  actor: OrdersActor,
  applicationId: string,
  input: { channel: string; questionedAt: Date; responded: boolean; answer?: string },
): Promise<void> {
  if (input.responded && !input.answer?.trim())
    throw new AppError('VALIDATION', { fields: [{ field: 'answer', message: 'orders.problem.answer' }] });
  if (
    Number.isNaN(input.questionedAt.getTime()) ||
    input.questionedAt.getTime() > c.now().getTime() + 5 * 60_000
  )
    throw new AppError('VALIDATION', {
      fields: [{ field: 'questionedAt', message: 'orders.problem.futureDate' }],
    });
  await c.db.transaction().execute(async (trx) => {
    const app = await c.load(trx, applicationId, true);
    if (app.status !== 'accepted') throw new AppError('CONFLICT');
    const id = randomUUID();
    await insertQuestioning(trx, {
      id,
      application_id: applicationId,
      channel: input.channel,
      questioned_at: input.questionedAt,
      responded: input.responded,
      answer:
        input.responded && input.answer
          ? c.seal(input.answer.trim(), 'order_questioning', 'answer', id)
          : null,
      recorded_by: actor.accountId ?? '',
    });
    await c.event(
      trx,
      applicationId,
      'questioned',
      actor.ref,
      { channel: input.channel, responded: input.responded },
      false,
    );
    await recordAudit(trx, {
      event: 'orders.questioning_recorded',
      actor: actor.audit,
      record: { type: 'order_application', id: applicationId },
      details: { channel: input.channel, responded: input.responded },
    });
  });
}

/** The judge's one view: particulars, opinions, questioning, evidence with integrity, earlier police warnings. */
export async function reviewView(c: OrdersCore, applicationId: string) {
  const app = await c.load(c.db, applicationId);
  const input = c.particularsOf(app);
  const now = c.now();
  const [tasks, questioning, order, timeline] = await Promise.all([
    listReviewTasksOfApplication(c.db, applicationId),
    listQuestioning(c.db, applicationId),
    findOrderOfApplication(c.db, applicationId),
    applicationTimeline(c, applicationId, { all: true }),
  ]);
  const warnings = app.help_request_id ? await listWarningsOfHelpRequest(c.db, app.help_request_id) : [];
  const evidence: EvidenceIntegrity[] = [];
  const source = c.deps.evidence();
  for (const id of app.evidence_ids) evidence.push(await evidenceIntegrity(source, id));
  return {
    id: app.id,
    status: app.status,
    channel: app.channel,
    caseNumber: app.case_number,
    courtId: app.court_id,
    urgent: app.urgent,
    submittedAt: app.submitted_at,
    acceptedAt: app.accepted_at,
    rulingDueAt: app.ruling_due_at,
    clock:
      app.ruling_due_at && app.accepted_at
        ? clockState(app.ruling_due_at, app.accepted_at, app.urgent, now)
        : null,
    timeLeft: app.ruling_due_at ? timeLeft(app.ruling_due_at, now) : null,
    input,
    courtNote: app.court_note ? c.open(app.court_note, 'order_application', 'court_note', app.id) : null,
    reviews: tasks.map((t) => ({
      id: t.id,
      agency: t.agency,
      status: t.status,
      organisationId: t.organisation_id,
      opinion: t.opinion ? c.open(t.opinion, 'order_review_task', 'opinion', t.id) : null,
      recommendation: t.recommendation,
      verification: t.verification,
      submittedAt: t.submitted_at,
    })),
    questioning: questioning.map((q) => ({
      channel: q.channel,
      questionedAt: q.questioned_at,
      responded: q.responded,
      answer: q.answer ? c.open(q.answer, 'order_questioning', 'answer', q.id) : null,
    })),
    evidence,
    warnings: warnings.map((w) => ({ id: w.id, number: w.warning_number, issuedAt: w.issued_at })),
    order: order ? await orderSummary(c, order) : null,
    timeline,
  };
}
