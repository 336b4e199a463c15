/**
 * Erasing one owner's vault (her deletion request, PIPL 47), in the caller's transaction: her journal entries, her
 * unfinished uploads and every item except those the caller must keep (evidence a court holds as part of a filed
 * application). Each removed item gets a `delete` entry on its custody chain (hash and size only, never her words),
 * and the stored objects — whose headers carry the wrapped data keys — are queued for removal through the outbox
 * (`evidence.delete-objects`), so they go even if the process dies before `removeObjects` runs.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { addToOutbox } from '../../platform/jobs.ts';
import { appendCustody } from './custody.ts';
import type { ErasedVault } from '../help/help.erasure-api.ts';
import { DELETE_OBJECTS_TOPIC, itemPrefix, type EvidenceService } from './evidence.service.ts';
import { uploadPrefix } from './tus-store.ts';

export async function eraseOwnerVault(
  trx: Transaction<Database>,
  input: { ownerRef: string; keep: ReadonlySet<string>; actor: string; reason: string },
): Promise<ErasedVault> {
  const items = await trx
    .selectFrom('evidence_item')
    .select(['id', 'sha256', 'size', 'upload_id'])
    .where('owner_ref', '=', input.ownerRef)
    .forUpdate()
    .execute();
  const prefixes: string[] = [];
  let erased = 0;
  for (const item of items) {
    if (input.keep.has(item.id)) continue;
    await trx.deleteFrom('evidence_item').where('id', '=', item.id).execute();
    await appendCustody(trx, {
      evidenceId: item.id,
      action: 'delete',
      actor: input.actor,
      details: { reason: input.reason, sha256: item.sha256, size: Number(item.size) },
    });
    // Its preview (items/<id>/) and its bytes: the upload's segments, kept where they were received.
    for (const prefix of [itemPrefix(item.id), uploadPrefix(item.upload_id)]) {
      await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix });
      prefixes.push(prefix);
    }
    erased++;
  }
  const uploads = await trx
    .deleteFrom('evidence_upload')
    .where('owner_ref', '=', input.ownerRef)
    .returning('id')
    .execute();
  for (const upload of uploads) {
    await addToOutbox(trx, DELETE_OBJECTS_TOPIC, { prefix: uploadPrefix(upload.id) });
    prefixes.push(uploadPrefix(upload.id));
  }
  // Kept items no longer point at a journal entry that is gone.
  await trx
    .updateTable('evidence_item')
    .set({ journal_entry_id: null })
    .where('owner_ref', '=', input.ownerRef)
    .execute();
  const entries = await trx
    .deleteFrom('evidence_journal_entry')
    .where('owner_ref', '=', input.ownerRef)
    .executeTakeFirst();
  return {
    items: erased,
    kept: items.length - erased,
    journalEntries: Number(entries.numDeletedRows),
    uploads: uploads.length,
    prefixes,
  };
}

/** How many of these items belong to the owner. */
export async function countOwned(
  trx: Transaction<Database>,
  ownerRef: string,
  ids: ReadonlySet<string>,
): Promise<number> {
  if (ids.size === 0) return 0;
  const rows = await trx
    .selectFrom('evidence_item')
    .select('id')
    .where('owner_ref', '=', ownerRef)
    .where('id', 'in', [...ids])
    .execute();
  return rows.length;
}

/** After the commit: remove the objects now (failures are left to the queued clean-up job). */
export async function removeObjects(
  evidence: EvidenceService | undefined,
  prefixes: string[],
): Promise<void> {
  if (!evidence) return;
  for (const prefix of prefixes) await evidence.deleteObjects(prefix);
}
