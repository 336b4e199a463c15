/**
 * The desk's intake: the hand-off from the portal. Every help request and call-back request is written with
 * an outbox row in the same statement or transaction (`help.request-created`, `help.callback-requested`, by
 * the help module); the desk takes those rows here, in the transaction that creates the case and deletes the
 * rows (platform/jobs.ts `consume`). A request therefore gets exactly one case — never skipped, whatever the
 * rate, and never twice (the row is gone with the commit; the case's unique `help_request_id` / `callback_id`
 * is a second guard). A request no desk can take yet stays in the outbox and is tried again a minute later.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { drainOutbox, type OutboxConsumer, type OutboxEvent } from '../../platform/jobs.ts';
import { listCallbacksByIds, listRequestsByIds } from '../help/help.desk-api.ts';
import { routeToOrganisation, type DeskRoute } from './helpline.directory.ts';

type Trx = Transaction<Database>;

export const REQUEST_CREATED = 'help.request-created';
export const CALLBACK_REQUESTED = 'help.callback-requested';

function idsIn(events: OutboxEvent[], key: string): Map<string, string> {
  const byId = new Map<string, string>();
  for (const event of events) {
    const value = event.payload[key];
    if (typeof value === 'string') byId.set(value, event.id);
  }
  return byId;
}

/** One routing decision per province per batch (a burst from one province asks once). */
function routerFor(trx: Trx): (province: string | null) => Promise<DeskRoute | undefined> {
  const routes = new Map<string, Promise<DeskRoute | undefined>>();
  return (province) => {
    const key = province ?? '';
    let route = routes.get(key);
    if (!route) {
      route = routeToOrganisation(trx, province);
      routes.set(key, route);
    }
    return route;
  };
}

/** `help.request-created`: a case for each new help request, at the desk that serves her province. */
export const takeHelpRequests: OutboxConsumer = async (trx, events) => {
  const eventOf = idsIn(events, 'helpRequestId');
  const requests = await listRequestsByIds(trx, [...eventOf.keys()]);
  const route = routerFor(trx);
  const postponed: string[] = [];
  const cases = [];
  for (const request of requests) {
    const desk = await route(request.province);
    if (!desk) {
      postponed.push(eventOf.get(request.id) ?? '');
      continue;
    }
    cases.push({
      id: randomUUID(),
      organisation_id: desk.id,
      region_code: desk.regionCode,
      source: 'online' as const,
      help_request_id: request.id,
      received_at: request.createdAt,
      danger_level: request.dangerLevel,
      request_type: request.requestType,
      forms: request.forms,
      relationship: request.relationship,
      victim_minor: request.isMinor,
      children_witnessed: request.childrenWitnessed,
      age_band: request.ageBand,
      gender: request.gender,
      province: request.province,
      // When it reached the queue (bench/handoff.ts measures filing-to-queue time from it).
      created_at: sql<Date>`clock_timestamp()`,
    });
  }
  if (cases.length)
    await trx
      .insertInto('helpline_case')
      .values(cases)
      .onConflict((oc) => oc.column('help_request_id').doNothing())
      .execute();
  return postponed;
};

/**
 * `help.callback-requested`: a case for each call-back request made on its own (one tied to her help request
 * is shown on that request's case instead).
 */
export const takeCallbacks: OutboxConsumer = async (trx, events) => {
  const eventOf = idsIn(events, 'callbackId');
  const callbacks = (await listCallbacksByIds(trx, [...eventOf.keys()])).filter(
    (c) => c.helpRequestId === null,
  );
  if (callbacks.length === 0) return [];
  const desk = await routeToOrganisation(trx, null);
  if (!desk) return callbacks.map((c) => eventOf.get(c.id) ?? '');
  await trx
    .insertInto('helpline_case')
    .values(
      callbacks.map((c) => ({
        id: randomUUID(),
        organisation_id: desk.id,
        region_code: desk.regionCode,
        source: 'callback' as const,
        callback_id: c.id,
        received_at: c.createdAt,
      })),
    )
    .onConflict((oc) => oc.column('callback_id').doNothing())
    .execute();
  return [];
};

/**
 * Take every hand-off committed so far (waiting for rows the background relay holds), so a queue read right
 * after a request was filed shows it. Returns how many events were taken.
 */
export async function takeIntake(db: Db): Promise<number> {
  return (
    (await drainOutbox(db, REQUEST_CREATED, takeHelpRequests, { wait: true })) +
    (await drainOutbox(db, CALLBACK_REQUESTED, takeCallbacks, { wait: true }))
  );
}
