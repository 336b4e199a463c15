/**
 * Access-matrix records for the evidence vault: an item of a portal case whose desk case sits in the caller's
 * organisation (not assigned to the caller, not shared with anyone), and one in the other organisation. The
 * stored object is real (encrypted), so a granted download streams the file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { itemContext, itemPrefix } from '../../../src/modules/evidence/evidence.service.ts';
import type { TestApp } from '../test-app.ts';
import type { RecordFixture } from './types.ts';

const BYTES = Buffer.from('%PDF-1.4\n% access-matrix fixture\n%%EOF\n');

export async function makeEvidenceItem(
  t: TestApp,
  ownerRef: string,
  journalEntryId: string | null = null,
): Promise<string> {
  const id = randomUUID();
  const objectKey = `${itemPrefix(id)}original`;
  await t.app.evidence.storage.put(
    objectKey,
    Readable.from([BYTES]).pipe(t.keyring.encryptStream(itemContext(id))),
  );
  await t.db
    .insertInto('evidence_item')
    .values({
      id,
      upload_id: randomUUID().replace(/-/g, ''),
      owner_ref: ownerRef,
      uploaded_by: 'survivor',
      journal_entry_id: journalEntryId,
      evidence_type: 'police_records',
      incident_date: '2026-11-01',
      meta: t.keyring.seal(
        Buffer.from(JSON.stringify({ filename: 'record.pdf', description: '' })),
        `evidence_item.meta:${id}`,
      ),
      size: BYTES.length,
      sha256: createHash('sha256').update(BYTES).digest('hex'),
      media_type: 'application/pdf',
      extension: 'pdf',
      object_key: objectKey,
      preview_key: null,
    })
    .execute();
  return id;
}

/** A desk case for a help request, in an organisation (unassigned unless an account is given). */
export async function makeDeskCase(
  t: TestApp,
  organisationId: string,
  regionCode: string,
  helpRequestId: string,
  assignedAccountId: string | null = null,
): Promise<void> {
  await t.db
    .insertInto('helpline_case')
    .values({
      id: randomUUID(),
      organisation_id: organisationId,
      region_code: regionCode,
      source: 'online',
      help_request_id: helpRequestId,
      received_at: new Date(),
      request_type: 'domestic_violence',
      assigned_account_id: assignedAccountId,
      assigned_at: assignedAccountId ? new Date() : null,
    })
    .execute();
}

export const recordFixtures: RecordFixture[] = [
  {
    recordType: 'evidence',
    create: async (t, c) => {
      const make = async (organisationId: string, regionCode: string) => {
        const helpRequestId = randomUUID();
        await makeDeskCase(t, organisationId, regionCode, helpRequestId);
        return makeEvidenceItem(t, `help-case:${helpRequestId}`);
      };
      return {
        own: await make(c.ownOrganisationId, c.ownRegionCode),
        other: await make(c.otherOrganisationId, c.otherRegionCode),
      };
    },
  },
];
