/**
 * The orders module's queries on its own tables. Functions take a `db` or a transaction; the use cases
 * (orders.<use-case>.ts) own the transaction, and write each change next to its audit event.
 */
import { sql, type Insertable, type Selectable, type Transaction, type Updateable } from 'kysely';
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

// ------------------------------------------------------------------ review

/** An organisation's review tasks on applications under review: open first, then by deadline (at most 200). */
export async function listReviewTaskRows(db: Executor, organisationId: string) {
  return db
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
}

/** A review task by id (locked for the rest of the transaction with `lock`). */
export async function findReviewTask(db: Executor, taskId: string, lock = false) {
  let query = db.selectFrom('order_review_task').selectAll().where('id', '=', taskId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findReviewTaskOfAgency(
  db: Executor,
  applicationId: string,
  agency: Selectable<Database['order_review_task']>['agency'],
) {
  return db
    .selectFrom('order_review_task')
    .select('id')
    .where('application_id', '=', applicationId)
    .where('agency', '=', agency)
    .executeTakeFirst();
}

export async function listReviewTasksOfApplication(db: Executor, applicationId: string) {
  return db
    .selectFrom('order_review_task')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('agency')
    .execute();
}

export async function listQuestioning(db: Executor, applicationId: string) {
  return db
    .selectFrom('order_questioning')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('questioned_at')
    .execute();
}

/** Police written warnings given in her case (help request), oldest first. */
export async function listWarningsOfHelpRequest(db: Executor, helpRequestId: string) {
  return db
    .selectFrom('police_warning')
    .select(['id', 'warning_number', 'issued_at', 'organisation_id'])
    .where('help_request_id', '=', helpRequestId)
    .orderBy('issued_at')
    .execute();
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

// ------------------------------------------------------------------ writes (each use case writes its audit event next to them)

export async function insertApplication(
  db: Executor,
  row: Insertable<Database['order_application']>,
): Promise<void> {
  await db.insertInto('order_application').values(row).execute();
}

export async function insertQuestioning(
  db: Executor,
  row: Insertable<Database['order_questioning']>,
): Promise<void> {
  await db.insertInto('order_questioning').values(row).execute();
}

export async function insertReviewTask(
  db: Executor,
  row: Insertable<Database['order_review_task']>,
): Promise<void> {
  await db.insertInto('order_review_task').values(row).execute();
}

export async function updateApplication(
  db: Executor,
  id: string,
  values: Updateable<Database['order_application']>,
): Promise<void> {
  await db.updateTable('order_application').set(values).where('id', '=', id).execute();
}

export async function updateReviewTask(
  db: Executor,
  id: string,
  values: Updateable<Database['order_review_task']>,
): Promise<void> {
  await db.updateTable('order_review_task').set(values).where('id', '=', id).execute();
}
