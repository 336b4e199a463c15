/**
 * The feature modules, in registration order after the platform. Each module exports one descriptor
 * (src/platform/module.ts: its routes and services, messages, access-policy rows, demo data); the app, the
 * runtime and the CLI iterate over this list, so the platform and db/ import no module. Modules talk to each
 * other only through services.
 */
import { installModules, type ModuleDescriptor } from '../platform/module.ts';
import { evidenceDescriptor } from './evidence/evidence.module.ts';
import { helpDescriptor } from './help/help.module.ts';
import { helplineDescriptor } from './helpline/helpline.module.ts';
import { identityDescriptor } from './identity/identity.module.ts';
import { ordersDescriptor } from './orders/orders.module.ts';
import { reportsDescriptor } from './reports/reports.module.ts';
import { siteDescriptor } from './site/site.module.ts';
import { webhooksDescriptor } from './webhooks/webhooks.module.ts';

export const modules: readonly ModuleDescriptor[] = [
  siteDescriptor,
  identityDescriptor,
  evidenceDescriptor,
  helpDescriptor,
  helplineDescriptor,
  reportsDescriptor,
  ordersDescriptor,
  webhooksDescriptor,
];

/** Add every module's messages and policy rows to the platform (idempotent; the app calls it when built). */
export function installAllModules(): readonly ModuleDescriptor[] {
  installModules(modules);
  return modules;
}
