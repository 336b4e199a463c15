/**
 * The NGO helpline desk (issue 5): triage queue, claiming and assigning, the case view, hotline calls,
 * call-backs under her safe-contact rules, referrals, mandatory reports for minors, duty roster and the
 * hotline hours the portal shows. Registered after identity (access gate) and help (her requests and
 * thread, read and answered only through `app.help`).
 */
import type { FastifyInstance } from 'fastify';
import { registerRecordType } from '../../platform/access-guard.ts';
import { HelpService } from '../help/help.service.ts';
import { helplineApi, helplineClaimApi } from './helpline.api.ts';
import { helplineCoverageApi } from './helpline.coverage-api.ts';
import { helplineCapacityApi } from './helpline.capacity.ts';
import { helplineEscalationApi } from './helpline.escalation-api.ts';
import { ESCALATION_TOPIC, runEscalations } from './helpline.escalation.ts';
import { helplineListApi } from './helpline.list-api.ts';
import { helplinePages } from './helpline.pages.tsx';
import { CALLBACK_REQUESTED, REQUEST_CREATED, takeCallbacks, takeHelpRequests } from './helpline.intake.ts';
import { HelplineService, placementOf, type DeskEvidenceSource } from './helpline.service.ts';
import { registerErasureParts } from '../help/help.erasure-api.ts';
import { redactDeskCase } from './helpline.erase.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The desk's service; `dutyHours()` gives the portal the hotline's hours. */
    helpline: HelplineService;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function helplineModule(app: FastifyInstance): void {
  const help = app.hasDecorator('help') ? app.help : new HelpService(app.db, app.keyring, app.rateLimiter);
  const service = new HelplineService(app.db, app.keyring, help);
  // The evidence vault is registered before the desk (modules/index.ts); its service is the desk's evidence source.
  if (app.hasDecorator('evidence'))
    service.evidenceSource = (app as unknown as { evidence: DeskEvidenceSource }).evidence;
  app.decorate('helpline', service);
  // Her deletion (help) closes and redacts the desk case of her request through this part.
  registerErasureParts(app, { redactDesk: redactDeskCase });
  // The hand-off from the portal: each request's outbox row becomes its case in one transaction.
  app.jobs.consume(REQUEST_CREATED, takeHelpRequests);
  app.jobs.consume(CALLBACK_REQUESTED, takeCallbacks);
  // Unclaimed past the first-response deadline: alert the supervisor, then hand over (helpline.escalation.ts).
  app.jobs.handle(ESCALATION_TOPIC, async () => {
    const run = await runEscalations(app.db, service.clock());
    if (run.stranded > 0)
      app.log.warn(
        { stranded: run.stranded },
        'unclaimed cases due for hand-over, but no fallback desk takes them',
      );
  });
  // Every minute, once across all processes (pg-boss cron); each escalation happens once per case and level.
  app.addHook('onReady', async () => {
    await app.jobs
      .schedule(ESCALATION_TOPIC, '* * * * *')
      .catch((error: unknown) =>
        app.log.debug({ err: error }, 'helpline escalation not scheduled (job runner not started)'),
      );
  });

  registerRecordType(app, 'helpline_case', {
    caseLevel: true,
    async locate(db, id) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .selectFrom('helpline_case')
        .select(['organisation_id', 'region_code', 'assigned_account_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && placementOf(row);
    },
  });

  // Her help request, where the desk holds it: placed exactly like its desk case (for ids named in bodies, e.g.
  // the help request an NGO protection-order application is started for). No desk case: no one reaches it.
  registerRecordType(app, 'help_request', {
    caseLevel: true,
    async locate(db, id) {
      if (!UUID.test(id)) return undefined;
      const row = await db
        .selectFrom('helpline_case')
        .select(['organisation_id', 'region_code', 'assigned_account_id'])
        .where('help_request_id', '=', id)
        .executeTakeFirst();
      return row && placementOf(row);
    },
  });

  app.staffConsoleLinks.push(
    { action: 'helpline.queue.read', href: '/desk', label: 'helpline.nav.queue' },
    { action: 'helpline.call.register', href: '/desk/calls', label: 'helpline.nav.calls' },
    { action: 'helpline.roster.read', href: '/desk/roster', label: 'helpline.nav.roster' },
  );

  helplineApi(app, service);
  helplineListApi(app, service);
  helplineCoverageApi(app);
  helplineCapacityApi(app);
  helplineEscalationApi(app);
  const registerClaimPage = helplinePages(app, service);
  // Last: claiming assigns the case (see helplineClaimApi).
  helplineClaimApi(app, service);
  registerClaimPage();
}
