/**
 * Demo data for the desk (after the identity seed): the demo NGO's desk settings, a duty roster for this week
 * and next, and two registered hotline calls — one that opened a case for the demo lawyer, one registered on
 * its own. Portal help requests enter the queue by themselves (intake), so the help module's demo requests,
 * or any filed by hand, appear in the triage queue without anything here.
 */
import { accountsByEmail } from '../identity/identity.directory.service.ts';
import { randomUUID } from 'node:crypto';
import type { DemoSeed } from '../../db/demo.ts';
import { addDays, chinaDate, chinaInstant, weekMonday } from './helpline.model.ts';

const DEMO_NGO_REGION = '110105';

export const helplineDemoSeed: DemoSeed = async ({ trx, keyring, print }) => {
  // Demo accounts are found by the identity seed's demo addresses (demo data only; never in production).
  const staff = (
    await accountsByEmail(trx, [
      'lawyer@demo.anxin.example',
      'caseworker@demo.anxin.example',
      'supervisor@demo.anxin.example',
    ])
  ).filter((a) => a.regionCode === DEMO_NGO_REGION);
  const lawyer = staff.find((s) => s.email === 'lawyer@demo.anxin.example');
  const caseworker = staff.find((s) => s.email === 'caseworker@demo.anxin.example');
  const supervisor = staff.find((s) => s.email === 'supervisor@demo.anxin.example');
  if (!lawyer || !caseworker || !supervisor) return;
  const organisationId = lawyer.organisationId;

  await trx
    .insertInto('helpline_desk_setting')
    .values({
      organisation_id: organisationId,
      first_response_minutes: 120,
      provinces: ['11'],
      // The demo's only desk: approved for Beijing and, so that no demo request waits, as the national desk.
      approved_provinces: ['11'],
      national: true,
      approved_at: new Date(),
      updated_at: new Date(),
    })
    .execute();

  // Weekdays 09:00–13:00 the lawyer, 13:00–21:00 the caseworker; weekends 10:00–16:00 the lawyer.
  const monday = weekMonday(chinaDate(new Date()));
  for (let day = 0; day < 14; day++) {
    const date = addDays(monday, day);
    const weekend = day % 7 >= 5;
    const shifts = weekend
      ? [[lawyer.id, '10:00', '16:00']]
      : [
          [lawyer.id, '09:00', '13:00'],
          [caseworker.id, '13:00', '21:00'],
        ];
    for (const [accountId, from, to] of shifts) {
      await trx
        .insertInto('helpline_duty_shift')
        .values({
          id: randomUUID(),
          organisation_id: organisationId,
          account_id: accountId ?? lawyer.id,
          starts_at: chinaInstant(date, from ?? '09:00'),
          ends_at: chinaInstant(date, to ?? '17:00'),
          created_by: supervisor.id,
        })
        .execute();
    }
  }

  const caseId = randomUUID();
  const callAt = new Date(Date.now() - 3 * 60 * 60_000);
  await trx
    .insertInto('helpline_case')
    .values({
      id: caseId,
      organisation_id: organisationId,
      region_code: DEMO_NGO_REGION,
      source: 'hotline',
      status: 'in_progress',
      received_at: callAt,
      first_responded_at: callAt,
      assigned_account_id: lawyer.id,
      assigned_at: callAt,
      request_type: 'domestic_violence',
      forms: ['physical', 'verbal_abuse', 'threats'],
      relationship: 'spouse',
      victim_minor: false,
      children_witnessed: true,
      age_band: '30_39',
      gender: 'female',
      province: '11',
      danger_level: 'increased',
    })
    .execute();
  const calls: [string | null, Date, number, string, boolean][] = [
    [
      caseId,
      callAt,
      18 * 60,
      '（演示）来电人说丈夫酒后动手，孩子在场。已解释保护令的申请条件，约定明天上午回电。',
      true,
    ],
    [
      null,
      new Date(Date.now() - 26 * 60 * 60_000),
      6 * 60,
      '（演示）咨询离婚时子女抚养问题，已告知法律援助热线 12348。',
      false,
    ],
  ];
  for (const [linkedCase, startedAt, seconds, summary, followUp] of calls) {
    const id = randomUUID();
    await trx
      .insertInto('helpline_hotline_call')
      .values({
        id,
        organisation_id: organisationId,
        case_id: linkedCase,
        registered_by: lawyer.id,
        started_at: startedAt,
        duration_seconds: seconds,
        caller_age_band: '30_39',
        caller_gender: 'female',
        caller_minor: false,
        province: '11',
        category: 'domestic_violence',
        summary_sealed: keyring.sealText(summary, `helpline_hotline_call.summary:${id}`),
        follow_up_needed: followUp,
      })
      .execute();
  }
  print(
    'Helpline desk: /desk (triage queue), /desk/calls, /desk/roster — a roster for two weeks and two demo hotline calls.',
  );
};
