/**
 * The feature modules, registered in this order after the platform. Each module is a function that adds
 * its routes (and its services as decorators) to the app; modules talk to each other only through services.
 */
import type { FastifyInstance } from 'fastify';
import { siteRoutes } from './site/site.routes.tsx';
import { identityModule } from './identity/index.ts';
import { registerHelp } from './help/help.routes.ts';

export const modules: { name: string; register: (app: FastifyInstance) => void | Promise<void> }[] = [
  { name: 'site', register: siteRoutes },
  { name: 'identity', register: identityModule },
  { name: 'help', register: registerHelp },
];
