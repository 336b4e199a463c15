/** The orders demo seed: two fictional applications on the demo court's docket, one accepted with its clock and review tasks. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { identityDemoSeed } from '../../src/modules/identity/identity.demo.ts';
import { ordersDemoSeed } from '../../src/modules/orders/orders.demo.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await t.db.transaction().execute(async (trx) => {
    await identityDemoSeed({ trx, keyring: t.keyring, print: () => undefined });
    await ordersDemoSeed({ trx, keyring: t.keyring, print: (line) => lines.push(line) });
  });
});
afterAll(async () => t?.close());

it('puts two applications on the demo court’s docket, the accepted one with its clock and review tasks', async () => {
  const court = await t.db
    .selectFrom('organisation')
    .select('id')
    .where('kind', '=', 'court')
    .executeTakeFirstOrThrow();
  const docket = await t.app.ordersService.listDocket(court.id);
  expect(docket.map((d) => [d.status, d.urgent, d.clock, d.reviewsTotal])).toEqual([
    ['accepted', true, 'ok', 2],
    ['submitted', false, null, 0],
  ]);
  expect(docket[0]?.caseNumber).toMatch(/渝0112民保令1号$/);
  // The next accepted application continues the demo court's numbering.
  const actor = {
    audit: { accountId: null, roles: ['court_clerk'], organisationId: null, ip: null, userAgent: null },
    ref: 'staff:demo',
    accountId: null,
  };
  expect((await t.app.ordersService.accept(actor, docket[1]!.id)).caseNumber).toMatch(/渝0112民保令2号$/);
  const view = await t.app.ordersService.reviewView(docket[0]!.id);
  expect(view.input.applicant?.name).toContain('演示');
  expect(lines).toHaveLength(1);
});
