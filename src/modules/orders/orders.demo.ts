/**
 * Demo data for the one-stop (never in production): two fictional applications at the demo court — one filed and
 * waiting for acceptance, one accepted as urgent with review tasks at the demo police station and federation —
 * so the docket, the clock and the review pages have something to show. Names are invented.
 */
import { listOrganisations } from '../identity/identity.directory.service.ts';
import { ORGANISATION_KINDS } from '../../platform/access-policy.ts';
import { randomUUID } from 'node:crypto';
import type { DemoSeedContext } from '../../db/demo.ts';
import { caseNumber, chinaDate, rulingDeadline, type ApplicationInput } from './orders.model.ts';

function demoApplication(name: string, respondent: string, urgent: boolean): ApplicationInput {
  const today = chinaDate(new Date());
  return {
    applicant: { name, gender: 'female', regionCode: '500112', address: '重庆市渝北区（演示地址）' },
    respondent: { name: respondent, gender: 'male', birthYear: 1985, regionCode: '500112' },
    relationship: 'spouse',
    incidents: [{ date: today, description: '（演示）他酒后殴打申请人，并威胁如果报警就杀了她。' }],
    measures: ['no_violence', 'no_contact'],
    urgent,
    ...(urgent ? { urgentReason: '（演示）他扬言今晚回家报复。' } : {}),
    venueBasis: 'applicant',
    consentOnline: true,
    consentElectronicService: false,
  };
}

export async function ordersDemoSeed({ trx, keyring, print }: DemoSeedContext): Promise<void> {
  const orgs = await listOrganisations(trx, {
    kinds: ORGANISATION_KINDS,
    regionCodes: ['500112'],
  });
  const court = orgs.find((o) => o.kind === 'court');
  if (!court) return;
  const now = new Date();
  const rows: { input: ApplicationInput; accepted: boolean }[] = [
    { input: demoApplication('张小红（演示）', '刘大伟（演示）', false), accepted: false },
    { input: demoApplication('陈静（演示）', '赵刚（演示）', true), accepted: true },
  ];
  let sequence = 0;
  for (const { input, accepted } of rows) {
    const id = randomUUID();
    const due = accepted ? rulingDeadline(now, input.urgent === true) : null;
    await trx
      .insertInto('order_application')
      .values({
        id,
        status: accepted ? 'accepted' : 'submitted',
        channel: 'portal',
        help_request_id: null,
        origin_case_ref: null,
        evidence_owner_ref: null,
        created_by: null,
        proxy_kind: null,
        particulars: keyring.sealText(JSON.stringify(input), `order_application.particulars:${id}`),
        relationship: input.relationship ?? null,
        measures: input.measures ?? [],
        urgent: input.urgent === true,
        venue_basis: 'applicant',
        venue_region_code: '500112',
        court_id: court.id,
        court_region_code: court.regionCode,
        evidence_ids: [],
        consent_online: true,
        consent_electronic_service: false,
        case_number: accepted
          ? caseNumber(Number(chinaDate(now).slice(0, 4)), court.regionCode, ++sequence)
          : null,
        submitted_at: now,
        accepted_at: accepted ? now : null,
        ruling_due_at: due,
        decided_at: null,
        court_note: null,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('order_event')
      .values({
        application_id: id,
        kind: 'received',
        at: now,
        actor_ref: 'system',
        visible_to_applicant: true,
      })
      .execute();
    if (!accepted) continue;
    await trx
      .insertInto('order_case_counter')
      .values({ court_id: court.id, year: Number(chinaDate(now).slice(0, 4)), last: sequence })
      .onConflict((oc) => oc.columns(['court_id', 'year']).doUpdateSet({ last: sequence }))
      .execute();
    await trx
      .insertInto('order_event')
      .values({
        application_id: id,
        kind: 'accepted',
        at: now,
        actor_ref: 'system',
        visible_to_applicant: true,
      })
      .execute();
    for (const [agency, kind] of [
      ['police', 'police_station'],
      ['federation', 'womens_federation'],
    ] as const) {
      const org = orgs.find((o) => o.kind === kind);
      if (org)
        await trx
          .insertInto('order_review_task')
          .values({
            id: randomUUID(),
            application_id: id,
            agency,
            organisation_id: org.id,
            organisation_region_code: org.regionCode,
            status: 'open',
          })
          .execute();
    }
  }
  print(
    'Protection orders: 2 demo applications on the demo court’s docket (/orders/docket; judge or clerk account).',
  );
}
