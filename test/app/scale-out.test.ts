/**
 * Two app processes (`src/server.ts`, started as an operator would) on one PostgreSQL and one evidence data
 * directory, behind a small proxy; every request goes over HTTP to a real process, and the steps that matter
 * are pinned to a chosen process. Covered: one rate limit per network across both; a staff sign-in whose
 * password step is on one process and TOTP step on the other, the session used on both and refused on one
 * the moment it is signed out on the other; a survivor's thread token used on both; a tus upload started on
 * one process, cut half-way, and resumed and finished on the other (hash, scan, readable afterwards);
 * outbox rows relayed and run exactly once; and a ruling deadline that comes due while both processes sweep
 * firing exactly once (one alert, one event, one notification, one delivery job).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { makeDeskCase } from '../support/access-fixtures/evidence.ts';
import { startClamd, type TestClamd } from '../support/clamd.ts';
import { filesUnder, ITEM_OBJECT_KEYS_SQL, MP4_HEADER } from '../support/evidence.ts';
import { makeOrganisation, makeStaff } from '../support/identity-fixtures.ts';
import { completeApplication } from '../support/orders.ts';
import {
  startRoundRobinProxy,
  startServerProcess,
  type RoundRobinProxy,
  type ServerProcess,
} from '../support/processes.ts';
import {
  client,
  fileHelpRequest,
  fixtureWriter,
  journalEntry,
  openThread,
  signInOverHttp,
  staffHeaders,
} from '../support/scale-out-fixtures.ts';
import { TusSteps } from '../support/scale-out-tus.ts';
import { createTestDatabase, type TestApp } from '../support/test-app.ts';

const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');
const A = 0;
const B = 1;

let database: { url: string; drop(): Promise<void> };
let dataDir: string;
let clamd: TestClamd;
let servers: ServerProcess[] = [];
let proxy: RoundRobinProxy;
let writer: { t: TestApp; close(): Promise<void> };
let sql: pg.Client;

/** Requests one network may make a minute (low, so the first test can reach it); each actor has a network of its own. */
const LIMIT = 30;
let networks = 0;
const actor = () => client(proxy.url, `198.51.100.${++networks}`);

