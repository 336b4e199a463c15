/**
 * The protection-order one-stop: the court docket with 100,000 applications in the database, as a clerk meets it —
 * `GET /api/orders/docket` over HTTP from a real server process started as `npm start` runs it, at the default log
 * level (target p99 ≤ 20 ms) — and generating the order PDF (target < 200 ms each), on a fresh embedded PostgreSQL
 * (or DATABASE_URL when set). The service call alone is timed too, interleaved with the HTTP requests, to show
 * what HTTP adds. Applications are spread over 50 courts, most of them decided long ago, as in a province after
 * some years; each court has about 2,000, of which about 100 are open.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { openDatabase } from '../src/db/open.ts';
import { Keyring } from '../src/platform/crypto.ts';
import { isRegionCode } from '../src/modules/identity/regions.ts';
import { organisationDirectory } from '../src/modules/orders/orders.seams.ts';
import { OrdersService, type OrdersActor } from '../src/modules/orders/orders.service.ts';
import { createSession } from '../src/modules/identity/sessions.ts';
import { freePort, startBenchServer } from './_support.ts';

const APPLICATIONS = 100_000;
const COURTS = 50;

export const targets = [
  { figure: 'docket.http.p99Ms', atMost: 20, unit: 'ms' },
  { figure: 'orderPdf.p99Ms', atMost: 200, unit: 'ms' },
];

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-bench-orders-'));
  const config = loadConfig({
    NODE_ENV: 'development',
    ANXIN_DATA_DIR: dataDir,
    ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
    ANXIN_LOG_LEVEL: 'warn',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const database = await openDatabase(config, () => undefined);
  const masterKey = Buffer.alloc(32, 7);
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const keyring = new Keyring(masterKey);
    const courts: string[] = [];
    for (let i = 0; i < COURTS; i++) {
      const row = await db
        .insertInto('organisation')
        .values({
          kind: 'court',
          name: `基层人民法院 ${i}`,
          region_code: `3201${String(i + 1).padStart(2, '0')}`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      courts.push(row.id);
    }
    await db
      .insertInto('organisation')
      .values({ kind: 'court', name: '南京市玄武区人民法院', region_code: '320102' })
      .execute();
    // 100,000 applications in bulk. The docket never opens the sealed particulars, so one sealed blob stands in.
    const blob = keyring.sealText('{}', 'bench');
    const started = Date.now();
    await sql`
      insert into order_application (id, status, channel, particulars, measures, urgent, court_id, court_region_code, case_number,
        submitted_at, accepted_at, ruling_due_at, decided_at, updated_at)
      select gen_random_uuid(),
        case when n % 20 = 0 then 'submitted' when n % 20 = 1 then 'accepted' when n % 3 = 0 then 'rejected' else 'granted' end,
        'portal', ${blob}, '{no_violence}', n % 7 = 0, (${sql.val(courts)}::uuid[])[1 + (n / 20) % ${COURTS}], '3201', null,
        now() - (n || ' minutes')::interval,
        case when n % 20 = 1 or n % 20 > 1 then now() - (n || ' minutes')::interval end,
        case when n % 20 = 1 then now() + ((n % 4320) || ' minutes')::interval when n % 20 > 1 then now() - (n || ' minutes')::interval end,
        case when n % 20 > 1 then now() - (n || ' minutes')::interval end,
        now()
      from generate_series(1, ${APPLICATIONS}) as n`.execute(db);
    await sql`analyze order_application`.execute(db);
    const seedMs = Date.now() - started;

    const service = new OrdersService({
      db,
      keyring,
      publicUrl: 'https://anxin.example',
      organisations: organisationDirectory(db),
      evidence: () => undefined,
      isRegion: isRegionCode,
    });

    // One clerk per court, each with a full session made as the sign-in makes it (same keys as the server).
    const sessionKeys = { token: keyring.deriveKey('identity.token'), csrf: keyring.deriveKey('csrf') };
    const cookies: string[] = [];
    for (const [i, court] of courts.entries()) {
      const clerk = await db
        .insertInto('staff_account')
        .values({
          organisation_id: court,
          email: `clerk${i}@court.example`,
          display_name: `书记员 ${i}`,
          status: 'active',
          locale: 'zh-CN',
          password_hash: 'x',
          mfa_enrolled_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('staff_account_role')
        .values({ account_id: clerk.id, role: 'court_clerk' })
        .execute();
      cookies.push(`anxin_session=${(await createSession(db, sessionKeys, clerk.id, 'full')).token}`);
    }
    const server = await startBenchServer(
      {
        DATABASE_URL: database.connectionString,
        ANXIN_MASTER_KEY: masterKey.toString('base64'),
        ANXIN_LOG_LEVEL: 'info',
        ANXIN_RATE_LIMIT_PER_MINUTE: '1000000',
      },
      'compiled',
      { quietStdout: true },
    );
    const http: number[] = [];
    const inProcess: number[] = [];
    let rows = 0;
    try {
      const docket = async (i: number) => {
        const response = await fetch(`${server.url}/api/orders/docket`, {
          headers: { cookie: cookies[i % COURTS]!, 'accept-encoding': 'br, gzip' },
        });
        if (response.status !== 200) throw new Error(`the docket answered ${response.status}`);
        return ((await response.json()) as { items: unknown[] }).items.length;
      };
      for (let i = 0; i < 50; i++) {
        await docket(i); // warm up
        await service.listDocket(courts[i % COURTS]!);
      }
      for (let i = 0; i < 1_000; i++) {
        const t0 = performance.now();
        rows = await docket(i);
        http.push(performance.now() - t0);
        const t1 = performance.now();
        await service.listDocket(courts[i % COURTS]!);
        inProcess.push(performance.now() - t1);
      }
    } finally {
      await server.stop();
    }
    http.sort((a, b) => a - b);
    inProcess.sort((a, b) => a - b);

    // A real granted order through the service, then its PDF for each copy.
    const actor: OrdersActor = {
      audit: { accountId: null, roles: ['bench'], organisationId: null, ip: null, userAgent: null },
      ref: 'bench',
      accountId: randomUUID(),
    };
    const { id } = await service.saveDraft(
      actor,
      {
        applicant: { name: '李梅', regionCode: '320102', address: '南京市玄武区梅园新村17号' },
        respondent: { name: '王强', idNumber: '320102198801011236' },
        relationship: 'spouse',
        incidents: [
          { date: '2026-10-03', description: '殴打' },
          { date: '2026-11-01', description: '威胁' },
        ],
        measures: ['no_violence', 'no_contact', 'keep_away'],
        keepAwayMetres: 200,
        keepAwayPlaces: '申请人住所、工作单位',
        consentOnline: true,
      },
      { channel: 'portal' },
    );
    await service.submit(actor, id);
    await service.accept(actor, id);
    await service.decide(actor, id, {
      outcome: 'grant',
      measures: ['no_violence', 'no_contact', 'keep_away'],
      keepAwayMetres: 200,
      validMonths: 6,
      terms: '被申请人应于三日内交出申请人住所钥匙',
    });
    const t0 = performance.now();
    await service.orderDocument(actor, id, 'court');
    const firstPdfMs = Math.round(performance.now() - t0);
    const pdfTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      bytes = (await service.orderDocument(actor, id, i % 2 ? 'respondent' : 'applicant')).pdf.length;
      pdfTimes.push(performance.now() - t);
    }
    pdfTimes.sort((a, b) => a - b);
    return {
      applications: APPLICATIONS,
      /** The machine's 1-minute load average while measuring (shared machines skew the tails). */
      loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
      seedMs,
      docket: {
        rowsPerCourt: rows,
        http: {
          samples: http.length,
          p50Ms: percentile(http, 50),
          p99Ms: percentile(http, 99),
          maxMs: percentile(http, 100),
        },
        serviceOnly: {
          samples: inProcess.length,
          p50Ms: percentile(inProcess, 50),
          p99Ms: percentile(inProcess, 99),
          maxMs: percentile(inProcess, 100),
        },
      },
      orderPdf: {
        firstIncludingFontLoadMs: firstPdfMs,
        samples: pdfTimes.length,
        p50Ms: percentile(pdfTimes, 50),
        p99Ms: percentile(pdfTimes, 99),
        maxMs: percentile(pdfTimes, 100),
        bytes,
      },
    };
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
