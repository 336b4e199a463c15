/**
 * Her answers to "may your lawyer file these files with the court?" (issue 13): the JSON API with her thread token
 * (listEvidenceConsents, answerEvidenceConsents) and the page inside her thread (works without JavaScript; the form
 * posts to the same use case and redirects back, post-redirect-get). Another survivor's request is "not found".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { sendPage } from '../../platform/render/page.tsx';
import {
  survivorFormToken,
  survivorThreadSession,
  verifySurvivorFormToken,
} from '../help/help.orders-api.ts';
import { survivorThreadFromBearer } from '../help/help.journal-session.ts';
import type { ThreadSession } from '../help/help.service.ts';
import { errors } from '../helpline/helpline.schemas.ts';
import { survivorAuditActor } from './orders.audit.ts';
import type { ConsentAnswer, ConsentItem } from './orders.consent.ts';
import { chinaDate } from './orders.model.ts';
import type { OrdersService } from './orders.service.ts';

/** Her consent page, inside her thread (the thread cookie reaches every `/help/thread/…` path). */
export const THREAD_CONSENT_PATH = '/help/thread/consent';
const MAX_ITEMS = 50;

const Uuid = Type.String({ format: 'uuid' });
const Answer = Type.Union([Type.Literal('allowed'), Type.Literal('refused')]);
const Item = Type.Object({
  applicationId: Uuid,
  evidenceId: Uuid,
  filename: Type.String(),
  evidenceType: Type.String(),
  uploadedAt: Type.String(),
  answer: Type.Union([Answer, Type.Null()]),
});
// The platform's one error body (400 her input, 401 no live thread session, 404 not hers or not waiting).
const Headers = Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) });
const AnswersBody = Type.Object(
  {
    answers: Type.Array(
      Type.Object({ applicationId: Uuid, evidenceId: Uuid, answer: Answer }, { additionalProperties: false }),
      { minItems: 1, maxItems: MAX_ITEMS },
    ),
  },
  { additionalProperties: false },
);
const PageBody = Type.Record(Type.String({ maxLength: 20 }), Type.String({ maxLength: 200 }), {
  maxProperties: 2 * MAX_ITEMS + 2,
});

const api = (reason: string) => ({ access: { public: true as const, reason } });
const page = (reason: string) => ({ config: { access: { public: true as const, reason } } });
const view = (i: ConsentItem) => ({
  applicationId: i.applicationId,
  evidenceId: i.evidenceId,
  filename: i.filename,
  evidenceType: i.evidenceType,
  uploadedAt: i.uploadedAt,
  answer: i.answer,
});
const actorOf = (request: FastifyRequest) =>
  survivorAuditActor(request.ip || null, request.headers['user-agent']?.slice(0, 300) ?? null);

