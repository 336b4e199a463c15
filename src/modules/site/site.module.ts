/** The site module's descriptor (src/platform/module.ts): the portal's front pages. */
import type { ModuleDescriptor } from '../../platform/module.ts';
import { siteRoutes } from './site.routes.tsx';

export const siteDescriptor: ModuleDescriptor = { name: 'site', register: siteRoutes };
