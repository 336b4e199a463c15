/**
 * A case's timeline (issue 14): every contact in time order — her messages and the replies, internal notes,
 * hotline calls, call-back requests and each call-back's outcome, referrals and their status changes, the
 * mandatory report, a protection-order application started from the case, and the case's own arrival and
 * closing — each with who, when and a kind. Read through the same case view the case page shows (so the same
 * need-to-know and the same decrypted fields); who made each change comes from the desk's rows and, for a
 * referral's status changes, from the audit trail that recorded them.
 */
import type { Db } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { listCallbacksOfCase, threadStaffRefs } from '../help/help.desk-api.ts';
import { staffNames } from './helpline.directory.ts';
import { findCaseRow } from './helpline.repository.ts';
import type { DeskActor, HelplineService } from './helpline.service.ts';

export const TIMELINE_KINDS = [
  'case_received',
  'survivor_message',
  'staff_reply',
  'note',
  'hotline_call',
  'callback_requested',
  'callback_attempt',
  'callback_outcome',
  'referral_created',
  'referral_status_changed',
  'mandatory_report',
  'order_application_started',
  'case_closed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineWho {
  /** `survivor`: her; `staff`: a named staff member; `organisation`: the desk as a whole (the reporter is confidential). */
  type: 'survivor' | 'staff' | 'organisation';
  accountId: string | null;
  name: string | null;
  /** For staff replies: how she was told who answered (lawyer, caseworker, staff). */
  role: string | null;
}

export interface TimelineEntry {
  kind: TimelineKind;
  at: Date;
  who: TimelineWho;
  /** The id of the message, note, call, call-back request or attempt, referral, report or application. */
  refId: string | null;
  /** The words, where there are words: her message, the reply, the note, the call's summary. */
  text: string | null;
  /** A code: a referral's kind or new status, a call-back's result, an application's status, the closing outcome. */
  status: string | null;
}

const survivor: TimelineWho = { type: 'survivor', accountId: null, name: null, role: null };
const organisation: TimelineWho = { type: 'organisation', accountId: null, name: null, role: null };

