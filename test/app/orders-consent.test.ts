/**
 * Her consent per item before NGO-chosen evidence reaches a court (issue 13): the lawyer's filing waits and she is
 * asked in her thread, in her language, by file name, type and date; she answers per item with her thread token
 * (API) or on her thread page (form, post-redirect-get); each answer is a `consent` entry on the custody chain; the
 * application is filed only when every item is answered, and the court reaches only what she allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeEvidenceItem } from '../support/access-fixtures/evidence.ts';
import {
  auth,
  completeApplication,
  makeDeskCaseFor,
  makeOrdersWorld,
  makeSurvivor,
  type OrdersWorld,
} from '../support/orders.ts';

let t: TestApp;
let w: OrdersWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await makeOrdersWorld(t);
}, 60_000);
afterAll(async () => t?.close());

const bearer = (cookie: string) => ({ authorization: `Bearer ${cookie.replace(/^ax_thread=/, '')}` });

/** Her case at the NGO (assigned to the caseworker), two real files in her vault, and a complete NGO application with both. */
async function herApplication() {
  const her = await makeSurvivor(t);
  const caseId = await makeDeskCaseFor(t, w.ngo, her.helpRequestId, w.caseworker.accountId);
  const [allowed, refused] = [
    await makeEvidenceItem(t, `help-case:${her.helpRequestId}`),
    await makeEvidenceItem(t, `help-case:${her.helpRequestId}`),
  ] as [string, string];
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/orders/applications',
    headers: auth(w.caseworker),
    payload: { channel: 'ngo', caseRef: caseId, application: completeApplication([allowed, refused]) },
  });
  expect(created.statusCode, created.body).toBe(201);
  return { ...her, applicationId: created.json<{ id: string }>().id, allowed, refused };
}

