/**
 * Access-matrix records for the orders module: for each record type, one placed in the caller's organisation
 * (as its court, agency or police station) and one in the other; none created by the caller.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TestApp } from '../test-app.ts';
import { makeEvidenceItem } from './evidence.ts';
import type { BodySamples, RecordFixture } from './types.ts';

async function application(t: TestApp, courtId: string, regionCode: string): Promise<string> {
  const id = randomUUID();
  await t.db
    .insertInto('order_application')
    .values({
      id,
      status: 'accepted',
      channel: 'portal',
      help_request_id: null,
      origin_case_ref: null,
      evidence_owner_ref: null,
      created_by: null,
      proxy_kind: null,
      relationship: 'spouse',
      urgent: false,
      venue_basis: 'applicant',
      venue_region_code: regionCode,
      consent_online: true,
      consent_electronic_service: false,
      decided_at: null,
      court_note: null,
      particulars: t.keyring.sealText('{}', `order_application.particulars:${id}`),
      court_id: courtId,
      court_region_code: regionCode,
      case_number: `（2026）京0105民保令${randomBytes(4).readUInt32BE()}号`,
      submitted_at: new Date(),
      accepted_at: new Date(),
      ruling_due_at: new Date(Date.now() + 72 * 3_600_000),
      updated_at: new Date(),
    })
    .execute();
  return id;
}

async function order(
  t: TestApp,
  courtId: string,
  regionCode: string,
): Promise<{ orderId: string; applicationId: string }> {
  const applicationId = await application(t, courtId, regionCode);
  const orderId = randomUUID();
  const token = randomBytes(24).toString('base64url');
  await t.db
    .insertInto('protection_order')
    .values({
      id: orderId,
      application_id: applicationId,
      case_number: `（2026）京0105民保令${randomBytes(4).readUInt32BE()}号`,
      court_id: courtId,
      court_region_code: regionCode,
      measures: ['no_violence'],
      terms: t.keyring.sealText('{}', `protection_order.terms:${orderId}`),
      valid_from: new Date(),
      valid_until: new Date(Date.now() + 90 * 86_400_000),
      status: 'in_force',
      check_token_hash: createHash('sha256').update(token).digest(),
      check_token: t.keyring.sealText(token, `protection_order.check_token:${orderId}`),
      decided_by: randomUUID(),
      updated_at: new Date(),
    })
    .execute();
  return { orderId, applicationId };
}

const pair =
  (
    make: (t: TestApp, organisationId: string, regionCode: string) => Promise<string>,
  ): RecordFixture['create'] =>
  async (t, c) => ({
    own: await make(t, c.ownOrganisationId, c.ownRegionCode),
    other: await make(t, c.otherOrganisationId, c.otherRegionCode),
  });

export const recordFixtures: RecordFixture[] = [
  { recordType: 'order_application', create: pair(application) },
  {
    recordType: 'order_review_task',
    create: pair(async (t, organisationId, regionCode) => {
      const applicationId = await application(t, randomUUID(), regionCode);
      const id = randomUUID();
      await t.db
        .insertInto('order_review_task')
        .values({
          id,
          application_id: applicationId,
          agency: 'police',
          organisation_id: organisationId,
          organisation_region_code: regionCode,
          status: 'open',
        })
        .execute();
      return id;
    }),
  },
  { recordType: 'protection_order', create: pair(async (t, o, r) => (await order(t, o, r)).orderId) },
  {
    recordType: 'order_service_task',
    create: pair(async (t, o, r) => {
      const { orderId } = await order(t, o, r);
      const id = randomUUID();
      await t.db
        .insertInto('order_service_task')
        .values({ id, order_id: orderId, party: 'respondent', status: 'open' })
        .execute();
      return id;
    }),
  },
  {
    recordType: 'order_violation',
    create: pair(async (t, o, r) => {
      const { orderId } = await order(t, o, r);
      const id = randomUUID();
      await t.db
        .insertInto('order_violation')
        .values({
          id,
          order_id: orderId,
          reported_by: 'police',
          reporter_ref: 'staff:x',
          occurred_on: '2026-11-01',
          description: t.keyring.sealText('x', `order_violation.description:${id}`),
          status: 'reported',
        })
        .execute();
      return id;
    }),
  },
  {
    recordType: 'police_warning',
    create: pair(async (t, organisationId, regionCode) => {
      const id = randomUUID();
      await t.db
        .insertInto('police_warning')
        .values({
          id,
          organisation_id: organisationId,
          region_code: regionCode,
          warning_number: `W-${id}`,
          particulars: t.keyring.sealText('{}', `police_warning.particulars:${id}`),
          issued_by: randomUUID(),
          issued_at: new Date(),
          follow_up_due_at: new Date(Date.now() + 7 * 86_400_000),
        })
        .execute();
      return id;
    }),
  },
  {
    // Her help request as agencies reach it (by her consent only): own — a request whose desk case sits in the
    // caller's organisation, shared with nobody; other — a request with a file she shared with the other organisation.
    recordType: 'help_request_agency',
    create: async (t, c) => {
      const file = async () => {
        const created = await t.app.help.createHelpRequest(
          {
            requestType: 'domestic_violence',
            narrative: '他打我。',
            forms: [],
            contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
            consentSensitive: true,
          } as unknown as Parameters<TestApp['app']['help']['createHelpRequest']>[0],
          'zh-CN',
        );
        return created.id;
      };
      const own = await file();
      await t.db
        .insertInto('helpline_case')
        .values({
          id: randomUUID(),
          organisation_id: c.ownOrganisationId,
          region_code: c.ownRegionCode,
          source: 'online',
          help_request_id: own,
          received_at: new Date(),
          request_type: 'domestic_violence',
        })
        .execute();
      const other = await file();
      const evidenceId = await makeEvidenceItem(t, `help-case:${other}`);
      await t.db
        .insertInto('evidence_share')
        .values({
          id: randomUUID(),
          evidence_id: evidenceId,
          agency: 'police',
          organisation_id: c.otherOrganisationId,
          consented_by: 'survivor',
        })
        .execute();
      return { own, other };
    },
  },
];

/** Valid bodies for the routes that name records in their body (the matrix fills in each declared field). */
export const bodySamples: BodySamples = {
  'POST /api/orders/applications': { channel: 'ngo', application: { consentOnline: false } },
  'POST /api/orders/warnings': { abuserName: '王强', victimName: '李梅', facts: '殴打' },
  'POST /orders/warnings': { abuserName: '王强', victimName: '李梅', facts: '殴打' },
};
