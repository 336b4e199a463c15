/**
 * The directory of services maintained by platform admins (`/staff/directory`): list, add, edit, retire and
 * restore, each change an audit event with the admin as actor; bad input answers in the admin's language and
 * stores nothing; every other role gets 404 and the survivor portal shows exactly the active entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ROLES, ROLE_ORGANISATION_KINDS } from '../../src/platform/access-policy.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { parseDirectoryEntryForm } from '../../src/modules/help/help.directory-form.ts';

let t: TestApp;
let admin: SignedIn;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  const operator = await makeOrganisation(t, 'platform_operator');
  adminId = (await makeStaff(t, operator, ['platform_admin'])).accountId;
  admin = await sessionFor(t, adminId);
});
afterAll(async () => t?.close());

const shelter = {
  kind: 'shelter',
  province: '50',
  nameZh: '重庆市渝北区反家暴庇护所',
  nameEn: 'Yubei District shelter',
  cityZh: '渝北区',
  cityEn: 'Yubei',
  phone: '023-67000000',
  addressZh: '',
  hoursZh: '24 小时',
  hoursEn: '24 hours',
};

function post(session: SignedIn, url: string, fields: Record<string, string>, withToken = true) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, ...(withToken ? { _csrf: session.csrf } : {}) }).toString(),
  });
}
const get = (session: SignedIn, url: string) => t.app.inject({ url, headers: { cookie: session.cookie } });

async function snapshot() {
  const row = await sql<{ entries: string; events: string; digest: string }>`
    select (select count(*) from help_directory_entry)::text as entries,
           (select count(*) from audit_event where event like 'help.directory_entry_%')::text as events,
           (select md5(coalesce(string_agg(e::text, ',' order by id), '')) from help_directory_entry e) as digest`.execute(
    t.db,
  );
  return row.rows[0];
}
const events = (id: string) =>
  t.db
    .selectFrom('audit_event')
    .select(['event', 'actor_account_id', 'details'])
    .where('record_type', '=', 'help_directory_entry')
    .where('record_id', '=', id)
    .orderBy('seq')
    .execute();
const portalNames = async (url: string) => (await t.app.inject(url)).body;

describe('directory admin', () => {
  it('lists, adds, edits, retires and restores entries, each change audited, and the portal follows', async () => {
    const list = await get(admin, '/staff/directory');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('服务名录');
    expect(list.body).toContain('北京市法律援助中心'); // seeded entries are listed
    expect((await get(admin, '/staff')).body).toContain('href="/staff/directory"'); // the console links to it
    expect((await get(admin, '/en/staff/directory')).body).toContain('Directory of services');

    const created = await post(admin, '/staff/directory/new', shelter);
    expect(created.statusCode, created.body).toBe(303);
    expect(created.headers.location).toBe('/staff/directory?done=saved');
    const row = await t.db
      .selectFrom('help_directory_entry')
      .selectAll()
      .where('name_zh', '=', shelter.nameZh)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'shelter',
      province: '50',
      city_en: 'Yubei',
      phone: '023-67000000',
      address_zh: null,
      hours_zh: '24 小时',
      active: true,
    });
    expect(await events(row.id)).toEqual([
      {
        event: 'help.directory_entry_created',
        actor_account_id: adminId,
        details: { kind: 'shelter', province: '50' },
      },
    ]);
    expect(await portalNames('/directory?province=50&kind=shelter')).toContain(shelter.nameZh);
    expect(await portalNames('/en/directory?province=50&kind=shelter')).toContain(shelter.nameEn);

    const form = await get(admin, `/staff/directory/${row.id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${shelter.phone}"`);
    const edited = await post(admin, `/staff/directory/${row.id}`, {
      ...shelter,
      phone: '023-67000001',
      hoursEn: 'Day and night',
    });
    expect(edited.statusCode, edited.body).toBe(303);
    expect(
      await t.db
        .selectFrom('help_directory_entry')
        .select(['phone', 'hours_en'])
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ phone: '023-67000001', hours_en: 'Day and night' });

    expect((await post(admin, `/staff/directory/${row.id}/status`, { active: 'no' })).headers.location).toBe(
      '/staff/directory?done=retired',
    );
    expect(await portalNames('/directory?province=50&kind=shelter')).not.toContain(shelter.nameZh);
    expect((await get(admin, '/staff/directory?province=50')).body).toContain('已停用');
    expect(
      (await post(admin, `/en/staff/directory/${row.id}/status`, { active: 'yes' })).headers.location,
    ).toBe('/en/staff/directory?done=restored');
    expect(await portalNames('/directory?province=50&kind=shelter')).toContain(shelter.nameZh);

    expect((await events(row.id)).map((e) => [e.event, e.details])).toEqual([
      ['help.directory_entry_created', { kind: 'shelter', province: '50' }],
      ['help.directory_entry_updated', { kind: 'shelter', province: '50', changed: ['phone', 'hoursEn'] }],
      ['help.directory_entry_retired', { kind: 'shelter', province: '50' }],
      ['help.directory_entry_restored', { kind: 'shelter', province: '50' }],
    ]);
    // An entry that does not exist (or a malformed id) is 404, for the admin too.
    for (const id of ['999999999', 'x', '00000000-0000-4000-8000-000000000000']) {
      expect((await get(admin, `/staff/directory/${id}`)).statusCode, id).toBe(404);
      expect((await post(admin, `/staff/directory/${id}`, shelter)).statusCode, id).toBe(404);
    }
  });

  it('refuses bad input in the admin’s language and stores nothing', async () => {
    const [existing] = await t.app.help.listDirectoryForAdmin({ province: '11' });
    const before = await snapshot();
    const cases: [Record<string, string>, string, string][] = [
      [{ ...shelter, nameEn: '' }, '必填', 'required'],
      [{ ...shelter, phone: '110; call me' }, '只能填数字和短横线', 'digits and hyphens only'],
      [{ ...shelter, nameZh: '<script>x</script>' }, '网页代码', 'web code'],
      [{ ...shelter, kind: 'spaceport' }, '请从选项中选择', 'please pick one of the options'],
      [{ ...shelter, province: '99' }, '请从选项中选择', 'please pick one of the options'],
      [{ ...shelter, cityZh: '区'.repeat(41) }, '最多 40 个字', 'at most 40 characters'],
    ];
    for (const [fields, zh, en] of cases) {
      const res = await post(admin, '/staff/directory/new', fields);
      expect(res.statusCode, zh).toBe(400);
      expect(res.body).toContain(zh);
      const enRes = await post(admin, `/en/staff/directory/${existing!.id}`, fields);
      expect(enRes.statusCode, en).toBe(400);
      expect(enRes.body).toContain(en);
    }
    // A form post without the session's form token is refused before anything runs.
    expect((await post(admin, '/staff/directory/new', shelter, false)).statusCode).toBe(403);
    expect(
      (await post(admin, `/staff/directory/${existing!.id}/status`, { active: 'maybe' })).statusCode,
    ).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(parseDirectoryEntryForm({ ...shelter, phone: ' 12338 ' }).entry?.phone).toBe('12338');
  });

  it('answers 404 to every other role, and sends a signed-out visitor to sign in', async () => {
    const [entry] = await t.app.help.listDirectoryForAdmin({ province: '11' });
    const before = await snapshot();
    for (const role of ROLES.filter((r) => r !== 'platform_admin')) {
      const org = await makeOrganisation(t, ROLE_ORGANISATION_KINDS[role][0]!, '110105');
      const other = await sessionFor(t, (await makeStaff(t, org, [role])).accountId);
      expect((await get(other, '/staff/directory')).statusCode, role).toBe(404);
      expect((await get(other, `/staff/directory/${entry!.id}`)).statusCode, role).toBe(404);
      expect((await post(other, '/staff/directory/new', shelter)).statusCode, role).toBe(404);
      expect((await post(other, `/staff/directory/${entry!.id}`, shelter)).statusCode, role).toBe(404);
      expect(
        (await post(other, `/staff/directory/${entry!.id}/status`, { active: 'no' })).statusCode,
        role,
      ).toBe(404);
      expect((await get(other, '/staff')).body, role).not.toContain('href="/staff/directory"');
    }
    const anon = await t.app.inject('/staff/directory');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toMatch(/^\/staff\/sign-in/);
    expect(await snapshot()).toEqual(before);
  });
});
