/**
 * The survivor's journal: incidents she records (date, description, type of evidence from SPC 6) with files from
 * the vault attached, kept on the server only, and her consent to share single items with single agencies
 * (PIPL 23: separate consent per agency, with who and when; a withdrawal is kept next to the consent). Each share
 * also goes on the item's custody chain (`EvidenceService.recordShare`). Who may then read an item is decided by
 * the access policy (`evidence.access.ts`), which reads these consents.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { verifyChain } from './custody.ts';
import type { EvidenceItem, EvidenceService } from './evidence.service.ts';
import { isUuid } from './evidence.service.ts';
import { isEvidenceType, type EvidenceType } from './evidence.types.ts';
import { helpRequestOf } from './evidence.access.ts';
import type { OrganisationKind } from '../../platform/access-policy.ts';
import {
  findOrganisation,
  findOrganisations,
  listOrganisations,
} from '../identity/identity.directory.service.ts';

export const AGENCIES = ['court', 'police', 'federation', 'ngo'] as const;
export type Agency = (typeof AGENCIES)[number];
/** The identity module's organisation kind for each agency she can share with. */
export const AGENCY_KIND: Record<Agency, string> = {
  court: 'court',
  police: 'police_station',
  federation: 'womens_federation',
  ngo: 'ngo',
};
export const DESCRIPTION_MAX = 4000;

export interface JournalShare {
  id: string;
  agency: Agency;
  organisationId: string;
  organisationName: string;
  consentedBy: string;
  consentedAt: string;
}

export interface JournalItem extends EvidenceItem {
  /** The custody chain verifies from the first entry (upload, with its SHA-256) to the last. */
  integrity: 'intact' | 'broken';
  shares: JournalShare[];
}

export interface JournalEntry {
  id: string;
  incidentDate: string;
  evidenceType: EvidenceType;
  description: string;
  createdAt: string;
  items: JournalItem[];
}

export interface ShareTarget {
  id: string;
  name: string;
  agency: Agency;
}

export const isAgency = (value: unknown): value is Agency =>
  typeof value === 'string' && (AGENCIES as readonly string[]).includes(value);

const descriptionContext = (id: string): string => `evidence_journal_entry.description:${id}`;

/** Her entry's fields checked; every problem named (nothing is stored unless all are fine). */
export function checkEntryInput(
  input: { incidentDate?: unknown; evidenceType?: unknown; description?: unknown },
  now = new Date(),
): {
  value?: { incidentDate: string; evidenceType: EvidenceType; description: string };
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const incidentDate = typeof input.incidentDate === 'string' ? input.incidentDate.trim() : '';
  const description = typeof input.description === 'string' ? input.description.normalize('NFC').trim() : '';
  const evidenceType =
    typeof input.evidenceType === 'string' && input.evidenceType !== '' ? input.evidenceType : 'statement';
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(incidentDate) ? new Date(`${incidentDate}T00:00:00Z`) : undefined;
  if (!incidentDate) problems.push({ field: 'incidentDate', message: 'validation.required' });
  else if (
    !parsed ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== incidentDate ||
    parsed.getTime() > now.getTime() + 86_400_000 ||
    parsed.getUTCFullYear() < 1950
  ) {
    problems.push({ field: 'incidentDate', message: 'journal.problem.date' });
  }
  if (!description) problems.push({ field: 'description', message: 'validation.required' });
  else if (description.length > DESCRIPTION_MAX)
    problems.push({
      field: 'description',
      message: 'journal.problem.tooLong',
      params: { max: DESCRIPTION_MAX },
    });
  if (!isEvidenceType(evidenceType))
    problems.push({ field: 'evidenceType', message: 'journal.problem.type' });
  if (problems.length) return { problems };
  return { value: { incidentDate, evidenceType: evidenceType as EvidenceType, description }, problems };
}

