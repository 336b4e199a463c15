/** The demo seed: one organisation of each kind, one account per role, and printed details that really sign in. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { identityDemoSeed } from '../../src/modules/identity/identity.demo.ts';
import { ORGANISATION_KINDS, ROLES } from '../../src/platform/access-policy.ts';
import { verifyAuditChain } from '../../src/platform/audit.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { signIn } from '../support/identity-fixtures.ts';

let t: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.db
    .transaction()
    .execute((trx) => identityDemoSeed({ trx, keyring: t.keyring, print: (line) => lines.push(line) }));
});
afterAll(async () => t?.close());

it('creates one organisation of each kind and one account per role, and every printed account signs in', async () => {
  const kinds = await t.db.selectFrom('organisation').select('kind').execute();
  expect(kinds.map((k) => k.kind).sort()).toEqual([...ORGANISATION_KINDS].sort());
  const roles = await t.db.selectFrom('staff_account_role').select('role').execute();
  expect(roles.map((r) => r.role).sort()).toEqual([...ROLES].sort());
  const printed = lines.filter((l) => l.includes('@') && l.includes('TOTP secret'));
  expect(printed).toHaveLength(ROLES.length);
  for (const line of printed) {
    const match = /(\S+@\S+)\s+password (\S+)\s+TOTP secret ([A-Z2-7]+)/.exec(line);
    expect(match, line).not.toBeNull();
    const [, email = '', password = '', totpSecret = ''] = match ?? [];
    const account = await t.db
      .selectFrom('staff_account')
      .select(['id', 'organisation_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const session = await signIn(t, {
      accountId: account.id,
      organisationId: account.organisation_id,
      email,
      password,
      totpSecret,
    });
    expect((await t.app.inject({ url: '/staff', headers: { cookie: session.cookie } })).statusCode).toBe(200);
  }
  expect((await verifyAuditChain(t.db)).ok).toBe(true);
});
