/**
 * The crash test's protection-order writers and checks: staff work an application through the real API with
 * their sessions — the clerk records an oral application, files and accepts it, the police station verifies,
 * the women's federation gives its opinion, the judge records the questioning and grants the order. Each step
 * that answered 2xx is recorded; an application whose step got no answer (the server died) is left there.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { auth, completeApplication, type Actor, type OrdersWorld } from '../support/orders.ts';
import { pause, send } from './http.ts';

export type OrderAction =
  'created' | 'submitted' | 'accepted' | 'police' | 'federation' | 'questioned' | 'granted';

export interface ApplicationRecord {
  id: string;
  caseNumber?: string;
  opinions: Partial<Record<'police' | 'federation', string>>;
  /** The respondent's recorded answer (shown on the judge's page). */
  answer?: string;
  actions: OrderAction[];
}

async function call(
  base: string,
  who: Actor,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await send(base, body === undefined ? 'GET' : 'POST', url, body, auth(who));
  const text = await res.text();
  return {
    status: res.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The agency's review task for one case number. */
async function reviewTask(base: string, who: Actor, caseNumber: string): Promise<string | undefined> {
  const list = await call(base, who, '/api/orders/reviews');
  const items = (list.json.items ?? []) as { id: string; caseNumber: string | null; status: string }[];
  return items.find((i) => i.caseNumber === caseNumber)?.id;
}

/** One application through the docket; returns when a step is not acknowledged. */
async function workOne(
  base: string,
  w: OrdersWorld,
  done: ApplicationRecord[],
  stop: { stopped: boolean },
): Promise<void> {
  const created = await call(base, w.clerk, '/api/orders/applications', {
    channel: 'oral',
    application: completeApplication(),
  });
  if (created.status !== 201) return;
  const rec: ApplicationRecord = { id: String(created.json.id), opinions: {}, actions: ['created'] };
  done.push(rec);
  const step = async (
    action: OrderAction,
    who: Actor,
    url: string,
    body: unknown,
  ): Promise<Record<string, unknown> | undefined> => {
    if (stop.stopped) return undefined;
    const res = await call(base, who, url, body);
    if (res.status !== 200) return undefined;
    rec.actions.push(action);
    return res.json;
  };
  const app = `/api/orders/applications/${rec.id}`;
  if (!(await step('submitted', w.clerk, `${app}/submit`, {}))) return;
  const accepted = await step('accepted', w.clerk, `${app}/accept`, {});
  if (!accepted) return;
  rec.caseNumber = String(accepted.caseNumber);
  for (const [agency, who] of [
    ['police', w.officer],
    ['federation', w.federationOfficer],
  ] as const) {
    const task = await reviewTask(base, who, rec.caseNumber);
    if (!task) return;
    const opinion = `${agency} opinion ${randomBytes(4).toString('hex')}`;
    if (
      !(await step(agency, who, `/api/orders/reviews/${task}/opinion`, { opinion, recommendation: 'grant' }))
    )
      return;
    rec.opinions[agency] = opinion;
  }
  const answer = `answer ${randomBytes(4).toString('hex')}`;
  if (
    !(await step('questioned', w.judge, `${app}/questioning`, {
      channel: 'phone',
      questionedAt: new Date().toISOString(),
      responded: true,
      answer,
    }))
  )
    return;
  rec.answer = answer;
  await step('granted', w.judge, `${app}/decision`, {
    outcome: 'grant',
    measures: ['no_violence', 'no_contact'],
    validMonths: 6,
  });
}

export async function orderWriter(
  base: string,
  w: OrdersWorld,
  done: ApplicationRecord[],
  stop: { stopped: boolean },
): Promise<void> {
  while (!stop.stopped) {
    try {
      await workOne(base, w, done, stop);
    } catch {
      // The server died mid-request: that step was never acknowledged.
      await pause(20);
    }
  }
}

/** After the last restart: every acknowledged step shows in the application and its timeline. */
export async function checkOrders(base: string, w: OrdersWorld, done: ApplicationRecord[]): Promise<number> {
  let actions = 0;
  for (const rec of done) {
    const view = await call(base, w.clerk, `/api/orders/applications/${rec.id}`);
    expect(view.status, `acknowledged application ${rec.id} is missing`).toBe(200);
    const has = (a: OrderAction) => rec.actions.includes(a);
    const status = String(view.json.status);
    if (has('submitted')) expect(status, `application ${rec.id} was filed`).not.toBe('draft');
    if (has('accepted')) {
      expect(view.json.caseNumber).toBe(rec.caseNumber);
      expect(['accepted', 'granted']).toContain(status);
    }
    const reviews = (view.json.reviews ?? []) as { agency: string; opinion: string | null }[];
    for (const agency of ['police', 'federation'] as const) {
      if (has(agency))
        expect(
          reviews.map((r) => r.opinion),
          `${agency} opinion on ${rec.id}`,
        ).toContain(rec.opinions[agency]);
    }
    if (has('granted')) {
      expect(status).toBe('granted');
      expect(view.json.orderId).toBeTruthy();
    }
    const timeline = await call(base, w.clerk, `/api/orders/applications/${rec.id}/timeline`);
    expect(timeline.status).toBe(200);
    const kinds = ((timeline.json.steps ?? []) as { kind: string }[]).map((s) => s.kind);
    if (has('submitted')) expect(kinds).toContain('received');
    if (has('accepted')) expect(kinds).toContain('accepted');
    if (has('questioned')) {
      // Questioning is not on her timeline; the judge's page lists it with the answer.
      const page = await send(base, 'GET', `/orders/applications/${rec.id}`, undefined, {
        cookie: w.judge.cookie,
      });
      expect(await page.text(), `questioning of ${rec.id}`).toContain(rec.answer);
    }
    if (has('granted')) expect(kinds).toContain('granted');
    actions += rec.actions.length;
  }
  return actions;
}
