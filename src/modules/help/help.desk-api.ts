/**
 * What the NGO desk (src/modules/helpline) needs from the help module beyond help.service.ts: the help
 * requests and call-back requests named by the outbox events the desk takes into its queue, one
 * call-back request with its sealed contact rules opened, and marking a call-back request done.
 * Owned by the desk engineer, reading only the help module's own tables. Access checks belong to the
 * caller's route: these functions trust it.
 */
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Keyring } from '../../platform/crypto.ts';
import type { TimeWindow } from './help.model.ts';

type Executor = Db | Transaction<Database>;

export interface IntakeRequest {
  id: string;
  createdAt: Date;
  requestType: string;
  forms: string[];
  relationship: string | null;
  isMinor: boolean | null;
  childrenWitnessed: boolean | null;
  ageBand: string | null;
  gender: string | null;
  province: string | null;
  dangerLevel: string | null;
}

export interface IntakeCallback {
  id: string;
  helpRequestId: string | null;
  createdAt: Date;
  status: string;
}

export interface CallbackContact {
  id: string;
  helpRequestId: string | null;
  phone: string;
  windows: TimeWindow[];
  codeWord?: string;
  noVoicemail: boolean;
  noSms: boolean;
  status: string;
}

/** These help requests (the ids of `help.request-created` events), oldest first; ids of deleted ones are absent. */
export async function listRequestsByIds(db: Executor, ids: string[]): Promise<IntakeRequest[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('help_request')
    .select([
      'id',
      'created_at',
      'request_type',
      'forms',
      'relationship',
      'is_minor',
      'children_witnessed',
      'age_band',
      'gender',
      'province',
      'danger_level',
    ])
    .where('id', 'in', ids)
    .where('status', '<>', 'deleted')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    requestType: r.request_type,
    forms: r.forms,
    relationship: r.relationship,
    isMinor: r.is_minor,
    childrenWitnessed: r.children_witnessed,
    ageBand: r.age_band,
    gender: r.gender,
    province: r.province,
    dangerLevel: r.danger_level,
  }));
}

/** These call-back requests (the ids of `help.callback-requested` events), oldest first. */
export async function listCallbacksByIds(db: Executor, ids: string[]): Promise<IntakeCallback[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('help_callback')
    .select(['id', 'help_request_id', 'created_at', 'status'])
    .where('id', 'in', ids)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    helpRequestId: r.help_request_id,
    createdAt: r.created_at,
    status: r.status,
  }));
}

/** Waiting call-back requests tied to these help requests or with these ids. */
export async function listWaitingCallbacks(
  db: Executor,
  ids: { helpRequestIds: string[]; callbackIds: string[] },
): Promise<IntakeCallback[]> {
  if (ids.helpRequestIds.length === 0 && ids.callbackIds.length === 0) return [];
  const rows = await db
    .selectFrom('help_callback')
    .select(['id', 'help_request_id', 'created_at', 'status'])
    .where('status', '=', 'waiting')
    .where((eb) =>
      eb.or([
        ...(ids.helpRequestIds.length ? [eb('help_request_id', 'in', ids.helpRequestIds)] : []),
        ...(ids.callbackIds.length ? [eb('id', 'in', ids.callbackIds)] : []),
      ]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    helpRequestId: r.help_request_id,
    createdAt: r.created_at,
    status: r.status,
  }));
}

/** One call-back request with its contact rules opened (for the staff member the desk has authorised). */
export async function getCallbackContact(
  db: Executor,
  keyring: Keyring,
  callbackId: string,
): Promise<CallbackContact | undefined> {
  const row = await db
    .selectFrom('help_callback')
    .select(['id', 'help_request_id', 'contact_sealed', 'status'])
    .where('id', '=', callbackId)
    .executeTakeFirst();
  if (!row) return undefined;
  const contact = JSON.parse(keyring.openText(row.contact_sealed, `help_callback.contact:${row.id}`)) as Omit<
    CallbackContact,
    'id' | 'helpRequestId' | 'status'
  >;
  return { ...contact, id: row.id, helpRequestId: row.help_request_id, status: row.status };
}

/** Mark a call-back request as handled (`done`) or back to `waiting` after an unsuccessful try. */
export async function setCallbackStatus(
  db: Executor,
  callbackId: string,
  status: 'waiting' | 'done',
): Promise<void> {
  await db.updateTable('help_callback').set({ status }).where('id', '=', callbackId).execute();
}

/** The help request with this case code (the desk finds her when she phones in and gives it), if any. */
export async function helpRequestIdByCaseCode(db: Executor, caseCode: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('help_request')
    .select('id')
    .where('case_code', '=', caseCode)
    .executeTakeFirst();
  return row?.id;
}

/** Every call-back request of a case (tied to her help request or the one it came from), oldest first. */
export async function listCallbacksOfCase(
  db: Executor,
  ids: { helpRequestId: string | null; callbackId: string | null },
): Promise<IntakeCallback[]> {
  if (!ids.helpRequestId && !ids.callbackId) return [];
  const rows = await db
    .selectFrom('help_callback')
    .select(['id', 'help_request_id', 'created_at', 'status'])
    .where((eb) =>
      eb.or([
        ...(ids.helpRequestId ? [eb('help_request_id', '=', ids.helpRequestId)] : []),
        ...(ids.callbackId ? [eb('id', '=', ids.callbackId)] : []),
      ]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    helpRequestId: r.help_request_id,
    createdAt: r.created_at,
    status: r.status,
  }));
}

/** Who wrote each staff message of her thread (the staff reference, never shown to her). */
export async function threadStaffRefs(db: Executor, helpRequestId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('help_message')
    .select(['id', 'staff_ref'])
    .where('help_request_id', '=', helpRequestId)
    .where('author', '=', 'staff')
    .execute();
  return new Map(rows.flatMap((r) => (r.staff_ref ? [[r.id, r.staff_ref] as const] : [])));
}
