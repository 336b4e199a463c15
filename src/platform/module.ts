/**
 * The one way a feature module plugs into the core. The platform and db/ know no module: each module exports
 * a descriptor, `src/modules/index.ts` lists them, and the app, the runtime (demo data) and the CLI iterate
 * over that list. A module contributes
 *
 * - `register(app)`: its routes, services (decorators), record types, job handlers and hooks;
 * - `messages`: its zh-CN and English catalogs, merged into the one catalog at start (the keys are typed by
 *   the module augmenting `MessageCatalog` in platform/i18n/catalog.ts);
 * - `policy`: its rows of the access policy (actions × roles × scope), added at start;
 * - `demo`: its demo seed (db/demo.ts), run in module order on a fresh non-production database.
 *
 * Its tables are typed by augmenting `Database` (db/schema.ts) and its audit events by augmenting
 * `AuditEventDetails` (platform/audit.ts); its migrations are files in src/db/migrations (SQL history, which
 * import nothing from a module).
 */
import type { FastifyInstance } from 'fastify';
import type { DemoSeed } from '../db/demo.ts';
import { extendAccessPolicy, type ActionRule } from './access-policy.ts';
import { registerMessages, type MessageSet } from './i18n/catalog.ts';

export interface ModuleDescriptor {
  /** Short name, unique (`help`, `orders`): used in logs and errors. */
  name: string;
  /** Adds the module's routes, services, record types and job handlers to the app. */
  register: (app: FastifyInstance) => void | Promise<void>;
  /** Its message catalogs (several sets when the module keeps its messages in several files). */
  messages?: readonly MessageSet[];
  /** Its access-policy rows. */
  policy?: Readonly<Record<string, ActionRule>>;
  /** Its demo data. */
  demo?: DemoSeed;
}

/**
 * Add what the modules contribute to the platform's registries (catalog, access policy). Safe to call more
 * than once (each test builds an app): the same contribution again changes nothing, a conflicting one throws.
 */
export function installModules(modules: readonly ModuleDescriptor[]): void {
  const names = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`Module ${module.name} is listed twice`);
    names.add(module.name);
    for (const set of module.messages ?? []) registerMessages(set, module.name);
    if (module.policy) extendAccessPolicy(module.policy);
  }
}
