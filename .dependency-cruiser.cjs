/**
 * The architecture's import rules (issue 14), checked in CI (`npm run depcruise`) and by
 * test/unit/dependency-rules.test.ts. See docs/ARCHITECTURE.md, "The core knows no feature".
 *
 * - No import circles.
 * - The core (src/platform, src/db) imports no feature module: modules plug in through their descriptor
 *   (src/platform/module.ts), listed in src/modules/index.ts; tables, messages and audit events by augmentation.
 * - Survivor code (help, site) imports nothing of the desk (helpline) and no staff module's pages.
 * - A module reaches another only through that module's public surface (PUBLIC below: its index, descriptor,
 *   service, models and schemas, and the named seams), never its internals.
 * - A module never imports another module's tables file.
 *
 * Type-only imports count too (`tsPreCompilationDeps`): a type import is still a dependency on that code.
 */

/** Staff-facing modules: survivor code must not reach their pages. */
const STAFF_MODULES = '(helpline|identity|evidence|orders|reports|webhooks)';

/**
 * What a module may import from another: its entry points and the seams it offers on purpose. Everything else
 * in a module folder is internal to it.
 */
const PUBLIC = [
  'index\\.ts$',
  '\\.module\\.ts$',
  '\\.service\\.ts$',
  '\\.model\\.ts$',
  '\\.schemas\\.ts$',
  '\\.events\\.ts$',
  '-api\\.ts$', // help.desk-api.ts, help.orders-api.ts: help's seams for the desk and for orders
  '\\.journal-session\\.ts$', // help: her journal session, used by evidence and orders
  '\\.usage\\.ts$', // help: anonymous usage counts, read by reports
  '\\.consent-sources\\.ts$', // evidence: the consent seam orders plugs into
  '/custody\\.ts$', // evidence: the custody chain orders appends to
  '/regions\\.ts$', // identity: GB/T 2260 regions
  '/components\\.tsx$', // identity: the staff bar and form parts every staff page uses
  '/help\\.(pages|views)\\.tsx$', // help: the portal pages the site module mounts
].join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles make the start order and the module boundaries meaningless.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-no-module',
      severity: 'error',
      comment:
        'src/platform and src/db know no feature: modules contribute through their descriptor (src/platform/module.ts).',
      from: { path: '^src/(platform|db)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'survivor-code-imports-no-desk',
      severity: 'error',
      comment: 'Survivor code (help, site) imports nothing of the helpline desk: it asks app.helpline.',
      from: { path: '^src/modules/(help|site)/' },
      to: { path: '^src/modules/helpline/' },
    },
    {
      name: 'survivor-code-imports-no-staff-pages',
      severity: 'error',
      comment: 'Survivor code (help, site) imports no staff page of another module.',
      from: { path: '^src/modules/(help|site)/' },
      to: { path: `^src/modules/${STAFF_MODULES}/.*(\\.pages\\.tsx|\\.routes\\.tsx?|routes\\.tsx?)$` },
    },
    {
      name: 'modules-meet-through-public-surface',
      severity: 'error',
      comment:
        'A module imports another module only through its public surface (index, descriptor, service, model, schemas, named seams): see PUBLIC in .dependency-cruiser.cjs.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: [`^src/modules/$1/`, PUBLIC] },
    },
    {
      name: 'no-foreign-tables',
      severity: 'error',
      comment: "A module never imports another module's tables: it reads them through that module's service.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.*\\.tables\\.ts$', pathNot: '^src/modules/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/(web|client)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    moduleSystems: ['es6', 'cjs'],
    reporterOptions: { text: { highlightFocused: true } },
  },
};
