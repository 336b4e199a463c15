/**
 * API answers are never stored by a browser or a proxy: nearly every one carries personal data (her case code
 * and secret, her messages, a case), and a stored copy is readable by whoever holds her phone. One rule for
 * every `/api/` response, errors included; a route serving public reference data may set its own
 * Cache-Control, which is left as it is.
 */
import type { FastifyInstance } from 'fastify';

export function registerApiNoStore(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
