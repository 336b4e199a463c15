/**
 * Deleting her data from her thread: the JSON API with her thread token (previewMyDeletion, deleteMyData) and
 * the confirm page inside her thread (works without JavaScript; the form posts, then redirects to a page saying
 * it is done — post-redirect-get). Both call `deleteHerData` (help.deletion.ts). Before she confirms she is
 * told, in her language, what goes, what the law makes the court keep, and that withdrawing her consent to
 * statistics is a separate choice.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { verifyCsrfToken, csrfTokenFor } from '../../platform/csrf.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { ErrorResponse } from '../../platform/error-responses.ts';
import { survivorAuditActorFrom } from '../../platform/audit.ts';
import { deleteHerData, previewDeletion, type DeletionPreview } from './help.deletion.ts';
import { survivorThreadFromBearer } from './help.journal-session.ts';
import { survivorThreadSession } from './help.orders-api.ts';
import { clearThreadCookie } from './help.pages.tsx';
import type { ThreadSession } from './help.service.ts';
import { Checkbox, formErrors, portal } from './help.views.tsx';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export const DELETE_PATH = '/help/thread/delete';
export const DELETED_PATH = '/help/deleted';

const Headers = Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) });
const api = (reason: string) => ({ access: { public: true as const, reason } });
const PageBody = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }), {
  maxProperties: 10,
});
const PreviewView = Type.Object({
  keptApplications: Type.Integer({ description: 'Applications filed with a court: the court keeps them' }),
  keptFiles: Type.Integer({ description: 'Files given to a court with them: kept as court records' }),
  explanation: Type.Array(Type.String(), { description: 'What goes and what stays, in her language' }),
});
const ResultView = Type.Object({
  messages: Type.Integer(),
  journalEntries: Type.Integer(),
  files: Type.Integer(),
  drafts: Type.Integer(),
  keptApplications: Type.Integer(),
  keptFiles: Type.Integer(),
  statisticsWithdrawn: Type.Boolean(),
  message: Type.String(),
});

const actorOf = (request: FastifyRequest) => survivorAuditActorFrom(request);

/** What goes and what stays, in her language (the same words on the page and in the API). */
function explanation(request: FastifyRequest, preview: DeletionPreview): string[] {
  return [
    request.t('help.delete.lead'),
    preview.keptApplications > 0
      ? request.t('help.delete.keeps', { count: preview.keptApplications, files: preview.keptFiles })
      : request.t('help.delete.keepsNone'),
    request.t('help.delete.statisticsHint'),
  ];
}

