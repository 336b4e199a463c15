/**
 * Fixtures for the protection-order tests: a small world of organisations in Nanjing (two district courts,
 * a police station, the city's women's federation, an NGO) with staff in each role, a survivor with a portal
 * thread session, two evidence items in her vault with their custody chains, and a complete application.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appendCustody } from '../../src/modules/evidence/custody.ts';
import type { Role } from '../../src/platform/access-policy.ts';
import type { ApplicationInput } from '../../src/modules/orders/orders.model.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from './identity-fixtures.ts';
import type { TestApp } from './test-app.ts';

export interface Actor extends SignedIn {
  accountId: string;
  organisationId: string;
}

export interface OrdersWorld {
  courtA: string;
  courtB: string;
  police: string;
  policeElsewhere: string;
  federation: string;
  ngo: string;
  judge: Actor;
  clerk: Actor;
  judgeB: Actor;
  officer: Actor;
  officerElsewhere: Actor;
  federationOfficer: Actor;
  caseworker: Actor;
  otherCaseworker: Actor;
}

async function actor(t: TestApp, organisationId: string, roles: Role[]): Promise<Actor> {
  const staff = await makeStaff(t, organisationId, roles);
  return { ...(await sessionFor(t, staff.accountId)), accountId: staff.accountId, organisationId };
}

export async function makeOrdersWorld(t: TestApp): Promise<OrdersWorld> {
  const courtA = await makeOrganisation(t, 'court', '320102', '南京市玄武区人民法院');
  const courtB = await makeOrganisation(t, 'court', '320106', '南京市鼓楼区人民法院');
  const police = await makeOrganisation(t, 'police_station', '320102', '南京市公安局玄武分局');
  const policeElsewhere = await makeOrganisation(t, 'police_station', '110105', '北京市公安局朝阳分局');
  const federation = await makeOrganisation(t, 'womens_federation', '3201', '南京市妇女联合会');
  const ngo = await makeOrganisation(t, 'ngo', '3201', '安心社工服务中心');
  return {
    courtA,
    courtB,
    police,
    policeElsewhere,
    federation,
    ngo,
    judge: await actor(t, courtA, ['judge']),
    clerk: await actor(t, courtA, ['court_clerk']),
    judgeB: await actor(t, courtB, ['judge']),
    officer: await actor(t, police, ['police_officer']),
    officerElsewhere: await actor(t, policeElsewhere, ['police_officer']),
    federationOfficer: await actor(t, federation, ['federation_officer']),
    caseworker: await actor(t, ngo, ['caseworker']),
    otherCaseworker: await actor(t, ngo, ['caseworker']),
  };
}

export const APPLICANT_ADDRESS = '南京市玄武区梅园新村17号302室';

export function completeApplication(evidenceIds: string[] = []): ApplicationInput {
  return {
    applicant: {
      name: '李梅',
      gender: 'female',
      regionCode: '320102',
      address: APPLICANT_ADDRESS,
      phone: '13800138000',
    },
    respondent: { name: '王强', gender: 'male', idNumber: '320102198801011236', regionCode: '320106' },
    relationship: 'spouse',
    incidents: [
      { date: '2026-10-03', description: '他用皮带抽打我的后背，并把我锁在卧室里一整夜。' },
      { date: '2026-11-01', description: '他在电话里说要杀了我，第二天在我单位门口等我。' },
    ],
    measures: ['no_violence', 'no_contact', 'keep_away'],
    keepAwayMetres: 200,
    keepAwayPlaces: '申请人住所、工作单位',
    urgent: false,
    venueBasis: 'applicant',
    evidenceIds,
    consentOnline: true,
    consentElectronicService: true,
  };
}

/** A survivor with a portal case and a live thread session (cookie for /help/thread/…). */
export async function makeSurvivor(
  t: TestApp,
): Promise<{ helpRequestId: string; cookie: string; caseCode: string; secret: string }> {
  const created = await t.app.help.createHelpRequest(
    {
      requestType: 'domestic_violence',
      narrative: '他昨晚又打了我。',
      forms: ['physical'],
      contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
      consentSensitive: true,
    } as unknown as Parameters<TestApp['app']['help']['createHelpRequest']>[0],
    'zh-CN',
  );
  const opened = await t.app.help.openThread(
    created.caseCode,
    created.secret,
    `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  );
  return {
    helpRequestId: created.id,
    cookie: `ax_thread=${opened.token}`,
    caseCode: created.caseCode,
    secret: created.secret,
  };
}

/** Two stored evidence items in her vault, each with its custody chain (as the vault writes them on upload). */
export async function makeEvidence(t: TestApp, ownerRef: string, count = 2): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await t.db
      .insertInto('evidence_item')
      .values({
        id,
        upload_id: randomUUID().replace(/-/g, ''),
        owner_ref: ownerRef,
        uploaded_by: 'survivor',
        journal_entry_id: null,
        evidence_type: i === 0 ? 'medical' : 'communications',
        incident_date: '2026-10-03',
        meta: t.keyring.seal(
          Buffer.from(
            JSON.stringify({ filename: i === 0 ? '验伤报告.pdf' : '聊天记录.txt', description: '' }),
          ),
          `evidence_item.meta:${id}`,
        ),
        size: 1000 + i,
        sha256: (i === 0 ? 'a' : 'b').repeat(64),
        media_type: i === 0 ? 'application/pdf' : 'text/plain',
        extension: i === 0 ? 'pdf' : 'txt',
        object_key: `items/${id}/original`,
        preview_key: null,
      })
      .execute();
    await t.db.transaction().execute((trx) =>
      appendCustody(trx, {
        evidenceId: id,
        action: 'upload',
        actor: 'survivor',
        details: { sha256: (i === 0 ? 'a' : 'b').repeat(64) },
      }),
    );
    ids.push(id);
  }
  return ids;
}

export function auth(a: SignedIn): Record<string, string> {
  return { cookie: a.cookie, 'x-csrf-token': a.csrf };
}

/** Text of a PDF as poppler's pdftotext reads it. */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'anxin-order-'));
  const file = path.join(dir, 'order.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

/** Her desk case at an NGO (the helpline module's row), assigned to one account or to nobody; returns its id. */
export async function makeDeskCaseFor(
  t: TestApp,
  organisationId: string,
  helpRequestId: string | null,
  assignedAccountId: string | null,
  regionCode = '320100',
): Promise<string> {
  const id = randomUUID();
  await t.db
    .insertInto('helpline_case')
    .values({
      id,
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
  return id;
}
