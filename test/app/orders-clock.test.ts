/**
 * The legal clock with a controllable `now()`: the ruling deadline warning and breach (72 h, 24 h urgent),
 * the 5-day reconsideration window, expiry reminders and expiry — each alert fires exactly once with two app
 * processes sweeping the same database at the same moment, and again exactly once after a restart. The
 * notification jobs run through the real outbox and pg-boss in both processes and deliver each message once.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { connectDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { JobRunner } from '../../src/platform/jobs.ts';
import type { OrdersActor } from '../../src/modules/orders/orders.service.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { completeApplication, makeOrdersWorld, type OrdersWorld } from '../support/orders.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t: TestApp;
let w: OrdersWorld;
let now = new Date('2026-12-01T02:00:00Z');
const clock = () => new Date(now.getTime());

interface Process {
  app: FastifyInstance;
  jobs: JobRunner;
  handle: DatabaseHandle;
}
const extra: Process[] = [];

/** Another app process on the same database (its own pool and job runner), on the same clock. */
async function startProcess(): Promise<Process> {
  const handle = connectDatabase(t.databaseUrl, { max: 4 });
  const jobs = new JobRunner(handle.db, t.databaseUrl, pino({ level: 'silent' }), 200);
  const app = await buildApp({
    config: t.config,
    db: handle.db,
    keyring: t.keyring,
    jobs,
    logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  await app.ready();
  app.ordersService.now = clock;
  const p = { app, jobs, handle };
  extra.push(p);
  return p;
}

async function stopProcess(p: Process): Promise<void> {
  await p.app.close();
  await p.jobs.stop().catch(() => undefined);
  await p.handle.close();
  extra.splice(extra.indexOf(p), 1);
}

const staff = (accountId: string): OrdersActor => ({
  audit: { accountId, roles: ['judge'], organisationId: null, ip: null, userAgent: null },
  ref: `staff:${accountId}`,
  accountId,
});

async function acceptedApplication(urgent: boolean): Promise<string> {
  const s = t.app.ordersService;
  const { id } = await s.saveDraft(
    staff(w.caseworker.accountId),
    { ...completeApplication(), urgent, ...(urgent ? { urgentReason: '他扬言今晚回来' } : {}) },
    { channel: 'ngo' },
  );
  await s.submit(staff(w.caseworker.accountId), id);
  await s.accept(staff(w.clerk.accountId), id);
  return id;
}

async function alerts(subjectId: string): Promise<string[]> {
  return (await t.app.ordersService.alertsFor(subjectId)).map((a) => a.kind).sort();
}

async function events(applicationId: string, kind: string): Promise<number> {
  return (
    await t.db
      .selectFrom('order_event')
      .select('id')
      .where('application_id', '=', applicationId)
      .where('kind', '=', kind)
      .execute()
  ).length;
}

let a: Process;
let b: Process;

beforeAll(async () => {
  t = await createTestApp();
  t.app.ordersService.now = clock;
  w = await makeOrdersWorld(t);
  a = await startProcess();
  b = await startProcess();
}, 60_000);
afterAll(async () => {
  for (const p of [...extra]) await stopProcess(p);
  await t?.close();
});

/** Both processes sweep at the same moment. */
async function sweepBoth(): Promise<number> {
  const [x, y] = await Promise.all([a.app.ordersService.sweepClock(), b.app.ordersService.sweepClock()]);
  return x.fired + y.fired;
}

describe('legal clock', () => {
  it('warns 6 hours before a 24-hour urgent deadline and flags the breach, once, across two processes and a restart', async () => {
    now = new Date('2026-12-01T02:00:00Z');
    const id = await acceptedApplication(true);
    const row = await t.db
      .selectFrom('order_application')
      .select(['ruling_due_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.ruling_due_at?.toISOString()).toBe('2026-12-02T02:00:00.000Z');

    now = new Date(now.getTime() + 18 * HOUR - 60_000);
    await sweepBoth();
    expect(await alerts(id)).toEqual([]);
    const docket = await t.app.ordersService.listDocket(w.courtA);
    expect(docket.find((d) => d.id === id)).toMatchObject({
      clock: 'ok',
      timeLeft: { overdue: false, hours: 6, minutes: 1 },
    });

    now = new Date('2026-12-01T20:00:00Z'); // 18 h after acceptance: 6 h left
    expect(await sweepBoth()).toBe(1);
    await sweepBoth();
    expect(await alerts(id)).toEqual(['ruling_warning']);
    expect(await events(id, 'ruling_warning')).toBe(1);
    expect((await t.app.ordersService.listDocket(w.courtA)).find((d) => d.id === id)?.clock).toBe('warning');

    // Restart: process A goes away, a new one comes up; the breach happened while it was down.
    await stopProcess(a);
    a = await startProcess();
    now = new Date('2026-12-02T03:30:00Z');
    expect(await sweepBoth()).toBe(1);
    expect(await alerts(id)).toEqual(['ruling_breach', 'ruling_warning']);
    expect(await events(id, 'ruling_warning')).toBe(1);
    expect(await events(id, 'ruling_breach')).toBe(1);
    expect((await t.app.ordersService.listDocket(w.courtA)).find((d) => d.id === id)).toMatchObject({
      clock: 'breached',
      timeLeft: { overdue: true, hours: 1, minutes: 30 },
    });
    const notices = await t.db
      .selectFrom('order_notification')
      .select('template')
      .where('application_id', '=', id)
      .where('recipient', '=', 'court')
      .execute();
    expect(notices.filter((n) => n.template === 'ruling_warning')).toHaveLength(1);
    expect(notices.filter((n) => n.template === 'ruling_breach')).toHaveLength(1);
  });

  it('runs a 72-hour clock for an ordinary application, warning at 18 hours left', async () => {
    now = new Date('2026-12-10T00:00:00Z');
    const id = await acceptedApplication(false);
    now = new Date('2026-12-12T05:59:00Z');
    await sweepBoth();
    expect(await alerts(id)).toEqual([]);
    now = new Date('2026-12-12T06:00:00Z');
    await sweepBoth();
    expect(await alerts(id)).toEqual(['ruling_warning']);
    // Deciding stops the clock: no breach is flagged afterwards.
    await t.app.ordersService.decide(staff(w.judge.accountId), id, {
      outcome: 'reject',
      reasons: '证据不足以证明存在家庭暴力现实危险',
    });
    now = new Date('2026-12-14T00:00:00Z');
    await sweepBoth();
    expect(await alerts(id)).toEqual(['ruling_warning']);
  });

  it('allows reconsideration once within 5 days of the ruling, not after', async () => {
    now = new Date('2027-01-04T00:00:00Z');
    const first = await acceptedApplication(false);
    const second = await acceptedApplication(false);
    const s = t.app.ordersService;
    const o1 = (
      await s.decide(staff(w.judge.accountId), first, {
        outcome: 'grant',
        measures: ['no_violence'],
        validMonths: 6,
      })
    ).orderId!;
    const o2 = (
      await s.decide(staff(w.judge.accountId), second, {
        outcome: 'grant',
        measures: ['no_violence'],
        validMonths: 6,
      })
    ).orderId!;
    now = new Date(now.getTime() + 5 * DAY - 60_000);
    await s.requestReconsideration(staff(w.clerk.accountId), o1);
    await expect(s.requestReconsideration(staff(w.clerk.accountId), o1)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    now = new Date('2027-01-09T00:00:00Z');
    await expect(s.requestReconsideration(staff(w.clerk.accountId), o2)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await sweepBoth();
    expect((await alerts(o2)).filter((k) => k === 'reconsideration_closed')).toHaveLength(1);
    // The order stays in force during reconsideration; upheld keeps it.
    await s.decideReconsideration(staff(w.judge.accountId), o1, 'upheld');
    expect((await s.orderForApplication(first))?.inForce).toBe(true);
  });

  it('reminds her 14 and 3 days before expiry and expires the order, each once', async () => {
    now = new Date('2027-02-01T00:00:00Z');
    const id = await acceptedApplication(false);
    const s = t.app.ordersService;
    const orderId = (
      await s.decide(staff(w.judge.accountId), id, {
        outcome: 'grant',
        measures: ['no_violence', 'no_contact'],
        validMonths: 1,
      })
    ).orderId!;
    const until = (await s.loadOrder(orderId)).valid_until;
    // One month from 1 February (Beijing) ends at the end of 28 February, as the courts count.
    expect(until.toISOString()).toBe('2027-02-28T15:59:59.999Z');
    now = new Date(until.getTime() - 15 * DAY);
    await sweepBoth();
    expect((await alerts(orderId)).filter((k) => k.startsWith('expiry'))).toEqual([]);
    now = new Date(until.getTime() - 14 * DAY);
    await sweepBoth();
    await sweepBoth();
    expect((await alerts(orderId)).filter((k) => k.startsWith('expiry'))).toEqual(['expiry_reminder_14']);
    now = new Date(until.getTime() - 3 * DAY + 1);
    await sweepBoth();
    expect((await alerts(orderId)).filter((k) => k.startsWith('expiry'))).toEqual([
      'expiry_reminder_14',
      'expiry_reminder_3',
    ]);
    expect(await events(id, 'expiring')).toBe(2);
    await stopProcess(b);
    b = await startProcess();
    now = new Date(until.getTime() + 1);
    await sweepBoth();
    await sweepBoth();
    expect((await alerts(orderId)).filter((k) => k === 'expired')).toHaveLength(1);
    expect(await events(id, 'expired')).toBe(1);
    expect((await s.loadOrder(orderId)).status).toBe('expired');
    const token = t.keyring.openText(
      (await s.loadOrder(orderId)).check_token,
      `protection_order.check_token:${orderId}`,
    );
    expect(await s.verifyPublic(token)).toMatchObject({ valid: false, status: 'expired' });
    // Her timeline shows the reminders and the expiry.
    const steps = (await s.timeline(id)).map((x) => x.kind);
    expect(steps.slice(-3)).toEqual(['expiring', 'expiring', 'expired']);
  });

  it('extends an order from its current end, not from the day of the extension', async () => {
    now = new Date('2026-12-15T02:00:00Z'); // 10:00 on 15 December in Beijing
    const id = await acceptedApplication(false);
    const s = t.app.ordersService;
    const orderId = (
      await s.decide(staff(w.judge.accountId), id, {
        outcome: 'grant',
        measures: ['no_violence'],
        validMonths: 6,
      })
    ).orderId!;
    expect((await s.loadOrder(orderId)).valid_until.toISOString()).toBe('2027-06-14T15:59:59.999Z'); // to 14 June
    now = new Date('2026-12-16T02:00:00Z'); // a day later
    const extend = (input: { validMonths?: number; validUntil?: string }) =>
      s.modifyOrder(staff(w.judge.accountId), orderId, { change: 'extend', reasons: '仍有危险', ...input });
    await expect(extend({ validMonths: 7 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(extend({ validUntil: '2027-12-15' })).rejects.toMatchObject({ code: 'VALIDATION' }); // over 6 months from the current end
    expect((await s.loadOrder(orderId)).valid_until.toISOString()).toBe('2027-06-14T15:59:59.999Z');
    await extend({ validMonths: 6 });
    // Six more months from 15 June: to 14 December 2027 (counted from today, it added a day).
    expect((await s.loadOrder(orderId)).valid_until.toISOString()).toBe('2027-12-14T15:59:59.999Z');
  });

  it('delivers each notification once through the outbox and pg-boss with two processes running', async () => {
    const sent: string[] = [];
    for (const p of [a, b]) {
      p.app.ordersNotifier.adapters = {
        sms: { send: async (message) => void sent.push(`${message.to}|${message.text}`) },
      };
      await p.jobs.start();
    }
    now = new Date();
    const id = await acceptedApplication(false); // accept notifies her in-app and by SMS (she consented to electronic service)
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pending = await t.db
        .selectFrom('order_notification')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      if (pending.length === 0) break;
      if (Date.now() > deadline) throw new Error(`${pending.length} notifications still pending`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const sms = await t.db
      .selectFrom('order_notification')
      .select(['id', 'status', 'attempts'])
      .where('application_id', '=', id)
      .where('channel', '=', 'sms')
      .execute();
    expect(sms).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
    // Every SMS sent once (earlier tests' SMS rows too), and the text says nothing about violence or courts.
    const allSms = await t.db
      .selectFrom('order_notification')
      .select('id')
      .where('channel', '=', 'sms')
      .where('status', '=', 'sent')
      .execute();
    expect(sent).toHaveLength(allSms.length);
    expect(new Set(sent)).toEqual(new Set(['13800138000|【安心】你有一条新消息，请登录查看。']));
    for (const forbidden of ['暴力', '法院', '保护令']) expect(sent.join('')).not.toContain(forbidden);
  });
});
