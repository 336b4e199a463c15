/**
 * Demo data: one organisation of each kind and one active account per role, each with a password and an
 * enrolled TOTP secret printed to the console, so a newcomer can sign in at once (with any authenticator
 * app, or `oathtool --totp -b SECRET`). Runs only on an empty, non-production database.
 */
import { randomBytes } from 'node:crypto';
import type { DemoSeed } from '../../db/demo.ts';
import { recordAudit } from '../../platform/audit.ts';
import { totpContext } from './identity.service.ts';
import { hashPassword } from './passwords.ts';
import type { OrganisationKind, Role } from '../../platform/access-policy.ts';
import { newTotpSecret } from './totp.ts';

const ORGANISATIONS: { key: OrganisationKind; name: string; regionCode: string }[] = [
  { key: 'platform_operator', name: '安心平台运营中心', regionCode: '11' },
  { key: 'ngo', name: '北京源众家庭与社区发展服务中心（演示）', regionCode: '110105' },
  { key: 'court', name: '重庆市渝北区人民法院（演示）', regionCode: '500112' },
  { key: 'police_station', name: '重庆市公安局渝北区分局双龙湖派出所（演示）', regionCode: '500112' },
  { key: 'womens_federation', name: '重庆市渝北区妇女联合会（演示）', regionCode: '500112' },
  { key: 'community_committee', name: '渝北区双龙湖街道某社区居民委员会（演示）', regionCode: '500112' },
];

const ACCOUNTS: { role: Role; kind: OrganisationKind; name: string; email: string }[] = [
  {
    role: 'platform_admin',
    kind: 'platform_operator',
    name: '平台管理员（演示）',
    email: 'platform.admin@demo.anxin.example',
  },
  {
    role: 'organisation_admin',
    kind: 'ngo',
    name: '机构管理员（演示）',
    email: 'org.admin@demo.anxin.example',
  },
  { role: 'ngo_supervisor', kind: 'ngo', name: '督导（演示）', email: 'supervisor@demo.anxin.example' },
  { role: 'volunteer_lawyer', kind: 'ngo', name: '志愿律师（演示）', email: 'lawyer@demo.anxin.example' },
  { role: 'caseworker', kind: 'ngo', name: '社工（演示）', email: 'caseworker@demo.anxin.example' },
  { role: 'judge', kind: 'court', name: '法官（演示）', email: 'judge@demo.anxin.example' },
  { role: 'court_clerk', kind: 'court', name: '书记员（演示）', email: 'clerk@demo.anxin.example' },
  {
    role: 'police_officer',
    kind: 'police_station',
    name: '民警（演示）',
    email: 'police@demo.anxin.example',
  },
  {
    role: 'federation_officer',
    kind: 'womens_federation',
    name: '妇联工作人员（演示）',
    email: 'federation@demo.anxin.example',
  },
  {
    role: 'community_officer',
    kind: 'community_committee',
    name: '社区工作人员（演示）',
    email: 'community@demo.anxin.example',
  },
];

/** A random demo password: four groups of letters and digits (never on the common-password list). */
function demoPassword(): string {
  return (randomBytes(12).toString('base64url').match(/.{4}/g) ?? []).join('-');
}

export const identityDemoSeed: DemoSeed = async ({ trx, keyring, print }) => {
  const organisationIds = new Map<OrganisationKind, string>();
  for (const org of ORGANISATIONS) {
    const row = await trx
      .insertInto('organisation')
      .values({ kind: org.key, name: org.name, region_code: org.regionCode })
      .returning('id')
      .executeTakeFirstOrThrow();
    organisationIds.set(org.key, row.id);
  }
  print(
    'Demo staff accounts (sign in at /staff/sign-in; TOTP secrets are base32 for any authenticator app):',
  );
  for (const account of ACCOUNTS) {
    const organisationId = organisationIds.get(account.kind);
    if (!organisationId) throw new Error(`no demo organisation of kind ${account.kind}`);
    const password = demoPassword();
    const secret = newTotpSecret();
    const row = await trx
      .insertInto('staff_account')
      .values({
        organisation_id: organisationId,
        email: account.email,
        display_name: account.name,
        status: 'active',
        locale: 'zh-CN',
        password_hash: await hashPassword(password),
        password_changed_at: new Date(),
        mfa_enrolled_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('staff_account')
      .set({ totp_secret: keyring.sealText(secret, totpContext(row.id)) })
      .where('id', '=', row.id)
      .execute();
    await trx.insertInto('staff_account_role').values({ account_id: row.id, role: account.role }).execute();
    await recordAudit(trx, {
      event: 'identity.invitation_accepted',
      actor: { accountId: null, roles: [], organisationId, ip: null, userAgent: 'demo-seed' },
      record: { type: 'staff_account', id: row.id },
      details: {},
    });
    print(
      `  ${account.role.padEnd(19)} ${account.email.padEnd(36)} password ${password}  TOTP secret ${secret}`,
    );
  }
};
