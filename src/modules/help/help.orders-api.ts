/**
 * What the orders module needs from the survivor portal: her live thread session (case code + secret), read
 * from the portal's own cookie, and the form token bound to it. The orders pages live under `/help/thread/…`
 * so the thread cookie (path-limited to the thread pages) reaches them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { csrfTokenFor, verifyCsrfToken } from '../../platform/csrf.ts';
import { THREAD_COOKIE } from './help.pages.tsx';
import { HelpService, type ThreadSession } from './help.service.ts';

const services = new WeakMap<FastifyInstance, HelpService>();

function helpService(app: FastifyInstance): HelpService {
  let service = services.get(app);
  if (!service) {
    service = new HelpService(app.db, app.keyring, app.rateLimiter);
    services.set(app, service);
  }
  return service;
}

/** Her thread session behind this request, or undefined when there is none (or it ended). */
export async function survivorThreadSession(request: FastifyRequest): Promise<ThreadSession | undefined> {
  return helpService(request.server).threadSession(request.cookies[THREAD_COOKIE]);
}

/** The form token for her session (same key and binding as the portal's own forms). */
export function survivorFormToken(request: FastifyRequest, session: ThreadSession): string {
  return csrfTokenFor(request.server.keyring.deriveKey('csrf'), session.id);
}

export function verifySurvivorFormToken(
  request: FastifyRequest,
  session: ThreadSession,
  token: unknown,
): boolean {
  return verifyCsrfToken(request.server.keyring.deriveKey('csrf'), session.id, token);
}

/** A message from staff on her thread (written in the caller's transaction): how the orders module asks her consent. */
export async function postToHerThread(
  app: FastifyInstance,
  trx: Transaction<Database>,
  helpRequestId: string,
  staffRef: string,
  text: string,
): Promise<void> {
  await helpService(app).postStaffReply(trx, helpRequestId, staffRef, text);
}
