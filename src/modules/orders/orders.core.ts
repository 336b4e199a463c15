/**
 * What every orders use case shares: the module's types, and `OrdersCore` — its dependencies, the clock,
 * sealing, and the small helpers (load an application, record an event, queue a notification) that several
 * use cases call. Use cases are functions `(c: OrdersCore, …)` in `orders.<use-case>.ts`; `OrdersService`
 * (orders.service.ts) is the facade the rest of the app calls.
 */
import { randomUUID } from 'node:crypto';
import { type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { type AuditActor } from '../../platform/audit.ts';
import {
  applicationProblems,
  chinaDate,
  type ApplicationInput,
  type ApplicationStatus,
  type ClockState,
} from './orders.model.ts';
import { EvidenceConsents, type ConsentDeps } from './orders.consent.ts';
import { type OrganisationDirectory, type OrdersEvidenceSource } from './orders.seams.ts';
import {
  applicationOrganisationIds,
  findApplication,
  insertEvent,
  insertNotification,
} from './orders.repository.ts';
import './orders.audit.ts';
import { isUuid } from '../../platform/ids.ts';
import { OrdersSearchIndex } from './orders.search-index.ts';

export type Executor = Db | Transaction<Database>;

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

export const ctx = (table: string, column: string, id: string): string => `${table}.${column}:${id}`;

/** The context every orders use case runs with. */
export class OrdersCore {
  now: () => Date;

  readonly db: Db;

  /** Her per-item consent before NGO-chosen evidence reaches a court. */
  readonly consents: EvidenceConsents;

  /** The blind index of names and ID numbers the lists search, written with the particulars. */
  readonly search: OrdersSearchIndex;

  constructor(readonly deps: OrdersDeps) {
    this.db = deps.db;
    this.now = deps.now ?? (() => new Date());
    this.search = new OrdersSearchIndex({
      db: deps.db,
      keyring: deps.keyring,
      particulars: (row) => this.particularsOf(row),
    });
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

  seal(value: string, table: string, column: string, id: string): Buffer {
    return this.deps.keyring.sealText(value, ctx(table, column, id));
  }

  open(value: Buffer, table: string, column: string, id: string): string {
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

  async event(
    trx: Executor,
    applicationId: string,
    kind: string,
    actorRef: string,
    details: Record<string, unknown> = {},
    visible = true,
  ): Promise<void> {
    await insertEvent(trx, {
      application_id: applicationId,
      kind,
      at: this.now(),
      actor_ref: actorRef,
      details: JSON.stringify(details),
      visible_to_applicant: visible,
    });
  }

  async notify(
    trx: Executor,
    applicationId: string,
    recipient: 'applicant' | 'court' | 'police' | 'committee' | 'respondent',
    template: string,
    channels: ('in_app' | 'sms' | 'email')[] = ['in_app'],
  ): Promise<void> {
    for (const channel of channels) {
      const id = randomUUID();
      await insertNotification(trx, {
        id,
        application_id: applicationId,
        recipient,
        channel,
        template,
        status: 'pending',
        attempts: 0,
      });
      await addToOutbox(trx, NOTIFY_TOPIC, { notificationId: id });
    }
  }

  async load(trx: Executor, id: string, lock = false) {
    if (!isUuid(id)) throw new AppError('NOT_FOUND');
    const row = await findApplication(trx, id, lock);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  /** Whose systems hear of an application's events: its court and the agencies reviewing it (webhooks). */
  async webhookOrganisations(trx: Executor, applicationId: string): Promise<string[]> {
    return applicationOrganisationIds(trx, applicationId);
  }

  applicantChannels(electronic: boolean): ('in_app' | 'sms' | 'email')[] {
    // Electronic service and SMS only with her consent (OLR 29–30); in-app always (behind her case code and secret).
    return electronic ? ['in_app', 'sms'] : ['in_app'];
  }

  checkUrl(token: string): string {
    return `${this.deps.publicUrl}/order-check/${token}`;
  }
}

/** The arguments of a use-case function after its context (the facade passes them through). */
export type UseCaseArgs<F> = F extends (c: never, ...rest: infer R) => unknown ? R : never;
