/**
 * The helpline desk's service: takes new help requests and call-back requests into the right NGO's queue,
 * the triage queue and supervisor view, claiming and assigning, the case (her thread through the help
 * service, internal notes, classification, referrals, mandatory reports, closing), hotline calls, call-backs
 * under her safe-contact rules, the duty roster and the hours the portal shows (`dutyHours`).
 *
 * Access is decided by the route's declared action before anything here runs; functions that take an
 * `actor` trust that decision. Every change is written with its audit event in one transaction. Time comes
 * from `clock`, so tests can move it.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import type { ContactRules } from '../help/help.model.ts';
import { textProblems } from '../help/help.model.ts';
import type { HelpService, ThreadMessage } from '../help/help.service.ts';
import { getCallbackContact, listWaitingCallbacks, setCallbackStatus } from '../help/help.desk-api.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import {
  evaluateAccess,
  type Actor,
  type RecordPlacement,
  type Scope,
} from '../../platform/access-policy.ts';
import './helpline.audit.ts';
import { takeIntake } from './helpline.intake.ts';
import { mandatoryReportApplies, staffRoleOf } from './helpline.capacity-rules.ts';
import {
  hasMandatoryReport,
  caseRecords,
  findCaseRow,
  findDeskSetting,
  listHotlineCalls,
  listOpenCases,
  listShifts,
  lockCaseRow,
} from './helpline.repository.ts';
import { listDeskStaff, staffNames, type DeskStaffMember } from './helpline.directory.ts';
import {
  DEFAULT_FIRST_RESPONSE_MINUTES,
  callChannelAllowed,
  chinaDate,
  chinaInstant,
  compareTriage,
  dutyDays,
  firstResponseState,
  safeWindowCheck,
  type CallbackResult,
  type ClosingOutcome,
  type DutyDay,
  type FirstResponseState,
  type ReferralKind,
  type ReferralStatus,
} from './helpline.model.ts';

type Trx = Transaction<Database>;

/** The reports module's job: fold the work report's rollups of the days a write touched again (idempotent). */
const REPORTS_REFOLD = 'reports.refold';
const refoldDay = (at: Date, sources: string[]) => ({ from: chinaDate(at), to: chinaDate(at), sources });

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

interface CaseRow {
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

function problemsOf(...lists: FieldProblem[][]): void {
  const problems = lists.flat();
  if (problems.length) throw new AppError('VALIDATION', { fields: problems });
}

export class HelplineService {
  /** The desk's clock (tests replace it to move time). */
  clock: () => Date = () => new Date();
  /** The evidence vault, when installed (set by index.ts from `app.evidence`). */
  evidenceSource: DeskEvidenceSource | undefined;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly help: HelpService,
  ) {}

  private seal(value: string, column: string, id: string): Buffer {
    return this.keyring.sealText(value, `${column}:${id}`);
  }

  private open(value: Buffer, column: string, id: string): string {
    return this.keyring.openText(value, `${column}:${id}`);
  }

  private openOrNull(value: Buffer | null, column: string, id: string): string | null {
    return value ? this.open(value, column, id) : null;
  }

  // ---- Intake ----

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

  async deskSettings(organisationId: string): Promise<{ firstResponseMinutes: number; provinces: string[] }> {
    const row = await findDeskSetting(this.db, organisationId);
    return {
      firstResponseMinutes: row?.first_response_minutes ?? DEFAULT_FIRST_RESPONSE_MINUTES,
      provinces: row?.provinces ?? [],
    };
  }

