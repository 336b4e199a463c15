/**
 * Escalation of unclaimed cases (issue 13): a request nobody has claimed or answered by its first-response
 * deadline is never left waiting silently.
 *
 * - Level 1, at the deadline: the desk's supervisor on duty (a supervisor with a duty shift now; none on duty:
 *   every supervisor of the desk) is alerted. The case shows "escalated to the supervisor" with the time, and
 *   escalated cases come first in the queue.
 * - Level 2, the desk's `handover_minutes` (default 60) after level 1 and still unclaimed: the case is handed to
 *   the fallback desk — another desk approved for her province, else a national desk (routeToOrganisation:
 *   never an organisation without desk settings or staff). The original desk sees it moved.
 *
 * The job (`helpline.escalate`, every minute, once across all processes) takes due cases with row locks
 * (FOR UPDATE SKIP LOCKED, so two runs never hold the same case) and writes one `helpline_case_escalation` row
 * per case and level (its primary key: a second run inserts nothing and does nothing), the escalation and its
 * audit event in one transaction. A claim locks the same row, so a case claimed meanwhile is not escalated.
 */
import { sql, type Insertable, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../../platform/audit.ts';
import { routeToOrganisation } from './helpline.directory.ts';
import { DEFAULT_FIRST_RESPONSE_MINUTES } from './helpline.model.ts';
import {
  activeStaffWithRoles,
  findOrganisations,
  staffDisplayNames,
} from '../identity/identity.directory.service.ts';

declare module '../../platform/audit.ts' {
  interface AuditEventDetails {
    /** Level 1: the supervisor on duty alerted; level 2: handed to the fallback desk. Ids only. */
    'helpline.case_escalated':
      { level: 1; supervisorOnDuty: boolean } | { level: 2; toOrganisationId: string };
    'helpline.handover_changed': { handoverMinutes: number };
  }
}

type Executor = Db | Transaction<Database>;
type Trx = Transaction<Database>;

export const ESCALATION_TOPIC = 'helpline.escalate';
/** Minutes from the supervisor's alert to the hand-over when a desk has not set its own. */
export const DEFAULT_HANDOVER_MINUTES = 60;
export const HANDOVER_LIMITS = { min: 5, max: 7 * 24 * 60 } as const;
/** How far back the queue lists the cases that were moved away from a desk. */
const MOVED_AWAY_DAYS = 7;
const BATCH = 100;

/** The job acts as the system, on behalf of the desk the case was at. */
const systemActor = (organisationId: string): AuditActor => ({
  accountId: null,
  roles: ['system'],
  organisationId,
  ip: null,
  userAgent: 'helpline-escalation',
});

/** The supervisor on duty at the desk now (the earliest shift started), if any. */
export async function supervisorOnDuty(
  db: Executor,
  organisationId: string,
  now: Date,
): Promise<string | undefined> {
  const shifts = await db
    .selectFrom('helpline_duty_shift')
    .select('account_id')
    .where('organisation_id', '=', organisationId)
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .orderBy('starts_at')
    .orderBy('account_id')
    .execute();
  if (shifts.length === 0) return undefined;
  // Active supervisors of the desk, from identity's directory service.
  const supervisors = new Set(
    (await activeStaffWithRoles(db, organisationId, ['ngo_supervisor'])).map((s) => s.id),
  );
  return shifts.find((s) => supervisors.has(s.account_id))?.account_id;
}

/** Open cases nobody has claimed or answered (the partial index `helpline_case_waiting`). */
const WAITING = sql`c.assigned_account_id is null and c.first_responded_at is null and c.status <> 'closed'`;

/** Cases past their first-response deadline with no escalation yet, locked (others' locks skipped). */
async function lockDueForAlert(trx: Trx, now: Date) {
  const deadline = sql`c.received_at + make_interval(mins => coalesce(s.first_response_minutes, ${DEFAULT_FIRST_RESPONSE_MINUTES}))`;
  const { rows } = await sql<{ id: string; organisation_id: string; due_at: Date }>`
    select c.id, c.organisation_id, ${deadline} as due_at
    from helpline_case c left join helpline_desk_setting s on s.organisation_id = c.organisation_id
    where ${WAITING} and ${deadline} <= ${now}
      and not exists (select 1 from helpline_case_escalation e where e.case_id = c.id)
    order by c.received_at
    limit ${BATCH}
    for update of c skip locked`.execute(trx);
  return rows;
}

/** Cases alerted at their desk, still waiting `handover_minutes` later and not handed over yet, locked. */
async function lockDueForHandover(trx: Trx, now: Date) {
  const deadline = sql`e.escalated_at + make_interval(mins => coalesce(s.handover_minutes, ${DEFAULT_HANDOVER_MINUTES}))`;
  const { rows } = await sql<{ id: string; organisation_id: string; province: string | null; due_at: Date }>`
    select c.id, c.organisation_id, c.province, ${deadline} as due_at
    from helpline_case c
      join helpline_case_escalation e on e.case_id = c.id and e.level = 1 and e.from_organisation_id = c.organisation_id
      left join helpline_desk_setting s on s.organisation_id = c.organisation_id
    where ${WAITING} and ${deadline} <= ${now}
      and not exists (select 1 from helpline_case_escalation e2 where e2.case_id = c.id and e2.level = 2)
    order by e.escalated_at
    limit ${BATCH}
    for update of c skip locked`.execute(trx);
  return rows;
}

/** Insert one escalation; false when this case already has this level (another run did it). */
async function insertEscalation(
  trx: Trx,
  row: Insertable<Database['helpline_case_escalation']>,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('helpline_case_escalation')
    .values(row)
    .onConflict((oc) => oc.columns(['case_id', 'level']).doNothing())
    .returning('case_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function alertSupervisors(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await lockDueForAlert(trx, now);
    const onDuty = new Map<string, string | undefined>();
    let alerted = 0;
    for (const c of due) {
      if (!onDuty.has(c.organisation_id))
        onDuty.set(c.organisation_id, await supervisorOnDuty(trx, c.organisation_id, now));
      const supervisor = onDuty.get(c.organisation_id) ?? null;
      const inserted = await insertEscalation(trx, {
        case_id: c.id,
        level: 1,
        escalated_at: now,
        due_at: c.due_at,
        from_organisation_id: c.organisation_id,
        supervisor_account_id: supervisor,
        to_organisation_id: null,
      });
      if (!inserted) continue;
      await recordAudit(trx, {
        event: 'helpline.case_escalated',
        actor: systemActor(c.organisation_id),
        record: { type: 'helpline_case', id: c.id },
        details: { level: 1, supervisorOnDuty: supervisor !== null },
      });
      alerted += 1;
    }
    return alerted;
  });
}