export function consentRoutes(app: FastifyInstance, service: OrdersService): void {
  const consents = service.consents;

  async function bearer(request: FastifyRequest): Promise<ThreadSession> {
    const session = await survivorThreadFromBearer(request);
    if (!session) throw new AppError('UNAUTHENTICATED');
    return session;
  }

  app.get(
    '/api/help/thread/evidence-consents',
    {
      config: api('her own consent requests, with the thread token from openHelpThread'),
      schema: {
        operationId: 'listEvidenceConsents',
        tags: ['orders'],
        summary:
          'The files her lawyer would like to file with a court, waiting for her answer (by name, type and date)',
        headers: Headers,
        response: { 200: Type.Object({ items: Type.Array(Item) }), ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request);
      reply.header('cache-control', 'no-store');
      return { items: (await consents.pendingFor(session.helpRequestId)).map(view) };
    },
  );

  app.post(
    '/api/help/thread/evidence-consents',
    {
      config: api('her answers to her own consent requests, with the thread token from openHelpThread'),
      schema: {
        operationId: 'answerEvidenceConsents',
        tags: ['orders'],
        summary:
          'Allow or refuse, per file, filing it with the court; each answer goes on the file’s custody chain',
        description:
          'A request of another thread, an unknown one or one already answered is 404 and nothing is recorded.',
        headers: Headers,
        body: AnswersBody,
        response: { 200: Type.Object({ items: Type.Array(Item) }), ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request);
      const { answers } = request.body as {
        answers: { applicationId: string; evidenceId: string; answer: ConsentAnswer }[];
      };
      reply.header('cache-control', 'no-store');
      return { items: (await consents.answer(session.helpRequestId, answers, actorOf(request))).map(view) };
    },
  );

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ThreadSession,
    options: { status?: number; error?: string; notice?: string } = {},
  ) {
    const t = request.t.bind(request);
    const items = await consents.pendingFor(session.helpRequestId);
    const token = survivorFormToken(request, session);
    return sendPage(request, reply, {
      title: t('orders.consent.title'),
      status: options.status ?? 200,
      neutralTitle: session.neutralTitles,
      body: (
        <>
          <h1>{t('orders.consent.title')}</h1>
          {options.notice ? (
            <p class="ok" role="status">
              {options.notice}
            </p>
          ) : null}
          {options.error ? (
            <p class="error" role="alert">
              {options.error}
            </p>
          ) : null}
          <p class="lead">{t('orders.consent.lead')}</p>
          {items.length ? (
            <form method="post" action={request.localePath(THREAD_CONSENT_PATH)} autocomplete="off">
              <input type="hidden" name="csrf" value={token} />
              {items.map((item, i) => (
                <fieldset class="consent-item">
                  <legend>
                    {t('orders.consent.item', {
                      name: item.filename,
                      type: t(`evidence.type.${item.evidenceType as 'other'}`),
                      date: item.uploadedAt ? chinaDate(new Date(item.uploadedAt)) : '',
                    })}
                  </legend>
                  <input
                    type="hidden"
                    name={`item.${i}`}
                    value={`${item.applicationId}:${item.evidenceId}`}
                  />
                  <label>
                    <input type="radio" name={`answer.${i}`} value="allowed" /> {t('orders.consent.allow')}
                  </label>
                  <label>
                    <input type="radio" name={`answer.${i}`} value="refused" /> {t('orders.consent.refuse')}
                  </label>
                </fieldset>
              ))}
              <p>
                <button class="button" type="submit">
                  {t('orders.consent.submit')}
                </button>
              </p>
            </form>
          ) : null}
          <p>
            <a href={request.localePath('/help/thread')}>{t('help.nav.thread')}</a>
          </p>
        </>
      ),
    });
  }

  app.get(
    THREAD_CONSENT_PATH,
    {
      ...page('her consent requests, behind her thread session (checked in the handler)'),
      schema: { hide: true, querystring: Type.Object({ saved: Type.Optional(Type.Literal('1')) }) },
    },
    async (request, reply) => {
      const session = await survivorThreadSession(request);
      if (!session) return reply.redirect(request.localePath('/help/thread'), 303);
      const saved = (request.query as { saved?: string }).saved === '1';
      return render(request, reply, session, saved ? { notice: request.t('orders.consent.saved') } : {});
    },
  );

  app.post(
    THREAD_CONSENT_PATH,
    {
      config: {
        access: { public: true as const, reason: 'her answers, behind her thread session and form token' },
        operation: 'answerEvidenceConsents',
      },
      schema: { hide: true, body: PageBody },
    },
    async (request, reply) => {
      const session = await survivorThreadSession(request);
      if (!session) return reply.redirect(request.localePath('/help/thread'), 303);
      const form = request.body as Record<string, string>;
      if (!verifySurvivorFormToken(request, session, form.csrf)) throw new AppError('CSRF');
      const answers: { applicationId: string; evidenceId: string; answer: ConsentAnswer }[] = [];
      for (let i = 0; i < MAX_ITEMS; i++) {
        const [applicationId = '', evidenceId = ''] = (form[`item.${i}`] ?? '').split(':');
        const answer = form[`answer.${i}`];
        if (answer === 'allowed' || answer === 'refused') answers.push({ applicationId, evidenceId, answer });
      }
      if (answers.length === 0)
        return render(request, reply, session, { status: 400, error: request.t('orders.consent.none') });
      await consents.answer(session.helpRequestId, answers, actorOf(request));
      return reply.redirect(`${request.localePath(THREAD_CONSENT_PATH)}?saved=1`, 303);
    },
  );
}
