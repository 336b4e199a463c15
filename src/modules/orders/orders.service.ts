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
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import './orders.audit.ts';
import type { ProtectionOrderTable } from './orders.tables.ts';
import {
  EXPIRY_REMINDER_DAYS,
  DAY_MS,
  MEASURES,
  WARNING_FOLLOW_UP_DAYS,
  applicationProblems,
  caseNumber,
  chinaDate,
  chineseDate,
  clockState,
  decisionProblems,
  extensionStart,
  orderValidUntil,
  reconsiderationClosesAt,
  rulingDeadline,
  rulingWarningAt,
  servingOrganisation,
  timeLeft,
  venueRegion,
  violationDecisionProblems,
  type ApplicationInput,
  type ApplicationStatus,
  type ClockState,
  type DecisionInput,
  type Measure,
  type ServiceMethod,
  type ServiceParty,
  type ViolationDecisionInput,
} from './orders.model.ts';
import { EvidenceConsents, type ConsentDeps } from './orders.consent.ts';
import { renderOrderPdf, type OrderCopy } from './orders.pdf.ts';
import { raiseWebhookEvent } from '../webhooks/webhooks.events.ts';
import {
  evidenceIntegrity,
  helpCaseOwnerRef,
  type EvidenceIntegrity,
  type OrganisationDirectory,
  type OrdersEvidenceSource,
} from './orders.seams.ts';

type Executor = Db | Transaction<Database>;

export const NOTIFY_TOPIC = 'orders.notify';
export const CLOCK_TOPIC = 'orders.clock-sweep';

/** Who is acting: the audit actor plus a reference stored on records (`staff:<id>`, `survivor`, `system`). */
export interface OrdersActor {
  audit: AuditActor;
  ref: string;
  accountId: string | null;
}

export interface OrdersDeps {
  db: Db;
  keyring: Keyring;
  publicUrl: string;
  organisations: OrganisationDirectory;
  /** The evidence vault, looked up when needed (it may register after this module). */
  evidence: () => OrdersEvidenceSource | undefined;
  isRegion: (code: string) => boolean;
  /** Her thread, where she is asked before NGO-chosen evidence goes to a court (the help module's seam). */
  postToThread?: ConsentDeps['postToThread'];
  now?: () => Date;
}

export interface DocketRow {
  id: string;
  caseNumber: string | null;
  status: ApplicationStatus;
  urgent: boolean;
  channel: string;
  submittedAt: Date | null;
  acceptedAt: Date | null;
  rulingDueAt: Date | null;
  clock: ClockState | null;
  timeLeft: { overdue: boolean; hours: number; minutes: number } | null;
  reviewsDone: number;
  reviewsTotal: number;
}

export interface TimelineEntry {
  kind: string;
  at: Date;
  details: Record<string, unknown>;
}

const ctx = (table: string, column: string, id: string): string => `${table}.${column}:${id}`;

export class OrdersService {
  now: () => Date;
  private readonly db: Db;
  /** Her per-item consent before NGO-chosen evidence reaches a court. */
  readonly consents: EvidenceConsents;

  constructor(private readonly deps: OrdersDeps) {
    this.db = deps.db;
    this.now = deps.now ?? (() => new Date());
    this.consents = new EvidenceConsents({
      db: deps.db,
      evidence: deps.evidence,
      postToThread:
        deps.postToThread ??
        (() => {
          throw new Error('orders: no thread to ask her in (postToThread not given)');
        }),
    });
  }

  private seal(value: string, table: string, column: string, id: string): Buffer {
    return this.deps.keyring.sealText(value, ctx(table, column, id));
  }

  private open(value: Buffer, table: string, column: string, id: string): string {
    return this.deps.keyring.openText(value, ctx(table, column, id));
  }

  particularsOf(row: { id: string; particulars: Buffer }): ApplicationInput {
    return JSON.parse(
      this.open(row.particulars, 'order_application', 'particulars', row.id),
    ) as ApplicationInput;
  }

  problems(input: ApplicationInput): FieldProblem[] {
    return applicationProblems(input, this.deps.isRegion, chinaDate(this.now()));
  }

  private async event(
    trx: Executor,
    applicationId: string,
    kind: string,
    actorRef: string,
    details: Record<string, unknown> = {},
    visible = true,
  ): Promise<void> {
    await trx
      .insertInto('order_event')
      .values({
        application_id: applicationId,
        kind,
        at: this.now(),
        actor_ref: actorRef,
        details: JSON.stringify(details),
        visible_to_applicant: visible,
      })
      .execute();
  }

  private async notify(
    trx: Executor,
    applicationId: string,
    recipient: 'applicant' | 'court' | 'police' | 'committee' | 'respondent',
    template: string,
    channels: ('in_app' | 'sms' | 'email')[] = ['in_app'],
  ): Promise<void> {
    for (const channel of channels) {
      const id = randomUUID();
      await trx
        .insertInto('order_notification')
        .values({
          id,
          application_id: applicationId,
          recipient,
          channel,
          template,
          status: 'pending',
          attempts: 0,
        })
        .execute();
      await addToOutbox(trx, NOTIFY_TOPIC, { notificationId: id });
    }
  }

  // ------------------------------------------------------------------ applications

