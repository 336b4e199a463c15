/**
 * Graceful stop, the app's part: once `app.close()` begins, a request that still arrives (pipelined, or on a
 * keep-alive connection that was busy) is answered 503 with `Retry-After` and `Connection: close` in the
 * user's language, so a load balancer or her browser tries again elsewhere or in a moment; requests already
 * in flight run to their end. The order of the whole stop is in runtime.ts.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/** Seconds a request refused while stopping is asked to wait (a restart, or another process, takes over). */
export const STOPPING_RETRY_AFTER_SECONDS = 5;

export function registerDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onRequest', (_request, _reply, done) => {
    if (!draining) return done();
    done(
      new AppError('UNAVAILABLE', {
        headers: { 'retry-after': String(STOPPING_RETRY_AFTER_SECONDS), connection: 'close' },
      }),
    );
  });
}
