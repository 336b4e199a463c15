/**
 * Her protection-order applications as she handles them herself (issue 14): the use cases behind both her
 * portal pages (orders.portal.tsx, thread cookie) and her JSON API (orders.survivor-api.ts, thread token).
 * Every function takes her thread session: an application of another thread is "not found", exactly like a
 * missing one, and evidence may only come from her own vault (another owner's item is "not found" too).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { ThreadSession } from '../help/help.service.ts';
import { recordAuditAlone } from '../../platform/audit.ts';
import { survivorAuditActor } from './orders.audit.ts';
import type { ApplicationInput, ApplicationStatus } from './orders.model.ts';
import { evidenceFromApp, helpCaseOwnerRef } from './orders.seams.ts';
import type { OrdersActor, OrdersService, TimelineEntry } from './orders.service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EDITABLE: readonly ApplicationStatus[] = ['draft', 'returned'];

/** She is the actor: no account, the network she came from (the same for page and API). */
export function survivorActor(request: FastifyRequest): OrdersActor {
  return {
    audit: survivorAuditActor(request.ip || null, request.headers['user-agent']?.slice(0, 300) ?? null),
    ref: 'survivor',
    accountId: null,
  };
}

export type HerDraft = Awaited<ReturnType<OrdersService['getDraft']>>;

/** Her application, or NOT_FOUND when it is missing or belongs to another thread. */
export async function herApplication(
  service: OrdersService,
  session: ThreadSession,
  id: string,
): Promise<HerDraft> {
  if (!UUID.test(id)) throw new AppError('NOT_FOUND');
  const draft = await service.getDraft(id).catch(() => undefined);
  if (!draft || draft.helpRequestId !== session.helpRequestId) throw new AppError('NOT_FOUND');
  return draft;
}

/** The items of her vault (what she may attach). */
export async function herVault(app: FastifyInstance, session: ThreadSession) {
  return (await evidenceFromApp(app)?.listForOwner(helpCaseOwnerRef(session.helpRequestId))) ?? [];
}

/** Every id must name an item of her own vault; one that does not is "not found" and nothing changes. */
async function checkHerEvidence(app: FastifyInstance, session: ThreadSession, ids: readonly string[]) {
  if (ids.length === 0) return;
  const mine = new Set((await herVault(app, session)).map((e) => e.id));
  if (ids.some((id) => !mine.has(id))) throw new AppError('NOT_FOUND');
}

/** Her applications, newest first. */
export async function listHerApplications(service: OrdersService, session: ThreadSession) {
  return service.applicationsForHelpRequest(session.helpRequestId);
}

/** Start an empty draft (what she has not filled in is listed as still missing). */
export async function startHerApplication(
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  input: ApplicationInput = { consentOnline: false },
  app?: FastifyInstance,
): Promise<{ id: string; problems: FieldProblem[] }> {
  if (app) await checkHerEvidence(app, session, input.evidenceIds ?? []);
  return service.saveDraft(actor, input, {
    channel: 'portal',
    helpRequestId: session.helpRequestId,
    evidenceOwnerRef: helpCaseOwnerRef(session.helpRequestId),
  });
}

/** Replace the particulars of her draft (or of an application the court returned for more information). */
export async function saveHerApplication(
  app: FastifyInstance,
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  id: string,
  input: ApplicationInput,
): Promise<{ id: string; problems: FieldProblem[] }> {
  const draft = await herApplication(service, session, id);
  if (!EDITABLE.includes(draft.status)) throw new AppError('CONFLICT');
  await checkHerEvidence(app, session, input.evidenceIds ?? []);
  return service.saveDraft(actor, input, { id, channel: 'portal', helpRequestId: session.helpRequestId });
}

/** What still stops her application being filed (field + message key; empty when it is complete). */
export async function checkHerApplication(
  service: OrdersService,
  session: ThreadSession,
  id: string,
): Promise<{ status: ApplicationStatus; problems: FieldProblem[] }> {
  const draft = await herApplication(service, session, id);
  return { status: draft.status, problems: EDITABLE.includes(draft.status) ? draft.problems : [] };
}

/** File it with the competent court; VALIDATION lists everything missing and nothing changes. */
export async function submitHerApplication(
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  id: string,
): Promise<{ courtName: string }> {
  const draft = await herApplication(service, session, id);
  if (!EDITABLE.includes(draft.status)) throw new AppError('CONFLICT');
  const filed = await service.submit(actor, id);
  return { courtName: filed.courtName };
}

export interface HerApplicationView {
  draft: HerDraft;
  timeline: TimelineEntry[];
  order: Awaited<ReturnType<OrdersService['orderForApplication']>>;
  notices: { template: string; at: Date }[];
}

/** Her application with its timeline, her order (if any) and her notices; the read is audited. */
export async function readHerApplication(
  app: FastifyInstance,
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  id: string,
  view: 'portal' | 'api',
): Promise<HerApplicationView> {
  const draft = await herApplication(service, session, id);
  await recordAuditAlone(app.db, {
    event: 'orders.application_read',
    actor: actor.audit,
    record: { type: 'order_application', id },
    details: { view },
  });
  const [timeline, order, notices] = await Promise.all([
    service.timeline(id),
    service.orderForApplication(id),
    service.applicantNotices(id),
  ]);
  return { draft, timeline, order, notices };
}

/** Her copy of her order (the applicant's copy, as served on her). */
export async function herOrderDocument(
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  id: string,
): Promise<{ pdf: Buffer; caseNumber: string }> {
  await herApplication(service, session, id);
  return service.orderDocument(actor, id, 'applicant');
}

/** A violation of her order in force, with items of her own vault as evidence. */
export async function reportHerViolation(
  app: FastifyInstance,
  service: OrdersService,
  session: ThreadSession,
  actor: OrdersActor,
  id: string,
  input: { occurredOn: string; description: string; evidenceIds: string[] },
): Promise<{ id: string }> {
  await herApplication(service, session, id);
  const order = await service.orderForApplication(id);
  if (!order) throw new AppError('NOT_FOUND');
  await checkHerEvidence(app, session, input.evidenceIds);
  return service.reportViolation(actor, order.id, { reportedBy: 'survivor', ...input });
}