export class JournalService {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly evidence: EvidenceService,
  ) {}

  async createEntry(input: {
    ownerRef: string;
    createdBy: string;
    incidentDate?: unknown;
    evidenceType?: unknown;
    description?: unknown;
  }): Promise<{ id: string }> {
    const { value, problems } = checkEntryInput(input);
    if (!value) throw new AppError('VALIDATION', { fields: problems });
    const id = randomUUID();
    await this.db
      .insertInto('evidence_journal_entry')
      .values({
        id,
        owner_ref: input.ownerRef,
        incident_date: value.incidentDate,
        evidence_type: value.evidenceType,
        description: this.keyring.sealText(value.description, descriptionContext(id)),
        created_by: input.createdBy,
      })
      .execute();
    return { id };
  }

  /** Her entry, or undefined when it is not hers (another owner's entry is "not found", like a missing one). */
  async entryOf(
    ownerRef: string,
    entryId: string,
  ): Promise<{ id: string; incidentDate: string; evidenceType: EvidenceType } | undefined> {
    if (!isUuid(entryId)) return undefined;
    const row = await this.db
      .selectFrom('evidence_journal_entry')
      .select(['id', 'incident_date', 'evidence_type'])
      .where('id', '=', entryId)
      .where('owner_ref', '=', ownerRef)
      .executeTakeFirst();
    return (
      row && { id: row.id, incidentDate: row.incident_date, evidenceType: row.evidence_type as EvidenceType }
    );
  }

  /** Every entry with its files (integrity checked, shares listed), newest incident first. */
  async listEntries(ownerRef: string): Promise<JournalEntry[]> {
    const rows = await this.db
      .selectFrom('evidence_journal_entry')
      .selectAll()
      .where('owner_ref', '=', ownerRef)
      .orderBy('incident_date', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    const items = await this.evidence.listForOwner(ownerRef);
    const shares = await this.sharesOf(items.map((i) => i.id));
    const withIntegrity = await Promise.all(
      items.map(async (item): Promise<JournalItem> => {
        const chain = await this.evidence.custodyOf(item.id);
        return {
          ...item,
          integrity:
            chain.length > 0 && chain[0]?.action === 'upload' && verifyChain(chain).ok ? 'intact' : 'broken',
          shares: shares.get(item.id) ?? [],
        };
      }),
    );
    return rows.map((row) => ({
      id: row.id,
      incidentDate: row.incident_date,
      evidenceType: row.evidence_type as EvidenceType,
      description: this.keyring.openText(row.description, descriptionContext(row.id)),
      createdAt: row.created_at.toISOString(),
      items: withIntegrity.filter((i) => i.journalEntryId === row.id),
    }));
  }

  private async sharesOf(evidenceIds: string[]): Promise<Map<string, JournalShare[]>> {
    const map = new Map<string, JournalShare[]>();
    if (!evidenceIds.length) return map;
    const rows = await this.db
      .selectFrom('evidence_share as s')
      .select(['s.id', 's.evidence_id', 's.agency', 's.organisation_id', 's.consented_by', 's.consented_at'])
      .where('s.evidence_id', 'in', evidenceIds)
      .where('s.withdrawn_at', 'is', null)
      .orderBy('s.consented_at')
      .execute();
    // The organisations' names from identity's directory service.
    const organisations = await findOrganisations(
      this.db,
      rows.map((r) => r.organisation_id),
    );
    for (const row of rows) {
      const name = organisations.get(row.organisation_id)?.name;
      if (name === undefined) continue;
      const list = map.get(row.evidence_id) ?? [];
      list.push({
        id: row.id,
        agency: row.agency,
        organisationId: row.organisation_id,
        organisationName: name,
        consentedBy: row.consented_by,
        consentedAt: row.consented_at.toISOString(),
      });
      map.set(row.evidence_id, list);
    }
    return map;
  }

  /**
   * The agencies she can choose: active courts, police stations, women's federations and NGOs of her province
   * (every one when her request named none), and the courts she filed applications with. Her own desk's NGO is
   * left out: it already holds her case.
   */
  async shareTargets(ownerRef: string): Promise<ShareTarget[]> {
    const helpRequestId = helpRequestOf(ownerRef);
    const request = helpRequestId
      ? await this.db
          .selectFrom('help_request')
          .select('province')
          .where('id', '=', helpRequestId)
          .executeTakeFirst()
      : undefined;
    const desk = helpRequestId
      ? await this.db
          .selectFrom('helpline_case')
          .select('organisation_id')
          .where('help_request_id', '=', helpRequestId)
          .executeTakeFirst()
      : undefined;
    const province = request?.province;
    const rows = await listOrganisations(this.db, {
      kinds: Object.values(AGENCY_KIND) as OrganisationKind[],
      ...(province && /^\d{2}$/.test(province) ? { regionPrefix: province } : {}),
      order: 'kind,name',
      limit: 400,
    });
    const agencyOf = (kind: string): Agency | undefined => AGENCIES.find((a) => AGENCY_KIND[a] === kind);
    return rows
      .filter((r) => r.id !== desk?.organisation_id)
      .flatMap((r) => {
        const agency = agencyOf(r.kind);
        return agency ? [{ id: r.id, name: r.name, agency }] : [];
      });
  }

  /**
   * Her consent to share items with one agency: one consent row per item (who, when), a `share` entry on each
   * item's custody chain. Items must be hers; the organisation must be of the agency's kind. Sharing again what is
   * already shared changes nothing.
   */
  async share(input: {
    ownerRef: string;
    evidenceIds: readonly string[];
    agency: unknown;
    organisationId: unknown;
    consent: unknown;
    consentedBy: string;
  }): Promise<{ shared: number }> {
    const problems: FieldProblem[] = [];
    const ids = [...new Set(input.evidenceIds)];
    if (!ids.length) problems.push({ field: 'evidenceIds', message: 'journal.problem.pickItems' });
    if (!isAgency(input.agency)) problems.push({ field: 'agency', message: 'journal.problem.agency' });
    if (input.consent !== true) problems.push({ field: 'consent', message: 'journal.problem.consent' });
    const organisationId = typeof input.organisationId === 'string' ? input.organisationId : '';
    let organisation: { id: string; kind: string } | undefined;
    if (!isUuid(organisationId))
      problems.push({ field: 'organisationId', message: 'journal.problem.organisation' });
    else {
      const found = await findOrganisation(this.db, organisationId);
      organisation = found?.active ? { id: found.id, kind: found.kind } : undefined;
      if (!organisation || !isAgency(input.agency) || organisation.kind !== AGENCY_KIND[input.agency])
        problems.push({ field: 'organisationId', message: 'journal.problem.organisation' });
    }
    const owned = await this.evidence.listForOwner(input.ownerRef);
    const mine = new Set(owned.map((i) => i.id));
    if (ids.some((id) => !mine.has(id)))
      problems.push({ field: 'evidenceIds', message: 'journal.problem.notYours' });
    // Nobody is sent a file before its malware check.
    else if (owned.some((i) => ids.includes(i.id) && i.scanState !== 'clean'))
      problems.push({ field: 'evidenceIds', message: 'journal.problem.awaitingCheck' });
    if (problems.length || !organisation || !isAgency(input.agency))
      throw new AppError('VALIDATION', { fields: problems });
    const agency = input.agency;
    let shared = 0;
    for (const evidenceId of ids) {
      const id = randomUUID();
      const inserted = await this.db
        .insertInto('evidence_share')
        .values({
          id,
          evidence_id: evidenceId,
          agency,
          organisation_id: organisation.id,
          consented_by: input.consentedBy,
        })
        .onConflict((oc) =>
          oc.columns(['evidence_id', 'organisation_id']).where('withdrawn_at', 'is', null).doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (!inserted) continue;
      await this.evidence.recordShare({
        evidenceId,
        actor: input.consentedBy,
        agency: `${agency}:${organisation.id}`,
        consentRef: `evidence_share:${id}`,
      });
      shared += 1;
    }
    return { shared };
  }

  /** She withdraws a consent: the agency no longer reaches the item; the consent row keeps when and by whom. */
  async withdraw(input: { ownerRef: string; shareId: string; by: string }): Promise<boolean> {
    if (!isUuid(input.shareId)) return false;
    const row = await this.db
      .selectFrom('evidence_share as s')
      .innerJoin('evidence_item as i', 'i.id', 's.evidence_id')
      .select(['s.id'])
      .where('s.id', '=', input.shareId)
      .where('i.owner_ref', '=', input.ownerRef)
      .where('s.withdrawn_at', 'is', null)
      .executeTakeFirst();
    if (!row) return false;
    await this.db
      .updateTable('evidence_share')
      .set({ withdrawn_at: new Date(), withdrawn_by: input.by })
      .where('id', '=', row.id)
      .execute();
    return true;
  }
}