async function handOver(db: Db, now: Date): Promise<{ handedOver: number; stranded: number }> {
  return db.transaction().execute(async (trx) => {
    const due = await lockDueForHandover(trx, now);
    let handedOver = 0;
    let stranded = 0;
    for (const c of due) {
      const fallback = await routeToOrganisation(trx, c.province, [c.organisation_id]);
      if (!fallback) {
        // No other desk can take it: it stays, escalated, with the supervisor (tried again next run).
        stranded += 1;
        continue;
      }
      const inserted = await insertEscalation(trx, {
        case_id: c.id,
        level: 2,
        escalated_at: now,
        due_at: c.due_at,
        from_organisation_id: c.organisation_id,
        supervisor_account_id: null,
        to_organisation_id: fallback.id,
      });
      if (!inserted) continue;
      await trx
        .updateTable('helpline_case')
        .set({ organisation_id: fallback.id, region_code: fallback.regionCode })
        .where('id', '=', c.id)
        .execute();
      await recordAudit(trx, {
        event: 'helpline.case_escalated',
        actor: systemActor(c.organisation_id),
        record: { type: 'helpline_case', id: c.id },
        details: { level: 2, toOrganisationId: fallback.id },
      });
      handedOver += 1;
    }
    return { handedOver, stranded };
  });
}

