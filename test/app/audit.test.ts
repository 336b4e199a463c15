/**
 * The audit trail: append-only (the database refuses updates and deletes), hash-chained so that any edit
 * or deletion made behind the application's back is found by `anxin audit verify`, which names the first
 * broken link; events commit with their change; case-level reads and break-glass access are recorded.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendAccessPolicy } from '../../src/platform/access-policy.ts';
import { registerRecordType } from '../../src/platform/access-guard.ts';
import { auditHash, recordAudit, verifyAuditChain, type AuditActor } from '../../src/platform/audit.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeOrganisation, makeStaff, sessionFor } from '../support/identity-fixtures.ts';

let t: TestApp;
const actor: AuditActor = {
  accountId: null,
  roles: ['caseworker'],
  organisationId: null,
  ip: '192.0.2.1',
  userAgent: 'test',
};

/** A case-level record type for the test: a "case" assigned to some accounts in an organisation. */
const testCases = new Map<string, { organisationId: string; regionCode: string; assigned: string[] }>();

beforeAll(async () => {
  extendAccessPolicy({
    'test.case.read': {
      roles: { caseworker: 'assigned', ngo_supervisor: 'assigned' },
      breakGlass: { ngo_supervisor: 'organisation' },
    },
  });
  t = await createTestApp({
    configure(app) {
      registerRecordType(app, 'test_case', {
        caseLevel: true,
        locate: async (_db, id) => {
          const c = testCases.get(id);
          return (
            c && {
              organisationId: c.organisationId,
              regionCode: c.regionCode,
              assignedAccountIds: c.assigned,
            }
          );
        },
      });
      app.get(
        '/api/test-cases/:id',
        { config: { access: { action: 'test.case.read', record: 'test_case' } } },
        async () => ({ ok: true }),
      );
    },
  });
});
afterAll(async () => t?.close());

async function writeEvents(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await t.db.transaction().execute((trx) =>
      recordAudit(trx, {
        event: 'identity.locale_changed',
        actor,
        details: { locale: i % 2 ? 'en' : 'zh-CN' },
      }),
    );
  }
}

/** Run the real command line against this test's database. */
async function cliVerify(): Promise<{ code: number; out: string }> {
  const root = path.resolve(import.meta.dirname, '../..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: t.databaseUrl,
        ANXIN_MASTER_KEY: t.config.masterKey ?? '',
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Tamper as someone with database rights would: around the append-only trigger. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

describe('the audit chain', () => {
  it('is append-only: the database refuses updates and deletes', async () => {
    await writeEvents(2);
    await expect(sql`update audit_event set ip = '203.0.113.9'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_event`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_event`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('keeps events in the same transaction as the change: a rolled-back change leaves no event and no gap', async () => {
    const before = await verifyAuditChain(t.db);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordAudit(trx, { event: 'identity.locale_changed', actor, details: { locale: 'en' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await verifyAuditChain(t.db);
    expect(after).toEqual(before);
    expect(after.ok).toBe(true);
  });

  it('chains concurrent writers without forks', async () => {
    await Promise.all(Array.from({ length: 8 }, () => writeEvents(3)));
    const result = await verifyAuditChain(t.db);
    expect(result.ok).toBe(true);
  });

  it('`anxin audit verify` passes an intact chain, and names a changed row', async () => {
    await writeEvents(5);
    const intact = await cliVerify();
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/Audit chain intact: \d+ event/);

    const { rows } = await sql<{
      seq: string;
    }>`select seq::text as seq from audit_event order by seq limit 1 offset 3`.execute(t.db);
    const target = rows[0]?.seq ?? '';
    await tamper(sql`update audit_event set ip = '203.0.113.66' where seq = ${target}`);
    const broken = await cliVerify();
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`BROKEN at event #${target}`);
    expect(broken.out).toContain('changed');
  });
});

describe('tampering by deletion', () => {
  it('names a deleted row in the middle and a deleted last row', async () => {
    const fresh = await createTestApp();
    try {
      for (let i = 0; i < 6; i += 1) {
        await fresh.db
          .transaction()
          .execute((trx) =>
            recordAudit(trx, { event: 'identity.locale_changed', actor, details: { locale: 'en' } }),
          );
      }
      expect((await verifyAuditChain(fresh.db)).ok).toBe(true);
      await fresh.db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`delete from audit_event where seq = 3`.execute(trx);
      });
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: false, seq: '3', problem: 'missing' });

      const other = await createTestApp();
      try {
        for (let i = 0; i < 4; i += 1) {
          await other.db
            .transaction()
            .execute((trx) =>
              recordAudit(trx, { event: 'identity.locale_changed', actor, details: { locale: 'en' } }),
            );
        }
        await other.db.transaction().execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          await sql`delete from audit_event where seq = 4`.execute(trx);
        });
        expect(await verifyAuditChain(other.db)).toMatchObject({ ok: false, seq: '4', problem: 'missing' });
      } finally {
        await other.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it('finds a row rewritten with a recomputed hash at the next link', async () => {
    const fresh = await createTestApp();
    try {
      for (let i = 0; i < 4; i += 1) {
        await fresh.db
          .transaction()
          .execute((trx) =>
            recordAudit(trx, { event: 'identity.locale_changed', actor, details: { locale: 'en' } }),
          );
      }
      // A careful forger changes row 2 and recomputes its hash: row 3 no longer links to it.
      const row = await fresh.db
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', '2')
        .executeTakeFirstOrThrow();
      const forged = auditHash(row.prev_hash, { ...row, ip: '203.0.113.7' });
      await fresh.db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`update audit_event set ip = '203.0.113.7', hash = ${forged} where seq = 2`.execute(trx);
      });
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: false, seq: '3', problem: 'unlinked' });
    } finally {
      await fresh.close();
    }
  });
});

