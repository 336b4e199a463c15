/**
 * The work report through the real app on a real PostgreSQL: a data set with known proportions is created
 * through the public API (help requests, usage counts) and the report returns exactly those counts and
 * shares; exports and the published version hide small counts (also against subtraction); the PDF renders
 * in both languages; access is refused to everyone but supervisors and admins.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor, type SignedIn } from '../support/identity-fixtures.ts';
import { addDays, chinaDayOf, foldRollups, refoldDays } from '../../src/modules/reports/reports.fold.ts';
import type { WorkReportT } from '../../src/modules/reports/reports.schemas.ts';
import { verifyAuditChain } from '../../src/platform/audit.ts';

let t: TestApp;
let supervisor: SignedIn;
let lawyer: SignedIn;
let police: SignedIn;
let admin: SignedIn;
let ngoId: string;
let ip = 0;
const nextIp = () => `10.80.${Math.floor(++ip / 250)}.${ip % 250}`;

const today = chinaDayOf(new Date());
const from = addDays(today, -29);
const period = `from=${from}&to=${today}`;
const N = 40;
const caseCodes: string[] = [];

/** The i-th help request of the data set; proportions are spelled out in the expectations below. */
function requestBody(i: number, minorOrdinal: number, adultOrdinal: number, physicalOrdinal: number) {
  const minor = i % 10 < 3;
  const gender = minor
    ? minorOrdinal < 8
      ? 'female'
      : 'male'
    : adultOrdinal < 21
      ? 'female'
      : adultOrdinal < 26
        ? 'male'
        : 'not_said';
  const physical = i % 2 === 0;
  const forms = physical
    ? physicalOrdinal < 14
      ? ['physical', physicalOrdinal % 2 ? 'threats' : 'verbal_abuse']
      : ['physical']
    : i % 4 === 1
      ? ['economic']
      : [];
  return {
    requestType: i < 30 ? 'domestic_violence' : i < 36 ? 'sexual_harassment' : 'sexual_assault',
    narrative: `第 ${i} 条求助`,
    ageBand: minor ? (i % 2 === 0 ? 'under_14' : '14_17') : i % 2 === 0 ? '18_29' : '30_39',
    gender,
    minor,
    province: i < 25 ? '11' : '44',
    forms,
    relationship: i % 4 === 1 ? 'parent_to_child' : i % 4 === 3 ? 'other' : 'spouse',
    ...(i < 8 ? { childrenWitnessed: true } : i < 28 ? { childrenWitnessed: false } : {}),
    contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
    consentSensitive: true,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  ngoId = await makeOrganisation(t, 'ngo', '110105', 'Beijing Test NGO');
  const courtId = await makeOrganisation(t, 'police_station', '110105');
  const platformId = await makeOrganisation(t, 'platform_operator', '11');
  supervisor = await sessionFor(t, (await makeStaff(t, ngoId, ['ngo_supervisor'])).accountId);
  lawyer = await sessionFor(t, (await makeStaff(t, ngoId, ['volunteer_lawyer'])).accountId);
  police = await sessionFor(t, (await makeStaff(t, courtId, ['police_officer'])).accountId);
  admin = await sessionFor(t, (await makeStaff(t, platformId, ['platform_admin'])).accountId);

  let minors = 0;
  let adults = 0;
  let physical = 0;
  const ids: string[] = [];
  caseCodes.length = 0;
  for (let i = 0; i < N; i++) {
    const body = requestBody(i, minors, adults, physical);
    if (body.minor) minors++;
    else adults++;
    if (body.forms.includes('physical')) physical++;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const caseCode = res.json<{ caseCode: string }>().caseCode;
    caseCodes.push(caseCode);
    const row = await t.db
      .selectFrom('help_request')
      .select('id')
      .where('case_code', '=', caseCode)
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  // The first ten are answered by staff (through the help service, as the NGO desk does).
  for (const id of ids.slice(0, 10))
    await t.app.help.postStaffReply(t.db, id, 'staff-ref', '我们收到了，会尽快联系你。');

  // Usage through the public counter: 20 opens on the web (12 users of the day, 8 new), 10 in the Mini Program (10, 4).
  for (let i = 0; i < 30; i++) {
    const web = i < 20;
    const payload = web
      ? { channel: 'web', firstOpenToday: i < 12, firstOpenEver: i < 8 }
      : { channel: 'miniprogram', firstOpenToday: true, firstOpenEver: i < 24 };
    const res = await t.app.inject({ method: 'POST', url: '/api/usage', remoteAddress: nextIp(), payload });
    expect(res.statusCode, res.body).toBe(202);
  }
  // Hotline calls registered by the lawyer at the desk: 20 calls of 10 minutes (15 about domestic violence,
  // 5 about sexual harassment; 5 from minors — 3 girls, 2 boys — and 15 from adults — 12 women, 3 men; 8 need
  // follow-up). The first 10 open a case; 4 of the adults' are closed, and 6 referrals are made (4 police, 2 legal aid).
  const startedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const caseIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    const minor = i < 5;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/desk/calls',
      headers: { cookie: lawyer.cookie, 'x-csrf-token': lawyer.csrf },
      payload: {
        startedAt,
        durationMinutes: 10,
        callerAgeBand: minor ? '14_17' : '30_39',
        callerGender: minor ? (i < 3 ? 'female' : 'male') : i < 17 ? 'female' : 'male',
        callerMinor: minor,
        province: '11',
        category: i < 15 ? 'domestic_violence' : 'sexual_harassment',
        summary: '来电咨询',
        followUpNeeded: i % 5 < 2,
        ...(i < 10 ? { openCase: true } : {}),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const caseId = res.json<{ caseId: string | null }>().caseId;
    if (caseId) caseIds.push(caseId);
  }
  for (const [i, caseId] of caseIds.slice(0, 6).entries()) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/desk/cases/${caseId}/referrals`,
      headers: { cookie: lawyer.cookie, 'x-csrf-token': lawyer.csrf },
      payload: { kind: i < 4 ? 'police' : 'legal_aid', status: 'made' },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  for (const caseId of caseIds.slice(5, 9)) {
    // adults: a minor's case closes only after the mandatory report
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/desk/cases/${caseId}/close`,
      headers: { cookie: lawyer.cookie, 'x-csrf-token': lawyer.csrf },
      payload: { outcome: 'advice_given' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  // The previous period: 15 opens, 10 users, 6 new users, forty days ago.
  t.app.helpUsage.add('web', { opens: 15, users: 10, new_users: 6 }, new Date(Date.now() - 40 * 86_400_000));
  await t.app.helpUsage.flush();
});
afterAll(async () => t?.close());

async function report(who: SignedIn, query: string): Promise<WorkReportT> {
  const res = await t.app.inject({
    url: `/api/reports/work-report?${query}`,
    headers: { cookie: who.cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<WorkReportT>();
}
const row = (b: { rows: { key: string; count: number | null; share: number | null }[] }, key: string) =>
  b.rows.find((r) => r.key === key);

describe('work report', () => {
  it('returns exactly the counts and shares of the data set (internal figures)', async () => {
    await foldRollups(t.db);
    const r = await report(supervisor, `${period}&suppress=false`);
    expect(r.suppression).toEqual({ applied: false, threshold: 1 });
    expect(r.period).toEqual({ from, to: today, days: 30 });
    const h = r.helpRequests;
    expect(h.total.value).toBe(40);
    expect(h.perDay.value).toBeCloseTo(40 / 30, 10);
    expect(row(h.byType, 'domestic_violence')).toMatchObject({ count: 30, share: 0.75 });
    expect(row(h.byType, 'sexual_harassment')).toMatchObject({ count: 6, share: 0.15 });
    expect(row(h.byType, 'sexual_assault')).toMatchObject({ count: 4, share: 0.1 });
    expect(row(h.byRegion, '11')).toMatchObject({ count: 25, share: 0.625 });
    expect(row(h.byRegion, '44')).toMatchObject({ count: 15, share: 0.375 });
    expect(h.byRegion.rows[0]?.label).toBe('北京市');
    // Minors: 12 of 40 (30 %); of the minors 8 girls, 4 boys; of the adults 21 women (75 %), 5 men, 2 not said.
    expect(h.minors.count.value).toBe(12);
    expect(h.minors.share).toBeCloseTo(0.3, 10);
    expect(row(h.minors.byGender, 'female')).toMatchObject({ count: 8 });
    expect(row(h.minors.byGender, 'female')?.share).toBeCloseTo(8 / 12, 10);
    expect(row(h.minors.byGender, 'male')).toMatchObject({ count: 4 });
    expect(h.adults.count.value).toBe(28);
    expect(row(h.adults.byGender, 'female')).toMatchObject({ count: 21, share: 0.75 });
    expect(row(h.adults.byGender, 'male')).toMatchObject({ count: 5 });
    expect(row(h.adults.byGender, 'not_said')).toMatchObject({ count: 2 });
    expect(row(h.byGender, 'female')).toMatchObject({ count: 29 });
    expect(row(h.byAgeBand, 'under_14')?.count).toBe(8);
    expect(row(h.byAgeBand, '14_17')?.count).toBe(4);
    expect(row(h.byAgeBand, '18_29')?.count).toBe(12);
    expect(row(h.byAgeBand, '30_39')?.count).toBe(16);
    expect(h.ageGender.total).toBe(40);
    // Forms: 20 physical, 14 of them also psychological (70 %), 10 economic.
    expect(row(h.formGroups, 'physical')).toMatchObject({ count: 20, share: 0.5 });
    expect(row(h.formGroups, 'psychological')).toMatchObject({ count: 14 });
    expect(row(h.formGroups, 'economic')).toMatchObject({ count: 10 });
    expect(row(h.forms, 'verbal_abuse')?.count).toBe(7);
    expect(row(h.forms, 'threats')?.count).toBe(7);
    expect(h.physicalWithPsychological).toEqual({ physical: 20, both: 14, share: 0.7 });
    expect(row(h.formGroupPairs, 'physical|psychological')?.count).toBe(14);
    // Relationship and children.
    expect(row(h.relationship, 'spouse')).toMatchObject({ count: 20, share: 0.5 });
    expect(row(h.relationship, 'parent_to_child')).toMatchObject({ count: 10, share: 0.25 });
    expect(h.parentChild).toEqual({ count: 10, share: 0.25 });
    expect(row(h.childrenWitnessed, 'yes')).toMatchObject({ count: 8, share: 0.2 });
    expect(row(h.childrenWitnessed, 'no')).toMatchObject({ count: 20 });
    expect(row(h.childrenWitnessed, 'not_said')).toMatchObject({ count: 12 });
    // Response: ten answered within the hour, thirty waiting.
    expect(h.firstResponse.answered).toBe(10);
    expect(h.firstResponse.unanswered).toBe(30);
    expect(h.firstResponse.withinDayShare).toBe(1);
    expect(row(h.firstResponse.buckets, 'lt_1h')?.count).toBe(10);
    expect(h.firstResponse.averageHours).toBeLessThan(1);
    // Usage: 30 opens, 12 new users, 22 users of the day; the previous period had 15 opens, 6 new users.
    expect(r.usage.opens).toEqual({ value: 30, previous: 15, change: 1 });
    expect(r.usage.users).toEqual({ value: 12, previous: 6, change: 1 });
    expect(r.usage.opensPerDay.value).toBeCloseTo(1, 10);
    expect(r.usage.newUsersPerDay.value).toBeCloseTo(0.4, 10);
    expect(r.usage.averageDailyUsers.value).toBeCloseTo(22 / 30, 10);
    expect(row(r.usage.byChannel, 'web')).toMatchObject({ count: 20 });
    expect(row(r.usage.byChannel, 'miniprogram')).toMatchObject({ count: 10 });
    expect(r.series.granularity).toBe('day');
    expect(r.series.points.find((p) => p.period === today)).toEqual({
      period: today,
      helpRequests: 40,
      opens: 30,
      newUsers: 12,
    });
  });

  it('returns the hotline calls, desk cases and referrals of the organisation exactly', async () => {
    const r = await report(supervisor, `${period}&suppress=false`);
    const c = r.hotlineCalls;
    expect(c.total.value).toBe(20);
    expect(c.averageMinutes).toBe(10);
    expect(row(c.byType, 'domestic_violence')).toMatchObject({ count: 15, share: 0.75 });
    expect(row(c.byType, 'sexual_harassment')).toMatchObject({ count: 5, share: 0.25 });
    expect(c.minors).toEqual({ count: 5, share: 0.25 });
    expect(c.minorGender.cells[0]?.slice(0, 2)).toEqual([3, 2]);
    expect(c.minorGender.cells[1]?.slice(0, 2)).toEqual([12, 3]);
    expect(row(c.followUp, 'yes')).toMatchObject({ count: 8, share: 0.4 });
    expect(row(c.byRegion, '11')).toMatchObject({ count: 20, share: 1 });
    const d = r.desk;
    expect(d.cases.value).toBe(10);
    expect(row(d.bySource, 'hotline')?.count).toBe(10);
    expect(row(d.firstResponse.buckets, 'lt_1h')?.count).toBe(10);
    expect(d.firstResponse.withinDayShare).toBe(1);
    expect(d.closed.value).toBe(4);
    expect(row(d.outcomes, 'advice_given')).toMatchObject({ count: 4, share: 1 });
    expect(d.referrals.value).toBe(6);
    expect(row(d.referralsByKind, 'police')?.count).toBe(4);
    expect(row(d.referralsByKind, 'legal_aid')?.count).toBe(2);
    // Another organisation's report holds none of these.
    const other = await makeOrganisation(t, 'ngo', '440103', 'Other NGO');
    const elsewhere = await report(admin, `${period}&organisation=${other}&suppress=false`);
    expect(elsewhere.hotlineCalls.total.value).toBe(0);
    expect(elsewhere.desk.cases.value).toBe(0);
    // Suppressed: 4 closed cases and 2 legal-aid referrals are hidden.
    const published = await report(supervisor, period);
    expect(published.desk.closed.value).toBeNull();
    expect(row(published.desk.referralsByKind, 'legal_aid')?.count).toBeNull();
    expect(row(published.desk.referralsByKind, 'police')?.count).toBeNull(); // protects the 2
    expect(published.desk.referrals.value).toBe(6);
  });

  it('hides small counts by default, with a second count hidden so none can be recovered by subtraction', async () => {
    const r = await report(supervisor, period);
    expect(r.suppression).toEqual({ applied: true, threshold: 5 });
    const h = r.helpRequests;
    expect(h.total.value).toBe(40);
    expect(row(h.byType, 'domestic_violence')?.count).toBe(30);
    expect(row(h.byType, 'sexual_assault')?.count).toBeNull(); // 4 < 5
    expect(row(h.byType, 'sexual_harassment')?.count).toBeNull(); // 6, hidden to protect the 4
    expect(row(h.byType, 'sexual_assault')?.share).toBeNull();
    // Subtraction gives only the two together.
    const published = h.byType.rows.reduce((a, b) => a + (b.count ?? 0), 0);
    expect((h.total.value ?? 0) - published).toBe(10);
    // The minors' 4 boys are hidden, and so is at least one more count of their row and of their column.
    const g = h.minorGender;
    expect(g.cells[0]?.[1]).toBeNull();
    expect(g.cells[0]?.filter((v) => v === null).length).toBeGreaterThanOrEqual(2);
    expect(
      g.cells.map((rowCells) => rowCells[1]).filter((v) => v === null).length +
        (g.columnTotals[1] === null ? 1 : 0),
    ).toBeGreaterThanOrEqual(2);
    // Every published number in the cross-table is the true one.
    const raw = await report(supervisor, `${period}&suppress=false`);
    g.cells.forEach((cells, i) =>
      cells.forEach((v, j) => v !== null && expect(v).toBe(raw.helpRequests.minorGender.cells[i]?.[j])),
    );
    // A higher threshold for an export hides more.
    const strict = await report(supervisor, `${period}&threshold=7`);
    expect(row(strict.helpRequests.byType, 'sexual_harassment')?.count).toBeNull();
    expect(row(strict.helpRequests.byType, 'domestic_violence')?.count).toBe(30);
  });

  it('counts only records whose consent allows statistics', async () => {
    const one = await t.db
      .selectFrom('help_request')
      .select('id')
      .where('request_type', '=', 'domestic_violence')
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    await sql`update help_request set consent_basis = 'withdrawn' where id = ${one.id}`.execute(t.db);
    try {
      // Changed behind the help module's back: ask for the day to be folded again, as its writes do.
      await refoldDays(t.db, today, today);
      const r = await report(supervisor, `${period}&suppress=false`);
      expect(r.helpRequests.total.value).toBe(39);
      expect(row(r.helpRequests.byType, 'domestic_violence')?.count).toBe(29);
    } finally {
      await sql`update help_request set consent_basis = 'separate_consent' where id = ${one.id}`.execute(
        t.db,
      );
      await refoldDays(t.db, today, today);
    }
  });

  it('exports a CSV per table with small counts hidden', async () => {
    const res = await t.app.inject({
      url: `/reports/export.csv?${period}&table=byType`,
      headers: { cookie: supervisor.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('代码,项目,数量,占比,上期');
    expect(lines).toContain('domestic_violence,家庭暴力,30,75.0%,0');
    expect(lines.find((l) => l.startsWith('sexual_assault,'))).toBe('sexual_assault,性侵害,已隐去,,0');
    expect(lines.find((l) => l.startsWith('sexual_harassment,'))).toBe('sexual_harassment,性骚扰,已隐去,,0');
    const en = await t.app.inject({
      url: `/en/reports/export.csv?${period}&table=ageGender`,
      headers: { cookie: supervisor.cookie },
    });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Under 14');
    const unknown = await t.app.inject({
      url: `/reports/export.csv?${period}&table=nothing`,
      headers: { cookie: supervisor.cookie },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('exports the headline figures when no table is named (was a 404), in the report language, also through the API', async () => {
    const res = await t.app.inject({
      url: `/reports/export.csv?${period}`,
      headers: { cookie: supervisor.cookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain('-figures.csv');
    const lines = res.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('部分,指标,本期,上期');
    expect(lines).toContain('在线求助,在线求助,40,0');
    expect(lines.some((l) => l.startsWith('热线'))).toBe(true);
    const en = await t.app.inject({
      url: `/en/reports/export.csv?${period}`,
      headers: { cookie: supervisor.cookie },
    });
    expect(en.body.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(
      'Section,Figure,This period,Previous period',
    );
    const api = await t.app.inject({
      url: `/api/reports/work-report.csv?${period}&table=byType`,
      headers: { cookie: supervisor.cookie, 'accept-language': 'en' },
    });
    expect(api.statusCode, api.body).toBe(200);
    expect(api.headers['content-type']).toContain('text/csv');
    expect(api.body).toContain('Code,Item,Count,Share,Previous period');
    expect(api.body).toContain('sexual_assault,Sexual assault,suppressed,,0');
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, { get?: { operationId?: string } }>;
    }>();
    expect(doc.paths['/api/reports/work-report.csv']?.get?.operationId).toBe('exportWorkReportCsv');
    expect(
      (
        await t.app.inject({
          url: `/api/reports/work-report.csv?${period}`,
          headers: { cookie: lawyer.cookie },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('renders the whole report as a PDF in Chinese and in English', async () => {
    const dir = join('test-results', 'reports');
    mkdirSync(dir, { recursive: true });
    for (const [language, expected] of [
      ['zh-CN', ['工作报告', '在线求助', '家庭暴力', '身体暴力与精神暴力同时出现', '70.0%', '隐去少于 5']],
      [
        'en',
        [
          'Work report',
          'Online help requests',
          'Domestic violence',
          'Physical and psychological violence together',
          '70.0%',
          'counts below 5 hidden',
        ],
      ],
    ] as const) {
      const res = await t.app.inject({
        url: `/reports/export.pdf?${period}&language=${language}`,
        headers: { cookie: supervisor.cookie },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const file = join(dir, `report-${language}.pdf`);
      writeFileSync(file, res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const phrase of expected) expect(text).toContain(phrase);
      // The 4 sexual-assault requests are hidden in the PDF too.
      expect(text).toMatch(/(性侵害|Sexual assault)\s+—/);
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '60',
        '-f',
        '1',
        '-l',
        '2',
        file,
        join(dir, `report-${language}`),
      ]);
      const png = join(dir, `report-${language}-1.png`);
      expect(existsSync(png) && statSync(png).size > 10_000).toBe(true);
    }
  });

  it('shows the report page with a chart and a table for each breakdown, in both languages', async () => {
    const res = await t.app.inject({ url: `/reports?${period}`, headers: { cookie: supervisor.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('工作报告');
    expect(res.body).toContain('内部版本');
    const images = res.body.match(/<img src="data:image\/svg\+xml;base64,/g) ?? [];
    const tables = res.body.match(/<table class="report-table" id="tbl-/g) ?? [];
    expect(images.length).toBeGreaterThanOrEqual(10);
    expect(tables.length).toBeGreaterThanOrEqual(images.length);
    expect(res.body).not.toContain('<script');
    const en = await t.app.inject({
      url: `/en/reports?${period}&preview=true`,
      headers: { cookie: supervisor.cookie },
    });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Counts below 5 are hidden');
    expect(en.body).toContain('Domestic violence');
  });

  it('publishes a suppressed snapshot that anyone can open, without personal data', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/reports/publish',
      headers: { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrf },
      payload: { from, to: today },
    });
    expect(res.statusCode, res.body).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/reports\/published\/[0-9a-f-]{36}$/);
    const page = await t.app.inject({ url: location });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('工作报告（公开版）');
    for (const code of caseCodes) expect(page.body).not.toContain(code);
    const json = await t.app.inject({ url: `/api${location}?language=en` });
    expect(json.statusCode).toBe(200);
    for (const code of caseCodes) expect(json.body).not.toContain(code);
    const published = json.json<WorkReportT>();
    expect(published.suppression.applied).toBe(true);
    expect(row(published.helpRequests.byType, 'sexual_assault')?.count).toBeNull();
    expect(published.language).toBe('en');
    const pdf = await t.app.inject({ url: `${location}/report.pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(
      (await t.app.inject({ url: '/reports/published/00000000-0000-4000-8000-000000000000' })).statusCode,
    ).toBe(404);
  });

  it('writes every export and every publication to the audit trail, with the supervisor as actor and no figures', async () => {
    const events = (event: string) =>
      t.db
        .selectFrom('audit_event')
        .select(['actor_account_id', 'actor_roles', 'organisation_id', 'record_type', 'record_id', 'details'])
        .where('event', '=', event)
        .orderBy('seq')
        .execute();
    const exportsBefore = (await events('reports.exported')).length;
    const publishedBefore = (await events('reports.published')).length;
    const supervisorId = (
      await t.db
        .selectFrom('staff_session')
        .select('account_id')
        .where('id', '=', supervisor.sessionId)
        .executeTakeFirstOrThrow()
    ).account_id;

    expect(
      (
        await t.app.inject({
          url: `/reports/export.csv?${period}&table=byType`,
          headers: { cookie: supervisor.cookie },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.app.inject({
          url: `/reports/export.pdf?${period}&language=en&threshold=10`,
          headers: { cookie: supervisor.cookie },
        })
      ).statusCode,
    ).toBe(200);
    // A refused export (an unknown table) leaves no event.
    expect(
      (
        await t.app.inject({
          url: `/reports/export.csv?${period}&table=nothing`,
          headers: { cookie: supervisor.cookie },
        })
      ).statusCode,
    ).toBe(404);
    const exported = (await events('reports.exported')).slice(exportsBefore);
    expect(exported).toEqual([
      {
        actor_account_id: supervisorId,
        actor_roles: ['ngo_supervisor'],
        organisation_id: ngoId,
        record_type: 'report_organisation',
        record_id: ngoId,
        details: {
          format: 'csv',
          table: 'byType',
          organisation: ngoId,
          from,
          to: today,
          language: 'zh-CN',
          threshold: 5,
        },
      },
      {
        actor_account_id: supervisorId,
        actor_roles: ['ngo_supervisor'],
        organisation_id: ngoId,
        record_type: 'report_organisation',
        record_id: ngoId,
        details: { format: 'pdf', organisation: ngoId, from, to: today, language: 'en', threshold: 10 },
      },
    ]);

    const res = await t.app.inject({
      method: 'POST',
      url: '/reports/publish',
      headers: { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrf },
      payload: { from, to: today, threshold: 6 },
    });
    expect(res.statusCode, res.body).toBe(303);
    const publicationId = String(res.headers.location).split('/').pop();
    const published = (await events('reports.published')).slice(publishedBefore);
    expect(published).toEqual([
      {
        actor_account_id: supervisorId,
        actor_roles: ['ngo_supervisor'],
        organisation_id: ngoId,
        record_type: 'report_publication',
        record_id: publicationId,
        details: { organisation: ngoId, from, to: today, threshold: 6 },
      },
    ]);
    // A refused publication (a bad period) stores nothing and audits nothing.
    const bad = await t.app.inject({
      method: 'POST',
      url: '/reports/publish',
      headers: { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrf },
      payload: { from: today, to: from },
    });
    expect(bad.statusCode).toBe(400);
    // A threshold below 5 is never published: refused with a message, nothing stored or audited.
    const publicationsBefore = await t.db.selectFrom('report_publication').select('id').execute();
    const low = await t.app.inject({
      method: 'POST',
      url: '/reports/publish',
      headers: { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrf },
      payload: { from, to: today, threshold: 4 },
    });
    expect(low.statusCode).toBe(400);
    expect(low.body).toContain('公开发布的报告至少要隐去少于 5 的数字');
    expect(await t.db.selectFrom('report_publication').select('id').execute()).toEqual(publicationsBefore);
    expect((await events('reports.published')).length).toBe(publishedBefore + 1);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it('refuses everyone but supervisors and admins, and organisations beyond their own', async () => {
    expect((await t.app.inject({ url: `/api/reports/work-report?${period}` })).statusCode).toBe(401);
    for (const who of [lawyer, police]) {
      expect(
        (await t.app.inject({ url: `/api/reports/work-report?${period}`, headers: { cookie: who.cookie } }))
          .statusCode,
      ).toBe(404);
      expect(
        (await t.app.inject({ url: `/reports/export.pdf?${period}`, headers: { cookie: who.cookie } }))
          .statusCode,
      ).toBe(404);
      expect(
        (await t.app.inject({ url: `/reports?${period}`, headers: { cookie: who.cookie } })).statusCode,
      ).toBe(404);
    }
    expect(
      (
        await t.app.inject({
          url: `/api/reports/work-report?${period}&organisation=all`,
          headers: { cookie: supervisor.cookie },
        })
      ).statusCode,
    ).toBe(404);
    const all = await report(admin, `${period}&organisation=all&suppress=false`);
    expect(all.organisation.id).toBeNull();
    expect(all.helpRequests.total.value).toBe(40);
    const ngo = await report(admin, `${period}&organisation=${ngoId}`);
    expect(ngo.organisation).toEqual({ id: ngoId, name: 'Beijing Test NGO' });
    const bad = await t.app.inject({
      url: `/api/reports/work-report?from=${today}&to=${from}`,
      headers: { cookie: supervisor.cookie },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 400 naming the field for a date that has the shape but is not in the calendar (was a 500)', async () => {
    for (const [query, field] of [
      ['from=0032-19-33&to=2026-01-01', 'from'],
      [`from=${from}&to=2026-02-30`, 'to'],
    ] as const) {
      for (const [language, message] of [
        ['zh-CN', `“${field}”：格式不对`],
        ['en', 'not in the right format'],
      ] as const) {
        const res = await t.app.inject({
          url: `/api/reports/work-report?${query}`,
          headers: { cookie: supervisor.cookie, 'accept-language': language },
        });
        expect(res.statusCode, query).toBe(400);
        expect(res.json<{ error: { fields: { field: string; message: string }[] } }>().error.fields).toEqual([
          { field, message: expect.stringContaining(message) },
        ]);
      }
    }
    const page = await t.app.inject({
      url: '/reports?from=2026-13-01&to=2026-12-31',
      headers: { cookie: supervisor.cookie },
    });
    expect(page.statusCode).toBe(400);
  });

  it('shows the NGO dashboard to desk staff', async () => {
    const res = await t.app.inject({ url: '/reports/dashboard', headers: { cookie: lawyer.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('待处理求助');
    // The last 30 days: 20 hotline calls (desk cases depend on which online requests the desk took in).
    const values = [...res.body.matchAll(/<dd>([^<]*)<\/dd>/g)].map((m) => m[1]);
    expect(values.at(-2)).toBe('20');
    expect(res.body).toContain('律师工作量');
    expect(
      (await t.app.inject({ url: '/reports/dashboard', headers: { cookie: police.cookie } })).statusCode,
    ).toBe(404);
  });

  it('folds new records incrementally, exactly as a rebuild from scratch would', async () => {
    await foldRollups(t.db);
    const before = (await report(supervisor, `${period}&suppress=false`)).helpRequests.total.value ?? 0;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/help/requests',
      remoteAddress: nextIp(),
      payload: requestBody(1, 0, 0, 0),
    });
    expect(res.statusCode).toBe(201);
    // Two processes folding at once: one does the work, the other skips; nothing is counted twice.
    const results = await Promise.all([
      foldRollups(t.db, { recentDays: 0 }),
      foldRollups(t.db, { recentDays: 0 }),
    ]);
    expect(results.some((r) => r.folded)).toBe(true);
    expect((await report(supervisor, `${period}&suppress=false`)).helpRequests.total.value).toBe(before + 1);
    const snapshot = async () =>
      (
        await sql<{
          row: string;
        }>`select concat_ws('|', source, organisation_id, day, dimension, value, n, round(total::numeric, 3)) as row from report_fact_day order by 1`.execute(
          t.db,
        )
      ).rows.map((r) => r.row);
    const incremental = await snapshot();
    await foldRollups(t.db, { rebuild: true });
    expect(await snapshot()).toEqual(incremental);
  });
});