export interface EscalationRun {
  alerted: number;
  handedOver: number;
  /** Cases due for hand-over that no other desk can take (they stay with the alerted supervisor). */
  stranded: number;
}

/** One run of the escalation job at `now`: every due level-1 alert, then every due hand-over. */
export async function runEscalations(db: Db, now: Date): Promise<EscalationRun> {
  let alerted = 0;
  for (;;) {
    const n = await alertSupervisors(db, now);
    alerted += n;
    if (n < BATCH) break;
  }
  let handedOver = 0;
  let stranded = 0;
  for (;;) {
    const run = await handOver(db, now);
    handedOver += run.handedOver;
    stranded += run.stranded;
    if (run.handedOver + run.stranded < BATCH || run.handedOver === 0) break;
  }
  return { alerted, handedOver, stranded };
}

// ---- What the desk sees ----

/** A case's escalation as the queue shows it. */
export interface EscalationState {
  level: number;
  supervisorAlertedAt: Date;
  /** The supervisor alerted (shown only to the desk the alert was at); null: nobody was on duty. */
  supervisor: { id: string; name: string } | null;
  handedOverAt: Date | null;
  /** The desk it was handed over from (level 2). */
  fromDesk: string | null;
}

/** The escalations of these cases, as seen from `organisationId`'s queue. */
export async function escalationStates(
  db: Executor,
  organisationId: string,
  caseIds: string[],
): Promise<Map<string, EscalationState>> {
  if (caseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('helpline_case_escalation')
    .select(['case_id', 'level', 'escalated_at', 'supervisor_account_id', 'from_organisation_id'])
    .where('case_id', 'in', caseIds)
    .orderBy('level')
    .execute();
  // The supervisor is named only to the desk the alert was at (names of other desks' staff stay there).
  const names = await staffDisplayNames(
    db,
    organisationId,
    rows.flatMap((r) => (r.supervisor_account_id ? [r.supervisor_account_id] : [])),
  );
  const desks = await findOrganisations(
    db,
    rows.map((r) => r.from_organisation_id),
  );
  const states = new Map<string, EscalationState>();
  for (const r of rows) {
    const state = states.get(r.case_id);
    if (r.level === 1 || !state) {
      states.set(r.case_id, {
        level: r.level,
        supervisorAlertedAt: r.escalated_at,
        supervisor:
          r.supervisor_account_id && names.has(r.supervisor_account_id)
            ? { id: r.supervisor_account_id, name: names.get(r.supervisor_account_id) ?? '' }
            : null,
        handedOverAt: null,
        fromDesk: null,
      });
    }
    if (r.level === 2) {
      const current = states.get(r.case_id)!;
      states.set(r.case_id, {
        ...current,
        level: 2,
        handedOverAt: r.escalated_at,
        fromDesk: desks.get(r.from_organisation_id)?.name ?? '',
      });
    }
  }
  return states;
}

/** A case handed over from this desk to another (it can no longer open it; it sees where it went). */
export interface MovedCase {
  caseId: string;
  receivedAt: Date;
  movedAt: Date;
  toDesk: string;
}

export async function movedAway(db: Executor, organisationId: string, now: Date): Promise<MovedCase[]> {
  const rows = await db
    .selectFrom('helpline_case_escalation as e')
    .innerJoin('helpline_case as c', 'c.id', 'e.case_id')
    .select(['e.case_id', 'c.received_at', 'e.escalated_at', 'e.to_organisation_id'])
    .where('e.level', '=', 2)
    .where('e.from_organisation_id', '=', organisationId)
    .where('e.escalated_at', '>=', new Date(now.getTime() - MOVED_AWAY_DAYS * 24 * 60 * 60_000))
    .orderBy('e.escalated_at', 'desc')
    .limit(100)
    .execute();
  const desks = await findOrganisations(
    db,
    rows.flatMap((r) => (r.to_organisation_id ? [r.to_organisation_id] : [])),
  );
  return rows.map((r) => ({
    caseId: r.case_id,
    receivedAt: r.received_at,
    movedAt: r.escalated_at,
    toDesk: (r.to_organisation_id && desks.get(r.to_organisation_id)?.name) || '',
  }));
}

/**
 * Queue items with their escalation, escalated cases still unclaimed first (the higher level first), the
 * queue's own order kept otherwise (a stable sort).
 */
export async function withEscalations<T extends { caseId: string; assignedTo: unknown }>(
  db: Executor,
  organisationId: string,
  items: T[],
): Promise<(T & { escalation: EscalationState | null })[]> {
  const states = await escalationStates(
    db,
    organisationId,
    items.map((i) => i.caseId),
  );
  const rank = (item: T & { escalation: EscalationState | null }) =>
    item.assignedTo === null ? (item.escalation?.level ?? 0) : 0;
  return items
    .map((item) => ({ ...item, escalation: states.get(item.caseId) ?? null }))
    .sort((a, b) => rank(b) - rank(a));
}

/** Every escalation of one case, oldest first (for the case's own view). */
export async function caseEscalations(db: Executor, caseId: string) {
  const rows = await db
    .selectFrom('helpline_case_escalation')
    .select([
      'level',
      'escalated_at',
      'due_at',
      'from_organisation_id',
      'to_organisation_id',
      'supervisor_account_id',
    ])
    .where('case_id', '=', caseId)
    .orderBy('level')
    .execute();
  const desks = await findOrganisations(
    db,
    rows.flatMap((r) => [r.from_organisation_id, ...(r.to_organisation_id ? [r.to_organisation_id] : [])]),
  );
  // The supervisor alerted belongs to the desk the alert was at.
  const supervisorNames = new Map<string, string>();
  for (const r of rows)
    if (r.supervisor_account_id)
      for (const [id, name] of await staffDisplayNames(db, r.from_organisation_id, [r.supervisor_account_id]))
        supervisorNames.set(id, name);
  return rows.map((r) => ({
    level: r.level,
    escalatedAt: r.escalated_at,
    dueAt: r.due_at,
    fromDesk: { id: r.from_organisation_id, name: desks.get(r.from_organisation_id)?.name ?? '' },
    toDesk: r.to_organisation_id
      ? { id: r.to_organisation_id, name: desks.get(r.to_organisation_id)?.name ?? '' }
      : null,
    supervisor: r.supervisor_account_id
      ? { id: r.supervisor_account_id, name: supervisorNames.get(r.supervisor_account_id) ?? '' }
      : null,
  }));
}

/** Set the desk's hand-over interval (a supervisor or organisation admin), audited. */
export async function setHandoverMinutes(
  db: Db,
  actor: { organisationId: string; audit: AuditActor },
  minutes: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('helpline_desk_setting')
      .values({
        organisation_id: actor.organisationId,
        first_response_minutes: DEFAULT_FIRST_RESPONSE_MINUTES,
        handover_minutes: minutes,
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.column('organisation_id').doUpdateSet({ handover_minutes: minutes, updated_at: new Date() }),
      )
      .execute();
    await recordAudit(trx, {
      event: 'helpline.handover_changed',
      actor: actor.audit,
      details: { handoverMinutes: minutes },
    });
  });
}

/** The desk's hand-over interval (minutes after the supervisor's alert). */
export async function handoverMinutes(db: Executor, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('helpline_desk_setting')
    .select('handover_minutes')
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row?.handover_minutes ?? DEFAULT_HANDOVER_MINUTES;
}
