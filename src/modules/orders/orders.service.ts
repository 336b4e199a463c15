/**
 * The protection-order one-stop's service: applications (portal, NGO case, oral via a clerk) with drafts kept
 * server-side, routing to the competent court, the court's docket and its legal clock, parallel review by
 * police and federation, questioning of the respondent, the decision and the order document, service and
 * notifications, changes to the order, reconsideration, violations and police written warnings, and the
 * clock sweep that fires deadline warnings and expiry reminders exactly once.
 *
 * Every change is written with its audit event and its outbox work in one transaction. Access checks belong
 * to the routes (the identity gate); functions here trust the caller's authorisation and are only called
 * after it. Time comes from `now()` so tests can move the clock.
 *
 * This class is the facade: the work is done by the use-case functions in orders.<use-case>.ts.
 */
import { OrdersCore, type OrdersDeps, type UseCaseArgs } from './orders.core.ts';
import type { ApplicationInput } from './orders.model.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { EvidenceConsents } from './orders.consent.ts';
import * as applications from './orders.applications.ts';
import * as docket from './orders.docket.ts';
import * as review from './orders.review.ts';
import * as decision from './orders.decision.ts';
import * as orderDocument from './orders.order-document.ts';
import * as serviceTasks from './orders.service-tasks.ts';
import * as violations from './orders.violations.ts';
import * as warnings from './orders.warnings.ts';
import * as clock from './orders.clock.ts';

export { NOTIFY_TOPIC, CLOCK_TOPIC } from './orders.core.ts';
export type { OrdersActor, OrdersDeps, DocketRow, TimelineEntry } from './orders.core.ts';

/**
 * The facade the routes and other modules call: one method per use case, delegating to the use-case functions
 * (orders.applications.ts, orders.docket.ts, orders.review.ts, orders.decision.ts, orders.order-document.ts,
 * orders.service-tasks.ts, orders.violations.ts, orders.warnings.ts, orders.clock.ts).
 */
export class OrdersService {
  readonly core: OrdersCore;

  constructor(deps: OrdersDeps) {
    this.core = new OrdersCore(deps);
  }

  /** The clock (tests replace it to move time). */
  get now(): () => Date {
    return this.core.now;
  }

  set now(now: () => Date) {
    this.core.now = now;
  }

  /** Her per-item consent before NGO-chosen evidence reaches a court. */
  get consents(): EvidenceConsents {
    return this.core.consents;
  }

  particularsOf(row: { id: string; particulars: Buffer }): ApplicationInput {
    return this.core.particularsOf(row);
  }

  problems(input: ApplicationInput): FieldProblem[] {
    return this.core.problems(input);
  }

  checkUrl(token: string): string {
    return this.core.checkUrl(token);
  }

  saveDraft(...args: UseCaseArgs<typeof applications.saveDraft>) {
    return applications.saveDraft(this.core, ...args);
  }

  getDraft(...args: UseCaseArgs<typeof applications.getDraft>) {
    return applications.getDraft(this.core, ...args);
  }

  competentCourt(...args: UseCaseArgs<typeof applications.competentCourt>) {
    return applications.competentCourt(this.core, ...args);
  }

  submit(...args: UseCaseArgs<typeof applications.submit>) {
    return applications.submit(this.core, ...args);
  }

  startApplicationFromCase(...args: UseCaseArgs<typeof applications.startApplicationFromCase>) {
    return applications.startApplicationFromCase(this.core, ...args);
  }

  applicationsForHelpRequest(...args: UseCaseArgs<typeof applications.applicationsForHelpRequest>) {
    return applications.applicationsForHelpRequest(this.core, ...args);
  }

  listDocket(...args: UseCaseArgs<typeof docket.listDocket>) {
    return docket.listDocket(this.core, ...args);
  }

  accept(...args: UseCaseArgs<typeof docket.accept>) {
    return docket.accept(this.core, ...args);
  }

