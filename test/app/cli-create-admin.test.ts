/** `anxin create-admin` on a brand-new database: schema brought up, operator organisation and an invitation. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/test-app.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('anxin create-admin', () => {
  it(
    'invites a platform administrator with a one-time link, audited; refuses bad input',
    { timeout: 120_000 },
    async () => {
      const database = await createEmptyDatabase();
      try {
        const env = {
          ...process.env,
          NODE_ENV: 'development',
          DATABASE_URL: database.url,
          ANXIN_MASTER_KEY: randomBytes(32).toString('base64'),
          ANXIN_PUBLIC_URL: 'https://anxin.example.org',
        };
        const cli = (args: string[]) =>
          spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
            cwd: root,
            env,
            encoding: 'utf8',
          });

        const missing = cli(['create-admin', '--email', 'admin@example.org']);
        expect(missing.status).toBe(64);
        expect(missing.stderr).toContain('Usage: anxin create-admin');

        const created = cli(['create-admin', '--email', 'Admin@Example.org', '--name', '管理员']);
        expect(created.status, created.stderr).toBe(0);
        expect(created.stdout).toMatch(/https:\/\/anxin\.example\.org\/staff\/invite\/[A-Za-z0-9_-]{20,}/);

        const again = cli(['create-admin', '--email', 'admin@example.org', '--name', 'Again']);
        expect(again.status).toBe(1);
        expect(again.stderr).toContain('email (taken)');

        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query(`
          select a.status, o.kind, r.role from staff_account a
          join organisation o on o.id = a.organisation_id
          join staff_account_role r on r.account_id = a.id
          where a.email = 'admin@example.org'`);
          expect(rows).toEqual([{ status: 'invited', kind: 'platform_operator', role: 'platform_admin' }]);
          const audit = await client.query(`select event from audit_event order by seq`);
          expect(audit.rows.map((r: { event: string }) => r.event)).toEqual([
            'identity.organisation_created',
            'identity.invitation_created',
          ]);
        } finally {
          await client.end();
        }
      } finally {
        await database.drop();
      }
    },
  );
});
