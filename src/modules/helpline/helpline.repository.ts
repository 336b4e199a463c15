/**
 * The desk's read queries on its own tables. Functions take a `db` or a transaction; the service owns the
 * transaction (and writes, each next to its audit event).
 */
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

type Executor = Db | Transaction<Database>;

const CASE_CORE = [
  'id',
  'organisation_id',
  'region_code',
  'source',
  'help_request_id',
  'callback_id',
  'status',
  'received_at',
  'first_responded_at',
  'assigned_account_id',
  'victim_minor',
  'lacks_capacity',
] as const;

export async function findDeskSetting(db: Executor, organisationId: string) {
  return db
    .selectFrom('helpline_desk_setting')
    .select(['first_response_minutes', 'provinces'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/** The organisation's open cases, oldest first (all of them, or only the unassigned). */
export async function listOpenCases(
  db: Executor,
  organisationId: string,
  options: { unassignedOnly: boolean; limit: number },
) {
  let query = db
    .selectFrom('helpline_case')
    .select([...CASE_CORE, 'danger_level', 'request_type', 'province'])
    .where('organisation_id', '=', organisationId)
    .where('status', '<>', 'closed');
  if (options.unassignedOnly) query = query.where('assigned_account_id', 'is', null);
  return query.orderBy('received_at').limit(options.limit).execute();
}

/** A case's core row, locked for the rest of the transaction (changes to one case happen one at a time). */
export async function lockCaseRow(trx: Transaction<Database>, caseId: string) {
  return trx
    .selectFrom('helpline_case')
    .select([...CASE_CORE])
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findCaseRow(db: Executor, caseId: string) {
  return db.selectFrom('helpline_case').selectAll().where('id', '=', caseId).executeTakeFirst();
}

/** Everything recorded on a case: notes, referrals, mandatory reports, hotline calls (sealed fields still sealed). */
export async function caseRecords(db: Executor, caseId: string) {
  const [notes, referrals, reports, calls] = await Promise.all([
    db
      .selectFrom('helpline_case_note')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('helpline_referral')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('helpline_mandatory_report')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('reported_at')
      .execute(),
    db
      .selectFrom('helpline_hotline_call')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('started_at')
      .execute(),
  ]);
  return { notes, referrals, reports, calls };
}

/** Hotline calls of an organisation, newest first; only one staff member's when `registeredBy` is given. */
export async function listHotlineCalls(
  db: Executor,
  organisationId: string,
  options: { registeredBy?: string; limit: number },
) {
  let query = db
    .selectFrom('helpline_hotline_call')
    .selectAll()
    .where('organisation_id', '=', organisationId);
  if (options.registeredBy) query = query.where('registered_by', '=', options.registeredBy);
  return query.orderBy('started_at', 'desc').limit(options.limit).execute();
}

/** Shifts overlapping [from, to): of one organisation, or of every organisation (the portal's hours). */
export async function listShifts(db: Executor, from: Date, to: Date, organisationId?: string) {
  let query = db
    .selectFrom('helpline_duty_shift')
    .select(['id', 'account_id', 'starts_at', 'ends_at'])
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (organisationId) query = query.where('organisation_id', '=', organisationId);
  return query.orderBy('starts_at').execute();
}

export async function hasMandatoryReport(db: Executor, caseId: string): Promise<boolean> {
  const row = await db
    .selectFrom('helpline_mandatory_report')
    .select('id')
    .where('case_id', '=', caseId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The help request a case came from (none for a hotline case); the case must exist. */
export async function caseHelpRequest(db: Executor, caseId: string) {
  return db
    .selectFrom('helpline_case')
    .select(['help_request_id'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
}
