/**
 * Staff access to evidence, through the identity module's access policy. An item belongs to an owner
 * (`help-case:<help request id>`); the locator places it where the survivor's consent puts it:
 *
 * - the NGO desk that holds her case (helpline_case for that help request): the organisation (its supervisor)
 *   and the staff assigned to the case (lawyer / caseworker) — she asked that NGO for help;
 * - every organisation she shared this item with (evidence_share: one consent per item and agency, live until
 *   withdrawn) — a court, police station, women's federation or another NGO;
 * - the court of each protection-order application she filed with this item, and of each violation report on an
 *   order carrying it (filing is her consent to the court, recorded by the orders module); for an application an NGO
 *   started, only the items she allowed when asked. The orders module answers this through a consent source it
 *   adds at start (evidence.consent-sources.ts): evidence reads no table of the orders module.
 *
 * A placement has one organisation; the others are reached through `assignedAccountIds`: the active accounts of
 * the organisations the item was shared with. So court, police and federation roles hold `assigned` scope:
 * they reach an item only when it was shared with their organisation, never by role or region alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { registerRecordType } from '../../platform/access-guard.ts';
import { auditActorFrom, recordAuditAlone } from '../../platform/audit.ts';
import { evaluateAccess, type ActionRule, type RecordPlacement } from '../../platform/access-policy.ts';
import { activeAccountIds } from '../identity/identity.directory.service.ts';
import { isUuid } from './evidence.service.ts';
import { consentSources } from './evidence.consent-sources.ts';

export const EVIDENCE_RECORD = 'evidence';

const SHARED = {
  judge: 'assigned',
  court_clerk: 'assigned',
  police_officer: 'assigned',
  federation_officer: 'assigned',
} as const;
const NGO_CASE = {
  ngo_supervisor: 'organisation',
  volunteer_lawyer: 'assigned',
  caseworker: 'assigned',
} as const;

export const EVIDENCE_POLICY = {
  /** List, view, download, preview, custody log. */
  'evidence.read': { roles: { ...NGO_CASE, ...SHARED } },
  /** A signed bundle for a court: the case's NGO staff, and a court for what was shared with it. */
  'evidence.export': { roles: { ...NGO_CASE, judge: 'assigned', court_clerk: 'assigned' } },
} as const satisfies Record<string, ActionRule>;

export const HELP_CASE_PREFIX = 'help-case:';

/** The help request behind an owner reference, when it is a portal case. */
export function helpRequestOf(ownerRef: string): string | undefined {
  const id = ownerRef.startsWith(HELP_CASE_PREFIX) ? ownerRef.slice(HELP_CASE_PREFIX.length) : '';
  return isUuid(id) ? id : undefined;
}

/** Organisations an item reaches by her consent: live shares, and what the consent sources name. */
export async function consentedOrganisations(db: Kysely<Database>, evidenceId: string): Promise<string[]> {
  const shares = await db
    .selectFrom('evidence_share')
    .select('organisation_id as id')
    .where('evidence_id', '=', evidenceId)
    .where('withdrawn_at', 'is', null)
    .execute();
  const others = await Promise.all([...consentSources].map((source) => source(db, evidenceId)));
  return [...new Set([...shares.map((r) => r.id), ...others.flat()])];
}

/** Where an item sits for the access gate, or undefined when there is no such item. */
export async function locateEvidence(db: Kysely<Database>, id: string): Promise<RecordPlacement | undefined> {
  if (!isUuid(id)) return undefined;
  const item = await db
    .selectFrom('evidence_item')
    .select(['owner_ref'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!item) return undefined;
  const helpRequestId = helpRequestOf(item.owner_ref);
  const deskCase = helpRequestId
    ? await db
        .selectFrom('helpline_case')
        .select(['organisation_id', 'assigned_account_id'])
        .where('help_request_id', '=', helpRequestId)
        .executeTakeFirst()
    : undefined;
  const organisations = await consentedOrganisations(db, id);
  const sharedAccounts = await activeAccountIds(db, organisations);
  return {
    organisationId: deskCase?.organisation_id ?? null,
    // Never region-wide: evidence is reached through her case or her consent only.
    regionCode: null,
    assignedAccountIds: [
      ...(deskCase?.assigned_account_id ? [deskCase.assigned_account_id] : []),
      ...sharedAccounts,
    ],
  };
}

export function registerEvidenceAccess(app: FastifyInstance): void {
  registerRecordType(app, EVIDENCE_RECORD, { caseLevel: true, locate: locateEvidence });
}

/**
 * For routes that name items in a query or body (list, export): the items this staff member may reach for the
 * action, each read written to the audit trail like a `:id` read. Items out of scope are simply left out.
 */
export async function reachableItems(
  request: FastifyRequest,
  action: keyof typeof EVIDENCE_POLICY,
  ids: readonly string[],
): Promise<Set<string>> {
  const staff = request.staff;
  const allowed = new Set<string>();
  if (!staff) return allowed;
  const actor = {
    accountId: staff.accountId,
    organisationId: staff.organisationId,
    regionCode: staff.regionCode,
    roles: staff.roles,
  };
  for (const id of ids) {
    const placement = await locateEvidence(request.server.db, id);
    if (!placement || !evaluateAccess(actor, action, placement).allowed) continue;
    allowed.add(id);
    await recordAuditAlone(request.server.db, {
      event: 'record.read',
      actor: auditActorFrom(request),
      record: { type: EVIDENCE_RECORD, id },
      details: { action },
      breakGlass: false,
    });
  }
  return allowed;
}
