/**
 * The platform itself: one app process on the embedded PostgreSQL — memory idle and under load, and the
 * throughput and latency of the front page and the readiness check (which queries the database).
 */
import { startBenchServer, load } from './_support.ts';

export async function run(): Promise<Record<string, unknown>> {
  // One load generator on one address: lift the per-network limit so the pages themselves are measured.
  const server = await startBenchServer({ ANXIN_RATE_LIMIT_PER_MINUTE: '1000000' });
  try {
    await new Promise((r) => setTimeout(r, 2_000));
    const idleRssMiB = await server.rssMiB();
    const homePage = await load({ url: `${server.url}/`, headers: { 'accept-encoding': 'br' } });
    const readiness = await load({ url: `${server.url}/readyz` });
    const loadedRssMiB = await server.rssMiB();
    return { idleRssMiB, loadedRssMiB, homePage, readiness };
  } finally {
    await server.stop();
  }
}
