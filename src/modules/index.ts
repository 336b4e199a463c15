/**
 * The feature modules, registered in this order after the platform. Each module is a function that adds
 * its routes (and its services as decorators) to the app; modules talk to each other only through services.
 */
import type { FastifyInstance } from 'fastify';
import { siteRoutes } from './site/site.routes.tsx';
import { evidenceModule } from './evidence/evidence.routes.ts';
import { identityModule } from './identity/index.ts';
import { registerHelp } from './help/help.routes.ts';
import { helplineModule } from './helpline/index.ts';
import { reportsModule } from './reports/index.ts';
import { ordersModule } from './orders/index.ts';
import { webhooksModule } from './webhooks/index.ts';

export const modules: { name: string; register: (app: FastifyInstance) => void | Promise<void> }[] = [
  { name: 'site', register: siteRoutes },
  { name: 'identity', register: identityModule },
  { name: 'evidence', register: evidenceModule },
  { name: 'help', register: registerHelp },
  { name: 'helpline', register: helplineModule },
  { name: 'reports', register: reportsModule },
  { name: 'orders', register: ordersModule },
  { name: 'webhooks', register: webhooksModule },
];
