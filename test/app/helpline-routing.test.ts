/**
 * Routing a new request to a desk (issue 13): only a desk that is set up, staffed and approved for her province,
 * else a national desk; an organisation with no desk settings or no staff is never a fallback; the provinces a
 * desk covers are approved by a platform admin (a supervisor listing a province claims nothing), audited with
 * the provinces granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { makeDesk } from '../support/desk-fixtures.ts';
import type { HelpRequestInput } from '../../src/modules/help/help.model.ts';

let t: TestApp;
let admin: SignedIn;

const request = (province?: string): HelpRequestInput => ({
  requestType: 'domestic_violence',
  narrative: '他打我。',
  ...(province ? { province } : {}),
  forms: ['physical'],
  contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
  consentSensitive: true,
});

beforeAll(async () => {
  t = await createTestApp();
  const platform = await makeOrganisation(t, 'platform_operator', '110000', 'Platform');
  admin = await sessionFor(t, (await makeStaff(t, platform, ['platform_admin'])).accountId);
});
afterAll(async () => t?.close());

/** File a request and take the intake; the desk it went to (undefined: still waiting in the outbox). */
async function routed(province?: string): Promise<string | undefined> {
  const created = await t.app.help.createHelpRequest(request(province), 'zh-CN');
  await t.app.helpline.takeIntake();
  const row = await t.db
    .selectFrom('helpline_case')
    .select('organisation_id')
    .where('help_request_id', '=', created.id)
    .executeTakeFirst();
  return row?.organisation_id;
}

function as(who: SignedIn, method: 'GET' | 'PUT', url: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(payload ? { payload } : {}),
  });
}

describe('routing to a desk', () => {
  it('never routes to an NGO with no desk settings or no staff, even in her province', async () => {
    // An NGO in Hebei (13) with staff but no desk settings, and one with desk settings approved for 13 but nobody.
    const bare = await makeOrganisation(t, 'ngo', '130102', 'Hebei NGO without a desk');
    await makeStaff(t, bare, ['volunteer_lawyer']);
    const empty = await makeOrganisation(t, 'ngo', '130103', 'Hebei desk without staff');
    await makeDesk(t, empty, { provinces: ['13'] });
    expect(await routed('13')).toBeUndefined();
    // Her request waits in the outbox (not lost), and reaches the national desk once there is one.
    const national = await makeOrganisation(t, 'ngo', '110101', 'National desk');
    await makeStaff(t, national, ['caseworker']);
    await makeDesk(t, national, { national: true });
    await t.db
      .updateTable('outbox')
      .set({ available_at: new Date() })
      .where('topic', '=', 'help.request-created')
      .execute();
    await t.app.helpline.takeIntake();
    const waiting = await t.db
      .selectFrom('helpline_case')
      .select('organisation_id')
      .where('province', '=', '13')
      .execute();
    expect(waiting.map((r) => r.organisation_id)).toEqual([national]);
    expect(await routed('13')).toBe(national);
    expect(await routed()).toBe(national);
  });

  it('routes to the desk approved for her province before the national desk; a province only asked for claims nothing', async () => {
    const shanghai = await makeOrganisation(t, 'ngo', '310115', 'Shanghai desk');
    const supervisor = await sessionFor(t, (await makeStaff(t, shanghai, ['ngo_supervisor'])).accountId);
    // The supervisor lists Shanghai (31) and Zhejiang (33) in the desk settings: nothing is approved yet.
    const saved = await as(supervisor, 'PUT', '/api/desk/settings', {
      firstResponseMinutes: 60,
      provinces: ['31', '33'],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const national = (
      await t.db
        .selectFrom('helpline_desk_setting')
        .select('organisation_id')
        .where('national', '=', true)
        .executeTakeFirstOrThrow()
    ).organisation_id;
    expect(await routed('33')).toBe(national);
    // The supervisor cannot approve her own desk.
    const refused = await as(supervisor, 'PUT', `/api/desk/coverage/${shanghai}`, {
      provinces: ['31', '33'],
      national: false,
    });
    expect(refused.statusCode).toBe(404);
    // The platform admin sees what was asked for, and approves Shanghai only.
    const list = await as(admin, 'GET', '/api/desk/coverage');
    expect(list.statusCode, list.body).toBe(200);
    const desk = list
      .json<{
        desks: {
          organisationId: string;
          requestedProvinces: string[];
          approvedProvinces: string[];
          staff: number;
        }[];
      }>()
      .desks.find((d) => d.organisationId === shanghai);
    expect(desk).toMatchObject({ requestedProvinces: ['31', '33'], approvedProvinces: [], staff: 1 });
    const approved = await as(admin, 'PUT', `/api/desk/coverage/${shanghai}`, {
      provinces: ['31'],
      national: false,
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await routed('31')).toBe(shanghai);
    expect(await routed('33')).toBe(national);
    // Both the request and the approval are audited with the provinces.
    const events = await t.db
      .selectFrom('audit_event')
      .select(['event', 'details'])
      .where('event', 'in', ['helpline.settings_changed', 'helpline.coverage_approved'])
      .orderBy('seq')
      .execute();
    expect(events.map((e) => [e.event, e.details])).toEqual([
      ['helpline.settings_changed', { firstResponseMinutes: 60, provinces: ['31', '33'] }],
      ['helpline.coverage_approved', { provinces: ['31'], national: false }],
    ]);
  });

  it('refuses an unknown desk and a malformed province, changing nothing', async () => {
    const unknown = await as(admin, 'PUT', '/api/desk/coverage/00000000-0000-4000-8000-000000000000', {
      provinces: ['31'],
      national: false,
    });
    expect(unknown.statusCode).toBe(404);
    const bad = await as(admin, 'PUT', `/api/desk/coverage/00000000-0000-4000-8000-000000000000`, {
      provinces: ['Shanghai'],
      national: false,
    });
    expect(bad.statusCode).toBe(400);
  });
});
