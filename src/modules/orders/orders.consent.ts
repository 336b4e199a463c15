/**
 * Her consent, per item, before evidence an NGO chose from her vault reaches a court (issue 13). Filing an
 * NGO-started application asks her in her thread — a message in her language naming each file by name, type and
 * date, never its content — and waits: the application is filed only when every item has her answer, and only the
 * items she allowed go to the court. Each answer is a `consent` entry on the item's custody chain.
 */
import { type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { isLocale, translate, type Locale } from '../../platform/i18n/catalog.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { appendCustody } from '../evidence/custody.ts';
import type { EvidenceItem } from '../evidence/evidence.service.ts';
import { chinaDate } from './orders.model.ts';
import type { OrdersEvidenceSource } from './orders.seams.ts';

type Executor = Db | Transaction<Database>;
export type ConsentAnswer = 'allowed' | 'refused';

export interface ConsentItem {
  applicationId: string;
  evidenceId: string;
  filename: string;
  evidenceType: string;
  uploadedAt: string;
  answer: ConsentAnswer | null;
  askedAt: Date;
  answeredAt: Date | null;
}

export interface ConsentDeps {
  db: Db;
  evidence: () => OrdersEvidenceSource | undefined;
  /** Writes a message from staff on her thread, in the caller's transaction (the help module's seam). */
  postToThread: (
    trx: Transaction<Database>,
    helpRequestId: string,
    staffRef: string,
    text: string,
  ) => Promise<unknown>;
}

export class EvidenceConsents {
  constructor(private readonly deps: ConsentDeps) {}

  private async describe(
    rows: {
      application_id: string;
      evidence_id: string;
      answer: ConsentAnswer | null;
      asked_at: Date;
      answered_at: Date | null;
    }[],
  ): Promise<ConsentItem[]> {
    const source = this.deps.evidence();
    const items: ConsentItem[] = [];
    for (const r of rows) {
      const item = await source?.getItem(r.evidence_id);
      items.push({
        applicationId: r.application_id,
        evidenceId: r.evidence_id,
        filename: item?.filename ?? '',
        evidenceType: item?.evidenceType ?? 'other',
        uploadedAt: item?.uploadedAt ?? '',
        answer: r.answer,
        askedAt: r.asked_at,
        answeredAt: r.answered_at,
      });
    }
    return items;
  }

  /** The items asked for one application and her answers (the lawyer's and the court's view of consent). */
  async forApplication(db: Executor, applicationId: string): Promise<ConsentItem[]> {
    const rows = await db
      .selectFrom('order_evidence_consent')
      .select(['application_id', 'evidence_id', 'answer', 'asked_at', 'answered_at'])
      .where('application_id', '=', applicationId)
      .orderBy('asked_at')
      .orderBy('evidence_id')
      .execute();
    return this.describe(rows);
  }

  /** What she has still to answer, across her applications (her thread page and API). */
  async pendingFor(helpRequestId: string): Promise<ConsentItem[]> {
    const rows = await this.deps.db
      .selectFrom('order_evidence_consent')
      .select(['application_id', 'evidence_id', 'answer', 'asked_at', 'answered_at'])
      .where('help_request_id', '=', helpRequestId)
      .where('answer', 'is', null)
      .orderBy('asked_at')
      .orderBy('evidence_id')
      .execute();
    return this.describe(rows);
  }

  /**
   * Ask her about the items not asked yet, with one message in her thread in her language. Idempotent: an item
   * already asked for this application is not asked again (its answer, or the wait for it, stands).
   */
  async ask(input: {
    applicationId: string;
    helpRequestId: string;
    evidenceIds: readonly string[];
    askedBy: string;
    audit: AuditActor;
  }): Promise<void> {
    if (input.evidenceIds.length === 0) return;
    const source = this.deps.evidence();
    const described: EvidenceItem[] = [];
    for (const id of input.evidenceIds) {
      const item = await source?.getItem(id);
      if (item) described.push(item);
    }
    await this.deps.db.transaction().execute(async (trx) => {
      const added = await trx
        .insertInto('order_evidence_consent')
        .values(
          input.evidenceIds.map((evidenceId) => ({
            application_id: input.applicationId,
            evidence_id: evidenceId,
            help_request_id: input.helpRequestId,
            asked_by: input.askedBy,
          })),
        )
        .onConflict((oc) => oc.columns(['application_id', 'evidence_id']).doNothing())
        .returning('evidence_id')
        .execute();
      if (added.length === 0) return;
      const her = await trx
        .selectFrom('help_request')
        .select('locale')
        .where('id', '=', input.helpRequestId)
        .executeTakeFirst();
      const locale: Locale = isLocale(her?.locale) ? her.locale : 'zh-CN';
      const newIds = new Set(added.map((a) => a.evidence_id));
      const lines = described
        .filter((item) => newIds.has(item.id))
        .map((item) =>
          translate(locale, 'orders.consent.item', {
            name: item.filename,
            type: translate(locale, `evidence.type.${item.evidenceType}`),
            date: item.uploadedAt ? chinaDate(new Date(item.uploadedAt)) : '',
          }),
        );
      const text = [
        translate(locale, 'orders.consent.ask', { count: lines.length }),
        ...lines,
        translate(locale, 'orders.consent.askHow'),
      ].join('\n');
      await this.deps.postToThread(trx, input.helpRequestId, input.askedBy, text);
      await recordAudit(trx, {
        event: 'orders.consent_requested',
        actor: input.audit,
        record: { type: 'order_application', id: input.applicationId },
        details: { items: added.length },
      });
    });
  }

  /**
   * Her answers (allow / refuse per item), each recorded on the item's custody chain. Only requests of her own
   * thread that are still waiting: anything else is "not found" and nothing is recorded.
   */
  async answer(
    helpRequestId: string,
    answers: readonly { applicationId: string; evidenceId: string; answer: ConsentAnswer }[],
    audit: AuditActor,
  ): Promise<ConsentItem[]> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (answers.length === 0)
      throw new AppError('VALIDATION', { fields: [{ field: 'answers', message: 'orders.consent.none' }] });
    if (answers.some((a) => !uuid.test(a.applicationId) || !uuid.test(a.evidenceId)))
      throw new AppError('NOT_FOUND');
    const rows = await this.deps.db.transaction().execute(async (trx) => {
      const now = new Date();
      const answered = [];
      for (const a of answers) {
        const row = await trx
          .updateTable('order_evidence_consent')
          .set({ answer: a.answer, answered_at: now })
          .where('application_id', '=', a.applicationId)
          .where('evidence_id', '=', a.evidenceId)
          .where('help_request_id', '=', helpRequestId)
          .where('answer', 'is', null)
          .returning(['application_id', 'evidence_id', 'answer', 'asked_at', 'answered_at'])
          .executeTakeFirst();
        if (!row) throw new AppError('NOT_FOUND');
        await appendCustody(trx, {
          evidenceId: a.evidenceId,
          action: 'consent',
          actor: 'survivor',
          details: { answer: a.answer, agency: 'court', consentRef: `order_application:${a.applicationId}` },
        });
        answered.push(row);
      }
      for (const applicationId of new Set(answers.map((a) => a.applicationId))) {
        const mine = answers.filter((a) => a.applicationId === applicationId);
        await recordAudit(trx, {
          event: 'orders.consent_answered',
          actor: audit,
          record: { type: 'order_application', id: applicationId },
          details: {
            allowed: mine.filter((a) => a.answer === 'allowed').length,
            refused: mine.filter((a) => a.answer === 'refused').length,
          },
        });
      }
      return answered;
    });
    return this.describe(rows);
  }
}
