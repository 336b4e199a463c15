/**
 * The orders module's queries on the order itself and what follows it: the order, its service and violations,
 * police written warnings, and the clock sweep's alerts. Functions take a `db` or a transaction; the use cases
 * own the transaction. (Applications, review, events and notices: orders.repository.ts.)
 */
import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

type Executor = Db | Transaction<Database>;

// ------------------------------------------------------------------ orders

/** An order by id (locked for the rest of the transaction with `lock`). */
export async function findOrder(db: Executor, id: string, lock = false) {
  let query = db.selectFrom('protection_order').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** A service task with its order's application, locked for the rest of the transaction. */
export async function lockServiceTask(trx: Executor, taskId: string) {
  return trx
    .selectFrom('order_service_task as s')
    .innerJoin('protection_order as o', 'o.id', 's.order_id')
    .select(['s.id', 's.party', 's.status', 'o.application_id'])
    .where('s.id', '=', taskId)
    .forUpdate('s')
    .executeTakeFirst();
}

/** A violation with its order's application, locked for the rest of the transaction. */
export async function lockViolation(trx: Executor, violationId: string) {
  return trx
    .selectFrom('order_violation as v')
    .innerJoin('protection_order as o', 'o.id', 'v.order_id')
    .select(['v.id', 'v.status', 'o.application_id'])
    .where('v.id', '=', violationId)
    .forUpdate('v')
    .executeTakeFirst();
}

// ------------------------------------------------------------------ police warnings

export async function lockWarning(trx: Executor, warningId: string) {
  return trx
    .selectFrom('police_warning')
    .select(['id'])
    .where('id', '=', warningId)
    .forUpdate()
    .executeTakeFirst();
}

/** A follow-up visit; returns its id (its notes are sealed under that id, see setWarningVisitNotes). */
export async function insertWarningVisit(
  trx: Executor,
  row: Insertable<Database['police_warning_visit']>,
): Promise<string> {
  const inserted = await trx
    .insertInto('police_warning_visit')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function setWarningVisitNotes(trx: Executor, visitId: string, notes: Buffer): Promise<void> {
  await trx.updateTable('police_warning_visit').set({ notes }).where('id', '=', visitId).execute();
}

/** An organisation's warnings, newest first (at most 200), with the number of follow-up visits. */
export async function listWarningRows(db: Executor, organisationId: string) {
  return db
    .selectFrom('police_warning as w')
    .select([
      'w.id',
      'w.warning_number',
      'w.issued_at',
      'w.delivered_abuser_at',
      'w.delivered_victim_at',
      'w.committee_notified_at',
      'w.follow_up_due_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('police_warning_visit as v')
        .whereRef('v.warning_id', '=', 'w.id')
        .select(sql<number>`count(*)::int`.as('n'))
        .as('visits'),
    )
    .where('w.organisation_id', '=', organisationId)
    .orderBy('w.issued_at', 'desc')
    .limit(200)
    .execute();
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

// ------------------------------------------------------------------ writes (each use case writes its audit event next to them)

export async function insertServiceTask(
  db: Executor,
  row: Insertable<Database['order_service_task']>,
): Promise<void> {
  await db.insertInto('order_service_task').values(row).execute();
}

export async function insertViolation(
  db: Executor,
  row: Insertable<Database['order_violation']>,
): Promise<void> {
  await db.insertInto('order_violation').values(row).execute();
}

export async function insertWarning(
  db: Executor,
  row: Insertable<Database['police_warning']>,
): Promise<void> {
  await db.insertInto('police_warning').values(row).execute();
}

export async function insertOrder(
  db: Executor,
  row: Insertable<Database['protection_order']>,
): Promise<void> {
  await db.insertInto('protection_order').values(row).execute();
}

export async function updateServiceTask(
  db: Executor,
  id: string,
  values: Updateable<Database['order_service_task']>,
): Promise<void> {
  await db.updateTable('order_service_task').set(values).where('id', '=', id).execute();
}

export async function updateViolation(
  db: Executor,
  id: string,
  values: Updateable<Database['order_violation']>,
): Promise<void> {
  await db.updateTable('order_violation').set(values).where('id', '=', id).execute();
}

export async function updatePoliceWarning(
  db: Executor,
  id: string,
  values: Updateable<Database['police_warning']>,
): Promise<void> {
  await db.updateTable('police_warning').set(values).where('id', '=', id).execute();
}

export async function updateOrder(
  db: Executor,
  id: string,
  values: Updateable<Database['protection_order']>,
): Promise<void> {
  await db.updateTable('protection_order').set(values).where('id', '=', id).execute();
}