export function deletionRoutes(app: FastifyInstance): void {
  async function bearer(request: FastifyRequest, reply: FastifyReply): Promise<ThreadSession> {
    const session = await survivorThreadFromBearer(request);
    if (!session) throw new AppError('UNAUTHENTICATED');
    reply.header('cache-control', 'no-store');
    return session;
  }

  app.get(
    '/api/help/thread/deletion',
    {
      config: api('what deleting her own data would keep, with the thread token from openHelpThread'),
      schema: {
        operationId: 'previewMyDeletion',
        tags: ['help'],
        summary: 'Before deleting: what goes and what the law makes the court keep, in her language',
        headers: Headers,
        response: { 200: PreviewView, ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const preview = await previewDeletion(app, session);
      return { ...preview, explanation: explanation(request, preview) };
    },
  );

  app.post(
    '/api/help/thread/deletion',
    {
      config: api('deletes her own data, with the thread token from openHelpThread'),
      schema: {
        operationId: 'deleteMyData',
        tags: ['help'],
        summary:
          'Delete her help request, messages, journal and files (PIPL 47); optionally withdraw consent to statistics',
        description:
          'Filed protection-order applications and the files given to the court stay (court records). The token, ' +
          'the case code and the secret stop working. `confirm` must be true (400 otherwise; nothing changes).',
        headers: Headers,
        body: Type.Object(
          { confirm: Type.Boolean(), withdrawStatistics: Type.Boolean() },
          { additionalProperties: false },
        ),
        response: { 200: ResultView, ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request, reply);
      const body = request.body as { confirm: boolean; withdrawStatistics: boolean };
      const result = await deleteHerData(app, session, body, actorOf(request));
      return { ...result, message: request.t('help.delete.doneTitle') };
    },
  );

  // ---- her page: confirm step, inside her thread (the thread cookie reaches /help/thread/…)

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ThreadSession,
    state: { problems?: FieldProblem[]; withdraw?: boolean; status?: number } = {},
  ) {
    const p = portal(request, session.neutralTitles);
    const t = p.t;
    const preview = await previewDeletion(app, session);
    const csrf = csrfTokenFor(app.keyring.deriveKey('csrf'), session.id);
    const errs = formErrors(request, state.problems ?? []);
    reply.header('cache-control', 'no-store');
    return sendPage(request, reply, {
      title: t('help.delete.title'),
      neutralTitle: p.neutral,
      status: state.status ?? 200,
      body: (
        <>
          <h1>{t('help.delete.title')}</h1>
          {explanation(request, preview).map((line, i) => (
            <p class={i === 1 ? 'callout' : undefined}>{line}</p>
          ))}
          <form method="post" action={p.action(DELETE_PATH)} autocomplete="off" novalidate>
            <input type="hidden" name="csrf" value={csrf} />
            <Checkbox
              id="withdrawStatistics"
              label={t('help.delete.statistics')}
              checked={state.withdraw === true}
              errors={errs}
            />
            <Checkbox id="confirm" label={t('help.delete.confirmBox')} checked={false} errors={errs} />
            <p>
              <button class="button danger" type="submit" id="delete-confirm">
                {t('help.delete.submit')}
              </button>
            </p>
          </form>
          <p>
            <a href={p.href('/help/thread')}>{t('help.delete.cancel')}</a>
          </p>
        </>
      ),
    });
  }

  async function requireSession(request: FastifyRequest, reply: FastifyReply) {
    const session = await survivorThreadSession(request);
    if (!session) await reply.redirect(request.localePath('/help/thread'), 303);
    return session;
  }

  app.get(
    DELETE_PATH,
    {
      config: api(
        'the confirm step of deleting her data, behind her thread session (checked in the handler)',
      ),
      schema: { hide: true },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      return render(request, reply, session);
    },
  );

  app.post(
    DELETE_PATH,
    {
      config: {
        ...api('deletes her data, behind her thread session and form token'),
        operation: 'deleteMyData',
      },
      schema: { hide: true, body: PageBody },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const form = request.body as Record<string, string | undefined>;
      if (!verifyCsrfToken(app.keyring.deriveKey('csrf'), session.id, form.csrf)) throw new AppError('CSRF');
      const withdraw = form.withdrawStatistics === 'on';
      try {
        await deleteHerData(
          app,
          session,
          { confirm: form.confirm === 'on', withdrawStatistics: withdraw },
          actorOf(request),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION')
          return render(request, reply, session, {
            problems: error.options.fields ?? [],
            withdraw,
            status: 400,
          });
        throw error;
      }
      clearThreadCookie(request, reply);
      // Post-redirect-get: `s=1` is a fixed word (she withdrew consent to statistics), never her data.
      const neutral = session.neutralTitles ? '&n=1' : '';
      return reply.redirect(`${request.localePath(DELETED_PATH)}?s=${withdraw ? '1' : '0'}${neutral}`, 303);
    },
  );

  app.get(
    DELETED_PATH,
    {
      config: api('says her data was deleted (after post-redirect-get); shows nothing of hers'),
      schema: {
        hide: true,
        querystring: Type.Object({
          s: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
          n: Type.Optional(Type.Literal('1')),
        }),
      },
    },
    async (request, reply) => {
      const p = portal(request);
      const withdrew = (request.query as { s?: string }).s === '1';
      reply.header('cache-control', 'no-store');
      return sendPage(request, reply, {
        title: p.t('help.delete.doneTitle'),
        neutralTitle: p.neutral,
        body: (
          <>
            <h1>{p.t('help.delete.doneTitle')}</h1>
            <p class="lead" role="status">
              {p.t('help.delete.doneLead')}
            </p>
            {withdrew ? <p>{p.t('help.delete.doneStatistics')}</p> : null}
            <p>
              <a class="button" href={p.href('/help/new')}>
                {p.t('help.nav.help')}
              </a>
            </p>
          </>
        ),
      });
    },
  );
}
