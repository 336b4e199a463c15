/**
 * Filing-to-queue time (issue 13): how long from a help request being filed through the public API until its
 * case is on a desk's queue, with the background relay doing the hand-off and nobody reading the queue.
 * Open-loop load (bench/_paced.ts) at 50 and at 500 requests/s, each address behind the trusted proxy; per
 * request, the time from the intake statement (`help_request.created_at`) to the insert of its case
 * (`helpline_case.created_at`, the clock when the consumer wrote it, just before its commit), read from the
 * database once every request of the phase has its case. Also reported: requests left without a case (must be 0).
 * Target, stated before running: p99 under 2 s at both rates (the relay polls every 500 ms), none left behind.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { pacedLoad } from './_paced.ts';
import { startBenchServer } from './_support.ts';

const ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = process.env.BENCH_QUICK === '1' ? 5 : 15;
const NAME = 'anxin_bench_handoff';

const body = JSON.stringify({
  requestType: 'domestic_violence',
  narrative: '他经常打我，昨天又威胁要杀了我。我想知道怎么申请保护令。',
  province: '11',
  forms: ['physical'],
  contact: { channel: 'in_app', windows: [], noVoicemail: true, noSms: true },
  consentSensitive: true,
});
const xff = () => `100.${randomInt(64, 128)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = ADMIN): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A desk approved for Beijing with one lawyer, as a platform admin would set it up. */
async function makeDesk(client: pg.Client): Promise<void> {
  const org = await client.query<{ id: string }>(
    `insert into organisation (kind, name, region_code) values ('ngo', 'Bench desk', '110105') returning id`,
  );
  const id = org.rows[0]!.id;
  const staff = await client.query<{ id: string }>(
    `insert into staff_account (organisation_id, email, display_name, status, password_hash) values ($1, 'bench@example.org', 'Bench', 'active', 'x') returning id`,
    [id],
  );
  await client.query(`insert into staff_account_role (account_id, role) values ($1, 'volunteer_lawyer')`, [
    staff.rows[0]!.id,
  ]);
  await client.query(
    `insert into helpline_desk_setting (organisation_id, first_response_minutes, provinces, approved_provinces, national, updated_at) values ($1, 60, '{11}', '{11}', true, now())`,
    [id],
  );
}

async function phase(url: string, dbUrl: string, rate: number) {
  const from = new Date();
  const load = await pacedLoad({
    url: `${url}/api/help/requests`,
    rate,
    seconds,
    connections: 100,
    method: 'POST',
    body,
    headers: () => ({ 'x-forwarded-for': xff() }),
  });
  const to = new Date();
  return admin(async (client) => {
    const deadline = Date.now() + 60_000;
    let left: number;
    do {
      const r = await client.query<{ n: string }>(
        `select count(*)::text as n from help_request r where r.created_at between $1 and $2 and not exists (select 1 from helpline_case c where c.help_request_id = r.id)`,
        [from, to],
      );
      left = Number(r.rows[0]!.n);
      if (left > 0) await new Promise((r) => setTimeout(r, 200));
    } while (left > 0 && Date.now() < deadline);
    const q = await client.query<{ n: string; p50: number; p99: number; max: number }>(
      `select count(*)::text as n,
              percentile_cont(0.5) within group (order by extract(epoch from c.created_at - r.created_at) * 1000) as p50,
              percentile_cont(0.99) within group (order by extract(epoch from c.created_at - r.created_at) * 1000) as p99,
              max(extract(epoch from c.created_at - r.created_at) * 1000) as max
         from help_request r join helpline_case c on c.help_request_id = r.id
        where r.created_at between $1 and $2`,
      [from, to],
    );
    const row = q.rows[0]!;
    return {
      rate,
      filed: load.completed,
      non2xx: load.non2xx,
      filingP99Ms: load.p99Ms,
      onQueue: Number(row.n),
      leftWithoutCase: left,
      filingToQueueP50Ms: Math.round(Number(row.p50)),
      filingToQueueP99Ms: Math.round(Number(row.p99)),
      filingToQueueMaxMs: Math.round(Number(row.max)),
    };
  }, dbUrl);
}

export async function run(): Promise<Record<string, unknown>> {
  await admin(async (c) => {
    await c.query(`drop database if exists ${NAME} with (force)`);
    await c.query(`create database ${NAME}`);
  });
  const dbUrl = new URL(ADMIN);
  dbUrl.pathname = `/${NAME}`;
  const server = await startBenchServer({
    DATABASE_URL: dbUrl.toString(),
    ANXIN_TRUST_PROXY: '1',
    ANXIN_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  try {
    await admin(makeDesk, dbUrl.toString());
    const at50 = await phase(server.url, dbUrl.toString(), 50);
    const at500 = await phase(server.url, dbUrl.toString(), 500);
    const targetP99Ms = 2000;
    const met = [at50, at500].every(
      (p) => p.leftWithoutCase === 0 && p.non2xx === 0 && p.filingToQueueP99Ms < targetP99Ms,
    );
    return {
      database: 'machine PostgreSQL (external)',
      seconds,
      at50PerSecond: at50,
      at500PerSecond: at500,
      targetP99Ms,
      targetMet: met,
    };
  } finally {
    await server.stop();
    await admin((c) => c.query(`drop database if exists ${NAME} with (force)`));
  }
}
