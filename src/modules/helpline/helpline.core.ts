/**
 * What every desk use case shares: the module's types, and `HelplineCore` — the database, keyring, help service,
 * the clock, and the helpers several use cases call (sealing, locking a case, the first-response setting).
 * Use cases are functions `(c: HelplineCore, …)` in `helpline.<use-case>.ts`; `HelplineService`
 * (helpline.service.ts) is the facade the rest of the app calls.
 */
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { ContactRules } from '../help/help.model.ts';
import type { HelpService, ThreadMessage } from '../help/help.service.ts';
import { type AuditActor } from '../../platform/audit.ts';
import { type Actor, type RecordPlacement } from '../../platform/access-policy.ts';
import { takeIntake } from './helpline.intake.ts';
import { findDeskSetting, lockCaseRow } from './helpline.repository.ts';
import { DEFAULT_FIRST_RESPONSE_MINUTES, chinaDate, type FirstResponseState } from './helpline.model.ts';
import './helpline.audit.ts';

export type Trx = Transaction<Database>;

/** The reports module's job: fold the work report's rollups of the days a write touched again (idempotent). */
export const REPORTS_REFOLD = 'reports.refold';
export const refoldDay = (at: Date, sources: string[]) => ({
  from: chinaDate(at),
  to: chinaDate(at),
  sources,
});

/** The evidence owner reference of her portal case (the vault keeps owners opaque; the portal uploads under it). */
export const helpCaseOwnerRef = (helpRequestId: string): string => `help-case:${helpRequestId}`;

/** What the desk needs from the evidence vault (its service, when the module is installed). */
export interface DeskEvidenceSource {
  listForOwner(ownerRef: string): Promise<
    {
      id: string;
      ownerRef: string;
      evidenceType: string;
      filename: string;
      incidentDate: string | null;
      size: number;
      sha256: string;
      mediaType: string;
      extension: string;
      uploadedAt: string;
    }[]
  >;
  openOriginal(
    id: string,
    actor: string,
    action?: 'download' | 'view',
  ): Promise<
    | {
        item: {
          id: string;
          ownerRef: string;
          filename: string;
          extension: string;
          mediaType: string;
          size: number;
          sha256: string;
        };
        stream: NodeJS.ReadableStream;
      }
    | undefined
  >;
}

export interface CaseEvidence {
  id: string;
  evidenceType: string;
  filename: string;
  incidentDate: string | null;
  size: number;
  sha256: string;
  uploadedAt: string;
}

/** Text limits for what staff write. */
export const DESK_LIMITS = {
  note: 10_000,
  summary: 10_000,
  reply: 5_000,
  agency: 200,
  outcome: 2_000,
  station: 200,
  reference: 100,
  details: 5_000,
  otherType: 100,
} as const;

export interface DeskActor extends Actor {
  displayName: string;
  audit: AuditActor;
}

export interface QueueItem {
  caseId: string;
  source: string;
  status: string;
  dangerLevel: string | null;
  victimMinor: boolean | null;
  requestType: string | null;
  province: string | null;
  receivedAt: Date;
  assignedTo: { id: string; name: string } | null;
  firstResponse: FirstResponseState;
  callbackWaiting: boolean;
  awaitingReply: boolean;
}

export interface LawyerLoad {
  accountId: string;
  name: string;
  openCases: number;
  unanswered: number;
}

export interface CaseNote {
  id: string;
  author: string;
  text: string;
  createdAt: Date;
}

