/**
 * The desk's queries on its own tables. Functions take a `db` or a transaction; the use cases
 * (helpline.<use-case>.ts) own the transaction, and write each change next to its audit event.
 */
import type { Insertable, Transaction, Updateable } from 'kysely';
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

/** Who may see a case (its placement: organisation, region, assignee). */
export async function findCasePlacement(db: Executor, caseId: string) {
  return db
    .selectFrom('helpline_case')
    .select(['id', 'organisation_id', 'region_code', 'assigned_account_id'])
    .where('id', '=', caseId)
    .executeTakeFirst();
}

/** Where a case came from (her help request, her call-back request) and whether it is closed. */
export async function findCaseOrigin(db: Executor, caseId: string) {
  return db
    .selectFrom('helpline_case')
    .select(['id', 'status', 'help_request_id', 'callback_id'])
    .where('id', '=', caseId)
    .executeTakeFirst();
}

type Row<T extends keyof Database> = Insertable<Database[T]>;

export async function insertCase(db: Executor, row: Row<'helpline_case'>): Promise<void> {
  await db.insertInto('helpline_case').values(row).execute();
}

export async function updateCase(
  db: Executor,
  caseId: string,
  values: Updateable<Database['helpline_case']>,
): Promise<void> {
  await db.updateTable('helpline_case').set(values).where('id', '=', caseId).execute();
}

export async function upsertDeskSetting(
  db: Executor,
  organisationId: string,
  values: Omit<Row<'helpline_desk_setting'>, 'organisation_id'>,
): Promise<void> {
  await db
    .insertInto('helpline_desk_setting')
    .values({ organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(values))
    .execute();
}

export async function insertCaseNote(db: Executor, row: Row<'helpline_case_note'>): Promise<void> {
  await db.insertInto('helpline_case_note').values(row).execute();
}

export async function insertReferral(db: Executor, row: Row<'helpline_referral'>): Promise<void> {
  await db.insertInto('helpline_referral').values(row).execute();
}

/** Update a referral of the case; false when the case has no such referral. */
export async function updateReferralRow(
  db: Executor,
  caseId: string,
  referralId: string,
  values: Updateable<Database['helpline_referral']>,
): Promise<boolean> {
  const updated = await db
    .updateTable('helpline_referral')
    .set(values)
    .where('id', '=', referralId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function insertMandatoryReport(
  db: Executor,
  row: Row<'helpline_mandatory_report'>,
): Promise<void> {
  await db.insertInto('helpline_mandatory_report').values(row).execute();
}

export async function insertHotlineCall(db: Executor, row: Row<'helpline_hotline_call'>): Promise<void> {
  await db.insertInto('helpline_hotline_call').values(row).execute();
}

export async function insertCallbackAttempt(
  db: Executor,
  row: Row<'helpline_callback_attempt'>,
): Promise<void> {
  await db.insertInto('helpline_callback_attempt').values(row).execute();
}

export async function findCallbackAttempt(db: Executor, caseId: string, attemptId: string) {
  return db
    .selectFrom('helpline_callback_attempt')
    .select(['id', 'callback_id', 'result'])
    .where('id', '=', attemptId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
}

export async function finishCallbackAttempt(
  db: Executor,
  attemptId: string,
  result: NonNullable<Updateable<Database['helpline_callback_attempt']>['result']>,
  finishedAt: Date,
): Promise<void> {
  await db
    .updateTable('helpline_callback_attempt')
    .set({ result, finished_at: finishedAt })
    .where('id', '=', attemptId)
    .execute();
}

export async function insertShift(db: Executor, row: Row<'helpline_duty_shift'>): Promise<void> {
  await db.insertInto('helpline_duty_shift').values(row).execute();
}

/** Remove one of the organisation's shifts; false when it has no such shift. */
export async function deleteShift(db: Executor, organisationId: string, shiftId: string): Promise<boolean> {
  const removed = await db
    .deleteFrom('helpline_duty_shift')
    .where('id', '=', shiftId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}
