/**
 * The orders module's queries on its own tables. Functions take a `db` or a transaction; the use cases
 * (orders.<use-case>.ts) own the transaction, and write each change next to its audit event.
 */
import { sql, type Insertable, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { OrderEventTable, OrderNotificationTable } from './orders.tables.ts';

type Executor = Db | Transaction<Database>;

// ------------------------------------------------------------------ applications

/** An application by id (locked for the rest of the transaction with `lock`). */
export async function findApplication(db: Executor, id: string, lock = false) {
  let query = db.selectFrom('order_application').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Applications of a help request (her portal case), newest first. */
export async function listApplicationsOfHelpRequest(db: Executor, helpRequestId: string) {
  return db
    .selectFrom('order_application')
    .select(['id', 'status', 'case_number', 'created_at'])
    .where('help_request_id', '=', helpRequestId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Whose systems hear of an application's events: its court and the agencies reviewing it. */
export async function applicationOrganisationIds(db: Executor, applicationId: string): Promise<string[]> {
  const court = await db
    .selectFrom('order_application')
    .select('court_id')
    .where('id', '=', applicationId)
    .executeTakeFirst();
  const agencies = await db
    .selectFrom('order_review_task')
    .select('organisation_id')
    .where('application_id', '=', applicationId)
    .execute();
  return [court?.court_id ?? '', ...agencies.map((a) => a.organisation_id)].filter(Boolean);
}

/** The next case number of a court in a year (one counter row per court and year). */
export async function nextCaseCounter(trx: Executor, courtId: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('order_case_counter')
    .values({ court_id: courtId, year, last: 1 })
    .onConflict((oc) =>
      oc.columns(['court_id', 'year']).doUpdateSet({ last: sql`order_case_counter.last + 1` }),
    )
    .returning('last')
    .executeTakeFirstOrThrow();
  return row.last;
}

/**
 * A court's docket rows: accepted applications by deadline, then those waiting for acceptance, oldest first;
 * `reviews` is "submitted/total" of the review tasks.
 */
export async function listDocketRows(db: Executor, courtId: string, limit: number) {
  return (
    db
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
      .limit(limit)
      .execute()
  );
}

// ------------------------------------------------------------------ events and notices

export async function insertEvent(db: Executor, row: Insertable<OrderEventTable>): Promise<void> {
  await db.insertInto('order_event').values(row).execute();
}

/** The application's events in order (only those she sees, unless `all`). */
export async function listEvents(db: Executor, applicationId: string, all: boolean) {
  let query = db
    .selectFrom('order_event')
    .select(['kind', 'at', 'details'])
    .where('application_id', '=', applicationId);
  if (!all) query = query.where('visible_to_applicant', '=', true);
  return query.orderBy('at').orderBy('id').execute();
}

export async function insertNotification(
  db: Executor,
  row: Insertable<OrderNotificationTable>,
): Promise<void> {
  await db.insertInto('order_notification').values(row).execute();
}

/** Her in-app notices, newest first (the last 50). */
export async function listApplicantNotices(db: Executor, applicationId: string) {
  return db
    .selectFrom('order_notification')
    .select(['template', 'created_at'])
    .where('application_id', '=', applicationId)
    .where('recipient', '=', 'applicant')
    .where('channel', '=', 'in_app')
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
}

// ------------------------------------------------------------------ orders

export async function findOrder(db: Executor, id: string) {
  return db.selectFrom('protection_order').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrderOfApplication(db: Executor, applicationId: string) {
  return db
    .selectFrom('protection_order')
    .selectAll()
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}

/** What the public check needs of an order, found by the hash of its check token. */
export async function findOrderByCheckTokenHash(db: Executor, tokenHash: Buffer) {
  return db
    .selectFrom('protection_order')
    .select(['court_id', 'valid_until', 'status'])
    .where('check_token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** An order's service tasks (by party) and violations (oldest first). */
export async function orderServiceAndViolations(db: Executor, orderId: string) {
  const [service, violations] = await Promise.all([
    db
      .selectFrom('order_service_task')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('party')
      .execute(),
    db
      .selectFrom('order_violation')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute(),
  ]);
  return { service, violations };
}

// ------------------------------------------------------------------ the clock

/** Record that an alert fired; false when it had already fired (its key exists). */
export async function insertAlertOnce(
  trx: Executor,
  alert: { subjectId: string; kind: string; dueAt: Date; firedAt: Date },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('order_alert')
    .values({ subject_id: alert.subjectId, kind: alert.kind, due_at: alert.dueAt, fired_at: alert.firedAt })
    .onConflict((oc) => oc.doNothing())
    .returning('kind')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Accepted (undecided) applications whose ruling is due by `until`. */
export async function listAcceptedDueBy(db: Executor, until: Date) {
  return db
    .selectFrom('order_application')
    .select(['id', 'accepted_at', 'ruling_due_at', 'urgent'])
    .where('status', '=', 'accepted')
    .where('ruling_due_at', 'is not', null)
    .where('ruling_due_at', '<=', until)
    .execute();
}

/** Orders in force that expire by `expiringBy` or took effect since `startedSince`. */
export async function listOrdersInForceNear(db: Executor, expiringBy: Date, startedSince: Date) {
  return db
    .selectFrom('protection_order')
    .select(['id', 'application_id', 'valid_from', 'valid_until', 'status'])
    .where('status', '=', 'in_force')
    .where((eb) => eb.or([eb('valid_until', '<=', expiringBy), eb('valid_from', '>=', startedSince)]))
    .execute();
}

export async function expireOrder(trx: Executor, orderId: string, at: Date): Promise<void> {
  await trx
    .updateTable('protection_order')
    .set({ status: 'expired', updated_at: at })
    .where('id', '=', orderId)
    .where('status', '=', 'in_force')
    .execute();
}

/** Police warnings whose follow-up is due by `now` with no visit recorded and no alert fired yet (at most 500). */
export async function listWarningsFollowUpDue(db: Executor, now: Date) {
  return db
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
}

export async function listAlerts(db: Executor, subjectId: string) {
  return db
    .selectFrom('order_alert')
    .select(['kind', 'due_at', 'fired_at'])
    .where('subject_id', '=', subjectId)
    .orderBy('fired_at')
    .orderBy('kind')
    .execute();
}
