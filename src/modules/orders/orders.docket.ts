/** The court's docket: the list by time left, acceptance (case number, clock, review tasks), return and transfer. */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit.ts';
import {
  caseNumber,
  chinaDate,
  clockState,
  rulingDeadline,
  servingOrganisation,
  timeLeft,
} from './orders.model.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import { type OrdersCore, type OrdersActor, type DocketRow } from './orders.core.ts';
import { insertReviewTask, listDocketRows, nextCaseCounter, updateApplication } from './orders.repository.ts';

/**
 * A court's docket: accepted applications by time left (soonest deadline first), then those waiting for
 * acceptance, oldest first. Bounded; one indexed query.
 */
export async function listDocket(
  c: OrdersCore,
  courtId: string,
  options: { limit?: number } = {},
): Promise<DocketRow[]> {
  const now = c.now();
  const rows = await listDocketRows(c.db, courtId, options.limit ?? 200);
  return rows.map((r) => ({
    id: r.id,
    caseNumber: r.case_number,
    status: r.status,
    urgent: r.urgent,
    channel: r.channel,
    submittedAt: r.submitted_at,
    acceptedAt: r.accepted_at,
    rulingDueAt: r.ruling_due_at,
    clock:
      r.ruling_due_at && r.accepted_at ? clockState(r.ruling_due_at, r.accepted_at, r.urgent, now) : null,
    timeLeft: r.ruling_due_at ? timeLeft(r.ruling_due_at, now) : null,
    reviewsDone: Number(r.reviews.split('/')[0]),
    reviewsTotal: Number(r.reviews.split('/')[1]),
  }));
}

async function nextCaseNumber(
  c: OrdersCore,
  trx: Transaction<Database>,
  courtId: string,
  courtRegion: string,
): Promise<string> {
  const year = Number(chinaDate(c.now()).slice(0, 4));
  return caseNumber(year, courtRegion, await nextCaseCounter(trx, courtId, year));
}

/**
 * Accept (立案): the clock starts (72 h, 24 h when urgent), a case number is given, and review tasks go to
 * the police station and the women's federation (and residents' committee, where one is on Anxin) serving
 * the area, in parallel.
 */
export async function accept(
  c: OrdersCore,
  actor: OrdersActor,
  id: string,
  options: { urgent?: boolean } = {},
): Promise<{ caseNumber: string; rulingDueAt: Date; reviewTasks: number }> {
  return c.db.transaction().execute(async (trx) => {
    const row = await c.load(trx, id, true);
    if (row.status !== 'submitted' || !row.court_id || !row.court_region_code) throw new AppError('CONFLICT');
    const urgent = options.urgent ?? row.urgent;
    const acceptedAt = c.now();
    const due = rulingDeadline(acceptedAt, urgent);
    const number = await nextCaseNumber(c, trx, row.court_id, row.court_region_code);
    await updateApplication(trx, id, {
      status: 'accepted',
      urgent,
      case_number: number,
      accepted_at: acceptedAt,
      ruling_due_at: due,
      updated_at: acceptedAt,
    });
    const place = row.venue_region_code ?? row.court_region_code;
    let tasks = 0;
    for (const [agency, kind] of [
      ['police', 'police_station'],
      ['federation', 'womens_federation'],
      ['committee', 'community_committee'],
    ] as const) {
      const org = servingOrganisation(await c.deps.organisations.servingPlace(kind, place), place);
      if (!org) continue;
      await insertReviewTask(trx, {
        id: randomUUID(),
        application_id: id,
        agency,
        organisation_id: org.id,
        organisation_region_code: org.regionCode,
        status: 'open',
      });
      await c.notify(trx, id, agency === 'police' ? 'police' : 'committee', 'review_requested');
      tasks += 1;
    }
    await c.event(trx, id, 'accepted', actor.ref, { urgent, rulingDueAt: due.toISOString() });
    await c.event(trx, id, 'in_review', actor.ref, { tasks });
    await c.notify(
      trx,
      id,
      'applicant',
      'application_accepted',
      c.applicantChannels(row.consent_electronic_service),
    );
    await recordAudit(trx, {
      event: 'orders.application_accepted',
      actor: actor.audit,
      record: { type: 'order_application', id },
      details: { urgent },
    });
    await raiseWebhookEvent(trx, 'application.accepted', {
      organisationIds: await c.webhookOrganisations(trx, id),
      applicationId: id,
      details: { urgent },
    });
    return { caseNumber: number, rulingDueAt: due, reviewTasks: tasks };
  });
}

/** Return for more information: she sees the court's note and can complete and resubmit. */
export async function returnForInformation(
  c: OrdersCore,
  actor: OrdersActor,
  id: string,
  reason: string,
): Promise<void> {
  await c.db.transaction().execute(async (trx) => {
    const row = await c.load(trx, id, true);
    if (row.status !== 'submitted') throw new AppError('CONFLICT');
    await updateApplication(trx, id, {
      status: 'returned',
      court_note: c.seal(reason.trim(), 'order_application', 'court_note', id),
      updated_at: c.now(),
    });
    await c.event(trx, id, 'returned', actor.ref);
    await c.notify(
      trx,
      id,
      'applicant',
      'application_returned',
      c.applicantChannels(row.consent_electronic_service),
    );
    await recordAudit(trx, {
      event: 'orders.application_returned',
      actor: actor.audit,
      record: { type: 'order_application', id },
      details: {},
    });
  });
}

/** Transfer to another court with a reason (not competent, or better placed). */
export async function transfer(
  c: OrdersCore,
  actor: OrdersActor,
  id: string,
  toCourtId: string,
  reason: string,
): Promise<{ courtName: string }> {
  const court = await c.deps.organisations.get(toCourtId);
  if (!court || court.kind !== 'court')
    throw new AppError('VALIDATION', { fields: [{ field: 'toCourtId', message: 'orders.problem.court' }] });
  return c.db.transaction().execute(async (trx) => {
    const row = await c.load(trx, id, true);
    if (row.status !== 'submitted' || !row.court_id) throw new AppError('CONFLICT');
    if (row.court_id === court.id)
      throw new AppError('VALIDATION', {
        fields: [{ field: 'toCourtId', message: 'orders.problem.sameCourt' }],
      });
    await updateApplication(trx, id, {
      court_id: court.id,
      court_region_code: court.regionCode,
      court_note: c.seal(reason.trim(), 'order_application', 'court_note', id),
      updated_at: c.now(),
    });
    await c.event(trx, id, 'transferred', actor.ref, { courtName: court.name });
    await c.notify(trx, id, 'court', 'application_received');
    await recordAudit(trx, {
      event: 'orders.application_transferred',
      actor: actor.audit,
      record: { type: 'order_application', id },
      details: { fromCourtId: row.court_id, toCourtId: court.id },
    });
    return { courtName: court.name };
  });
}