export interface Referral {
  id: string;
  kind: string;
  agency: string | null;
  status: string;
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MandatoryReport {
  id: string;
  reportedAt: Date;
  channel: string;
  policeStation: string;
  reference: string | null;
  details: string | null;
}

export interface HotlineCall {
  id: string;
  caseId: string | null;
  startedAt: Date;
  durationSeconds: number;
  callerAgeBand: string | null;
  callerGender: string | null;
  callerMinor: boolean | null;
  province: string | null;
  category: string;
  followUpNeeded: boolean;
  /** Only for the staff member who registered it, or on the case it belongs to. */
  summary: string | null;
  registeredByMe: boolean;
}

export interface Classification {
  requestType: string | null;
  otherType: string | null;
  forms: string[];
  relationship: string | null;
  victimMinor: boolean | null;
  childrenWitnessed: boolean | null;
  ageBand: string | null;
  gender: string | null;
  province: string | null;
  dangerLevel: string | null;
}

export interface ContactSummary {
  channel: string;
  windows: { from: string; to: string }[];
  hasCodeWord: boolean;
  noVoicemail: boolean;
  noSms: boolean;
  noGuardianContact: boolean;
}

export interface CaseView {
  id: string;
  source: string;
  status: string;
  receivedAt: Date;
  assignedTo: { id: string; name: string } | null;
  firstResponse: FirstResponseState;
  classification: Classification;
  caseCode: string | null;
  consentBasis: string | null;
  contact: ContactSummary | null;
  messages: ThreadMessage[];
  notes: CaseNote[];
  referrals: Referral[];
  mandatoryReports: MandatoryReport[];
  calls: HotlineCall[];
  waitingCallbacks: { id: string; createdAt: Date }[];
  /** Her evidence from the vault (her journal), when the vault is installed. */
  evidence: CaseEvidence[];
  closedAt: Date | null;
  closingOutcome: string | null;
  closingNote: string | null;
}

export interface CallbackStart {
  attemptId: string;
  /** Shown first: she must say it before anything about her case is said. */
  codeWord: string | null;
  phone: string;
  noVoicemail: boolean;
  noSms: boolean;
}

export interface ClassificationInput {
  requestType: string;
  otherType?: string;
  forms: string[];
  relationship?: string | null;
  victimMinor?: boolean | null;
  childrenWitnessed?: boolean | null;
  ageBand?: string | null;
  gender?: string | null;
  province?: string | null;
  dangerLevel?: string | null;
}

export interface HotlineCallInput {
  startedAt: Date;
  durationMinutes: number;
  callerAgeBand?: string | null;
  callerGender?: string | null;
  callerMinor?: boolean | null;
  province?: string | null;
  category: string;
  summary: string;
  followUpNeeded: boolean;
  caseId?: string;
  openCase?: boolean;
}

export interface DutyShift {
  id: string;
  accountId: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
}

export interface CaseRow {
  id: string;
  organisation_id: string;
  region_code: string;
  source: 'online' | 'callback' | 'hotline';
  help_request_id: string | null;
  callback_id: string | null;
  status: 'new' | 'in_progress' | 'closed';
  received_at: Date;
  first_responded_at: Date | null;
  assigned_account_id: string | null;
  victim_minor: boolean | null;
  lacks_capacity: boolean;
}

export function placementOf(
  row: Pick<CaseRow, 'organisation_id' | 'region_code' | 'assigned_account_id'>,
): RecordPlacement {
  return {
    organisationId: row.organisation_id,
    regionCode: row.region_code,
    assignedAccountIds: row.assigned_account_id ? [row.assigned_account_id] : [],
  };
}

export function problemsOf(...lists: FieldProblem[][]): void {
  const problems = lists.flat();
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
}

/** The context every desk use case runs with. */
export class HelplineCore {
  /** The desk's clock (tests replace it to move time). */
  clock: () => Date = () => new Date();

  /** The evidence vault, when installed (set by index.ts from `app.evidence`). */
  evidenceSource: DeskEvidenceSource | undefined;

  constructor(
    readonly db: Db,
    readonly keyring: Keyring,
    readonly help: HelpService,
  ) {}

  seal(value: string, column: string, id: string): Buffer {
    return this.keyring.sealText(value, `${column}:${id}`);
  }

  open(value: Buffer, column: string, id: string): string {
    return this.keyring.openText(value, `${column}:${id}`);
  }

  openOrNull(value: Buffer | null, column: string, id: string): string | null {
    return value ? this.open(value, column, id) : null;
  }

  /**
   * Take every help request and call-back request handed off so far into the queue of the desk that serves
   * it (helpline.intake.ts; the background relay does the same as they arrive). Called before every queue
   * read, so a request filed a moment ago is already there.
   */
  async takeIntake(): Promise<number> {
    return takeIntake(this.db);
  }

  async firstResponseMinutes(organisationId: string): Promise<number> {
    const row = await findDeskSetting(this.db, organisationId);
    return row?.first_response_minutes ?? DEFAULT_FIRST_RESPONSE_MINUTES;
  }

  async lockCase(trx: Trx, caseId: string): Promise<CaseRow> {
    const row = await lockCaseRow(trx, caseId);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  refuseIfClosed(row: CaseRow): void {
    if (row.status === 'closed')
      throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.case.closedAlready' }] });
  }

  callView(c: CallRow, actor: DeskActor, onCase: boolean): HotlineCall {
    const mine = c.registered_by === actor.accountId;
    return {
      id: c.id,
      caseId: c.case_id,
      startedAt: c.started_at,
      durationSeconds: c.duration_seconds,
      callerAgeBand: c.caller_age_band,
      callerGender: c.caller_gender,
      callerMinor: c.caller_minor,
      province: c.province,
      category: c.category,
      followUpNeeded: c.follow_up_needed,
      summary: mine || onCase ? this.open(c.summary_sealed, 'helpline_hotline_call.summary', c.id) : null,
      registeredByMe: mine,
    };
  }
}

export type CallRow = {
  id: string;
  case_id: string | null;
  registered_by: string;
  started_at: Date;
  duration_seconds: number;
  caller_age_band: string | null;
  caller_gender: string | null;
  caller_minor: boolean | null;
  province: string | null;
  category: string;
  summary_sealed: Buffer;
  follow_up_needed: boolean;
};

export function summariseContact(contact: ContactRules, noGuardianContact: boolean): ContactSummary {
  return {
    channel: contact.channel,
    windows: contact.windows,
    hasCodeWord: Boolean(contact.codeWord),
    noVoicemail: contact.noVoicemail,
    noSms: contact.noSms,
    noGuardianContact,
  };
}

/** The arguments of a use-case function after its context (the facade passes them through). */
export type UseCaseArgs<F> = F extends (c: never, ...rest: infer R) => unknown ? R : never;
