/**
 * Graceful stop of a real server process on its embedded PostgreSQL, signalled as a terminal or supervisor does
 * (SIGTERM to the whole process group): a request in flight finishes and is saved, a request arriving after the
 * signal is answered 503 with Retry-After in our error format, the steps run in order (requests, jobs, pool,
 * PostgreSQL), nothing is logged as an error, and the process exits 0 with PostgreSQL stopped.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptableHelpRequest } from '../support/help-request.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/processes.ts';

let server: ServerProcess | undefined;
let dataDir = '';
afterAll(async () => {
  await server?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });

describe('graceful stop on SIGTERM', () => {
  it(
    'finishes requests in flight, refuses late ones with 503, then stops jobs and PostgreSQL in order',
    { timeout: 180_000 },
    async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'anxin-shutdown-'));
      server = await startServerProcess(
        {
          ANXIN_DATA_DIR: dataDir,
          ANXIN_EMBEDDED_PG_PORT: String(await freePort()),
          ANXIN_LOG_LEVEL: 'info',
          ANXIN_CLAMD: 'none',
        },
        { detached: true },
      );
      const started = server;
      const postgresPid = Number(
        (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      expect(isAlive(postgresPid)).toBe(true);

      // A help request whose body is half sent when the signal comes, and a second request pipelined behind it.
      const body = JSON.stringify(acceptableHelpRequest);
      const socket = connect(started.port, '127.0.0.1');
      let answers = '';
      socket.on('data', (chunk: Buffer) => (answers += chunk.toString('utf8')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `POST /api/help/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, 20),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));

      process.kill(-(started.child.pid ?? 0), 'SIGTERM');
      // Once the server no longer accepts connections, the stop has begun.
      while (await accepts(started.port)) await new Promise((resolve) => setTimeout(resolve, 50));
      socket.write(body.slice(20) + 'GET /api/directory HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\r\n');
      await closed;
      expect(await started.exited, started.output()).toBe(0);

      const [first, late] = answers.split(/(?=HTTP\/1\.1 )/);
      expect(first, answers).toMatch(/^HTTP\/1\.1 201 /);
      expect(first).toContain('"caseCode"');
      expect(late, answers).toMatch(/^HTTP\/1\.1 503 /);
      expect(late).toMatch(/\r\nretry-after: 5\r\n/i);
      expect(late).toMatch(/\r\nconnection: close\r\n/i);
      expect(late).toContain('"code":"UNAVAILABLE"');
      expect(late).toContain('The service is unavailable for a moment');

      const output = started.output();
      const steps = [
        'stopping: no new requests',
        'requests drained',
        'job workers stopped',
        'database closed; stopped',
      ].map((line) => output.indexOf(line));
      expect(
        steps.every((at) => at >= 0),
        output,
      ).toBe(true);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      // No error line (a job queue losing its database, a request cut), and PostgreSQL is stopped.
      expect(output).not.toMatch(/"level":(50|60)/);
      expect(isAlive(postgresPid)).toBe(false);
    },
  );
});