/** The whole timeline of one case, oldest first. The caller's route has checked the case is in scope. */
export async function caseTimeline(
  db: Db,
  service: HelplineService,
  actor: DeskActor,
  caseId: string,
): Promise<TimelineEntry[]> {
  const row = await findCaseRow(db, caseId);
  if (!row) throw new AppError('NOT_FOUND');
  const view = await service.caseView(actor, caseId);
  const [refs, callRows, referralRows, attempts, callbacks, audited, orders] = await Promise.all([
    row.help_request_id
      ? threadStaffRefs(db, row.help_request_id)
      : Promise.resolve(new Map<string, string>()),
    db
      .selectFrom('helpline_hotline_call')
      .select(['id', 'registered_by'])
      .where('case_id', '=', caseId)
      .execute(),
    db.selectFrom('helpline_referral').select(['id', 'created_by']).where('case_id', '=', caseId).execute(),
    db
      .selectFrom('helpline_callback_attempt')
      .select(['id', 'account_id', 'started_at', 'result', 'finished_at'])
      .where('case_id', '=', caseId)
      .execute(),
    listCallbacksOfCase(db, { helpRequestId: row.help_request_id, callbackId: row.callback_id }),
    db
      .selectFrom('audit_event')
      .select(['seq', 'event', 'occurred_at', 'actor_account_id', 'details'])
      .where('record_type', '=', 'helpline_case')
      .where('record_id', '=', caseId)
      .where('event', 'in', ['helpline.referral_updated', 'helpline.case_closed'])
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('order_application')
      .select(['id', 'status', 'created_by', 'created_at'])
      .where('origin_case_ref', '=', caseId)
      .execute(),
  ]);
  const referralChanges = audited.filter((a) => a.event === 'helpline.referral_updated');
  const closedBy = audited.findLast((a) => a.event === 'helpline.case_closed')?.actor_account_id;
  const registeredBy = new Map(callRows.map((c) => [c.id, c.registered_by]));
  const createdBy = new Map(referralRows.map((r) => [r.id, r.created_by]));
  const accountIds = [
    ...refs.values(),
    ...registeredBy.values(),
    ...createdBy.values(),
    ...attempts.map((a) => a.account_id),
    ...referralChanges.flatMap((c) => (c.actor_account_id ? [c.actor_account_id] : [])),
    ...orders.flatMap((o) => (o.created_by ? [o.created_by] : [])),
    ...(closedBy ? [closedBy] : []),
  ];
  const names = await staffNames(db, row.organisation_id, [...new Set(accountIds)]);
  const staff = (accountId: string | null | undefined, role: string | null = null): TimelineWho =>
    accountId
      ? { type: 'staff', accountId, name: names.get(accountId) ?? null, role }
      : { type: 'staff', accountId: null, name: null, role };
  const noteAuthors = new Map(
    (
      await db
        .selectFrom('helpline_case_note')
        .select(['id', 'author_account_id'])
        .where('case_id', '=', caseId)
        .execute()
    ).map((n) => [n.id, n.author_account_id]),
  );

  const entry = (
    kind: TimelineKind,
    at: Date,
    who: TimelineWho,
    rest: { refId?: string | null; text?: string | null; status?: string | null } = {},
  ): TimelineEntry => ({
    kind,
    at,
    who,
    refId: rest.refId ?? null,
    text: rest.text ?? null,
    status: rest.status ?? null,
  });

  const entries: TimelineEntry[] = [
    entry('case_received', view.receivedAt, row.source === 'hotline' ? staff(null) : survivor, {
      status: row.source,
    }),
    ...view.messages.map((m) =>
      m.author === 'survivor'
        ? entry('survivor_message', m.createdAt, survivor, { refId: m.id, text: m.text })
        : entry('staff_reply', m.createdAt, staff(refs.get(m.id), m.staffRole ?? null), {
            refId: m.id,
            text: m.text,
          }),
    ),
    ...view.notes.map((n) =>
      entry('note', n.createdAt, staff(noteAuthors.get(n.id)), { refId: n.id, text: n.text }),
    ),
    ...view.calls.map((c) =>
      entry('hotline_call', c.startedAt, staff(registeredBy.get(c.id)), {
        refId: c.id,
        text: c.summary,
        status: c.category,
      }),
    ),
    ...callbacks.map((c) =>
      entry('callback_requested', c.createdAt, survivor, { refId: c.id, status: c.status }),
    ),
    ...attempts.flatMap((a) => [
      entry('callback_attempt', a.started_at, staff(a.account_id), { refId: a.id }),
      ...(a.finished_at
        ? [entry('callback_outcome', a.finished_at, staff(a.account_id), { refId: a.id, status: a.result })]
        : []),
    ]),
    ...view.referrals.map((r) =>
      entry('referral_created', r.createdAt, staff(createdBy.get(r.id)), { refId: r.id, status: r.kind }),
    ),
    ...referralChanges.map((c) => {
      const referralId = typeof c.details.referralId === 'string' ? c.details.referralId : null;
      // Older events do not name the referral: when the case has one referral, it is that one.
      const only = view.referrals.length === 1 ? (view.referrals[0]?.id ?? null) : null;
      return entry('referral_status_changed', c.occurred_at, staff(c.actor_account_id), {
        refId: referralId ?? only,
        status: typeof c.details.status === 'string' ? c.details.status : null,
      });
    }),
    ...view.mandatoryReports.map((r) =>
      entry('mandatory_report', r.reportedAt, organisation, { refId: r.id, status: r.channel }),
    ),
    ...orders.map((o) =>
      entry('order_application_started', o.created_at, staff(o.created_by), {
        refId: o.id,
        status: o.status,
      }),
    ),
    ...(view.closedAt
      ? [
          entry('case_closed', view.closedAt, closedBy ? staff(closedBy) : organisation, {
            status: view.closingOutcome,
          }),
        ]
      : []),
  ];
  // Oldest first; entries at the same instant keep the order above (the case before what happened in it).
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
    .map(({ e }) => e);
}
