/**
 * The protection-order one-stop (issue 7): registers the record types the identity gate checks, the service
 * (decorated as `app.ordersService` for the NGO desk's "start a protection-order application"), the
 * notification and clock jobs, the API and staff pages, and the survivor's pages inside her portal thread.
 * Registered after identity (its gate and policy) and the help module.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { postToHerThread } from '../help/help.orders-api.ts';
import { registerRecordType } from '../../platform/access-guard.ts';
import { activeAccountIds } from '../identity/identity.directory.service.ts';
import { isRegionCode } from '../identity/regions.ts';
import { addEvidenceConsentSource } from '../evidence/evidence.consent-sources.ts';
import { consentRoutes } from './orders.consent-routes.tsx';
import { courtsHoldingEvidence } from './orders.evidence-consent.ts';
import { OrdersNotifier } from './orders.notify.ts';
import { ordersPortal, staffApplicationPages } from './orders.portal.tsx';
import { ordersListsApi } from './orders.lists-api.ts';
import { ordersRoutes } from './orders.routes.tsx';
import type { OrdersSearchIndex } from './orders.search-index.ts';
import { survivorOrdersApi } from './orders.survivor-api.ts';
import { evidenceFromApp, helpCaseOwnerRef, organisationDirectory } from './orders.seams.ts';
import { CLOCK_TOPIC, NOTIFY_TOPIC, OrdersService } from './orders.service.ts';
import { registerErasureParts } from '../help/help.erasure-api.ts';
import { courtRecordsOf, deleteDraftApplications } from './orders.erase.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ordersService: OrdersService;
    ordersNotifier: OrdersNotifier;
    /** The blind index of names and ID numbers the lists search (orders.search-index.ts). */
    ordersSearch: OrdersSearchIndex;
  }
}

const isUuid = (id: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** Every orders record sits where its court (or agency) sits; NGO creators own the applications they started. */
function placements(app: FastifyInstance): void {
  const byApplication = async (db: Kysely<Database>, applicationId: string) => {
    const row = await db
      .selectFrom('order_application')
      .select(['court_id', 'court_region_code', 'created_by'])
      .where('id', '=', applicationId)
      .executeTakeFirst();
    return (
      row && {
        organisationId: row.court_id,
        regionCode: row.court_region_code,
        ownerAccountId: row.created_by,
      }
    );
  };
  registerRecordType(app, 'order_application', {
    caseLevel: true,
    locate: async (db, id) => (isUuid(id) ? byApplication(db, id) : undefined),
  });
  registerRecordType(app, 'order_review_task', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('order_review_task')
        .select(['organisation_id', 'organisation_region_code'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.organisation_id, regionCode: row.organisation_region_code };
    },
  });
  registerRecordType(app, 'protection_order', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('protection_order')
        .select(['court_id', 'court_region_code'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.court_id, regionCode: row.court_region_code };
    },
  });
  registerRecordType(app, 'order_service_task', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('order_service_task as s')
        .innerJoin('protection_order as o', 'o.id', 's.order_id')
        .select(['o.court_id', 'o.court_region_code'])
        .where('s.id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.court_id, regionCode: row.court_region_code };
    },
  });
  registerRecordType(app, 'order_violation', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('order_violation as v')
        .innerJoin('protection_order as o', 'o.id', 'v.order_id')
        .select(['o.court_id', 'o.court_region_code'])
        .where('v.id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.court_id, regionCode: row.court_region_code };
    },
  });
  // Her help request as the agencies she shared it with reach it: the active accounts of every organisation holding
  // a live share of one of her files (evidence_share) or a review task of one of her applications. No organisation
  // or region places it, so police reach it only through her consent (read-only use of the vault's share table).
  registerRecordType(app, 'help_request_agency', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const exists = await db.selectFrom('help_request').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) return undefined;
      const organisations = await db
        .selectFrom('evidence_share as s')
        .innerJoin('evidence_item as i', 'i.id', 's.evidence_id')
        .select('s.organisation_id as id')
        .where('i.owner_ref', '=', helpCaseOwnerRef(id))
        .where('s.withdrawn_at', 'is', null)
        .union(
          db
            .selectFrom('order_review_task as r')
            .innerJoin('order_application as a', 'a.id', 'r.application_id')
            .select('r.organisation_id as id')
            .where('a.help_request_id', '=', id),
        )
        .execute();
      const accounts = await activeAccountIds(
        db,
        organisations.map((o) => o.id),
      );
      return { organisationId: null, regionCode: null, assignedAccountIds: accounts };
    },
  });
  registerRecordType(app, 'police_warning', {
    caseLevel: true,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('police_warning')
        .select(['organisation_id', 'region_code'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.organisation_id, regionCode: row.region_code };
    },
  });
}

export function ordersModule(app: FastifyInstance): void {
  const service = new OrdersService({
    db: app.db,
    keyring: app.keyring,
    publicUrl: app.config.publicUrl,
    organisations: organisationDirectory(app.db),
    evidence: () => evidenceFromApp(app),
    isRegion: isRegionCode,
    postToThread: (trx, helpRequestId, staffRef, text) =>
      postToHerThread(app, trx, helpRequestId, staffRef, text),
  });
  const notifier = new OrdersNotifier(app.db, app.keyring, app.log);
  app.decorate('ordersService', service);
  // Her deletion (help): filed applications stay as court records, drafts go.
  registerErasureParts(app, { courtRecords: courtRecordsOf, deleteDrafts: deleteDraftApplications });
  app.decorate('ordersNotifier', notifier);
  const search = service.core.search;
  app.decorate('ordersSearch', search);
  placements(app);
  // The vault asks us which courts an item reached by her filings (it reads none of our tables).
  addEvidenceConsentSource(courtsHoldingEvidence);

  app.jobs.handle(NOTIFY_TOPIC, async (payload) => {
    if (typeof payload.notificationId === 'string') await notifier.deliver(payload.notificationId);
  });
  app.jobs.handle(CLOCK_TOPIC, async () => {
    await service.sweepClock();
  });
  // Every minute, once across all processes (pg-boss cron); alerts themselves are idempotent (order_alert key).
  app.addHook('onReady', async () => {
    await app.jobs
      .schedule(CLOCK_TOPIC, '* * * * *')
      .catch((error: unknown) =>
        app.log.debug({ err: error }, 'orders clock not scheduled (job runner not started)'),
      );
  });

  // Applications no write indexed (written before migration 0021, the demo seed) are indexed once at start.
  app.addHook('onReady', async () => {
    await search
      .sync()
      .catch((error: unknown) => app.log.warn({ err: error }, 'orders search index not brought up to date'));
  });

  ordersRoutes(app, service);
  ordersListsApi(app, service, search);
  staffApplicationPages(app, service);
  ordersPortal(app, service);
  survivorOrdersApi(app, service);
  consentRoutes(app, service);
}
