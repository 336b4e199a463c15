/**
 * One's own account, shared by the account page (auth.routes.tsx, passkey.routes.ts) and the JSON API
 * (sign-in.api.ts): the language, and one's passkeys (listed and removed; adding one is the WebAuthn
 * ceremony in passkey.routes.ts). Only the caller's own passkeys are ever reached.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import type { IdentityDeps } from './identity.service.ts';

export type StaffLocale = 'zh-CN' | 'en';

export async function setOwnLocale(
  deps: IdentityDeps,
  accountId: string,
  locale: StaffLocale,
  actor: AuditActor,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_account').set({ locale }).where('id', '=', accountId).execute();
    await recordAudit(trx, {
      event: 'identity.locale_changed',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: { locale },
    });
  });
}

export interface OwnPasskey {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listOwnPasskeys(
  db: Kysely<Database> | Transaction<Database>,
  accountId: string,
): Promise<OwnPasskey[]> {
  const rows = await db
    .selectFrom('staff_passkey')
    .select(['id', 'created_at', 'last_used_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

/** Remove one of the caller's passkeys; false when the caller has no passkey with this id (nothing changes). */
export async function removeOwnPasskey(
  deps: IdentityDeps,
  accountId: string,
  passkeyId: string,
  actor: AuditActor,
): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('staff_passkey')
      .where('id', '=', passkeyId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) !== 1) return false;
    await recordAudit(trx, {
      event: 'identity.passkey_removed',
      actor,
      record: { type: 'staff_account', id: accountId },
      details: {},
    });
    return true;
  });
}