const submit = (id: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/orders/applications/${id}/submit`,
    headers: auth(w.caseworker),
    payload: {},
  });
const status = async (id: string) =>
  (await t.db.selectFrom('order_application').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;
const consentsSeenBy = async (who: typeof w.caseworker, id: string) =>
  (await t.app.inject({ url: `/api/orders/applications/${id}`, headers: auth(who) })).json<{
    consents: { evidenceId: string; answer: string }[];
  }>().consents;

describe('evidence reaches a court only with her consent per item', () => {
  it('the lawyer’s filing waits; she allows one and refuses one; the court reaches only the allowed one; the custody chain has both answers', async () => {
    const her = await herApplication();

    // Filing waits for her: nothing goes to the court, and she is asked in her thread, by name, type and date.
    const waiting = await submit(her.applicationId);
    expect(waiting.statusCode, waiting.body).toBe(409);
    expect(waiting.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'CONSENT_PENDING',
      message: '正在等待当事人逐项回答是否同意把证据交给法院；她回答之前，申请不会提交。',
    });
    expect(await status(her.applicationId)).toBe('draft');
    for (const id of [her.allowed, her.refused])
      expect((await t.app.evidence.custodyOf(id)).map((e) => e.action)).toEqual([]);
    // Asking again does not ask her twice.
    expect((await submit(her.applicationId)).statusCode).toBe(409);
    const thread = await t.app.inject({ url: '/api/help/thread/messages', headers: bearer(her.cookie) });
    const asks = thread
      .json<{ messages: { author: string; text: string }[] }>()
      .messages.filter((m) => m.text.startsWith('你的律师想把这'));
    expect(asks).toHaveLength(1);
    expect(asks[0]?.author).toBe('staff');
    expect(asks[0]?.text).toContain('你的律师想把这 2 个文件提交给法院：');
    expect(asks[0]?.text).toContain(
      'record.pdf（公安机关的出警记录、讯问笔录、询问笔录、接警记录、报警回执，',
    );
    expect(asks[0]?.text).toContain('是否同意？');
    // Her thread page says so too (server-rendered, no JavaScript needed).
    const page = await t.app.inject({ url: '/help/thread', headers: { cookie: her.cookie } });
    expect(page.body).toContain('你的律师想把这 2 个文件提交给法院：');
    expect(page.body).toContain('href="/help/thread/consent"');
    const listed = await t.app.inject({
      url: '/api/help/thread/evidence-consents',
      headers: bearer(her.cookie),
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(
      listed
        .json<{ items: { evidenceId: string; answer: null }[] }>()
        .items.map((i) => [i.evidenceId, i.answer])
        .sort(),
    ).toEqual(
      [
        [her.allowed, null],
        [her.refused, null],
      ].sort(),
    );
    expect(await consentsSeenBy(w.caseworker, her.applicationId)).toEqual(
      expect.arrayContaining([
        { evidenceId: her.allowed, answer: 'pending' },
        { evidenceId: her.refused, answer: 'pending' },
      ]),
    );

    // She allows one through the API; the filing still waits for the other.
    const answer = (evidenceId: string, value: 'allowed' | 'refused', cookie = her.cookie) =>
      t.app.inject({
        method: 'POST',
        url: '/api/help/thread/evidence-consents',
        headers: bearer(cookie),
        payload: { answers: [{ applicationId: her.applicationId, evidenceId, answer: value }] },
      });
    const first = await answer(her.allowed, 'allowed');
    expect(first.statusCode, first.body).toBe(200);
    expect((await submit(her.applicationId)).statusCode).toBe(409);
    expect(await consentsSeenBy(w.caseworker, her.applicationId)).toEqual(
      expect.arrayContaining([
        { evidenceId: her.allowed, answer: 'allowed' },
        { evidenceId: her.refused, answer: 'pending' },
      ]),
    );

    // She refuses the other on her thread page: a form post, then a redirect (post-redirect-get).
    const form = await t.app.inject({ url: '/help/thread/consent', headers: { cookie: her.cookie } });
    expect(form.statusCode).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    expect(form.body).toContain(`value="${her.applicationId}:${her.refused}"`);
    const posted = await t.app.inject({
      method: 'POST',
      url: '/help/thread/consent',
      headers: { cookie: her.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        csrf,
        'item.0': `${her.applicationId}:${her.refused}`,
        'answer.0': 'refused',
      }).toString(),
    });
    expect(posted.statusCode, posted.body).toBe(303);
    expect(posted.headers.location).toBe('/help/thread/consent?saved=1');
    expect(
      (await t.app.inject({ url: '/help/thread/consent?saved=1', headers: { cookie: her.cookie } })).body,
    ).toContain('已记下你的回答。');

    // Every item answered: the filing goes through, with only what she allowed.
    const filed = await submit(her.applicationId);
    expect(filed.statusCode, filed.body).toBe(200);
    expect(await consentsSeenBy(w.caseworker, her.applicationId)).toEqual(
      expect.arrayContaining([
        { evidenceId: her.allowed, answer: 'allowed' },
        { evidenceId: her.refused, answer: 'refused' },
      ]),
    );

    // The custody chain has both answers; only the allowed item was shared with the court.
    const allowedChain = await t.app.evidence.custodyOf(her.allowed);
    const refusedChain = await t.app.evidence.custodyOf(her.refused);
    expect(allowedChain.map((e) => [e.action, e.actor, e.details.answer])).toEqual([
      ['consent', 'survivor', 'allowed'],
      ['share', `staff:${w.caseworker.accountId}`, undefined],
    ]);
    expect(refusedChain.map((e) => [e.action, e.actor, e.details.answer])).toEqual([
      ['consent', 'survivor', 'refused'],
    ]);
    expect(refusedChain[0]?.details).toEqual({
      answer: 'refused',
      agency: 'court',
      consentRef: `order_application:${her.applicationId}`,
    });

    // The judge lists and downloads the allowed file only; the refused one is "not found".
    const view = await t.app.inject({
      url: `/api/orders/applications/${her.applicationId}`,
      headers: auth(w.judge),
    });
    expect(view.statusCode).toBe(200);
    expect(view.json<{ evidence: { id: string }[] }>().evidence.map((e) => e.id)).toEqual([her.allowed]);
    expect(view.body).not.toContain(her.refused);
    const list = await t.app.inject({
      url: `/api/evidence?owner=${encodeURIComponent(`help-case:${her.helpRequestId}`)}`,
      headers: auth(w.judge),
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([her.allowed]);
    const download = await t.app.inject({ url: `/api/evidence/${her.allowed}/file`, headers: auth(w.judge) });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.body).toContain('%PDF-1.4');
    expect(
      (await t.app.inject({ url: `/api/evidence/${her.refused}/file`, headers: auth(w.judge) })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/api/evidence/${her.refused}/custody`, headers: auth(w.judge) }))
        .statusCode,
    ).toBe(404);

    // Returned for more information and edited to name the refused file again: the court still cannot reach it,
    // and filing again keeps it out.
    const returned = await t.app.inject({
      method: 'POST',
      url: `/api/orders/applications/${her.applicationId}/return`,
      headers: auth(w.clerk),
      payload: { reason: '请补充证据目录。' },
    });
    expect(returned.statusCode, returned.body).toBe(200);
    const edited = await t.app.inject({
      method: 'PUT',
      url: `/api/orders/applications/${her.applicationId}`,
      headers: auth(w.caseworker),
      payload: { application: completeApplication([her.allowed, her.refused]) },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(
      (await t.app.inject({ url: `/api/evidence/${her.refused}/file`, headers: auth(w.judge) })).statusCode,
    ).toBe(404);
    expect((await submit(her.applicationId)).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: `/api/evidence/${her.refused}/file`, headers: auth(w.judge) })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/api/orders/applications/${her.applicationId}`, headers: auth(w.judge) }))
        .json<{ evidence: { id: string }[] }>()
        .evidence.map((e) => e.id),
    ).toEqual([her.allowed]);
  });

  it('refuses an answer with another survivor’s token (404) and records nothing; an answered item cannot be answered again', async () => {
    const her = await herApplication();
    const stranger = await makeSurvivor(t);
    expect((await submit(her.applicationId)).statusCode).toBe(409);
    const payload = (answer: 'allowed' | 'refused') => ({
      answers: [{ applicationId: her.applicationId, evidenceId: her.allowed, answer }],
    });
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/help/thread/evidence-consents',
      headers: { ...bearer(stranger.cookie), 'accept-language': 'en' },
      payload: payload('allowed'),
    });
    expect(foreign.statusCode, foreign.body).toBe(404);
    expect(
      (
        await t.app.inject({ url: '/api/help/thread/evidence-consents', headers: bearer(stranger.cookie) })
      ).json(),
    ).toEqual({ items: [] });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/thread/evidence-consents',
          payload: payload('allowed'),
        })
      ).statusCode,
    ).toBe(401);
    expect(await t.app.evidence.custodyOf(her.allowed)).toEqual([]);
    expect(await consentsSeenBy(w.caseworker, her.applicationId)).toEqual(
      expect.arrayContaining([{ evidenceId: her.allowed, answer: 'pending' }]),
    );

    // Her own answer counts once; a second (or a stranger's page post) is "not found" and changes nothing.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/thread/evidence-consents',
          headers: bearer(her.cookie),
          payload: payload('refused'),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/help/thread/evidence-consents',
          headers: bearer(her.cookie),
          payload: payload('allowed'),
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.app.evidence.custodyOf(her.allowed)).map((e) => [e.action, e.details.answer])).toEqual([
      ['consent', 'refused'],
    ]);
    // An empty page form says what to do, in her language.
    const form = await t.app.inject({ url: '/help/thread/consent', headers: { cookie: her.cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const empty = await t.app.inject({
      method: 'POST',
      url: '/help/thread/consent',
      headers: { cookie: her.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf }).toString(),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('请对每个文件选择“同意”或“不同意”。');
  });
});
