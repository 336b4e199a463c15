/**
 * The identity module: organisations, staff accounts and roles, sign-in with a password and a mandatory
 * second factor, server-side sessions, its rows of the access policy (identity.policy.ts) and break-glass
 * grants. The gate and the audit trail are the platform's (platform/access-guard.ts, platform/audit.ts);
 * identity tells the gate who is calling (principals.ts).
 *
 * Registered before every module that declares `{ action }` routes (see src/modules/index.ts).
 */
import type { FastifyInstance } from 'fastify';
import { registerAccessGuard, registerRecordType } from '../../platform/access-guard.ts';
import { adminApi } from './admin.api.ts';
import { adminRoutes } from './admin.routes.tsx';
import { apiRoutes } from './api.routes.ts';
import { authRoutes } from './auth.routes.tsx';
import { passkeyRoutes } from './passkey.routes.ts';
import { signInApi } from './sign-in.api.ts';
import type { IdentityDeps } from './identity.service.ts';
import { systemClientKeys } from './system-clients.ts';
import { systemClientRoutes } from './system-clients.routes.ts';
import { identityPrincipals, registerSystemCallAudit } from './principals.ts';
import { isUuid } from '../../platform/ids.ts';

export function identityModule(app: FastifyInstance): void {
  app.decorate('recordTypes', new Map());
  app.decorate('sessionKeys', {
    token: app.keyring.deriveKey('identity.token'),
    csrf: app.keyring.deriveKey('csrf'),
  });
  app.decorate('csrfKey', app.keyring.deriveKey('csrf'));
  app.decorate('staffConsoleLinks', []);
  app.decorate(
    'systemClientKeys',
    systemClientKeys((purpose) => app.keyring.deriveKey(purpose), app.config.publicUrl),
  );
  const deps: IdentityDeps = {
    db: app.db,
    keyring: app.keyring,
    rateLimiter: app.rateLimiter,
    sessionKeys: app.sessionKeys,
    recoveryKey: app.keyring.deriveKey('identity.recovery-code'),
  };
  registerAccessGuard(app, identityPrincipals(app));
  registerSystemCallAudit(app);

  registerRecordType(app, 'organisation', {
    caseLevel: false,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('organisation')
        .select(['id', 'region_code'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { organisationId: row.id, regionCode: row.region_code };
    },
  });
  registerRecordType(app, 'staff_account', {
    caseLevel: false,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('staff_account as a')
        .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
        .select(['a.id', 'o.id as organisationId', 'o.region_code'])
        .where('a.id', '=', id)
        .executeTakeFirst();
      return (
        row && { organisationId: row.organisationId, regionCode: row.region_code, ownerAccountId: row.id }
      );
    },
  });

  registerRecordType(app, 'staff_passkey', {
    caseLevel: false,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('staff_passkey as p')
        .innerJoin('staff_account as a', 'a.id', 'p.account_id')
        .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
        .select(['p.account_id', 'o.id as organisationId', 'o.region_code'])
        .where('p.id', '=', id)
        .executeTakeFirst();
      return (
        row && {
          organisationId: row.organisationId,
          regionCode: row.region_code,
          ownerAccountId: row.account_id,
        }
      );
    },
  });

  registerRecordType(app, 'system_client', {
    caseLevel: false,
    async locate(db, id) {
      if (!isUuid(id)) return undefined;
      const row = await db
        .selectFrom('system_client as c')
        .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
        .select(['c.id', 'o.id as organisationId', 'o.region_code'])
        .where('c.id', '=', id)
        .executeTakeFirst();
      return (
        row && { organisationId: row.organisationId, regionCode: row.region_code, ownerAccountId: row.id }
      );
    },
  });

  authRoutes(app, deps);
  adminRoutes(app, deps);
  apiRoutes(app, deps);
  signInApi(app, deps);
  adminApi(app, deps);
  passkeyRoutes(app, deps);
  systemClientRoutes(app);
}