  async saveDeskSettings(
    actor: DeskActor,
    input: { firstResponseMinutes: number; provinces: string[] },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('helpline_desk_setting')
        .values({
          organisation_id: actor.organisationId,
          first_response_minutes: input.firstResponseMinutes,
          provinces: input.provinces,
          updated_at: this.clock(),
        })
        .onConflict((oc) =>
          oc.column('organisation_id').doUpdateSet({
            first_response_minutes: input.firstResponseMinutes,
            provinces: input.provinces,
            updated_at: this.clock(),
          }),
        )
        .execute();
      await recordAudit(trx, {
        event: 'helpline.settings_changed',
        actor: actor.audit,
        details: { firstResponseMinutes: input.firstResponseMinutes, provinces: input.provinces },
      });
    });
  }

  // ---- Queue ----

  /**
   * The organisation's open cases in triage order. `whole`: every open case (supervisor view); otherwise the
   * unclaimed ones.
   */
  async queue(organisationId: string, options: { whole: boolean }): Promise<QueueItem[]> {
    await this.takeIntake();
    const minutes = await this.firstResponseMinutes(organisationId);
    const rows = await listOpenCases(this.db, organisationId, {
      unassignedOnly: !options.whole,
      limit: 1000,
    });
    const names = await staffNames(this.db, organisationId, [
      ...new Set(rows.flatMap((r) => (r.assigned_account_id ? [r.assigned_account_id] : []))),
    ]);
    const waiting = await listWaitingCallbacks(this.db, {
      helpRequestIds: rows.flatMap((r) => (r.help_request_id ? [r.help_request_id] : [])),
      callbackIds: rows.flatMap((r) => (r.callback_id ? [r.callback_id] : [])),
    });
    const now = this.clock();
    const summaries = new Map((await this.help.listOpenRequests(this.db, 1000)).map((s) => [s.id, s]));
    return rows
      .map((r) => {
        const open = r.help_request_id ? summaries.get(r.help_request_id) : undefined;
        return {
          caseId: r.id,
          source: r.source,
          status: r.status,
          dangerLevel: r.danger_level,
          victimMinor: r.victim_minor,
          requestType: r.request_type,
          province: r.province,
          receivedAt: r.received_at,
          assignedTo: r.assigned_account_id
            ? { id: r.assigned_account_id, name: names.get(r.assigned_account_id) ?? '' }
            : null,
          firstResponse: firstResponseState(r.received_at, r.first_responded_at, minutes, now),
          callbackWaiting: waiting.some(
            (w) =>
              w.id === r.callback_id || (r.help_request_id !== null && w.helpRequestId === r.help_request_id),
          ),
          awaitingReply: open !== undefined && r.first_responded_at !== null,
        };
      })
      .sort((a, b) =>
        compareTriage(
          { dangerLevel: a.dangerLevel, isMinor: a.victimMinor, receivedAt: a.receivedAt },
          { dangerLevel: b.dangerLevel, isMinor: b.victimMinor, receivedAt: b.receivedAt },
        ),
      );
  }

  /** The open cases assigned to one staff member, in triage order. */
  async myCases(actor: DeskActor): Promise<QueueItem[]> {
    return (await this.queue(actor.organisationId, { whole: true })).filter(
      (item) => item.assignedTo?.id === actor.accountId,
    );
  }

  /** Each desk staff member's open cases and how many of those still wait for a first response. */
  async loads(organisationId: string, items: QueueItem[]): Promise<LawyerLoad[]> {
    const staff = await listDeskStaff(this.db, organisationId);
    return staff.map((member) => {
      const mine = items.filter((i) => i.assignedTo?.id === member.id);
      return {
        accountId: member.id,
        name: member.displayName,
        openCases: mine.length,
        unanswered: mine.filter((i) => i.firstResponse.minutesLeft !== null).length,
      };
    });
  }

  async deskStaff(organisationId: string): Promise<DeskStaffMember[]> {
    return listDeskStaff(this.db, organisationId);
  }

  // ---- Claiming and assigning ----

  private async lockCase(trx: Trx, caseId: string): Promise<CaseRow> {
    const row = await lockCaseRow(trx, caseId);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  private static refuseIfClosed(row: CaseRow): void {
    if (row.status === 'closed')
      throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.case.closedAlready' }] });
  }

  /** She takes an unclaimed case; a case someone else holds is a conflict. */
  async claim(actor: DeskActor, caseId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      HelplineService.refuseIfClosed(row);
      if (row.assigned_account_id === actor.accountId) return;
      if (row.assigned_account_id !== null)
        throw new AppError('CONFLICT', {
          fields: [{ field: 'case', message: 'helpline.case.claimedAlready' }],
        });
      await trx
        .updateTable('helpline_case')
        .set({ assigned_account_id: actor.accountId, assigned_at: this.clock(), status: 'in_progress' })
        .where('id', '=', caseId)
        .execute();
      await recordAudit(trx, {
        event: 'helpline.case_claimed',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: {},
      });
    });
  }

  /** A supervisor assigns (or reassigns) a case to one of the organisation's desk staff. */
  async assign(actor: DeskActor, caseId: string, assigneeId: string): Promise<void> {
    const staff = await listDeskStaff(this.db, actor.organisationId);
    if (
      !staff.some(
        (s) =>
          s.id === assigneeId &&
          s.roles.some((r) => r === 'volunteer_lawyer' || r === 'caseworker' || r === 'ngo_supervisor'),
      )
    ) {
      throw new AppError('VALIDATION', { fields: [{ field: 'accountId', message: 'validation.choice' }] });
    }
    await this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      HelplineService.refuseIfClosed(row);
      await trx
        .updateTable('helpline_case')
        .set({ assigned_account_id: assigneeId, assigned_at: this.clock(), status: 'in_progress' })
        .where('id', '=', caseId)
        .execute();
      await recordAudit(trx, {
        event: 'helpline.case_assigned',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { assignee: assigneeId },
      });
    });
  }

  // ---- The case ----

  async caseView(actor: DeskActor, caseId: string): Promise<CaseView> {
    const row = await findCaseRow(this.db, caseId);
    if (!row) throw new AppError('NOT_FOUND');
    const minutes = await this.firstResponseMinutes(row.organisation_id);
    const request = row.help_request_id
      ? await this.help.getRequestForStaff(this.db, row.help_request_id)
      : undefined;
    const { notes, referrals, reports, calls } = await caseRecords(this.db, caseId);
    const names = await staffNames(this.db, row.organisation_id, [
      ...new Set([
        ...notes.map((n) => n.author_account_id),
        ...(row.assigned_account_id ? [row.assigned_account_id] : []),
      ]),
    ]);
    const waiting = await listWaitingCallbacks(this.db, {
      helpRequestIds: row.help_request_id ? [row.help_request_id] : [],
      callbackIds: row.callback_id ? [row.callback_id] : [],
    });
    let contact: ContactSummary | null = null;
    if (request) contact = summariseContact(request.contact, request.noGuardianContact);
    else if (row.callback_id) {
      const callback = await getCallbackContact(this.db, this.keyring, row.callback_id);
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
      firstResponse: firstResponseState(row.received_at, row.first_responded_at, minutes, this.clock()),
      classification: {
        requestType: row.request_type,
        otherType:
          this.openOrNull(row.other_type_sealed, 'helpline_case.other_type', row.id) ??
          request?.otherType ??
          null,
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
        text: this.open(n.body_sealed, 'helpline_case_note.body', n.id),
        createdAt: n.created_at,
      })),
      referrals: referrals.map((r) => ({
        id: r.id,
        kind: r.kind,
        agency: this.openOrNull(r.agency_sealed, 'helpline_referral.agency', r.id),
        status: r.status,
        outcome: this.openOrNull(r.outcome_sealed, 'helpline_referral.outcome', r.id),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
      mandatoryReports: reports.map((r) => ({
        id: r.id,
        reportedAt: r.reported_at,
        channel: r.channel,
        policeStation: this.open(r.police_station_sealed, 'helpline_mandatory_report.police_station', r.id),
        reference: this.openOrNull(r.reference_sealed, 'helpline_mandatory_report.reference', r.id),
        details: this.openOrNull(r.details_sealed, 'helpline_mandatory_report.details', r.id),
      })),
      calls: calls.map((c) => this.callView(c, actor, true)),
      waitingCallbacks: waiting.map((w) => ({ id: w.id, createdAt: w.createdAt })),
      evidence:
        row.help_request_id && this.evidenceSource
          ? (await this.evidenceSource.listForOwner(helpCaseOwnerRef(row.help_request_id))).map((e) => ({
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
      closingNote: this.openOrNull(row.closing_note_sealed, 'helpline_case.closing_note', row.id),
    };
  }

  /** A staff reply on her thread (through the help module), counted as the first response if it is one. */
  async reply(actor: DeskActor, caseId: string, text: string): Promise<ThreadMessage> {
    problemsOf(textProblems('text', text, DESK_LIMITS.reply, true));
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      HelplineService.refuseIfClosed(row);
      if (!row.help_request_id)
        throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.reply.noThread' }] });
      const message = await this.help.postStaffReply(
        trx,
        row.help_request_id,
        actor.accountId,
        text,
        staffRoleOf(actor.roles),
      );
      await trx
        .updateTable('helpline_case')
        .set({ first_responded_at: row.first_responded_at ?? this.clock(), status: 'in_progress' })
        .where('id', '=', caseId)
        .execute();
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
  async addNote(actor: DeskActor, caseId: string, text: string): Promise<CaseNote> {
    problemsOf(textProblems('text', text, DESK_LIMITS.note, true));
    return this.db.transaction().execute(async (trx) => {
      await this.lockCase(trx, caseId);
      const id = randomUUID();
      const createdAt = this.clock();
      await trx
        .insertInto('helpline_case_note')
        .values({
          id,
          case_id: caseId,
          author_account_id: actor.accountId,
          body_sealed: this.seal(text.trim(), 'helpline_case_note.body', id),
          created_at: createdAt,
        })
        .execute();
      await recordAudit(trx, {
        event: 'helpline.note_added',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: {},
      });
      return { id, author: actor.displayName, text: text.trim(), createdAt };
    });
  }

  async classify(actor: DeskActor, caseId: string, input: ClassificationInput): Promise<void> {
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
    await this.db.transaction().execute(async (trx) => {
      const locked = await this.lockCase(trx, caseId);
      await trx
        .updateTable('helpline_case')
        .set({
          classified_at: this.clock(),
          request_type: input.requestType,
          other_type_sealed:
            input.requestType === 'other' && input.otherType
              ? this.seal(input.otherType.trim(), 'helpline_case.other_type', caseId)
              : null,
          forms: input.forms,
          relationship: input.relationship ?? null,
          victim_minor: victimMinor,
          children_witnessed: input.childrenWitnessed ?? null,
          age_band: input.ageBand ?? null,
          gender: input.gender ?? null,
          province: input.province ?? null,
          danger_level: input.dangerLevel ?? null,
        })
        .where('id', '=', caseId)
        .execute();
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
  async openEvidence(
    actor: DeskActor,
    caseId: string,
    evidenceId: string,
  ): Promise<NonNullable<Awaited<ReturnType<DeskEvidenceSource['openOriginal']>>>> {
    const row = await this.db
      .selectFrom('helpline_case')
      .select(['help_request_id'])
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!row?.help_request_id || !this.evidenceSource) throw new AppError('NOT_FOUND');
    const owner = helpCaseOwnerRef(row.help_request_id);
    const items = await this.evidenceSource.listForOwner(owner);
    if (!items.some((i) => i.id === evidenceId)) throw new AppError('NOT_FOUND');
    const opened = await this.evidenceSource.openOriginal(evidenceId, `staff:${actor.accountId}`, 'download');
    if (!opened || opened.item.ownerRef !== owner) throw new AppError('NOT_FOUND');
    await this.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'helpline.evidence_opened',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { evidenceId },
      }),
    );
    return opened;
  }

  // ---- Hotline calls ----

  private callView(c: CallRow, actor: DeskActor, onCase: boolean): HotlineCall {
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

  /**
   * Register a call as it comes in: linked to a case the actor may work on, or opening a new case assigned to
   * them (the call itself is the first response), or on its own.
   */
  async registerCall(
    actor: DeskActor,
    input: HotlineCallInput,
  ): Promise<{ callId: string; caseId: string | null }> {
    const problems = textProblems('summary', input.summary, DESK_LIMITS.summary, true);
    if (input.caseId && input.openCase)
      problems.push({ field: 'openCase', message: 'helpline.call.linkOrOpen' });
    if (input.startedAt.getTime() > this.clock().getTime() + 5 * 60_000)
      problems.push({ field: 'startedAt', message: 'helpline.validation.future' });
    problemsOf(problems);
    return this.db.transaction().execute(async (trx) => {
      let caseId: string | null = null;
      if (input.caseId) {
        const row = await trx
          .selectFrom('helpline_case')
          .select(['id', 'organisation_id', 'region_code', 'assigned_account_id'])
          .where('id', '=', input.caseId)
          .executeTakeFirst();
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
          (input.callerAgeBand
            ? input.callerAgeBand === 'under_14' || input.callerAgeBand === '14_17'
            : null);
        await trx
          .insertInto('helpline_case')
          .values({
            id: caseId,
            organisation_id: actor.organisationId,
            region_code: actor.regionCode,
            source: 'hotline',
            status: 'in_progress',
            received_at: input.startedAt,
            first_responded_at: input.startedAt,
            assigned_account_id: actor.accountId,
            assigned_at: this.clock(),
            request_type: input.category,
            victim_minor: minor,
            age_band: input.callerAgeBand ?? null,
            gender: input.callerGender ?? null,
            province: input.province ?? null,
          })
          .execute();
        await recordAudit(trx, {
          event: 'helpline.case_opened',
          actor: actor.audit,
          record: { type: 'helpline_case', id: caseId },
          details: { source: 'hotline' },
        });
      }
      const callId = randomUUID();
      await trx
        .insertInto('helpline_hotline_call')
        .values({
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
          summary_sealed: this.seal(input.summary.trim(), 'helpline_hotline_call.summary', callId),
          follow_up_needed: input.followUpNeeded,
        })
        .execute();
      await recordAudit(trx, {
        event: 'helpline.call_registered',
        actor: actor.audit,
        record: { type: 'helpline_hotline_call', id: callId },
        details: { linked: Boolean(input.caseId), opened: Boolean(input.openCase) },
      });
      // A call entered after its day (a backlog from a paper log): the work report folds that day again.
      if (chinaDate(input.startedAt) < chinaDate(this.clock()))
        await addToOutbox(trx, REPORTS_REFOLD, refoldDay(input.startedAt, ['hotline', 'desk']));
      return { callId, caseId };
    });
  }

  /** Calls of the organisation (scope `organisation`) or those the actor registered (`own`), newest first. */
  async listCalls(actor: DeskActor, scope: Scope, limit = 200): Promise<HotlineCall[]> {
    const rows = await listHotlineCalls(this.db, actor.organisationId, {
      ...(scope === 'own' || scope === 'assigned' ? { registeredBy: actor.accountId } : {}),
      limit,
    });
    return rows.map((c) => this.callView(c, actor, false));
  }

  // ---- Call-backs ----

  /**
   * Start a call-back, only as her rules allow: a channel that permits calls, inside one of her safe windows
   * (China time). A refusal is audited and nothing is shown. On success the code word comes first.
   */
  async startCallback(actor: DeskActor, caseId: string, callbackId?: string): Promise<CallbackStart> {
    const row = await this.db
      .selectFrom('helpline_case')
      .select(['id', 'status', 'help_request_id', 'callback_id'])
      .where('id', '=', caseId)
      .executeTakeFirst();
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
      const callback = await getCallbackContact(this.db, this.keyring, callbackId);
      const belongs =
        callback &&
        (callback.id === row.callback_id ||
          (row.help_request_id !== null && callback.helpRequestId === row.help_request_id));
      if (!callback || !belongs)
        throw new AppError('VALIDATION', { fields: [{ field: 'callbackId', message: 'validation.choice' }] });
      rules = callback;
      answeredCallback = callback.id;
    } else if (row.help_request_id) {
      const request = await this.help.getRequestForStaff(this.db, row.help_request_id);
      if (request && !callChannelAllowed(request.contact.channel))
        refusal = { why: 'channel', problem: { field: 'callback', message: 'helpline.callback.channel' } };
      rules = request?.contact;
    } else if (row.callback_id) {
      const callback = await getCallbackContact(this.db, this.keyring, row.callback_id);
      rules = callback;
      answeredCallback = callback?.id ?? null;
    }
    if (!refusal && !rules?.phone)
      refusal = { why: 'no_phone', problem: { field: 'callback', message: 'helpline.callback.noPhone' } };
    if (!refusal && rules) {
      const check = safeWindowCheck(rules.windows, this.clock());
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
      await this.db.transaction().execute((trx) =>
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
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('helpline_callback_attempt')
        .values({
          id: attemptId,
          case_id: caseId,
          callback_id: answeredCallback,
          account_id: actor.accountId,
          started_at: this.clock(),
        })
        .execute();
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
  async finishCallback(
    actor: DeskActor,
    caseId: string,
    attemptId: string,
    result: CallbackResult,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      const attempt = await trx
        .selectFrom('helpline_callback_attempt')
        .select(['id', 'callback_id', 'result'])
        .where('id', '=', attemptId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      if (!attempt) throw new AppError('NOT_FOUND');
      if (attempt.result !== null)
        throw new AppError('CONFLICT', {
          fields: [{ field: 'attemptId', message: 'helpline.callback.finishedAlready' }],
        });
      await trx
        .updateTable('helpline_callback_attempt')
        .set({ result, finished_at: this.clock() })
        .where('id', '=', attemptId)
        .execute();
      if (result === 'reached_confirmed') {
        await trx
          .updateTable('helpline_case')
          .set({
            first_responded_at: row.first_responded_at ?? this.clock(),
            status: row.status === 'closed' ? 'closed' : 'in_progress',
          })
          .where('id', '=', caseId)
          .execute();
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

  // ---- Referrals ----

  async createReferral(
    actor: DeskActor,
    caseId: string,
    input: { kind: ReferralKind; agency?: string; status: ReferralStatus; outcome?: string },
  ): Promise<string> {
    problemsOf(
      input.agency !== undefined ? textProblems('agency', input.agency, DESK_LIMITS.agency, false) : [],
      input.outcome !== undefined ? textProblems('outcome', input.outcome, DESK_LIMITS.outcome, false) : [],
    );
    return this.db.transaction().execute(async (trx) => {
      HelplineService.refuseIfClosed(await this.lockCase(trx, caseId));
      const id = randomUUID();
      await trx
        .insertInto('helpline_referral')
        .values({
          id,
          case_id: caseId,
          kind: input.kind,
          status: input.status,
          created_by: actor.accountId,
          updated_at: this.clock(),
          created_at: this.clock(),
          agency_sealed: input.agency?.trim()
            ? this.seal(input.agency.trim(), 'helpline_referral.agency', id)
            : null,
          outcome_sealed: input.outcome?.trim()
            ? this.seal(input.outcome.trim(), 'helpline_referral.outcome', id)
            : null,
        })
        .execute();
      await recordAudit(trx, {
        event: 'helpline.referral_created',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { kind: input.kind },
      });
      return id;
    });
  }

  async updateReferral(
    actor: DeskActor,
    caseId: string,
    referralId: string,
    input: { status: ReferralStatus; outcome?: string },
  ): Promise<void> {
    problemsOf(
      input.outcome !== undefined ? textProblems('outcome', input.outcome, DESK_LIMITS.outcome, false) : [],
    );
    await this.db.transaction().execute(async (trx) => {
      await this.lockCase(trx, caseId);
      const updated = await trx
        .updateTable('helpline_referral')
        .set({
          status: input.status,
          updated_at: this.clock(),
          ...(input.outcome !== undefined
            ? {
                outcome_sealed: input.outcome.trim()
                  ? this.seal(input.outcome.trim(), 'helpline_referral.outcome', referralId)
                  : null,
              }
            : {}),
        })
        .where('id', '=', referralId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw new AppError('NOT_FOUND');
      await recordAudit(trx, {
        event: 'helpline.referral_updated',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { status: input.status },
      });
    });
  }

  // ---- Mandatory report (ADVL 14, 35; MPL 11) ----

  /**
   * Record the report made to the police about a minor. The organisation is on record as the reporter; the
   * person who made it is sealed and appears only in the audit trail (ADVL 14: reporter kept confidential).
   */
  async recordMandatoryReport(
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
      input.reportedAt.getTime() > this.clock().getTime() + 5 * 60_000
        ? [{ field: 'reportedAt', message: 'helpline.validation.future' }]
        : [],
    );
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      if (!mandatoryReportApplies(row))
        throw new AppError('CONFLICT', { fields: [{ field: 'case', message: 'helpline.report.notMinor' }] });
      const id = randomUUID();
      await trx
        .insertInto('helpline_mandatory_report')
        .values({
          id,
          case_id: caseId,
          reported_at: input.reportedAt,
          channel: input.channel,
          reporter_sealed: this.seal(
            JSON.stringify({ accountId: actor.accountId }),
            'helpline_mandatory_report.reporter',
            id,
          ),
          police_station_sealed: this.seal(
            input.policeStation.trim(),
            'helpline_mandatory_report.police_station',
            id,
          ),
          reference_sealed: input.reference?.trim()
            ? this.seal(input.reference.trim(), 'helpline_mandatory_report.reference', id)
            : null,
          details_sealed: input.details?.trim()
            ? this.seal(input.details.trim(), 'helpline_mandatory_report.details', id)
            : null,
        })
        .execute();
      await recordAudit(trx, {
        event: 'helpline.mandatory_report',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { channel: input.channel },
      });
      return id;
    });
  }

  // ---- Closing ----

  /** Close with an outcome. A minor's case cannot close before the mandatory report is on record. */
  async close(
    actor: DeskActor,
    caseId: string,
    input: { outcome: ClosingOutcome; note?: string },
  ): Promise<void> {
    problemsOf(input.note !== undefined ? textProblems('note', input.note, DESK_LIMITS.outcome, false) : []);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.lockCase(trx, caseId);
      HelplineService.refuseIfClosed(row);
      if (mandatoryReportApplies(row)) {
        if (!(await hasMandatoryReport(trx, caseId)))
          throw new AppError('CONFLICT', {
            fields: [{ field: 'outcome', message: 'helpline.close.reportFirst' }],
          });
      }
      await trx
        .updateTable('helpline_case')
        .set({
          status: 'closed',
          closed_at: this.clock(),
          closing_outcome: input.outcome,
          closing_note_sealed: input.note?.trim()
            ? this.seal(input.note.trim(), 'helpline_case.closing_note', caseId)
            : null,
        })
        .where('id', '=', caseId)
        .execute();
      await recordAudit(trx, {
        event: 'helpline.case_closed',
        actor: actor.audit,
        record: { type: 'helpline_case', id: caseId },
        details: { outcome: input.outcome },
      });
    });
  }

  // ---- Duty roster ----

  async shiftsBetween(organisationId: string, from: Date, to: Date): Promise<DutyShift[]> {
    const rows = await listShifts(this.db, from, to, organisationId);
    const names = await staffNames(this.db, organisationId, [...new Set(rows.map((r) => r.account_id))]);
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      name: names.get(r.account_id) ?? '',
      startsAt: r.starts_at,
      endsAt: r.ends_at,
    }));
  }

  async onDutyNow(organisationId: string): Promise<DutyShift[]> {
    const now = this.clock();
    return (await this.shiftsBetween(organisationId, now, new Date(now.getTime() + 1))).filter(
      (s) => s.startsAt <= now && s.endsAt > now,
    );
  }

  /** Add a shift (China-time day and hours; `to` of 24:00 ends at midnight). */
  async addShift(
    actor: DeskActor,
    input: { accountId: string; date: string; from: string; to: string },
  ): Promise<string> {
    const startsAt = chinaInstant(input.date, input.from);
    const endsAt =
      input.to === '24:00'
        ? new Date(chinaInstant(input.date, '00:00').getTime() + 24 * 60 * 60_000)
        : chinaInstant(input.date, input.to);
    const problems: FieldProblem[] = [];
    if (Number.isNaN(startsAt.getTime())) problems.push({ field: 'date', message: 'validation.invalid' });
    if (!(endsAt.getTime() > startsAt.getTime()))
      problems.push({ field: 'to', message: 'helpline.validation.timeOrder' });
    const staff = await listDeskStaff(this.db, actor.organisationId);
    if (!staff.some((s) => s.id === input.accountId))
      problems.push({ field: 'accountId', message: 'validation.choice' });
    problemsOf(problems);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('helpline_duty_shift')
        .values({
          id,
          organisation_id: actor.organisationId,
          account_id: input.accountId,
          starts_at: startsAt,
          ends_at: endsAt,
          created_by: actor.accountId,
        })
        .execute();
      await recordAudit(trx, {
        event: 'helpline.shift_added',
        actor: actor.audit,
        record: { type: 'helpline_duty_shift', id },
        details: {},
      });
    });
    return id;
  }

  async removeShift(actor: DeskActor, shiftId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('helpline_duty_shift')
        .where('id', '=', shiftId)
        .where('organisation_id', '=', actor.organisationId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw new AppError('NOT_FOUND');
      await recordAudit(trx, {
        event: 'helpline.shift_removed',
        actor: actor.audit,
        record: { type: 'helpline_duty_shift', id: shiftId },
        details: {},
      });
    });
  }

  /**
   * The hotline's hours for the portal: every NGO's shifts for the coming `days` days (China time), merged,
   * and whether someone is on duty now. Says nothing about who.
   */
  async dutyHours(days = 7): Promise<{ onDutyNow: boolean; today: string; days: DutyDay[] }> {
    const now = this.clock();
    const from = chinaInstant(chinaDate(now), '00:00');
    const to = new Date(from.getTime() + days * 24 * 60 * 60_000);
    const rows = await listShifts(this.db, from, to);
    const shifts = rows.map((r) => ({ startsAt: r.starts_at, endsAt: r.ends_at }));
    return {
      onDutyNow: shifts.some((s) => s.startsAt <= now && s.endsAt > now),
      today: chinaDate(now),
      days: dutyDays(shifts, now, days),
    };
  }
}

type CallRow = {
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

function summariseContact(contact: ContactRules, noGuardianContact: boolean): ContactSummary {
  return {
    channel: contact.channel,
    windows: contact.windows,
    hasCodeWord: Boolean(contact.codeWord),
    noVoicemail: contact.noVoicemail,
    noSms: contact.noSms,
    noGuardianContact,
  };
}
