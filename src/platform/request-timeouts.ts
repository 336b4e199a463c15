/**
 * Clients that stop sending are let go. Three limits (ANXIN_*_TIMEOUT_SECONDS, see docs/operations.md):
 *
 * - a request body that sends nothing for `bodyIdleMs` is cut: an idle timer on the socket while the body
 *   is arriving only, so a long upload that keeps moving is never cut, and the work after the last byte (a
 *   completion pass hashing and scanning a large file, a PDF) may take as long as it needs;
 * - the whole request must have arrived within `requestMs` (Node's `requestTimeout`, which counts until
 *   the request is received, not answered): a generous bound for an 8 MiB upload chunk on a slow phone, and
 *   the end of a client dribbling one byte at a time;
 * - an idle keep-alive connection is closed after `keepAliveMs`.
 *
 * Fastify leaves the first two off by default: 1,000 stalled bodies were still open after 6 minutes.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Socket } from 'node:net';
import type { TimeoutConfig } from '../config.ts';

export function serverTimeoutOptions(
  timeouts: TimeoutConfig,
): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout'> {
  // connectionTimeout (socket inactivity for the whole exchange) stays off: it would also cut a response still being worked out.
  return { requestTimeout: timeouts.requestMs, keepAliveTimeout: timeouts.keepAliveMs, connectionTimeout: 0 };
}

export function registerBodyIdleTimeout(app: FastifyInstance, idleMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    const socket = raw.socket as Socket | undefined;
    // inject() has no real socket; a body already received needs no watch.
    if (!(socket instanceof Socket) || raw.complete || !hasBody(raw.headers)) return done();
    // Nothing arriving for idleMs: Node's server ends the socket (no one else listens for its 'timeout').
    socket.setTimeout(idleMs);
    const lift = () => {
      // Once the response is finished, Node has set the keep-alive timer on this socket: leave that one be.
      if (!reply.raw.writableFinished && !socket.destroyed) socket.setTimeout(0);
    };
    raw.once('end', lift);
    raw.once('close', lift);
    done();
  });
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return (typeof length === 'string' && length !== '0') || headers['transfer-encoding'] !== undefined;
}