function processDatabaseUrl(index: number): string {
  const url = new URL(database.url);
  url.searchParams.set('application_name', `anxin-process-${index}`);
  return url.toString();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Objects in the shared evidence store that no stored item owns (segments, temporary files, orphans). */
async function strayObjects(): Promise<string[]> {
  const owned = new Set((await sql.query<{ key: string }>(ITEM_OBJECT_KEYS_SQL)).rows.map((r) => r.key));
  const store = path.join(dataDir, 'evidence');
  return (await filesUnder(store)).map((f) => path.relative(store, f.file)).filter((f) => !owned.has(f));
}

async function count(query: string, params: unknown[] = []): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select count(*)::text as n from (${query}) q`, params);
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  [database, dataDir, clamd] = await Promise.all([
    createTestDatabase(),
    mkdtemp(path.join(os.tmpdir(), 'anxin-scale-out-')),
    startClamd(),
  ]);
  // One database, one data directory (the evidence files store) and one scanner for both processes.
  const env = {
    DATABASE_URL: database.url,
    ANXIN_MASTER_KEY: MASTER_KEY,
    ANXIN_DATA_DIR: dataDir,
    ANXIN_CLAMD: clamd.address,
    ANXIN_TRUST_PROXY: '1',
    ANXIN_RATE_LIMIT_PER_MINUTE: String(LIMIT),
  };
  // Each process names its database connections (libpq's application_name, from the URL), so the database
  // can tell which process did what.
  servers = await Promise.all(
    [A, B].map((i) => startServerProcess({ ...env, DATABASE_URL: processDatabaseUrl(i) })),
  );
  proxy = await startRoundRobinProxy(servers.map((s) => s.url));
  writer = fixtureWriter(database.url, MASTER_KEY);
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
}, 150_000);

afterAll(async () => {
  await sql?.end();
  await writer?.close();
  await proxy?.close();
  await Promise.all(servers.map((s) => s.stop()));
  await clamd?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('two processes behind a proxy', () => {
  it('share one rate limit per network', async () => {
    const before = [...proxy.counts];
    const call = actor();
    const statuses: number[] = [];
    // An API read: pages are never refused by the global limiter (platform/rate-limit.ts neverGloballyLimited).
    for (let i = 0; i <= LIMIT; i += 1) statuses.push((await call('/api/directory')).status);
    expect(proxy.counts[A]! - before[A]!).toBe(LIMIT / 2 + 1);
    expect(proxy.counts[B]! - before[B]!).toBe(LIMIT / 2);
    // LIMIT allowed in the window across both processes; per-process counters would have allowed twice as many.
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
  });

  it('sign in with the password on one process and the TOTP code on the other; the session works on both and ends on both at once', async () => {
    const ngo = await makeOrganisation(writer.t, 'ngo', '110105');
    const staff = await makeStaff(writer.t, ngo, ['caseworker']);
    const call = actor();
    const before = [...proxy.counts];
    const session = await signInOverHttp(call, staff, { passwordOn: A, totpOn: B });
    for (const on of [A, B, A, B]) {
      const res = await call('/api/staff/session', { on, headers: { cookie: session.cookie } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accountId: staff.accountId, csrfToken: session.csrf });
    }
    // The proxy's counts prove both processes served this session's requests.
    expect(proxy.counts[A]! - before[A]!).toBeGreaterThanOrEqual(3);
    expect(proxy.counts[B]! - before[B]!).toBeGreaterThanOrEqual(4);

    const out = await call('/staff/sign-out', {
      on: A,
      headers: { cookie: session.cookie },
      form: { _csrf: session.csrf },
    });
    expect(out.status).toBe(303);
    const refused = await call('/api/staff/session', { on: B, headers: { cookie: session.cookie } });
    expect(refused.status).toBe(401);
    expect((await call('/staff', { on: B, headers: { cookie: session.cookie } })).status).toBe(303);
    expect(await count(`select 1 from audit_event where event = 'identity.sign_out'`)).toBe(1);
  });

  it('a survivor’s thread token opened on one process works on both', async () => {
    const call = actor();
    const { caseCode, secret } = await fileHelpRequest(call, A);
    const token = await openThread(call, B, caseCode, secret);
    const bearer = { authorization: `Bearer ${token}` };
    const posted = await call('/api/help/thread/messages', {
      on: A,
      headers: bearer,
      json: { text: '我现在安全，晚上八点后可以联系我。' },
    });
    expect(posted.status).toBe(201);
    const read = await call('/api/help/thread/messages', { on: B, headers: bearer });
    expect(read.status).toBe(200);
    const body = (await read.json()) as { caseCode: string; messages: { text: string }[] };
    expect(body.caseCode).toBe(caseCode);
    expect(body.messages.map((m) => m.text)).toContain('我现在安全，晚上八点后可以联系我。');
  });

  it(
    'an upload started on one process, cut half-way, is resumed and finished on the other, and reads back byte for byte',
    { timeout: 60_000 },
    async () => {
      const MiB = 1024 * 1024;
      const file = Buffer.concat([MP4_HEADER, randomBytes(3 * MiB - MP4_HEADER.length)]);
      const sha256 = createHash('sha256').update(file).digest('hex');

      // Her: a help request, her thread, a journal entry answering an upload grant.
      const survivor = actor();
      const { caseCode, secret } = await fileHelpRequest(survivor, A);
      const bearer = { authorization: `Bearer ${await openThread(survivor, A, caseCode, secret)}` };
      const { grant } = await journalEntry(survivor, B, bearer, '他砸门的录像。');
      const tus = new TusSteps(actor(), grant);
      const upload = await tus.create(A, file.length, {
        filename: '录像.mp4',
        filetype: 'video/mp4',
        evidenceType: 'audio_visual',
      });
      // Process A: the first MiB acknowledged, then a PATCH whose connection drops after another MiB.
      const first = await tus.patch(A, upload, 0, file.subarray(0, MiB));
      expect(first.status).toBe(204);
      expect(first.headers.get('upload-offset')).toBe(String(MiB));
      await (await tus.patchPartly(A, upload, MiB, file.subarray(MiB), MiB)).cut();
      // Process B: what was stored (A keeps the bytes that arrived before the cut, once it sees the drop)…
      const offset = await until(
        'the cut bytes to be stored',
        async () => {
          const at = await tus.offset(B, upload);
          return at > MiB ? at : undefined;
        },
        10_000,
      );
      expect(offset).toBeLessThanOrEqual(2 * MiB);
      // …and the rest, sent to B, which finishes the upload (hash, type check, scan) from segments A wrote.
      const { response: last, offsets } = await tus.resume(B, upload, file);
      expect(offsets).toEqual([offset]);
      expect(last.status, await last.clone().text()).toBe(204);
      expect(last.headers.get('upload-offset')).toBe(String(file.length));
      expect(last.headers.get('anxin-evidence-sha256')).toBe(sha256);
      const evidenceId = last.headers.get('anxin-evidence-id') ?? '';
      expect(await tus.offset(A, upload)).toBe(file.length);

      // Her journal (on A) lists the file, intact, with its hash.
      const journal = await survivor('/api/help/thread/journal', { on: A, headers: bearer });
      const listed = (
        (await journal.json()) as {
          entries: { items: { id: string; sha256: string; size: number; integrity: string }[] }[];
        }
      ).entries.flatMap((e) => e.items);
      expect(listed).toEqual([
        expect.objectContaining({ id: evidenceId, sha256, size: file.length, integrity: 'intact' }),
      ]);

      // Her caseworker downloads it on A: the original, byte for byte.
      const owner = await sql.query<{ owner_ref: string }>(
        `select owner_ref from evidence_item where id = $1`,
        [evidenceId],
      );
      const helpRequestId = owner.rows[0]!.owner_ref.replace(/^help-case:/, '');
      const ngo = await makeOrganisation(writer.t, 'ngo', '110105');
      const caseworker = await makeStaff(writer.t, ngo, ['caseworker']);
      await makeDeskCase(writer.t, ngo, '110105', helpRequestId, caseworker.accountId);
      const staffCall = actor();
      const session = await signInOverHttp(staffCall, caseworker, { passwordOn: B, totpOn: A });
      const download = await staffCall(`/api/evidence/${evidenceId}/file`, {
        on: A,
        headers: { cookie: session.cookie },
      });
      expect(download.status).toBe(200);
      expect(
        createHash('sha256')
          .update(Buffer.from(await download.arrayBuffer()))
          .digest('hex'),
      ).toBe(sha256);
      // Nothing of the upload is left in the shared store but the item's object.
      expect(await strayObjects()).toEqual([]);
      expect(await count(`select 1 from evidence_upload_segment`)).toBe(0);
      expect(await count(`select 1 from evidence_upload where id = $1`, [upload.split('/').pop()])).toBe(0);
    },
  );

  it(
    'an upload whose connection to one process goes silent is resumed and finished on the other while the first still holds the request',
    { timeout: 60_000 },
    async () => {
      const MiB = 1024 * 1024;
      const file = Buffer.concat([MP4_HEADER, randomBytes(4 * MiB - MP4_HEADER.length)]);
      const survivor = actor();
      const { caseCode, secret } = await fileHelpRequest(survivor, B);
      const bearer = { authorization: `Bearer ${await openThread(survivor, B, caseCode, secret)}` };
      const tus = new TusSteps(actor(), (await journalEntry(survivor, A, bearer, '录音。')).grant);
      const upload = await tus.create(B, file.length, {
        filename: 'clip.mp4',
        filetype: 'video/mp4',
        evidenceType: 'audio_visual',
      });
      const silent = await tus.patchPartly(B, upload, 0, file, 2 * MiB);
      // B has 2 MiB in hand but has stored none of it (a segment is stored when it is full or the body ends):
      // A answers offset 0 and takes the whole file, without waiting for B's request to end.
      const { response, offsets } = await tus.resume(A, upload, file);
      expect(offsets).toEqual([0]);
      expect(response.status).toBe(204);
      expect(response.headers.get('anxin-evidence-sha256')).toBe(
        createHash('sha256').update(file).digest('hex'),
      );
      // When B's request finally ends, B is told the offset moved on (409), as a stale request: not a storage
      // failure, though A's finishing removed the upload's directory with B's half-written segment in it.
      const uploadId = upload.split('/').pop() ?? '';
      expect(await silent.end()).toBe(409);
      expect(servers[B]!.output()).not.toContain('evidence upload request failed');
      expect(await strayObjects()).toEqual([]);
      expect(await count(`select 1 from evidence_upload_segment`)).toBe(0);
      expect(await count(`select 1 from evidence_item where upload_id = $1`, [uploadId])).toBe(1);
    },
  );

  it('relay each outbox row into the queue exactly once and run it once', { timeout: 90_000 }, async () => {
    const rows = 150;
    // The rate-limit sweep is a real platform job with a handler in both processes.
    await sql.query(
      `insert into outbox (topic, payload) select 'platform.rate-limit-sweep', jsonb_build_object('n', n) from generate_series(1, $1) n`,
      [rows],
    );
    const completed = `select 1 from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId' and state = 'completed'`;
    await until(
      `${rows} jobs completed`,
      async () => ((await count(completed)) >= rows ? true : undefined),
      60_000,
    );
    const { rows: stats } = await sql.query<{ jobs: string; distinct_rows: string; undispatched: string }>(`
      select (select count(*) from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId')::text as jobs,
             (select count(distinct data->>'outboxId') from pgboss.job where name = 'platform.rate-limit-sweep' and data ? 'outboxId')::text as distinct_rows,
             (select count(*) from outbox where dispatched_at is null and topic = 'platform.rate-limit-sweep')::text as undispatched`);
    expect(stats[0]).toEqual({ jobs: String(rows), distinct_rows: String(rows), undispatched: '0' });
  });

  it(
    'a ruling deadline that comes due while both processes sweep fires once: one alert, one event, one notification, one delivery',
    { timeout: 60_000 },
    async () => {
      // A court clerk records an oral application, files and accepts it, through both processes.
      const court = await makeOrganisation(writer.t, 'court', '320102', '南京市玄武区人民法院');
      const clerk = await makeStaff(writer.t, court, ['court_clerk']);
      const call = actor();
      const session = await signInOverHttp(call, clerk, { passwordOn: A, totpOn: B });
      const created = await call('/api/orders/applications', {
        on: A,
        headers: staffHeaders(session),
        json: { channel: 'oral', application: completeApplication() },
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect(
        (
          await call(`/api/orders/applications/${id}/submit`, {
            on: B,
            headers: staffHeaders(session),
            json: {},
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(`/api/orders/applications/${id}/accept`, {
            on: A,
            headers: staffHeaders(session),
            json: {},
          })
        ).status,
      ).toBe(200);

      // Every attempt to fire an alert is logged with the process that made it (a BEFORE trigger runs even when
      // the insert then does nothing because the alert has already fired).
      await sql.query(`
      create table alert_attempt (process text not null, subject_id uuid not null, kind text not null);
      create function log_alert_attempt() returns trigger language plpgsql as $$
        begin insert into alert_attempt values (current_setting('application_name'), new.subject_id, new.kind); return new; end $$;
      create trigger log_alert_attempt before insert on order_alert for each row execute function log_alert_attempt();`);

      // The server processes run on the real clock, so the 72 hours pass in the database: accepted 73 hours ago,
      // due an hour ago (the warning at 18 hours left and the breach are both due now).
      await sql.query(
        `update order_application set accepted_at = now() - interval '73 hours', ruling_due_at = now() - interval '1 hour' where id = $1`,
        [id],
      );
      // Many sweeps asked for at once (the minute's cron adds its own): both processes relay them and run them.
      // Whichever worker polls first takes a batch, so more are asked for until each process has swept.
      const swept = `select distinct process from alert_attempt where subject_id = $1`;
      let sweeps = 0;
      for (let round = 0; round < 10 && (round === 0 || (await count(swept, [id])) < 2); round += 1) {
        const more = round === 0 ? 200 : 50;
        await sql.query(
          `insert into outbox (topic, payload) select 'orders.clock-sweep', jsonb_build_object('n', n) from generate_series(1, $1) n`,
          [more],
        );
        sweeps += more;
        await until(`${sweeps} sweeps`, async () =>
          (await count(
            `select 1 from pgboss.job where name = 'orders.clock-sweep' and data ? 'outboxId' and state = 'completed'`,
          )) >= sweeps
            ? true
            : undefined,
        );
      }
      const notices = `select id from order_notification where application_id = $1 and template in ('ruling_warning', 'ruling_breach')`;
      await until('the court’s notices delivered', async () =>
        (await count(`${notices} and status = 'sent'`, [id])) >= 2 ? true : undefined,
      );

      // Both processes tried to fire both alerts (a sweep tries every due alert it finds)…
      const attempts = await sql.query<{ process: string; kind: string }>(
        `select distinct process, kind from alert_attempt where subject_id = $1 order by 1, 2`,
        [id],
      );
      expect(attempts.rows).toEqual(
        ['anxin-process-0', 'anxin-process-1'].flatMap((process) =>
          ['ruling_breach', 'ruling_warning'].map((kind) => ({ process, kind })),
        ),
      );
      // …and each fired once.
      const alerts = await sql.query<{ kind: string }>(
        `select kind from order_alert where subject_id = $1 order by kind`,
        [id],
      );
      expect(alerts.rows.map((r) => r.kind)).toEqual(['ruling_breach', 'ruling_warning']);
      const events = await sql.query<{ kind: string; n: string }>(
        `select kind, count(*)::text as n from order_event where application_id = $1 and kind like 'ruling%' group by kind order by kind`,
        [id],
      );
      expect(events.rows).toEqual([
        { kind: 'ruling_breach', n: '1' },
        { kind: 'ruling_warning', n: '1' },
      ]);
      const sent = await sql.query<{
        id: string;
        template: string;
        recipient: string;
        status: string;
        attempts: number;
      }>(
        `select id, template, recipient, status, attempts from order_notification where application_id = $1 and template like 'ruling%' order by template`,
        [id],
      );
      expect(sent.rows.map(({ id: _id, ...n }) => n)).toEqual([
        { template: 'ruling_breach', recipient: 'court', status: 'sent', attempts: 1 },
        { template: 'ruling_warning', recipient: 'court', status: 'sent', attempts: 1 },
      ]);
      for (const notice of sent.rows) {
        expect(
          await count(
            `select 1 from pgboss.job where name = 'orders.notify' and data->>'notificationId' = $1`,
            [notice.id],
          ),
        ).toBe(1);
      }
      // Both processes show the breach on the docket.
      for (const on of [A, B]) {
        const docket = (await (
          await call('/api/orders/docket', { on, headers: { cookie: session.cookie } })
        ).json()) as { items: { id: string; clock: string }[] };
        expect(docket.items.find((d) => d.id === id)?.clock).toBe('breached');
      }
    },
  );
});