  private async load(trx: Executor, id: string, lock = false) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND');
    let query = trx.selectFrom('order_application').selectAll().where('id', '=', id);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  private normalise(input: ApplicationInput): ApplicationInput {
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
  async saveDraft(
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
    const data = this.normalise(input);
    const id = origin.id ?? randomUUID();
    const values = {
      particulars: this.seal(JSON.stringify(data), 'order_application', 'particulars', id),
      relationship: data.relationship ?? null,
      proxy_kind: data.proxy?.kind ?? null,
      measures: (data.measures ?? []).filter((m) => (MEASURES as readonly string[]).includes(m)),
      urgent: data.urgent === true,
      venue_basis: data.venueBasis ?? 'applicant',
      evidence_ids: data.evidenceIds ?? [],
      consent_online: data.consentOnline === true,
      consent_electronic_service: data.consentElectronicService === true,
      updated_at: this.now(),
    };
    const problems = this.problems(data);
    await this.db.transaction().execute(async (trx) => {
      if (origin.id) {
        const row = await this.load(trx, origin.id, true);
        if (row.status !== 'draft' && row.status !== 'returned') throw new AppError('CONFLICT');
        await trx.updateTable('order_application').set(values).where('id', '=', id).execute();
      } else {
        await trx
          .insertInto('order_application')
          .values({
            id,
            status: 'draft',
            channel: origin.channel,
            help_request_id: origin.helpRequestId ?? null,
            origin_case_ref: origin.originCaseRef ?? null,
            evidence_owner_ref: origin.evidenceOwnerRef ?? null,
            created_by: actor.accountId,
            ...values,
          })
          .execute();
      }
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
  async getDraft(id: string): Promise<{
    id: string;
    status: ApplicationStatus;
    input: ApplicationInput;
    problems: FieldProblem[];
    helpRequestId: string | null;
    courtNote: string | null;
  }> {
    const row = await this.load(this.db, id);
    const input = this.particularsOf(row);
    return {
      id,
      status: row.status,
      input,
      problems: this.problems(input),
      helpRequestId: row.help_request_id,
      courtNote: row.court_note ? this.open(row.court_note, 'order_application', 'court_note', id) : null,
    };
  }

  /** The competent court for an application (ADVL 25): the court serving the chosen place. */
  async competentCourt(
    input: ApplicationInput,
  ): Promise<{ id: string; name: string; regionCode: string } | undefined> {
    const place = venueRegion(input);
    if (!place) return undefined;
    return servingOrganisation(await this.deps.organisations.servingPlace('court', place), place);
  }

  /** Evidence may only come from her own vault (the owner this application was started for). */
  private async foreignEvidence(ownerRef: string | null, ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return false;
    const source = this.deps.evidence();
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
  async submit(actor: OrdersActor, id: string): Promise<{ courtId: string; courtName: string }> {
    const filed = await this.db.transaction().execute(async (trx) => {
      const row = await this.load(trx, id, true);
      if (row.status !== 'draft' && row.status !== 'returned') throw new AppError('CONFLICT');
      const input = this.particularsOf(row);
      const problems = this.problems(input);
      if (
        !problems.some((p) => p.field === 'evidenceIds') &&
        (await this.foreignEvidence(row.evidence_owner_ref, row.evidence_ids))
      )
        problems.push({ field: 'evidenceIds', message: 'orders.problem.evidence' });
      if (problems.length) throw new AppError('VALIDATION', { fields: problems });
      // A returned application goes back to the court that returned it; a new one to the competent court.
      const court =
        row.status === 'returned' && row.court_id
          ? await this.deps.organisations.get(row.court_id)
          : await this.competentCourt(input);
      if (!court)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'venueBasis', message: 'orders.problem.noCourt' }],
        });
      // An NGO chose these files from her vault: each goes to the court only with her answer, and only if she allowed it.
      let evidenceIds = row.evidence_ids;
      if (row.channel === 'ngo' && evidenceIds.length > 0) {
        const answers = new Map(
          (await this.consents.forApplication(trx, id)).map((c) => [c.evidenceId, c.answer]),
        );
        const unasked = evidenceIds.filter((e) => !answers.has(e));
        if (unasked.length > 0 || evidenceIds.some((e) => answers.get(e) === null))
          return { waiting: unasked, helpRequestId: row.help_request_id } as const;
        evidenceIds = evidenceIds.filter((e) => answers.get(e) === 'allowed');
      }
      await trx
        .updateTable('order_application')
        .set({
          status: 'submitted',
          court_id: court.id,
          court_region_code: court.regionCode,
          venue_region_code: venueRegion(input) ?? null,
          submitted_at: this.now(),
          updated_at: this.now(),
          // What the court receives names only the items she allowed.
          ...(evidenceIds.length !== row.evidence_ids.length
            ? {
                evidence_ids: evidenceIds,
                particulars: this.seal(
                  JSON.stringify({ ...input, evidenceIds }),
                  'order_application',
                  'particulars',
                  id,
                ),
              }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      await this.event(trx, id, 'received', actor.ref, { resubmitted: row.status === 'returned' });
      await this.notify(trx, id, 'court', 'application_received');
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
        await this.consents.ask({
          applicationId: id,
          helpRequestId: filed.helpRequestId,
          evidenceIds: filed.waiting,
          askedBy: actor.ref,
          audit: actor.audit,
        });
      throw new AppError('CONSENT_PENDING');
    }
    const source = this.deps.evidence();
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
  async startApplicationFromCase(input: {
    caseId: string;
    helpRequestId: string | null;
    organisationId: string;
    staffAccountId: string;
    application?: ApplicationInput;
    audit?: AuditActor;
  }): Promise<{ id: string; href: string; problems: FieldProblem[] }> {
    const audit: AuditActor = input.audit ?? {
      accountId: input.staffAccountId,
      roles: [],
      organisationId: input.organisationId,
      ip: null,
      userAgent: null,
    };
    const result = await this.saveDraft(
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
  async applicationsForHelpRequest(
    helpRequestId: string,
  ): Promise<{ id: string; status: ApplicationStatus; caseNumber: string | null; createdAt: Date }[]> {
    const rows = await this.db
      .selectFrom('order_application')
      .select(['id', 'status', 'case_number', 'created_at'])
      .where('help_request_id', '=', helpRequestId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      caseNumber: r.case_number,
      createdAt: r.created_at,
    }));
  }

  // ------------------------------------------------------------------ docket and clock

  /**
   * A court's docket: accepted applications by time left (soonest deadline first), then those waiting for
   * acceptance, oldest first. Bounded; one indexed query.
   */
  async listDocket(courtId: string, options: { limit?: number } = {}): Promise<DocketRow[]> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('order_application as a')
      .select([
        'a.id',
        'a.case_number',
        'a.status',
        'a.urgent',
        'a.channel',
        'a.submitted_at',
        'a.accepted_at',
        'a.ruling_due_at',
      ])
      // Both review counts from one pass over the (few) tasks of each row.
      .select(
        sql<string>`(select count(*) filter (where t.status = 'submitted') || '/' || count(*) from order_review_task t where t.application_id = a.id)`.as(
          'reviews',
        ),
      )
      .where('a.court_id', '=', courtId)
      .where('a.status', 'in', ['submitted', 'accepted'])
      .orderBy(sql`a.ruling_due_at asc nulls last`)
      .orderBy('a.submitted_at')
      .limit(options.limit ?? 200)
      .execute();
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

  private async nextCaseNumber(
    trx: Transaction<Database>,
    courtId: string,
    courtRegion: string,
  ): Promise<string> {
    const year = Number(chinaDate(this.now()).slice(0, 4));
    const row = await trx
      .insertInto('order_case_counter')
      .values({ court_id: courtId, year, last: 1 })
      .onConflict((oc) =>
        oc.columns(['court_id', 'year']).doUpdateSet({ last: sql`order_case_counter.last + 1` }),
      )
      .returning('last')
      .executeTakeFirstOrThrow();
    return caseNumber(year, courtRegion, row.last);
  }

  /**
   * Accept (立案): the clock starts (72 h, 24 h when urgent), a case number is given, and review tasks go to
   * the police station and the women's federation (and residents' committee, where one is on Anxin) serving
   * the area, in parallel.
   */
  async accept(
    actor: OrdersActor,
    id: string,
    options: { urgent?: boolean } = {},
  ): Promise<{ caseNumber: string; rulingDueAt: Date; reviewTasks: number }> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.load(trx, id, true);
      if (row.status !== 'submitted' || !row.court_id || !row.court_region_code)
        throw new AppError('CONFLICT');
      const urgent = options.urgent ?? row.urgent;
      const acceptedAt = this.now();
      const due = rulingDeadline(acceptedAt, urgent);
      const number = await this.nextCaseNumber(trx, row.court_id, row.court_region_code);
      await trx
        .updateTable('order_application')
        .set({
          status: 'accepted',
          urgent,
          case_number: number,
          accepted_at: acceptedAt,
          ruling_due_at: due,
          updated_at: acceptedAt,
        })
        .where('id', '=', id)
        .execute();
      const place = row.venue_region_code ?? row.court_region_code;
      let tasks = 0;
      for (const [agency, kind] of [
        ['police', 'police_station'],
        ['federation', 'womens_federation'],
        ['committee', 'community_committee'],
      ] as const) {
        const org = servingOrganisation(await this.deps.organisations.servingPlace(kind, place), place);
        if (!org) continue;
        await trx
          .insertInto('order_review_task')
          .values({
            id: randomUUID(),
            application_id: id,
            agency,
            organisation_id: org.id,
            organisation_region_code: org.regionCode,
            status: 'open',
          })
          .execute();
        await this.notify(trx, id, agency === 'police' ? 'police' : 'committee', 'review_requested');
        tasks += 1;
      }
      await this.event(trx, id, 'accepted', actor.ref, { urgent, rulingDueAt: due.toISOString() });
      await this.event(trx, id, 'in_review', actor.ref, { tasks });
      await this.notify(
        trx,
        id,
        'applicant',
        'application_accepted',
        this.applicantChannels(row.consent_electronic_service),
      );
      await recordAudit(trx, {
        event: 'orders.application_accepted',
        actor: actor.audit,
        record: { type: 'order_application', id },
        details: { urgent },
      });
      await raiseWebhookEvent(trx, 'application.accepted', {
        organisationIds: await this.webhookOrganisations(trx, id),
        applicationId: id,
        details: { urgent },
      });
      return { caseNumber: number, rulingDueAt: due, reviewTasks: tasks };
    });
  }

  /** Whose systems hear of an application's events: its court and the agencies reviewing it (webhooks). */
  private async webhookOrganisations(trx: Executor, applicationId: string): Promise<string[]> {
    const court = await trx
      .selectFrom('order_application')
      .select('court_id')
      .where('id', '=', applicationId)
      .executeTakeFirst();
    const agencies = await trx
      .selectFrom('order_review_task')
      .select('organisation_id')
      .where('application_id', '=', applicationId)
      .execute();
    return [court?.court_id ?? '', ...agencies.map((a) => a.organisation_id)].filter(Boolean);
  }

  private applicantChannels(electronic: boolean): ('in_app' | 'sms' | 'email')[] {
    // Electronic service and SMS only with her consent (OLR 29–30); in-app always (behind her case code and secret).
    return electronic ? ['in_app', 'sms'] : ['in_app'];
  }

  /** Return for more information: she sees the court's note and can complete and resubmit. */
  async returnForInformation(actor: OrdersActor, id: string, reason: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.load(trx, id, true);
      if (row.status !== 'submitted') throw new AppError('CONFLICT');
      await trx
        .updateTable('order_application')
        .set({
          status: 'returned',
          court_note: this.seal(reason.trim(), 'order_application', 'court_note', id),
          updated_at: this.now(),
        })
        .where('id', '=', id)
        .execute();
      await this.event(trx, id, 'returned', actor.ref);
      await this.notify(
        trx,
        id,
        'applicant',
        'application_returned',
        this.applicantChannels(row.consent_electronic_service),
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
  async transfer(
    actor: OrdersActor,
    id: string,
    toCourtId: string,
    reason: string,
  ): Promise<{ courtName: string }> {
    const court = await this.deps.organisations.get(toCourtId);
    if (!court || court.kind !== 'court')
      throw new AppError('VALIDATION', { fields: [{ field: 'toCourtId', message: 'orders.problem.court' }] });
    return this.db.transaction().execute(async (trx) => {
      const row = await this.load(trx, id, true);
      if (row.status !== 'submitted' || !row.court_id) throw new AppError('CONFLICT');
      if (row.court_id === court.id)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'toCourtId', message: 'orders.problem.sameCourt' }],
        });
      await trx
        .updateTable('order_application')
        .set({
          court_id: court.id,
          court_region_code: court.regionCode,
          court_note: this.seal(reason.trim(), 'order_application', 'court_note', id),
          updated_at: this.now(),
        })
        .where('id', '=', id)
        .execute();
      await this.event(trx, id, 'transferred', actor.ref, { courtName: court.name });
      await this.notify(trx, id, 'court', 'application_received');
      await recordAudit(trx, {
        event: 'orders.application_transferred',
        actor: actor.audit,
        record: { type: 'order_application', id },
        details: { fromCourtId: row.court_id, toCourtId: court.id },
      });
      return { courtName: court.name };
    });
  }

  // ------------------------------------------------------------------ review

  async listReviewTasks(organisationId: string): Promise<
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
    const rows = await this.db
      .selectFrom('order_review_task as t')
      .innerJoin('order_application as a', 'a.id', 't.application_id')
      .select([
        't.id',
        't.application_id',
        'a.case_number',
        't.agency',
        't.status',
        'a.urgent',
        'a.ruling_due_at',
        't.created_at',
      ])
      .where('t.organisation_id', '=', organisationId)
      .where('a.status', '=', 'accepted')
      .orderBy(sql`t.status = 'submitted'`)
      .orderBy(sql`a.ruling_due_at asc nulls last`)
      .limit(200)
      .execute();
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
  async reviewTaskView(taskId: string) {
    const task = await this.db
      .selectFrom('order_review_task')
      .selectAll()
      .where('id', '=', taskId)
      .executeTakeFirst();
    if (!task) throw new AppError('NOT_FOUND');
    const app = await this.load(this.db, task.application_id);
    const input = this.particularsOf(app);
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
        ? this.open(task.request_note, 'order_review_task', 'request_note', task.id)
        : null,
      opinion: task.opinion ? this.open(task.opinion, 'order_review_task', 'opinion', task.id) : null,
      recommendation: task.recommendation,
      verification: task.verification,
    };
  }

