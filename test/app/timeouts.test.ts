/**
 * Clients that stop sending are let go: a request body that stops arriving is cut after the body idle timeout,
 * while a body that keeps arriving slowly, and an answer that takes longer than the timeout to work out, are
 * not. The app listens on a loopback port and is spoken to over raw sockets, so nothing hides a stall.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let port = 0;
const IDLE_SECONDS = 1;

beforeAll(async () => {
  t = await createTestApp({
    env: { ANXIN_BODY_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS) },
    configure: (app) => {
      // Answers only after three idle periods: the work after the body must not be cut.
      app.post(
        '/test/slow-answer',
        { config: { access: { public: true, reason: 'test probe' } } },
        async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_SECONDS * 1000));
          return { received: JSON.stringify(request.body).length };
        },
      );
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => t?.close());

function open(): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      const answer = new Promise<string>((done) => socket.on('close', () => done(text)));
      resolve({ socket, answer });
    });
    socket.on('error', reject);
  });
}

const head = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

describe('request timeouts', () => {
  it('closes a connection whose body stops arriving', { timeout: 20_000 }, async () => {
    const { socket, answer } = await open();
    socket.write(head('/api/help/requests', 1000) + '{"narrative":"');
    // Nothing more is sent: the server must end the connection on its own (before this test's timeout).
    await answer;
    expect(socket.destroyed).toBe(true);
  });

  it(
    'keeps a body that arrives slowly but steadily, and waits for an answer that takes long',
    { timeout: 20_000 },
    async () => {
      const body = JSON.stringify({ text: 'x'.repeat(60) });
      const { socket, answer } = await open();
      socket.write(head('/test/slow-answer', Buffer.byteLength(body)));
      // Ten pieces, each well inside the idle timeout: over twice the timeout in all.
      for (let i = 0; i < body.length; i += 7) {
        socket.write(body.slice(i, i + 7));
        await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS * 1000) / 4));
      }
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text).toContain(`{"received":${body.length}}`);
    },
  );
});
