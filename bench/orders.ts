/**
 * The protection-order one-stop: the court docket query with 100,000 applications in the database (target
 * p99 < 20 ms) and generating the order PDF (target < 200 ms each), on a fresh embedded PostgreSQL (or
 * DATABASE_URL when set). Applications are spread over 50 courts, most of them decided long ago, as in a
 * province after some years; the benchmarked court has about 2,000, of which about 100 are open.
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
import { freePort } from './_support.ts';

const APPLICATIONS = 100_000;
const COURTS = 50;

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
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const keyring = new Keyring(Buffer.alloc(32, 7));
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
    const court = courts[0]!;
    for (let i = 0; i < 20; i++) await service.listDocket(court); // warm up
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      rows = (await service.listDocket(courts[i % COURTS]!)).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);

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
        respondent: { name: '王强', idNumber: '320102198801011234' },
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
        samples: times.length,
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        maxMs: percentile(times, 100),
        targetP99Ms: 20,
      },
      orderPdf: {
        firstIncludingFontLoadMs: firstPdfMs,
        samples: pdfTimes.length,
        p50Ms: percentile(pdfTimes, 50),
        p99Ms: percentile(pdfTimes, 99),
        maxMs: percentile(pdfTimes, 100),
        bytes,
        targetMs: 200,
      },
    };
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