  /** Police verification or a federation/committee opinion. */
  async submitAgencyOpinion(
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
    await this.db.transaction().execute(async (trx) => {
      const task = await trx
        .selectFrom('order_review_task')
        .selectAll()
        .where('id', '=', taskId)
        .forUpdate()
        .executeTakeFirst();
      if (!task) throw new AppError('NOT_FOUND');
      const app = await this.load(trx, task.application_id);
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
      await trx
        .updateTable('order_review_task')
        .set({
          status: 'submitted',
          opinion: this.seal(input.opinion.trim(), 'order_review_task', 'opinion', taskId),
          recommendation: input.recommendation,
          verification: verification ? JSON.stringify(verification) : null,
          submitted_by: actor.accountId,
          submitted_at: this.now(),
        })
        .where('id', '=', taskId)
        .execute();
      await this.event(
        trx,
        task.application_id,
        'opinion_submitted',
        actor.ref,
        { agency: task.agency },
        false,
      );
      await this.notify(trx, task.application_id, 'court', 'opinion_submitted');
      await recordAudit(trx, {
        event: 'orders.review_submitted',
        actor: actor.audit,
        record: { type: 'order_application', id: task.application_id },
        details: { agency: task.agency },
      });
    });
  }

  /** The judge asks an agency (or the applicant) for more. */
  async requestMore(
    actor: OrdersActor,
    applicationId: string,
    from: 'police' | 'federation' | 'committee' | 'applicant',
    note: string,
  ): Promise<void> {
    if (!note.trim())
      throw new AppError('VALIDATION', { fields: [{ field: 'note', message: 'orders.problem.note' }] });
    await this.db.transaction().execute(async (trx) => {
      const app = await this.load(trx, applicationId, true);
      if (app.status !== 'accepted') throw new AppError('CONFLICT');
      if (from === 'applicant') {
        await trx
          .updateTable('order_application')
          .set({ court_note: this.seal(note.trim(), 'order_application', 'court_note', applicationId) })
          .where('id', '=', applicationId)
          .execute();
        await this.event(trx, applicationId, 'more_requested', actor.ref, { from });
        await this.notify(
          trx,
          applicationId,
          'applicant',
          'more_requested',
          this.applicantChannels(app.consent_electronic_service),
        );
      } else {
        const task = await trx
          .selectFrom('order_review_task')
          .select('id')
          .where('application_id', '=', applicationId)
          .where('agency', '=', from)
          .executeTakeFirst();
        if (!task)
          throw new AppError('VALIDATION', {
            fields: [{ field: 'from', message: 'orders.problem.noAgency' }],
          });
        await trx
          .updateTable('order_review_task')
          .set({
            status: 'more_requested',
            request_note: this.seal(note.trim(), 'order_review_task', 'request_note', task.id),
          })
          .where('id', '=', task.id)
          .execute();
        await this.event(trx, applicationId, 'more_requested', actor.ref, { from }, false);
        await this.notify(trx, applicationId, from === 'police' ? 'police' : 'committee', 'more_requested');
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
  async recordQuestioning(
    actor: OrdersActor,
    applicationId: string,
    input: { channel: string; questionedAt: Date; responded: boolean; answer?: string },
  ): Promise<void> {
    if (input.responded && !input.answer?.trim())
      throw new AppError('VALIDATION', { fields: [{ field: 'answer', message: 'orders.problem.answer' }] });
    if (
      Number.isNaN(input.questionedAt.getTime()) ||
      input.questionedAt.getTime() > this.now().getTime() + 5 * 60_000
    )
      throw new AppError('VALIDATION', {
        fields: [{ field: 'questionedAt', message: 'orders.problem.futureDate' }],
      });
    await this.db.transaction().execute(async (trx) => {
      const app = await this.load(trx, applicationId, true);
      if (app.status !== 'accepted') throw new AppError('CONFLICT');
      const id = randomUUID();
      await trx
        .insertInto('order_questioning')
        .values({
          id,
          application_id: applicationId,
          channel: input.channel,
          questioned_at: input.questionedAt,
          responded: input.responded,
          answer:
            input.responded && input.answer
              ? this.seal(input.answer.trim(), 'order_questioning', 'answer', id)
              : null,
          recorded_by: actor.accountId ?? '',
        })
        .execute();
      await this.event(
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
  async reviewView(applicationId: string) {
    const app = await this.load(this.db, applicationId);
    const input = this.particularsOf(app);
    const now = this.now();
    const [tasks, questioning, order, timeline] = await Promise.all([
      this.db
        .selectFrom('order_review_task')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('agency')
        .execute(),
      this.db
        .selectFrom('order_questioning')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('questioned_at')
        .execute(),
      this.db
        .selectFrom('protection_order')
        .selectAll()
        .where('application_id', '=', applicationId)
        .executeTakeFirst(),
      this.timeline(applicationId, { all: true }),
    ]);
    const warnings = app.help_request_id
      ? await this.db
          .selectFrom('police_warning')
          .select(['id', 'warning_number', 'issued_at', 'organisation_id'])
          .where('help_request_id', '=', app.help_request_id)
          .orderBy('issued_at')
          .execute()
      : [];
    const evidence: EvidenceIntegrity[] = [];
    const source = this.deps.evidence();
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
      courtNote: app.court_note ? this.open(app.court_note, 'order_application', 'court_note', app.id) : null,
      reviews: tasks.map((t) => ({
        id: t.id,
        agency: t.agency,
        status: t.status,
        organisationId: t.organisation_id,
        opinion: t.opinion ? this.open(t.opinion, 'order_review_task', 'opinion', t.id) : null,
        recommendation: t.recommendation,
        verification: t.verification,
        submittedAt: t.submitted_at,
      })),
      questioning: questioning.map((q) => ({
        channel: q.channel,
        questionedAt: q.questioned_at,
        responded: q.responded,
        answer: q.answer ? this.open(q.answer, 'order_questioning', 'answer', q.id) : null,
      })),
      evidence,
      warnings: warnings.map((w) => ({ id: w.id, number: w.warning_number, issuedAt: w.issued_at })),
      order: order ? await this.orderSummary(order) : null,
      timeline,
    };
  }

  // ------------------------------------------------------------------ decision and order

  /**
   * Grant with measures, validity (≤ 6 months) and terms, or reject with reasons. A grant creates the order
   * with an unguessable check token, service tasks for respondent, applicant, police and committee, and
   * notifications through the outbox.
   */
  async decide(
    actor: OrdersActor,
    applicationId: string,
    input: DecisionInput,
  ): Promise<{ orderId: string | null; caseNumber: string }> {
    const now = this.now();
    const problems = decisionProblems(input, now);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    return this.db.transaction().execute(async (trx) => {
      const app = await this.load(trx, applicationId, true);
      if (app.status !== 'accepted' || !app.case_number || !app.court_id || !app.court_region_code)
        throw new AppError('CONFLICT');
      if (input.outcome === 'reject') {
        await trx
          .updateTable('order_application')
          .set({
            status: 'rejected',
            decided_at: now,
            court_note: this.seal(
              (input.reasons ?? '').trim(),
              'order_application',
              'court_note',
              applicationId,
            ),
            updated_at: now,
          })
          .where('id', '=', applicationId)
          .execute();
        await this.event(trx, applicationId, 'rejected', actor.ref);
        await this.notify(
          trx,
          applicationId,
          'applicant',
          'decided',
          this.applicantChannels(app.consent_electronic_service),
        );
        await recordAudit(trx, {
          event: 'orders.decided',
          actor: actor.audit,
          record: { type: 'order_application', id: applicationId },
          details: { outcome: 'reject', measures: '' },
        });
        await raiseWebhookEvent(trx, 'application.decided', {
          organisationIds: [app.court_id],
          applicationId,
          details: { outcome: 'reject' },
        });
        return { orderId: null, caseNumber: app.case_number };
      }
      const orderId = randomUUID();
      const token = randomBytes(24).toString('base64url');
      const measures = [...new Set(input.measures ?? [])] as Measure[];
      const validUntil = orderValidUntil(input, now);
      if (!validUntil)
        throw new AppError('VALIDATION', {
          fields: [{ field: 'validUntil', message: 'orders.problem.validity', params: { months: 6 } }],
        });
      const terms = {
        otherMeasure: input.otherMeasure?.trim() || undefined,
        keepAwayMetres: input.keepAwayMetres,
        keepAwayPlaces: this.particularsOf(app).keepAwayPlaces,
        terms: input.terms?.trim() || undefined,
      };
      await trx
        .insertInto('protection_order')
        .values({
          id: orderId,
          application_id: applicationId,
          case_number: app.case_number,
          court_id: app.court_id,
          court_region_code: app.court_region_code,
          measures,
          terms: this.seal(JSON.stringify(terms), 'protection_order', 'terms', orderId),
          valid_from: now,
          valid_until: validUntil,
          status: 'in_force',
          check_token_hash: createHash('sha256').update(token).digest(),
          check_token: this.seal(token, 'protection_order', 'check_token', orderId),
          decided_by: actor.accountId ?? '',
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('order_application')
        .set({ status: 'granted', decided_at: now, updated_at: now })
        .where('id', '=', applicationId)
        .execute();
      for (const party of ['respondent', 'applicant', 'police', 'committee'] as const) {
        await trx
          .insertInto('order_service_task')
          .values({ id: randomUUID(), order_id: orderId, party, status: 'open' })
          .execute();
      }
      await this.event(trx, applicationId, 'granted', actor.ref, {
        measures,
        validUntil: validUntil.toISOString(),
      });
      await this.notify(
        trx,
        applicationId,
        'applicant',
        'decided',
        this.applicantChannels(app.consent_electronic_service),
      );
      await this.notify(trx, applicationId, 'police', 'order_issued');
      await this.notify(trx, applicationId, 'committee', 'order_issued');
      await recordAudit(trx, {
        event: 'orders.decided',
        actor: actor.audit,
        record: { type: 'order_application', id: applicationId },
        details: { outcome: 'grant', measures: measures.join(',') },
      });
      await raiseWebhookEvent(trx, 'application.decided', {
        organisationIds: await this.webhookOrganisations(trx, applicationId),
        applicationId,
        orderId,
        details: { outcome: 'grant' },
      });
      return { orderId, caseNumber: app.case_number };
    });
  }

  private async orderSummary(order: Selectable<ProtectionOrderTable>) {
    const now = this.now();
    const terms = JSON.parse(this.open(order.terms, 'protection_order', 'terms', order.id)) as {
      otherMeasure?: string;
      keepAwayMetres?: number;
      keepAwayPlaces?: string;
      terms?: string;
    };
    const [service, violations] = await Promise.all([
      this.db
        .selectFrom('order_service_task')
        .selectAll()
        .where('order_id', '=', order.id)
        .orderBy('party')
        .execute(),
      this.db
        .selectFrom('order_violation')
        .selectAll()
        .where('order_id', '=', order.id)
        .orderBy('created_at')
        .execute(),
    ]);
    return {
      id: order.id,
      caseNumber: order.case_number,
      measures: order.measures,
      terms,
      validFrom: order.valid_from,
      validUntil: order.valid_until,
      status: order.status,
      inForce: order.status === 'in_force' && order.valid_until.getTime() > now.getTime(),
      reconsiderationOpen:
        order.reconsideration_requested_at === null &&
        now.getTime() < reconsiderationClosesAt(order.valid_from).getTime(),
      reconsiderationOutcome: order.reconsideration_outcome,
      reconsiderationRequestedAt: order.reconsideration_requested_at,
      service: service.map((s) => ({
        id: s.id,
        party: s.party,
        status: s.status,
        method: s.method,
        servedAt: s.served_at,
        serverName: s.server_name
          ? this.open(s.server_name, 'order_service_task', 'server_name', s.id)
          : null,
      })),
      violations: violations.map((v) => ({
        id: v.id,
        reportedBy: v.reported_by,
        occurredOn: v.occurred_on,
        description: this.open(v.description, 'order_violation', 'description', v.id),
        evidenceIds: v.evidence_ids,
        status: v.status,
        outcome: v.outcome,
        fineYuan: v.fine_yuan,
        detentionDays: v.detention_days,
        reasons: v.reasons ? this.open(v.reasons, 'order_violation', 'reasons', v.id) : null,
        decidedAt: v.decided_at,
      })),
    };
  }

  async loadOrder(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND');
    const order = await this.db
      .selectFrom('protection_order')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!order) throw new AppError('NOT_FOUND');
    return order;
  }

  async orderForApplication(applicationId: string) {
    const order = await this.db
      .selectFrom('protection_order')
      .selectAll()
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return order ? this.orderSummary(order) : undefined;
  }

  checkUrl(token: string): string {
    return `${this.deps.publicUrl}/order-check/${token}`;
  }

  /** The order document for one recipient; the respondent's copy leaves out her address and phone. */
  async orderDocument(
    actor: OrdersActor,
    applicationId: string,
    copy: OrderCopy,
  ): Promise<{ pdf: Buffer; caseNumber: string }> {
    const app = await this.load(this.db, applicationId);
    const order = await this.db
      .selectFrom('protection_order')
      .selectAll()
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    if (!order) throw new AppError('NOT_FOUND');
    const court = await this.deps.organisations.get(order.court_id);
    const input = this.particularsOf(app);
    const terms = JSON.parse(this.open(order.terms, 'protection_order', 'terms', order.id)) as {
      otherMeasure?: string;
      keepAwayMetres?: number;
      keepAwayPlaces?: string;
      terms?: string;
    };
    const token = this.open(order.check_token, 'protection_order', 'check_token', order.id);
    const incidents = (input.incidents ?? []).filter((i) => i.date).map((i) => i.date ?? '');
    const facts = incidents.length
      ? `申请人陈述被申请人于${incidents
          .slice(0, 5)
          .map((d) => chineseDate(new Date(`${d}T04:00:00Z`)))
          .join('、')}实施家庭暴力行为，结合在案证据，`
      : '';
    const pdf = await renderOrderPdf({
      courtName: court?.name ?? '',
      caseNumber: order.case_number,
      applicant: {
        name: input.applicant?.name ?? '',
        gender: input.applicant?.gender,
        birthYear: input.applicant?.birthYear,
        address: input.applicant?.address,
      },
      respondent: {
        name: input.respondent?.name ?? '',
        gender: input.respondent?.gender,
        birthYear: input.respondent?.birthYear,
        idNumber: input.respondent?.idNumber,
        address: input.respondent?.address,
      },
      relationship: input.relationship ?? '',
      factsFound: facts,
      measures: order.measures as Measure[],
      otherMeasure: terms.otherMeasure,
      keepAwayMetres: terms.keepAwayMetres,
      keepAwayPlaces: terms.keepAwayPlaces,
      terms: terms.terms,
      validFrom: order.valid_from,
      validUntil: order.valid_until,
      checkUrl: this.checkUrl(token),
      copy,
    });
    await this.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'orders.document_issued',
        actor: actor.audit,
        record: { type: 'order_application', id: applicationId },
        details: { copy },
      }),
    );
    return { pdf, caseNumber: order.case_number };
  }

  /** The public check (from the QR code): only valid or not, until when, and the issuing court. */
  async verifyPublic(
    token: string,
  ): Promise<{ valid: boolean; validUntil: Date; courtName: string; status: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
    const order = await this.db
      .selectFrom('protection_order')
      .select(['court_id', 'valid_until', 'status'])
      .where('check_token_hash', '=', createHash('sha256').update(token).digest())
      .executeTakeFirst();
    if (!order) return undefined;
    const court = await this.deps.organisations.get(order.court_id);
    const valid = order.status === 'in_force' && order.valid_until.getTime() > this.now().getTime();
    return {
      valid,
      validUntil: order.valid_until,
      courtName: court?.name ?? '',
      status: valid ? 'in_force' : order.status === 'revoked' ? 'revoked' : 'expired',
    };
  }

  // ------------------------------------------------------------------ service

  async recordService(
    actor: OrdersActor,
    taskId: string,
    input: { method: ServiceMethod; servedAt: Date; serverName: string },
  ): Promise<{ applicationId: string; party: ServiceParty }> {
    if (!input.serverName.trim())
      throw new AppError('VALIDATION', {
        fields: [{ field: 'serverName', message: 'orders.problem.serverName' }],
      });
    if (
      Number.isNaN(input.servedAt.getTime()) ||
      input.servedAt.getTime() > this.now().getTime() + 5 * 60_000
    )
      throw new AppError('VALIDATION', {
        fields: [{ field: 'servedAt', message: 'orders.problem.futureDate' }],
      });
    return this.db.transaction().execute(async (trx) => {
      const task = await trx
        .selectFrom('order_service_task as s')
        .innerJoin('protection_order as o', 'o.id', 's.order_id')
        .select(['s.id', 's.party', 's.status', 'o.application_id'])
        .where('s.id', '=', taskId)
        .forUpdate('s')
        .executeTakeFirst();
      if (!task) throw new AppError('NOT_FOUND');
      if (task.status === 'done') throw new AppError('CONFLICT');
      await trx
        .updateTable('order_service_task')
        .set({
          status: 'done',
          method: input.method,
          served_at: input.servedAt,
          served_by: actor.accountId,
          server_name: this.seal(input.serverName.trim(), 'order_service_task', 'server_name', taskId),
        })
        .where('id', '=', taskId)
        .execute();
      await this.event(
        trx,
        task.application_id,
        'served',
        actor.ref,
        { party: task.party, method: input.method },
        task.party === 'respondent' || task.party === 'applicant',
      );
      await recordAudit(trx, {
        event: 'orders.service_recorded',
        actor: actor.audit,
        record: { type: 'order_application', id: task.application_id },
        details: { party: task.party, method: input.method },
      });
      return { applicationId: task.application_id, party: task.party };
    });
  }

  // ------------------------------------------------------------------ after the order

  /** ADVL 30: modify, extend or revoke on application before expiry. Extension keeps within 6 months of the change. */
  async modifyOrder(
    actor: OrdersActor,
    orderId: string,
    input: {
      change: 'modify' | 'extend' | 'revoke';
      measures?: string[];
      validUntil?: string;
      validMonths?: number;
      reasons: string;
    },
  ): Promise<void> {
    const now = this.now();
    if (!input.reasons.trim())
      throw new AppError('VALIDATION', { fields: [{ field: 'reasons', message: 'orders.problem.reasons' }] });
    await this.db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom('protection_order')
        .selectAll()
        .where('id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!order) throw new AppError('NOT_FOUND');
      if (order.status !== 'in_force' || order.valid_until.getTime() <= now.getTime())
        throw new AppError('CONFLICT');
      if (input.change === 'revoke') {
        await trx
          .updateTable('protection_order')
          .set({ status: 'revoked', updated_at: now })
          .where('id', '=', orderId)
          .execute();
        await this.event(trx, order.application_id, 'revoked', actor.ref);
      } else if (input.change === 'extend') {
        // An extension runs from the current end, not from today: the next period starts the day after it.
        const until = orderValidUntil(input, extensionStart(order.valid_until));
        if (!until || until.getTime() <= order.valid_until.getTime())
          throw new AppError('VALIDATION', {
            fields: [{ field: 'validUntil', message: 'orders.problem.validity', params: { months: 6 } }],
          });
        await trx
          .updateTable('protection_order')
          .set({ valid_until: until, updated_at: now })
          .where('id', '=', orderId)
          .execute();
        await this.event(trx, order.application_id, 'extended', actor.ref, {
          validUntil: until.toISOString(),
        });
      } else {
        const measures = [...new Set(input.measures ?? [])];
        if (measures.length === 0 || measures.some((m) => !(MEASURES as readonly string[]).includes(m)))
          throw new AppError('VALIDATION', {
            fields: [{ field: 'measures', message: 'orders.problem.measures' }],
          });
        await trx
          .updateTable('protection_order')
          .set({ measures, updated_at: now })
          .where('id', '=', orderId)
          .execute();
        await this.event(trx, order.application_id, 'modified', actor.ref, { measures });
      }
      await this.notify(trx, order.application_id, 'applicant', 'order_changed');
      await this.notify(trx, order.application_id, 'police', 'order_changed');
      await recordAudit(trx, {
        event: 'orders.order_changed',
        actor: actor.audit,
        record: { type: 'order_application', id: order.application_id },
        details: { change: input.change },
      });
    });
  }

  /** ADVL 31: reconsideration once, within 5 days of the ruling; the order stays in force meanwhile. */
  async requestReconsideration(actor: OrdersActor, orderId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom('protection_order')
        .selectAll()
        .where('id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!order) throw new AppError('NOT_FOUND');
      if (order.reconsideration_requested_at) throw new AppError('CONFLICT');
      if (this.now().getTime() >= reconsiderationClosesAt(order.valid_from).getTime())
        throw new AppError('VALIDATION', {
          fields: [{ field: 'orderId', message: 'orders.problem.reconsiderationClosed' }],
        });
      await trx
        .updateTable('protection_order')
        .set({ reconsideration_requested_at: this.now(), updated_at: this.now() })
        .where('id', '=', orderId)
        .execute();
      await this.event(trx, order.application_id, 'reconsideration_requested', actor.ref);
      await recordAudit(trx, {
        event: 'orders.reconsideration',
        actor: actor.audit,
        record: { type: 'order_application', id: order.application_id },
        details: { step: 'requested' },
      });
    });
  }

  async decideReconsideration(
    actor: OrdersActor,
    orderId: string,
    outcome: 'upheld' | 'revoked',
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom('protection_order')
        .selectAll()
        .where('id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!order) throw new AppError('NOT_FOUND');
      if (!order.reconsideration_requested_at || order.reconsideration_outcome)
        throw new AppError('CONFLICT');
      await trx
        .updateTable('protection_order')
        .set({
          reconsideration_outcome: outcome,
          ...(outcome === 'revoked' ? { status: 'revoked' as const } : {}),
          updated_at: this.now(),
        })
        .where('id', '=', orderId)
        .execute();
      await this.event(trx, order.application_id, 'reconsideration_decided', actor.ref, { outcome });
      await this.notify(trx, order.application_id, 'applicant', 'order_changed');
      await recordAudit(trx, {
        event: 'orders.reconsideration',
        actor: actor.audit,
        record: { type: 'order_application', id: order.application_id },
        details: { step: outcome },
      });
    });
  }

  /** A violation, reported by her (portal) or by police, with evidence. */
  async reportViolation(
    actor: OrdersActor,
    orderId: string,
    input: {
      reportedBy: 'survivor' | 'police';
      occurredOn: string;
      description: string;
      evidenceIds?: string[];
    },
  ): Promise<{ id: string }> {
    const problems: FieldProblem[] = [];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.occurredOn) || Number.isNaN(Date.parse(input.occurredOn)))
      problems.push({ field: 'occurredOn', message: 'orders.problem.incidentDate' });
    else if (input.occurredOn > chinaDate(this.now()))
      problems.push({ field: 'occurredOn', message: 'orders.problem.futureDate' });
    if (!input.description.trim())
      problems.push({ field: 'description', message: 'orders.problem.incidentDescription' });
    if (input.description.length > 4000)
      problems.push({ field: 'description', message: 'orders.problem.tooLong', params: { max: 4000 } });
    if ((input.evidenceIds ?? []).some((id) => !/^[0-9a-f-]{36}$/i.test(id)))
      problems.push({ field: 'evidenceIds', message: 'orders.problem.evidence' });
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    return this.db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom('protection_order')
        .selectAll()
        .where('id', '=', orderId)
        .executeTakeFirst();
      if (!order) throw new AppError('NOT_FOUND');
      if (order.status !== 'in_force' || order.valid_until.getTime() <= this.now().getTime())
        throw new AppError('CONFLICT');
      const id = randomUUID();
      await trx
        .insertInto('order_violation')
        .values({
          id,
          order_id: orderId,
          reported_by: input.reportedBy,
          reporter_ref: actor.ref,
          occurred_on: input.occurredOn,
          description: this.seal(input.description.trim(), 'order_violation', 'description', id),
          evidence_ids: [...new Set(input.evidenceIds ?? [])],
          status: 'reported',
        })
        .execute();
      await this.event(trx, order.application_id, 'violation_reported', actor.ref, {
        reportedBy: input.reportedBy,
      });
      await this.notify(trx, order.application_id, 'court', 'violation_reported');
      await this.notify(trx, order.application_id, 'police', 'violation_reported');
      await recordAudit(trx, {
        event: 'orders.violation_reported',
        actor: actor.audit,
        record: { type: 'order_application', id: order.application_id },
        details: { reportedBy: input.reportedBy },
      });
      await raiseWebhookEvent(trx, 'violation.reported', {
        organisationIds: await this.webhookOrganisations(trx, order.application_id),
        applicationId: order.application_id,
        orderId,
        violationId: id,
      });
      return { id };
    });
  }

  /** ADVL 34: the court's enforcement decision. */
  async decideViolation(
    actor: OrdersActor,
    violationId: string,
    input: ViolationDecisionInput,
  ): Promise<void> {
    const problems = violationDecisionProblems(input);
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    await this.db.transaction().execute(async (trx) => {
      const v = await trx
        .selectFrom('order_violation as v')
        .innerJoin('protection_order as o', 'o.id', 'v.order_id')
        .select(['v.id', 'v.status', 'o.application_id'])
        .where('v.id', '=', violationId)
        .forUpdate('v')
        .executeTakeFirst();
      if (!v) throw new AppError('NOT_FOUND');
      if (v.status !== 'reported') throw new AppError('CONFLICT');
      await trx
        .updateTable('order_violation')
        .set({
          status: 'decided',
          outcome: input.outcome,
          fine_yuan: input.outcome === 'fine' ? (input.fineYuan ?? null) : null,
          detention_days: input.outcome === 'detention' ? (input.detentionDays ?? null) : null,
          reasons: this.seal((input.reasons ?? '').trim(), 'order_violation', 'reasons', violationId),
          decided_by: actor.accountId,
          decided_at: this.now(),
        })
        .where('id', '=', violationId)
        .execute();
      await this.event(trx, v.application_id, 'violation_decided', actor.ref, { outcome: input.outcome });
      await this.notify(trx, v.application_id, 'applicant', 'violation_decided');
      await this.notify(trx, v.application_id, 'police', 'violation_decided');
      await recordAudit(trx, {
        event: 'orders.violation_decided',
        actor: actor.audit,
        record: { type: 'order_application', id: v.application_id },
        details: { outcome: input.outcome },
      });
    });
  }

  // ------------------------------------------------------------------ police written warnings

  /** ADVL 16–17: a written warning with the abuser's identity, the facts and the prohibition; follow-up due in 7 days. */
  async issueWarning(
    actor: OrdersActor,
    station: { organisationId: string; regionCode: string },
    input: {
      abuserName: string;
      abuserIdNumber?: string;
      victimName: string;
      facts: string;
      helpRequestId?: string | null;
    },
  ): Promise<{ id: string; number: string; followUpDueAt: Date }> {
    const problems: FieldProblem[] = [];
    if (!input.abuserName.trim())
      problems.push({ field: 'abuserName', message: 'orders.problem.respondentName' });
    if (!input.victimName.trim())
      problems.push({ field: 'victimName', message: 'orders.problem.applicantName' });
    if (!input.facts.trim()) problems.push({ field: 'facts', message: 'orders.problem.incidentDescription' });
    if (input.abuserIdNumber && !/^\d{17}[\dXx]$/.test(input.abuserIdNumber))
      problems.push({ field: 'abuserIdNumber', message: 'orders.problem.idNumber' });
    if (problems.length) throw new AppError('VALIDATION', { fields: problems });
    const id = randomUUID();
    const now = this.now();
    const number = `${chinaDate(now).slice(0, 4)}-${station.regionCode.padEnd(6, '0')}-${id.slice(0, 8).toUpperCase()}`;
    const followUp = new Date(now.getTime() + WARNING_FOLLOW_UP_DAYS * DAY_MS);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('police_warning')
        .values({
          id,
          organisation_id: station.organisationId,
          region_code: station.regionCode,
          warning_number: number,
          help_request_id: input.helpRequestId ?? null,
          particulars: this.seal(
            JSON.stringify({
              abuserName: input.abuserName.trim(),
              abuserIdNumber: input.abuserIdNumber,
              victimName: input.victimName.trim(),
              facts: input.facts.trim(),
            }),
            'police_warning',
            'particulars',
            id,
          ),
          issued_by: actor.accountId ?? '',
          issued_at: now,
          follow_up_due_at: followUp,
        })
        .execute();
      await recordAudit(trx, {
        event: 'orders.warning_issued',
        actor: actor.audit,
        record: { type: 'police_warning', id },
        details: {},
      });
    });
    return { id, number, followUpDueAt: followUp };
  }

  async updateWarning(
    actor: OrdersActor,
    warningId: string,
    step: 'delivered_abuser' | 'delivered_victim' | 'committee_notified' | 'visit',
    notes?: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const w = await trx
        .selectFrom('police_warning')
        .select(['id'])
        .where('id', '=', warningId)
        .forUpdate()
        .executeTakeFirst();
      if (!w) throw new AppError('NOT_FOUND');
      const now = this.now();
      if (step === 'visit') {
        if (!notes?.trim())
          throw new AppError('VALIDATION', { fields: [{ field: 'notes', message: 'orders.problem.note' }] });
        const row = await trx
          .insertInto('police_warning_visit')
          .values({
            warning_id: warningId,
            visited_at: now,
            visited_by: actor.accountId ?? '',
            notes: Buffer.alloc(0),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('police_warning_visit')
          .set({ notes: this.seal(notes.trim(), 'police_warning_visit', 'notes', row.id) })
          .where('id', '=', row.id)
          .execute();
      } else {
        const column =
          step === 'delivered_abuser'
            ? 'delivered_abuser_at'
            : step === 'delivered_victim'
              ? 'delivered_victim_at'
              : 'committee_notified_at';
        await trx
          .updateTable('police_warning')
          .set({ [column]: now })
          .where('id', '=', warningId)
          .execute();
      }
      await recordAudit(trx, {
        event: 'orders.warning_updated',
        actor: actor.audit,
        record: { type: 'police_warning', id: warningId },
        details: { step },
      });
    });
  }

  async listWarnings(organisationId: string) {
    const now = this.now();
    const rows = await this.db
      .selectFrom('police_warning as w')
      .select([
        'w.id',
        'w.warning_number',
        'w.issued_at',
        'w.delivered_abuser_at',
        'w.delivered_victim_at',
        'w.committee_notified_at',
        'w.follow_up_due_at',
      ])
      .select((eb) =>
        eb
          .selectFrom('police_warning_visit as v')
          .whereRef('v.warning_id', '=', 'w.id')
          .select(sql<number>`count(*)::int`.as('n'))
          .as('visits'),
      )
      .where('w.organisation_id', '=', organisationId)
      .orderBy('w.issued_at', 'desc')
      .limit(200)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      number: r.warning_number,
      issuedAt: r.issued_at,
      deliveredAbuserAt: r.delivered_abuser_at,
      deliveredVictimAt: r.delivered_victim_at,
      committeeNotifiedAt: r.committee_notified_at,
      followUpDueAt: r.follow_up_due_at,
      visits: r.visits ?? 0,
      followUpOverdue: (r.visits ?? 0) === 0 && r.follow_up_due_at.getTime() <= now.getTime(),
    }));
  }

  // ------------------------------------------------------------------ timeline and clock

  /** The survivor's status timeline (or, with `all`, every step for staff). */
  async timeline(applicationId: string, options: { all?: boolean } = {}): Promise<TimelineEntry[]> {
    let query = this.db
      .selectFrom('order_event')
      .select(['kind', 'at', 'details'])
      .where('application_id', '=', applicationId);
    if (!options.all) query = query.where('visible_to_applicant', '=', true);
    const rows = await query.orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ kind: r.kind, at: r.at, details: r.details }));
  }

  /** Her in-app notices (the SMS and e-mail copies say nothing about violence). */
  async applicantNotices(applicationId: string): Promise<{ template: string; at: Date }[]> {
    const rows = await this.db
      .selectFrom('order_notification')
      .select(['template', 'created_at'])
      .where('application_id', '=', applicationId)
      .where('recipient', '=', 'applicant')
      .where('channel', '=', 'in_app')
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    return rows.map((r) => ({ template: r.template, at: r.created_at }));
  }

  /**
   * Fire every alert that is due and has not fired: ruling-deadline warnings and breaches, reconsideration
   * windows closing, expiry reminders (14 and 3 days before), expiry, and overdue police follow-up visits.
   * Each alert's key (subject, kind, due time) is inserted with ON CONFLICT DO NOTHING in the transaction
   * that records its effect, so it fires once however many processes sweep and across restarts.
   */
  async sweepClock(): Promise<{ fired: number }> {
    const now = this.now();
    let fired = 0;
    const fire = async (
      subjectId: string,
      kind: string,
      dueAt: Date,
      effect: (trx: Transaction<Database>) => Promise<void>,
    ): Promise<void> => {
      await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('order_alert')
          .values({ subject_id: subjectId, kind, due_at: dueAt, fired_at: now })
          .onConflict((oc) => oc.doNothing())
          .returning('kind')
          .executeTakeFirst();
        if (!inserted) return;
        await effect(trx);
        fired += 1;
      });
    };
    // Ruling clock: applications still accepted (not decided).
    const accepted = await this.db
      .selectFrom('order_application')
      .select(['id', 'accepted_at', 'ruling_due_at', 'urgent'])
      .where('status', '=', 'accepted')
      .where('ruling_due_at', 'is not', null)
      .where('ruling_due_at', '<=', new Date(now.getTime() + 72 * 3_600_000))
      .execute();
    for (const a of accepted) {
      if (!a.accepted_at || !a.ruling_due_at) continue;
      const warnAt = rulingWarningAt(a.accepted_at, a.urgent);
      if (now.getTime() >= warnAt.getTime()) {
        await fire(a.id, 'ruling_warning', a.ruling_due_at, async (trx) => {
          await this.event(trx, a.id, 'ruling_warning', 'system', {}, false);
          await this.notify(trx, a.id, 'court', 'ruling_warning');
        });
      }
      if (now.getTime() >= a.ruling_due_at.getTime()) {
        await fire(a.id, 'ruling_breach', a.ruling_due_at, async (trx) => {
          await this.event(trx, a.id, 'ruling_breach', 'system', {}, false);
          await this.notify(trx, a.id, 'court', 'ruling_breach');
        });
      }
    }
    // Orders: reconsideration window, expiry reminders, expiry.
    const orders = await this.db
      .selectFrom('protection_order')
      .select(['id', 'application_id', 'valid_from', 'valid_until', 'status'])
      .where('status', '=', 'in_force')
      .where((eb) =>
        eb.or([
          eb('valid_until', '<=', new Date(now.getTime() + EXPIRY_REMINDER_DAYS[0] * DAY_MS)),
          eb('valid_from', '>=', new Date(now.getTime() - 6 * DAY_MS)),
        ]),
      )
      .execute();
    for (const o of orders) {
      const closes = reconsiderationClosesAt(o.valid_from);
      if (now.getTime() >= closes.getTime()) {
        await fire(o.id, 'reconsideration_closed', closes, async (trx) => {
          await this.event(trx, o.application_id, 'reconsideration_closed', 'system', {}, false);
        });
      }
      for (const days of EXPIRY_REMINDER_DAYS) {
        const remindAt = new Date(o.valid_until.getTime() - days * DAY_MS);
        if (now.getTime() >= remindAt.getTime() && now.getTime() < o.valid_until.getTime()) {
          await fire(o.id, `expiry_reminder_${days}`, o.valid_until, async (trx) => {
            await this.event(trx, o.application_id, 'expiring', 'system', { days });
            await raiseWebhookEvent(trx, 'order.expiring', {
              organisationIds: await this.webhookOrganisations(trx, o.application_id),
              applicationId: o.application_id,
              orderId: o.id,
              details: { days },
            });
            await this.notify(trx, o.application_id, 'applicant', 'expiry_reminder', ['in_app', 'sms']);
          });
        }
      }
      if (now.getTime() >= o.valid_until.getTime()) {
        await fire(o.id, 'expired', o.valid_until, async (trx) => {
          await trx
            .updateTable('protection_order')
            .set({ status: 'expired', updated_at: now })
            .where('id', '=', o.id)
            .where('status', '=', 'in_force')
            .execute();
          await this.event(trx, o.application_id, 'expired', 'system');
          await this.notify(trx, o.application_id, 'police', 'order_expired');
        });
      }
    }
    // Police follow-up visits that are due with none recorded.
    const warnings = await this.db
      .selectFrom('police_warning as w')
      .select(['w.id', 'w.follow_up_due_at'])
      .where('w.follow_up_due_at', '<=', now)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('police_warning_visit as v').whereRef('v.warning_id', '=', 'w.id').select('v.id'),
          ),
        ),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('order_alert as al')
              .whereRef('al.subject_id', '=', 'w.id')
              .where('al.kind', '=', 'follow_up_due')
              .select('al.kind'),
          ),
        ),
      )
      .limit(500)
      .execute();
    for (const w of warnings) {
      await fire(w.id, 'follow_up_due', w.follow_up_due_at, async () => undefined);
    }
    return { fired };
  }

  /** Alerts fired for a subject (for the docket page and tests). */
  async alertsFor(subjectId: string): Promise<{ kind: string; dueAt: Date; firedAt: Date }[]> {
    const rows = await this.db
      .selectFrom('order_alert')
      .select(['kind', 'due_at', 'fired_at'])
      .where('subject_id', '=', subjectId)
      .orderBy('fired_at')
      .orderBy('kind')
      .execute();
    return rows.map((r) => ({ kind: r.kind, dueAt: r.due_at, firedAt: r.fired_at }));
  }
}
