/**
 * Other modules read identity's `organisation` and `staff_account` tables only through identity's directory
 * service (src/modules/identity/identity.directory.service.ts). An import checker cannot see a table named
 * in a query, so this test reads the sources: a new direct read outside identity fails here, and so does an
 * exception that is no longer needed (remove it from the list).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const modulesDir = path.resolve(import.meta.dirname, '../../src/modules');

/** Declared exceptions: one statement that must join the desk's own table with identity's, kept as it is. */
const EXCEPTIONS: Record<string, string> = {
  // The routing of a new request to a desk (ngo + approved provinces + active desk staff) is one indexed
  // statement run inside the intake transaction; splitting it would add round trips to the hottest write path.
  'helpline/helpline.directory.ts': 'routeToOrganisation: one statement in the intake transaction',
  // The coverage admin list joins desk settings with organisations and counts their desk staff in one query.
  'helpline/helpline.coverage.ts': 'listDeskCoverage: the platform admin’s coverage list',
};

/** A direct read: the table named in a query builder call or in raw SQL. */
const DIRECT_READ =
  /(selectFrom|innerJoin|leftJoin|rightJoin|fullJoin|updateTable|deleteFrom|insertInto)\(\s*'(organisation|staff_account)(\s+as\s+\w+)?'|\b(from|join)\s+(organisation|staff_account)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("reads of identity's organisation and staff_account tables", () => {
  it('go through the identity directory service outside the identity module, but for the declared exceptions', () => {
    const readers = sources(modulesDir)
      .map((file) => path.relative(modulesDir, file).split(path.sep).join('/'))
      .filter((file) => !file.startsWith('identity/'))
      .filter((file) => DIRECT_READ.test(readFileSync(path.join(modulesDir, file), 'utf8')))
      .sort();
    expect(readers).toEqual(Object.keys(EXCEPTIONS).sort());
  });

  it('are recognised by the check, in a query builder call and in raw SQL', () => {
    expect(DIRECT_READ.test(`db.selectFrom('organisation').select('id')`)).toBe(true);
    expect(DIRECT_READ.test(`.innerJoin('staff_account as a', 'a.id', 'x.account_id')`)).toBe(true);
    expect(DIRECT_READ.test('sql`select 1 from staff_account where id = ${id}`')).toBe(true);
    expect(DIRECT_READ.test(`db.selectFrom('organisation_note')`)).toBe(false);
    expect(DIRECT_READ.test(`.where('organisation_id', '=', id)`)).toBe(false);
  });
});
