/** `anxin audit verify`: walk the audit hash chain and name the first broken link (exit 1 when broken). */
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { describeVerification, verifyAuditChain } from '../../platform/audit.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { RateLimiter } from '../../platform/rate-limit.ts';
import { createOrganisation, inviteAccount, type IdentityDeps } from './identity.service.ts';
import { normaliseRegionCode } from './regions.ts';

export async function auditCommand(
  args: string[],
  db: () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>,
): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  if (positionals[0] !== 'verify' || positionals.length !== 1) {
    process.stderr.write('Usage: anxin audit verify\n');
    return 64;
  }
  const database = await db();
  try {
    const result = await verifyAuditChain(database.db);
    (result.ok ? process.stdout : process.stderr).write(describeVerification(result) + '\n');
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

/**
 * `anxin create-admin --email E --name N [--region CODE] [--lang zh-CN|en]`: a platform administrator for a
 * new installation. Creates the platform operator organisation when there is none, and an invitation whose
 * one-time link (valid 7 days) is printed: the person sets a password and enrols TOTP there. Audited, with
 * the command line as the actor.
 */
export async function createAdminCommand(
  args: string[],
  open: () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>,
  keyring: Keyring,
  publicUrl: string,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string', default: '11' },
      lang: { type: 'string', default: 'zh-CN' },
    },
    allowPositionals: false,
  });
  if (!values.email || !values.name) {
    process.stderr.write(
      'Usage: anxin create-admin --email <e-mail> --name <display name> [--region <GB/T 2260 code>] [--lang zh-CN|en]\n',
    );
    return 64;
  }
  if (values.lang !== 'zh-CN' && values.lang !== 'en') {
    process.stderr.write('--lang must be zh-CN or en\n');
    return 64;
  }
  const regionCode = normaliseRegionCode(values.region);
  if (!regionCode) {
    process.stderr.write(`--region: ${values.region} is not a GB/T 2260 administrative division code\n`);
    return 64;
  }
  const database = await open();
  try {
    const deps: IdentityDeps = {
      db: database.db,
      keyring,
      rateLimiter: new RateLimiter(database.db, keyring.deriveKey('rate-limit')),
      sessionKeys: { token: keyring.deriveKey('identity.token'), csrf: keyring.deriveKey('csrf') },
      recoveryKey: keyring.deriveKey('identity.recovery-code'),
    };
    const actor = {
      accountId: null,
      roles: ['cli'],
      organisationId: null,
      ip: null,
      userAgent: 'anxin create-admin',
    };
    const existing = await database.db
      .selectFrom('organisation')
      .select('id')
      .where('kind', '=', 'platform_operator')
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    const organisationId =
      existing?.id ??
      (await createOrganisation(
        deps,
        { kind: 'platform_operator', name: 'Platform operator', regionCode },
        actor,
      ));
    const result = await inviteAccount(
      deps,
      {
        organisationId,
        email: values.email,
        displayName: values.name,
        roles: ['platform_admin'],
        locale: values.lang,
      },
      actor,
    );
    if (!result.ok) {
      process.stderr.write(
        `Not created: ${result.problems.map((p) => `${p.field} (${p.problem})`).join(', ')}\n`,
      );
      return 1;
    }
    const path = values.lang === 'en' ? `/en/staff/invite/${result.token}` : `/staff/invite/${result.token}`;
    process.stdout.write(
      `Platform administrator invited. Send this one-time link to them (valid 7 days; it sets a password and TOTP):\n${publicUrl}${path}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
