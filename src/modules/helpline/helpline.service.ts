/**
 * The helpline desk's service: takes new help requests and call-back requests into the right NGO's queue,
 * the triage queue and supervisor view, claiming and assigning, the case (her thread through the help
 * service, internal notes, classification, referrals, mandatory reports, closing), hotline calls, call-backs
 * under her safe-contact rules, the duty roster and the hours the portal shows (`dutyHours`).
 *
 * Access is decided by the route's declared action before anything here runs; functions that take an
 * `actor` trust that decision. Every change is written with its audit event in one transaction. Time comes
 * from `clock`, so tests can move it.
 *
 * This class is the facade: the work is done by the use-case functions in helpline.<use-case>.ts.
 */
import { HelplineCore, type DeskEvidenceSource, type UseCaseArgs } from './helpline.core.ts';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import type { HelpService } from '../help/help.service.ts';
import * as queue from './helpline.queue.ts';
import * as caseFile from './helpline.case.ts';
import * as referrals from './helpline.referrals.ts';
import * as calls from './helpline.calls.ts';
import * as roster from './helpline.roster.ts';

export { helpCaseOwnerRef, DESK_LIMITS, placementOf } from './helpline.core.ts';
export type {
  DeskEvidenceSource,
  CaseEvidence,
  DeskActor,
  QueueItem,
  LawyerLoad,
  CaseNote,
  Referral,
  MandatoryReport,
  HotlineCall,
  Classification,
  ContactSummary,
  CaseView,
  CallbackStart,
  ClassificationInput,
  HotlineCallInput,
  DutyShift,
} from './helpline.core.ts';

/**
 * The facade the routes and other modules call: one method per use case, delegating to the use-case functions
 * (helpline.queue.ts, helpline.case.ts, helpline.referrals.ts, helpline.calls.ts, helpline.roster.ts).
 */
export class HelplineService {
  readonly core: HelplineCore;

  constructor(db: Db, keyring: Keyring, help: HelpService) {
    this.core = new HelplineCore(db, keyring, help);
  }

  /** The desk's clock (tests replace it to move time). */
  get clock(): () => Date {
    return this.core.clock;
  }

  set clock(clock: () => Date) {
    this.core.clock = clock;
  }

  /** The evidence vault, when installed (set by index.ts from `app.evidence`). */
  get evidenceSource(): DeskEvidenceSource | undefined {
    return this.core.evidenceSource;
  }

  set evidenceSource(source: DeskEvidenceSource | undefined) {
    this.core.evidenceSource = source;
  }

  takeIntake(): Promise<number> {
    return this.core.takeIntake();
  }

  firstResponseMinutes(organisationId: string): Promise<number> {
    return this.core.firstResponseMinutes(organisationId);
  }

  deskSettings(...args: UseCaseArgs<typeof queue.deskSettings>) {
    return queue.deskSettings(this.core, ...args);
  }

  saveDeskSettings(...args: UseCaseArgs<typeof queue.saveDeskSettings>) {
    return queue.saveDeskSettings(this.core, ...args);
  }

  queue(...args: UseCaseArgs<typeof queue.queue>) {
    return queue.queue(this.core, ...args);
  }

  myCases(...args: UseCaseArgs<typeof queue.myCases>) {
    return queue.myCases(this.core, ...args);
  }

  loads(...args: UseCaseArgs<typeof queue.loads>) {
    return queue.loads(this.core, ...args);
  }

  deskStaff(...args: UseCaseArgs<typeof queue.deskStaff>) {
    return queue.deskStaff(this.core, ...args);
  }

  claim(...args: UseCaseArgs<typeof queue.claim>) {
    return queue.claim(this.core, ...args);
  }

  assign(...args: UseCaseArgs<typeof queue.assign>) {
    return queue.assign(this.core, ...args);
  }

  caseView(...args: UseCaseArgs<typeof caseFile.caseView>) {
    return caseFile.caseView(this.core, ...args);
  }

  reply(...args: UseCaseArgs<typeof caseFile.reply>) {
    return caseFile.reply(this.core, ...args);
  }

  addNote(...args: UseCaseArgs<typeof caseFile.addNote>) {
    return caseFile.addNote(this.core, ...args);
  }

  classify(...args: UseCaseArgs<typeof caseFile.classify>) {
    return caseFile.classify(this.core, ...args);
  }

  openEvidence(...args: UseCaseArgs<typeof caseFile.openEvidence>) {
    return caseFile.openEvidence(this.core, ...args);
  }

  registerCall(...args: UseCaseArgs<typeof calls.registerCall>) {
    return calls.registerCall(this.core, ...args);
  }

  listCalls(...args: UseCaseArgs<typeof calls.listCalls>) {
    return calls.listCalls(this.core, ...args);
  }

  startCallback(...args: UseCaseArgs<typeof calls.startCallback>) {
    return calls.startCallback(this.core, ...args);
  }

  finishCallback(...args: UseCaseArgs<typeof calls.finishCallback>) {
    return calls.finishCallback(this.core, ...args);
  }

  createReferral(...args: UseCaseArgs<typeof referrals.createReferral>) {
    return referrals.createReferral(this.core, ...args);
  }

  updateReferral(...args: UseCaseArgs<typeof referrals.updateReferral>) {
    return referrals.updateReferral(this.core, ...args);
  }

  recordMandatoryReport(...args: UseCaseArgs<typeof referrals.recordMandatoryReport>) {
    return referrals.recordMandatoryReport(this.core, ...args);
  }

  close(...args: UseCaseArgs<typeof caseFile.close>) {
    return caseFile.close(this.core, ...args);
  }

  recordCaseRead(...args: UseCaseArgs<typeof caseFile.recordCaseRead>) {
    return caseFile.recordCaseRead(this.core, ...args);
  }

  shiftsBetween(...args: UseCaseArgs<typeof roster.shiftsBetween>) {
    return roster.shiftsBetween(this.core, ...args);
  }

  onDutyNow(...args: UseCaseArgs<typeof roster.onDutyNow>) {
    return roster.onDutyNow(this.core, ...args);
  }

  addShift(...args: UseCaseArgs<typeof roster.addShift>) {
    return roster.addShift(this.core, ...args);
  }

  removeShift(...args: UseCaseArgs<typeof roster.removeShift>) {
    return roster.removeShift(this.core, ...args);
  }

  dutyHours(...args: UseCaseArgs<typeof roster.dutyHours>) {
    return roster.dutyHours(this.core, ...args);
  }
}
