/**
 * The help module: builds its service, attaches it to the app (`app.help`, used by the NGO desk), and adds
 * the survivor pages, the JSON API and the anonymous usage counter.
 */
import type { FastifyInstance } from 'fastify';
import { helpAdmissionRoutes } from './help.admission.tsx';
import { throttleAdminRoutes } from './help.throttle-admin.tsx';
import { helpApi } from './help.api.ts';
import { childHelpPages } from './help.child.tsx';
import { deletionRoutes } from './help.deletion-routes.tsx';
import { safetyCheckApi } from './help.safety-check-api.ts';
import { directoryAdminPages } from './help.directory-admin.tsx';
import { helpPages } from './help.pages.tsx';
import { HelpService } from './help.service.ts';
import { UsageCounter } from './help.usage.ts';

declare module 'fastify' {
  interface FastifyInstance {
    help: HelpService;
    helpUsage: UsageCounter;
  }
}

export function registerHelp(app: FastifyInstance): void {
  const service = new HelpService(app.db, app.keyring, app.rateLimiter);
  const usage = new UsageCounter(app.db, (error) =>
    app.log.warn({ err: error }, 'usage counts not written yet; will retry'),
  );
  app.decorate('help', service);
  app.decorate('helpUsage', usage);
  app.addHook('onClose', async () => {
    await usage.close();
  });
  helpPages(app, service, usage);
  childHelpPages(app, service);
  helpApi(app, service, usage);
  deletionRoutes(app);
  safetyCheckApi(app);
  helpAdmissionRoutes(app);
  throttleAdminRoutes(app);
  directoryAdminPages(app, service);
}
