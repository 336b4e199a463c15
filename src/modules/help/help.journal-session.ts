/**
 * What the evidence journal needs from the survivor portal: her thread session from the API's bearer token
 * (`openHelpThread`), as the portal's own JSON API reads it. The journal's pages use the thread cookie through
 * help.orders-api.ts (`survivorThreadSession`), like the orders pages.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { HelpService, type ThreadSession } from './help.service.ts';

const services = new WeakMap<object, HelpService>();

/** Her thread session behind `Authorization: Bearer <token>`, or undefined when there is none (or it ended). */
export async function survivorThreadFromBearer(request: FastifyRequest): Promise<ThreadSession | undefined> {
  const app = request.server;
  let service = services.get(app);
  if (!service) {
    service = new HelpService(app.db, app.keyring, app.rateLimiter);
    services.set(app, service);
  }
  const token = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(request.headers.authorization ?? '')?.[1];
  return token ? service.threadSession(token) : undefined;
}

/** Whether her thread session is still open (not signed out, not idle or past its absolute limit): upload grants end with it. */
export async function threadSessionLive(db: Kysely<Database>, sessionId: string): Promise<boolean> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sessionId)) return false;
  const now = new Date();
  const row = await db
    .selectFrom('help_thread_session')
    .select('id')
    .where('id', '=', sessionId)
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}
