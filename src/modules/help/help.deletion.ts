/**
 * Deleting her data from her thread (issue 13, PIPL 47; the form promises "你可以随时要求删除"): the one use case
 * behind her page (help.deletion-pages.tsx) and her JSON API. In one transaction:
 * - her messages, call-back requests and thread sessions are deleted; her journal, unfinished uploads and files
 *   are erased from the vault (rows, custody `delete` entries, stored objects queued for removal — each object's
 *   header holds its wrapped data key, so the key goes with it);
 * - her drafts never filed are deleted; what the law makes the court keep stays (filed applications, orders,
 *   violation reports and the files given to the court with them);
 * - the desk case that came from her request is closed and redacted (helpline.erase.ts);
 * - her help request keeps only its classification for anonymous statistics: every sealed field is removed or
 *   re-sealed empty under a new data key, the secret hash is replaced by random bytes (her code and secret open
 *   nothing any more) and the status becomes `deleted`. When she withdraws her consent to statistics the
 *   classification goes too and `statistics_withdrawn` is set (the report fold leaves her out);
 * - a `reports.refold` of the days her records were counted on is queued through the outbox;
 * - the audit trail records the deletion with counts only, never her content.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { erasureParts } from './help.erasure-api.ts';
import { chinaDay } from './help.usage.ts';
import type { ThreadSession } from './help.service.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    'help.data_deleted': {
      messages: number;
      journalEntries: number;
      files: number;
      uploads: number;
      drafts: number;
      deskCases: number;
      keptApplications: number;
      keptFiles: number;
      statisticsWithdrawn: boolean;
    };
  }
}

/** The status of a help request whose data she deleted (only its classification may remain). */
export const DELETED_STATUS = 'deleted';
const REFOLD_TOPIC = 'reports.refold';
const ownerRefOf = (helpRequestId: string): string => `help-case:${helpRequestId}`;

export interface DeletionPreview {
  /** Filed applications the court keeps. */
  keptApplications: number;
  /** Files the court holds through them (kept in the vault). */
  keptFiles: number;
}

export interface DeletionResult extends DeletionPreview {
  messages: number;
  journalEntries: number;
  files: number;
  drafts: number;
  statisticsWithdrawn: boolean;
}

/** What would stay if she deleted now (told to her, in her language, before she confirms). */
export async function previewDeletion(
  app: FastifyInstance,
  session: ThreadSession,
): Promise<DeletionPreview> {
  return app.db.transaction().execute(async (trx) => {
    const parts = erasureParts(app);
    const kept = await parts.courtRecords(trx, session.helpRequestId);
    const files = await parts.countOwned(trx, ownerRefOf(session.helpRequestId), kept.evidenceIds);
    return { keptApplications: kept.applications, keptFiles: files };
  });
}

/** Delete her data now. `confirm` must be true (her explicit confirmation after being told what stays). */
export async function deleteHerData(
  app: FastifyInstance,
  session: ThreadSession,
  input: { confirm: boolean; withdrawStatistics: boolean },
  actor: AuditActor,
): Promise<DeletionResult> {
  if (input.confirm !== true)
    throw new AppError('VALIDATION', { fields: [{ field: 'confirm', message: 'help.delete.mustConfirm' }] });
  const id = session.helpRequestId;
  const now = new Date();
  const parts = erasureParts(app);
  const { result, prefixes } = await app.db.transaction().execute(async (trx) => {
    const request = await trx
      .selectFrom('help_request')
      .select(['id', 'created_at', 'status'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!request || request.status === DELETED_STATUS) throw new AppError('UNAUTHENTICATED');

    const kept = await parts.courtRecords(trx, id);
    const drafts = await parts.deleteDrafts(trx, id);
    const vault = await parts.eraseVault(trx, {
      ownerRef: ownerRefOf(id),
      keep: kept.evidenceIds,
      actor: 'survivor',
      reason: 'survivor_deletion',
    });
    const messages = await trx
      .deleteFrom('help_message')
      .where('help_request_id', '=', id)
      .executeTakeFirst();
    await trx.deleteFrom('help_callback').where('help_request_id', '=', id).execute();
    const desk = await parts.redactDesk(trx, id, now);

    const withdraw = input.withdrawStatistics === true;
    await trx
      .updateTable('help_request')
      .set({
        secret_hash: randomBytes(32),
        other_type_sealed: null,
        danger_answers_sealed: null,
        // Re-sealed empty under a new data key: the key that sealed her contact details is gone.
        contact_sealed: app.keyring.sealText(
          JSON.stringify({ windows: [], noVoicemail: true, noSms: true }),
          `help_request.contact:${id}`,
        ),
        contact_channel: 'none',
        city: null,
        status: DELETED_STATUS,
        last_opened_at: null,
        last_survivor_message_at: null,
        last_staff_reply_at: null,
        ...(withdraw
          ? {
              statistics_withdrawn: true,
              age_band: null,
              gender: null,
              province: null,
              relationship: null,
              is_minor: null,
              children_witnessed: null,
              forms: [],
              danger_level: null,
              danger_score: null,
            }
          : {}),
      })
      .where('id', '=', id)
      .execute();
    // Her sessions end last: this one included (the token stops working with the commit).
    await trx.deleteFrom('help_thread_session').where('help_request_id', '=', id).execute();

    // The reports drop (or re-count) her records: rebuild the days they were counted on.
    const days = [chinaDay(request.created_at), ...desk.days].sort();
    await addToOutbox(trx, REFOLD_TOPIC, { from: days[0], to: days[days.length - 1] });

    const result: DeletionResult = {
      messages: Number(messages.numDeletedRows),
      journalEntries: vault.journalEntries,
      files: vault.items,
      drafts,
      keptApplications: kept.applications,
      keptFiles: vault.kept,
      statisticsWithdrawn: withdraw,
    };
    await recordAudit(trx, {
      event: 'help.data_deleted',
      actor,
      record: { type: 'help_request', id },
      details: {
        messages: result.messages,
        journalEntries: result.journalEntries,
        files: result.files,
        uploads: vault.uploads,
        drafts,
        deskCases: desk.cases,
        keptApplications: result.keptApplications,
        keptFiles: result.keptFiles,
        statisticsWithdrawn: withdraw,
      },
    });
    return { result, prefixes: vault.prefixes };
  });
  await parts.removeObjects(prefixes);
  return result;
}