  returnForInformation(...args: UseCaseArgs<typeof docket.returnForInformation>) {
    return docket.returnForInformation(this.core, ...args);
  }

  transfer(...args: UseCaseArgs<typeof docket.transfer>) {
    return docket.transfer(this.core, ...args);
  }

  listReviewTasks(...args: UseCaseArgs<typeof review.listReviewTasks>) {
    return review.listReviewTasks(this.core, ...args);
  }

  reviewTaskView(...args: UseCaseArgs<typeof review.reviewTaskView>) {
    return review.reviewTaskView(this.core, ...args);
  }

  submitAgencyOpinion(...args: UseCaseArgs<typeof review.submitAgencyOpinion>) {
    return review.submitAgencyOpinion(this.core, ...args);
  }

  requestMore(...args: UseCaseArgs<typeof review.requestMore>) {
    return review.requestMore(this.core, ...args);
  }

  recordQuestioning(...args: UseCaseArgs<typeof review.recordQuestioning>) {
    return review.recordQuestioning(this.core, ...args);
  }

  reviewView(...args: UseCaseArgs<typeof review.reviewView>) {
    return review.reviewView(this.core, ...args);
  }

  decide(...args: UseCaseArgs<typeof decision.decide>) {
    return decision.decide(this.core, ...args);
  }

  loadOrder(...args: UseCaseArgs<typeof orderDocument.loadOrder>) {
    return orderDocument.loadOrder(this.core, ...args);
  }

  orderForApplication(...args: UseCaseArgs<typeof orderDocument.orderForApplication>) {
    return orderDocument.orderForApplication(this.core, ...args);
  }

  orderDocument(...args: UseCaseArgs<typeof orderDocument.orderDocument>) {
    return orderDocument.orderDocument(this.core, ...args);
  }

  verifyPublic(...args: UseCaseArgs<typeof orderDocument.verifyPublic>) {
    return orderDocument.verifyPublic(this.core, ...args);
  }

  recordService(...args: UseCaseArgs<typeof serviceTasks.recordService>) {
    return serviceTasks.recordService(this.core, ...args);
  }

  modifyOrder(...args: UseCaseArgs<typeof decision.modifyOrder>) {
    return decision.modifyOrder(this.core, ...args);
  }

  requestReconsideration(...args: UseCaseArgs<typeof decision.requestReconsideration>) {
    return decision.requestReconsideration(this.core, ...args);
  }

  decideReconsideration(...args: UseCaseArgs<typeof decision.decideReconsideration>) {
    return decision.decideReconsideration(this.core, ...args);
  }

  reportViolation(...args: UseCaseArgs<typeof violations.reportViolation>) {
    return violations.reportViolation(this.core, ...args);
  }

  decideViolation(...args: UseCaseArgs<typeof violations.decideViolation>) {
    return violations.decideViolation(this.core, ...args);
  }

  issueWarning(...args: UseCaseArgs<typeof warnings.issueWarning>) {
    return warnings.issueWarning(this.core, ...args);
  }

  updateWarning(...args: UseCaseArgs<typeof warnings.updateWarning>) {
    return warnings.updateWarning(this.core, ...args);
  }

  listWarnings(...args: UseCaseArgs<typeof warnings.listWarnings>) {
    return warnings.listWarnings(this.core, ...args);
  }

  timeline(...args: UseCaseArgs<typeof applications.timeline>) {
    return applications.timeline(this.core, ...args);
  }

  applicantNotices(...args: UseCaseArgs<typeof applications.applicantNotices>) {
    return applications.applicantNotices(this.core, ...args);
  }

  sweepClock(...args: UseCaseArgs<typeof clock.sweepClock>) {
    return clock.sweepClock(this.core, ...args);
  }

  alertsFor(...args: UseCaseArgs<typeof clock.alertsFor>) {
    return clock.alertsFor(this.core, ...args);
  }
}