describe('case-level reads and break-glass', () => {
  it('logs every read of a case-level record; a supervisor outside the assignment needs a reason, and it is flagged', async () => {
    const ngo = await makeOrganisation(t, 'ngo', '110105');
    const caseworker = await makeStaff(t, ngo, ['caseworker']);
    const supervisor = await makeStaff(t, ngo, ['ngo_supervisor']);
    const stranger = await makeStaff(t, await makeOrganisation(t, 'ngo', '500112'), ['ngo_supervisor']);
    testCases.set('case-1', { organisationId: ngo, regionCode: '110105', assigned: [caseworker.accountId] });

    const cw = await sessionFor(t, caseworker.accountId);
    expect(
      (await t.app.inject({ url: '/api/test-cases/case-1', headers: { cookie: cw.cookie } })).statusCode,
    ).toBe(200);
    const read = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('event', '=', 'record.read')
      .where('actor_account_id', '=', caseworker.accountId)
      .executeTakeFirstOrThrow();
    expect(read).toMatchObject({
      record_type: 'test_case',
      record_id: 'case-1',
      break_glass: false,
      organisation_id: ngo,
      details: { action: 'test.case.read' },
    });

    const sup = await sessionFor(t, supervisor.accountId);
    expect(
      (await t.app.inject({ url: '/api/test-cases/case-1', headers: { cookie: sup.cookie } })).statusCode,
    ).toBe(404);
    const noReason = await t.app.inject({
      method: 'POST',
      url: '/api/staff/break-glass',
      headers: { cookie: sup.cookie, 'x-csrf-token': sup.csrf },
      payload: { recordType: 'test_case', recordId: 'case-1', reason: '' },
    });
    expect(noReason.statusCode).toBe(400);
    const granted = await t.app.inject({
      method: 'POST',
      url: '/api/staff/break-glass',
      headers: { cookie: sup.cookie, 'x-csrf-token': sup.csrf },
      payload: {
        recordType: 'test_case',
        recordId: 'case-1',
        reason: 'Caseworker is ill; survivor called in danger',
      },
    });
    expect(granted.statusCode).toBe(201);
    expect(
      (await t.app.inject({ url: '/api/test-cases/case-1', headers: { cookie: sup.cookie } })).statusCode,
    ).toBe(200);
    const flagged = await t.db
      .selectFrom('audit_event')
      .select(['event', 'reason', 'break_glass'])
      .where('actor_account_id', '=', supervisor.accountId)
      .orderBy('seq')
      .execute();
    expect(flagged).toEqual([
      {
        event: 'access.break_glass_granted',
        reason: 'Caseworker is ill; survivor called in danger',
        break_glass: true,
      },
      {
        event: 'access.break_glass',
        reason: 'Caseworker is ill; survivor called in danger',
        break_glass: true,
      },
      { event: 'record.read', reason: null, break_glass: true },
    ]);

    // A supervisor of another organisation cannot break the glass on this case at all.
    const other = await sessionFor(t, stranger.accountId);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/staff/break-glass',
      headers: { cookie: other.cookie, 'x-csrf-token': other.csrf },
      payload: { recordType: 'test_case', recordId: 'case-1', reason: 'Just curious about this one' },
    });
    expect(refused.statusCode).toBe(404);
    expect(
      (await t.app.inject({ url: '/api/test-cases/case-1', headers: { cookie: other.cookie } })).statusCode,
    ).toBe(404);
  });
});
