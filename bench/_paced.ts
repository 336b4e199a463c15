/**
 * An open-loop load at a steady rate: request i is due at start + i/rate, sent then (on any free keep-alive
 * connection), and its latency is counted from when it was DUE, not when it was sent — so a slow server cannot
 * hide its queue by slowing the generator down (coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its share of a second as fast as it can at
 * the start of that second (1,000 requests/s over 100 connections arrive as one burst per second), and then
 * adds synthetic samples for every millisecond of each response; both inflate the tail far beyond what a
 * steady 1,000 requests/s produces. Both figures are reported side by side in bench/intake.ts.
 */
import http from 'node:http';

export interface PacedResult {
  targetRate: number;
  sent: number;
  completed: number;
  achievedRate: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

export async function pacedLoad(options: {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  method?: string;
  body?: string;
  headers?: () => Record<string, string>;
}): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) => {
    let finished = 0;
    const finish = () => {
      finished += 1;
      if (finished === total) resolve();
    };
    const send = (due: number) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: options.method ?? 'GET',
          headers: { 'content-type': 'application/json', ...options.headers?.() },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) non2xx += 1;
            finish();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        finish();
      });
      req.end(options.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / options.rate <= now) {
        send(start + (sent * 1000) / options.rate);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  await done;
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(
      (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0) * 10,
    ) / 10;
  return {
    targetRate: options.rate,
    sent,
    completed: latencies.length,
    achievedRate: Math.round(latencies.length / elapsed),
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: at(100),
    non2xx,
    errors,
  };
}
