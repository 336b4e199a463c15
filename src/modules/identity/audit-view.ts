/**
 * Reading the audit trail: the one use case behind the audit viewer page (admin.routes.tsx) and GET /api/audit
 * (admin.api.ts). Filters by person, record (type and id), date range (China time) and break-glass; newest
 * first, a page at a time (the cursor is the position of the last event shown). Each event carries the
 * actor's name and a sentence in words from the catalog, with the raw event. Looking is itself audited.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { catalogs, translate, type Locale, type MessageKey } from '../../platform/i18n/catalog.ts';
import { validationError } from '../../platform/errors.ts';
import { recordAuditAlone, type AuditActor } from '../../platform/audit.ts';
import type { Actor, Scope } from '../../platform/access-policy.ts';

export interface AuditFilter {
  /** The person (account or system client) who acted. */
  account?: string;
  recordType?: string;
  recordId?: string;
  /** Dates (YYYY-MM-DD), China time, both included. */
  from?: string;
  to?: string;
  breakGlass?: boolean;
  /** Only events before this position (the `nextCursor` of the previous page). */
  cursor?: string;
  limit: number;
}

export interface AuditEventView {
  seq: string;
  occurredAt: Date;
  actor: { accountId: string | null; displayName: string | null; roles: string[] };
  action: string;
  record: { type: string; id: string | null } | null;
  sentence: string;
  breakGlass: boolean;
  reason: string | null;
  raw: {
    seq: string;
    occurredAt: Date;
    actorAccountId: string | null;
    actorRoles: string[];
    organisationId: string | null;
    event: string;
    recordType: string | null;
    recordId: string | null;
    ip: string | null;
    userAgent: string | null;
    breakGlass: boolean;
    reason: string | null;
    details: Record<string, string | number | boolean | null>;
  };
}

const CHINA_OFFSET = '+08:00';

/** The sentence for one event in a language: its own catalog sentence, or the generic one. */
export function auditSentence(
  locale: Locale,
  event: { event: string; actorName: string | null; recordType: string | null; recordId: string | null },
): string {
  const own = `audit.sentence.${event.event}`;
  const key = (own in catalogs[locale] ? own : 'audit.sentence.other') as MessageKey;
  const actor = event.actorName ?? translate(locale, 'audit.sentence.nobody');
  const record = event.recordType
    ? translate(locale, 'audit.sentence.onRecord', {
        record: `${event.recordType}${event.recordId ? ` ${event.recordId}` : ''}`,
      })
    : '';
  return translate(locale, key, { actor, record, event: event.event });
}

function dayStart(date: string, field: string): Date {
  const at = new Date(`${date}T00:00:00${CHINA_OFFSET}`);
  if (Number.isNaN(at.getTime())) throw validationError([{ field, message: 'error.validation' }]);
  return at;
}

/** Events in the reader's scope (all for a platform-wide reader, else their organisation's), newest first. */
export async function listAuditEvents(
  db: Kysely<Database>,
  reader: Actor,
  scope: Scope,
  filter: AuditFilter,
  locale: Locale,
  actor: AuditActor,
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('audit_event as e')
    .leftJoin('staff_account as a', 'a.id', 'e.actor_account_id')
    // A system client acts under its own name (its id stands where an account's would).
    .leftJoin('system_client as sc', 'sc.id', 'e.actor_account_id')
    .select([
      'e.seq',
      'e.occurred_at',
      'e.actor_account_id',
      'e.actor_roles',
      'e.organisation_id',
      'e.event',
      'e.record_type',
      'e.record_id',
      'e.ip',
      'e.user_agent',
      'e.break_glass',
      'e.reason',
      'e.details',
    ])
    .select((eb) => eb.fn.coalesce('a.display_name', 'sc.name').as('display_name'))
    .orderBy('e.seq', 'desc')
    .limit(filter.limit + 1);
  if (scope !== 'all') query = query.where('e.organisation_id', '=', reader.organisationId);
  if (filter.account) query = query.where('e.actor_account_id', '=', filter.account);
  if (filter.recordType?.trim()) query = query.where('e.record_type', '=', filter.recordType.trim());
  if (filter.recordId?.trim()) query = query.where('e.record_id', '=', filter.recordId.trim());
  if (filter.from) query = query.where('e.occurred_at', '>=', dayStart(filter.from, 'from'));
  if (filter.to)
    query = query.where('e.occurred_at', '<', new Date(dayStart(filter.to, 'to').getTime() + 86_400_000));
  if (filter.breakGlass) query = query.where('e.break_glass', '=', true);
  if (filter.cursor) {
    if (!/^\d{1,19}$/.test(filter.cursor))
      throw validationError([{ field: 'cursor', message: 'error.validation' }]);
    query = query.where('e.seq', '<', filter.cursor);
  }
  const rows = await query.execute();
  // Looking at the audit trail is itself audited (which filters, never their values).
  await recordAuditAlone(db, {
    event: 'audit.viewed',
    actor,
    details: {
      filters: (['account', 'recordType', 'recordId', 'from', 'to', 'breakGlass', 'cursor'] as const)
        .filter((k) => filter[k])
        .join(','),
    },
  });
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((e) => ({
      seq: e.seq,
      occurredAt: e.occurred_at,
      actor: { accountId: e.actor_account_id, displayName: e.display_name, roles: e.actor_roles },
      action: e.event,
      record: e.record_type ? { type: e.record_type, id: e.record_id } : null,
      sentence: auditSentence(locale, {
        event: e.event,
        actorName: e.display_name,
        recordType: e.record_type,
        recordId: e.record_id,
      }),
      breakGlass: e.break_glass,
      reason: e.reason,
      raw: {
        seq: e.seq,
        occurredAt: e.occurred_at,
        actorAccountId: e.actor_account_id,
        actorRoles: e.actor_roles,
        organisationId: e.organisation_id,
        event: e.event,
        recordType: e.record_type,
        recordId: e.record_id,
        ip: e.ip,
        userAgent: e.user_agent,
        breakGlass: e.break_glass,
        reason: e.reason,
        details: e.details,
      },
    })),
    nextCursor: rows.length > filter.limit ? (page.at(-1)?.seq ?? null) : null,
  };
}
