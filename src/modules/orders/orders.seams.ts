/**
 * What the orders module needs from other modules, as typed seams: the organisations (courts, police stations,
 * federations, committees) with their GB/T 2260 regions, and the evidence vault (items and their custody
 * chains). Each seam has the one implementation used in production; tests may pass their own.
 */
import { findOrganisation, listOrganisations } from '../identity/identity.directory.service.ts';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { verifyChain, type CustodyEntry } from '../evidence/custody.ts';
import type { EvidenceItem } from '../evidence/evidence.service.ts';
import type { OrganisationPlace } from './orders.model.ts';

export type AgencyKind = 'court' | 'police_station' | 'womens_federation' | 'community_committee';

export interface OrganisationDirectory {
  /** Active organisations of one kind whose region contains the place (prefix either way). */
  servingPlace(kind: AgencyKind, place: string): Promise<OrganisationPlace[]>;
  get(id: string): Promise<(OrganisationPlace & { kind: string }) | undefined>;
}

/**
 * The identity module's organisation list (id, name, kind, region) through its directory service: public facts
 * about institutions, never staff or case data.
 */
export function organisationDirectory(db: Kysely<Database>): OrganisationDirectory {
  return {
    async servingPlace(kind, place) {
      const prefixes = [place.slice(0, 2), place.slice(0, 4), place.slice(0, 6)].filter(
        (p, i, all) => p.length >= 2 && all.indexOf(p) === i,
      );
      const rows = await listOrganisations(db, { kinds: [kind], regionCodes: prefixes });
      return rows.map((o) => ({ id: o.id, name: o.name, regionCode: o.regionCode }));
    },
    async get(id) {
      const o = await findOrganisation(db, id);
      return o && { id: o.id, name: o.name, kind: o.kind, regionCode: o.regionCode };
    },
  };
}

/** The part of the evidence vault's service the orders module calls. */
export interface OrdersEvidenceSource {
  getItem(id: string): Promise<EvidenceItem | undefined>;
  listForOwner(ownerRef: string): Promise<EvidenceItem[]>;
  custodyOf(id: string): Promise<CustodyEntry[]>;
  recordShare(input: {
    evidenceId: string;
    actor: string;
    agency: string;
    consentRef?: string;
  }): Promise<CustodyEntry>;
}

export interface EvidenceIntegrity {
  id: string;
  evidenceType: string;
  filename: string;
  sha256: string;
  size: number;
  uploadedAt: string;
  /** `intact`: custody chain verifies; `broken`: a link fails; `missing`: the item is gone from the vault. */
  integrity: 'intact' | 'broken' | 'missing';
  custodyEntries: number;
}

/** The vault's item with its custody chain checked, for the judge's view. */
export async function evidenceIntegrity(
  source: OrdersEvidenceSource | undefined,
  id: string,
): Promise<EvidenceIntegrity> {
  const item = await source?.getItem(id);
  if (!source || !item)
    return {
      id,
      evidenceType: 'other',
      filename: '',
      sha256: '',
      size: 0,
      uploadedAt: '',
      integrity: 'missing',
      custodyEntries: 0,
    };
  const chain = await source.custodyOf(id);
  const verified = verifyChain(chain);
  return {
    id,
    evidenceType: item.evidenceType,
    filename: item.filename,
    sha256: item.sha256,
    size: item.size,
    uploadedAt: item.uploadedAt,
    integrity: verified.ok && chain.length > 0 ? 'intact' : 'broken',
    custodyEntries: chain.length,
  };
}

/** The evidence vault's service when that module has registered it (it may register after this one). */
export function evidenceFromApp(app: FastifyInstance): OrdersEvidenceSource | undefined {
  if (!app.hasDecorator('evidence')) return undefined;
  return (app as unknown as { evidence: OrdersEvidenceSource }).evidence;
}

/** The evidence owner reference of a survivor's portal case (the vault keeps owners opaque). */
export const helpCaseOwnerRef = (helpRequestId: string): string => `help-case:${helpRequestId}`;

/**
 * The NGO desk case an application is started from and her help request, as one pair: by the case, or by the
 * help request (its one desk case). Reads the helpline module's case row (id and help request only); the caller
 * has already been allowed to see the record it named (the gate's body check).
 */
export async function deskCaseOf(
  db: Kysely<Database>,
  ref: { caseId?: string; helpRequestId?: string },
): Promise<{ caseId: string; helpRequestId: string | null } | undefined> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (![ref.caseId, ref.helpRequestId].some((id) => id !== undefined && uuid.test(id))) return undefined;
  let query = db.selectFrom('helpline_case').select(['id', 'help_request_id']);
  if (ref.caseId) query = query.where('id', '=', ref.caseId);
  else if (ref.helpRequestId) query = query.where('help_request_id', '=', ref.helpRequestId);
  else return undefined;
  const row = await query.executeTakeFirst();
  return row && { caseId: row.id, helpRequestId: row.help_request_id };
}
