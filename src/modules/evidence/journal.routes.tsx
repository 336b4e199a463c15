/**
 * The survivor's journal inside her portal thread (case code + secret; pages under /help/thread so the thread
 * cookie reaches them) and its JSON API (bearer thread token): incidents with date, description and type of
 * evidence, files attached with tus (JavaScript, resumable, progress) or a plain multipart form (no JavaScript)
 * feeding the same encrypted pipeline, and her consent to share items with agencies. Pages are `no-store`
 * with quick exit; nothing is kept on the phone.
 */
import { uploadFileName } from './file-names.ts';
import { randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import { Upload } from '@tus/utils';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import {
  survivorFormToken,
  survivorThreadSession,
  verifySurvivorFormToken,
} from '../help/help.orders-api.ts';
import { survivorThreadFromBearer } from '../help/help.journal-session.ts';
import type { ThreadSession } from '../help/help.service.ts';
import {
  ErrorSummary,
  FieldError,
  Hint,
  describedBy,
  formErrors,
  labelsFor,
  portal,
  type FormErrors,
  type Portal,
} from '../help/help.views.tsx';
import { HELP_CASE_PREFIX } from './evidence.access.ts';
import type { EvidenceService } from './evidence.service.ts';
import { EVIDENCE_TYPES, formatBytes } from './evidence.types.ts';
import { EvidenceRefusal } from './refusal.ts';
import { AGENCIES, JournalService, type JournalEntry, type ShareTarget } from './journal.service.ts';
import { RECORD_KEY, type EncryptedDataStore, type NewUploadRecord } from './tus-store.ts';

export const JOURNAL_PATH = '/help/thread/journal';
/** A page route; `operation` names its JSON API twin (the same use case through her thread token). */
const page = (reason: string, operation?: string) => ({
  config: { access: { public: true as const, reason }, ...(operation ? { operation } : {}) },
});
const FormBody = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([
    Type.String({ maxLength: 5000 }),
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200 }),
  ]),
  { maxProperties: 40 },
);
type Form = Record<string, string | string[] | undefined>;
const NOTICES = {
  saved: 'journal.saved',
  uploaded: 'journal.uploadedNotice',
  shared: 'journal.sharedNotice',
  withdrawn: 'journal.withdrawn',
} as const satisfies Record<string, MessageKey>;
const one = (form: Form, key: string): string | undefined => {
  const v = form[key];
  return Array.isArray(v) ? v[0] : v;
};
const many = (form: Form, key: string): string[] => {
  const v = form[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
export const ownerOf = (session: ThreadSession): string => `${HELP_CASE_PREFIX}${session.helpRequestId}`;

function formatTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(iso));
}

interface PageState {
  status?: number;
  notice?: string;
  entryProblems?: FieldProblem[];
  values?: Record<string, string>;
  shareProblems?: FieldProblem[];
  upload?: { entryId: string; message: string };
}

export function journalRoutes(
  app: FastifyInstance,
  evidence: EvidenceService,
  datastore: EncryptedDataStore,
): JournalService {
  const journal = new JournalService(app.db, app.keyring, evidence);
  const maxFileBytes = evidence.config.maxFileBytes;

  async function requireSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<ThreadSession | undefined> {
    const session = await survivorThreadSession(request);
    if (!session) {
      await reply.header('cache-control', 'no-store').redirect(request.localePath('/help/thread'), 303);
      return undefined;
    }
    return session;
  }

  /** Her session for a form post, with the form token checked (a wrong token changes nothing). */
  async function postSession(
    request: FastifyRequest,
    reply: FastifyReply,
    token: unknown,
  ): Promise<ThreadSession | undefined> {
    const session = await requireSession(request, reply);
    if (!session) return undefined;
    if (!verifySurvivorFormToken(request, session, token)) throw new AppError('CSRF');
    return session;
  }

  const back = (request: FastifyRequest, reply: FastifyReply, notice: keyof typeof NOTICES, anchor = '') =>
    reply
      .header('cache-control', 'no-store')
      .redirect(`${request.localePath(JOURNAL_PATH)}?done=${notice}${anchor}`, 303);

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ThreadSession,
    state: PageState = {},
  ) {
    const p = portal(request, session.neutralTitles);
    const owner = ownerOf(session);
    const [entries, targets] = await Promise.all([journal.listEntries(owner), journal.shareTargets(owner)]);
    const token = survivorFormToken(request, session);
    return sendPage(request, reply, {
      title: p.t('journal.title'),
      neutralTitle: session.neutralTitles,
      status: state.status ?? 200,
      scripts: [app.assets.url('tus.min.js'), app.assets.url('journal.js')],
      body: (
        <JournalPage
          request={request}
          p={p}
          token={token}
          entries={entries}
          targets={targets}
          state={state}
          maxFileBytes={maxFileBytes}
          evidence={evidence}
          owner={owner}
          sessionId={session.id}
        />
      ),
    });
  }

  app.get(
    JOURNAL_PATH,
    {
      ...page('her journal, behind her thread session (checked in the handler)'),
      schema: {
        hide: true,
        querystring: Type.Object({
          done: Type.Optional(Type.String({ maxLength: 20 })),
          n: Type.Optional(Type.String({ maxLength: 1 })),
        }),
      },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const done = (request.query as { done?: string }).done;
      const notice = done && done in NOTICES ? NOTICES[done as keyof typeof NOTICES] : undefined;
      return render(request, reply, session, notice ? { notice: request.t(notice) } : {});
    },
  );

  app.post(
    `${JOURNAL_PATH}/entries`,
    {
      ...page('her new journal entry (thread session + form token)', 'createJournalEntry'),
      schema: { hide: true, body: FormBody },
    },
    async (request, reply) => {
      const form = request.body as Form;
      const session = await postSession(request, reply, one(form, 'csrf'));
      if (!session) return reply;
      try {
        const { id } = await journal.createEntry({
          ownerRef: ownerOf(session),
          createdBy: 'survivor',
          incidentDate: one(form, 'incidentDate'),
          evidenceType: one(form, 'evidenceType'),
          description: one(form, 'description'),
        });
        return back(request, reply, 'saved', `#entry-${id}`);
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION') {
          const values = {
            incidentDate: one(form, 'incidentDate') ?? '',
            evidenceType: one(form, 'evidenceType') ?? '',
            description: one(form, 'description') ?? '',
          };
          return render(request, reply, session, {
            status: 400,
            entryProblems: error.options.fields ?? [],
            values,
          });
        }
        throw error;
      }
    },
  );

  app.post(
    `${JOURNAL_PATH}/shares`,
    {
      ...page('her consent to share items with an agency (thread session + form token)', 'shareEvidence'),
      schema: { hide: true, body: FormBody },
    },
    async (request, reply) => {
      const form = request.body as Form;
      const session = await postSession(request, reply, one(form, 'csrf'));
      if (!session) return reply;
      const [agency, organisationId] = (one(form, 'target') ?? '').split(':');
      try {
        await journal.share({
          ownerRef: ownerOf(session),
          evidenceIds: many(form, 'evidenceIds'),
          agency,
          organisationId,
          consent: one(form, 'consent') === 'on',
          consentedBy: 'survivor',
        });
        return back(request, reply, 'shared', '#share');
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION') {
          const problems = (error.options.fields ?? []).map((f) =>
            f.field === 'agency' || f.field === 'organisationId' ? { ...f, field: 'target' } : f,
          );
          return render(request, reply, session, { status: 400, shareProblems: problems });
        }
        throw error;
      }
    },
  );

  app.post(
    `${JOURNAL_PATH}/shares/withdraw`,
    {
      ...page('her withdrawal of a consent to share (thread session + form token)', 'withdrawEvidenceShare'),
      schema: { hide: true, body: FormBody },
    },
    async (request, reply) => {
      const form = request.body as Form;
      const session = await postSession(request, reply, one(form, 'csrf'));
      if (!session) return reply;
      if (
        !(await journal.withdraw({
          ownerRef: ownerOf(session),
          shareId: one(form, 'shareId') ?? '',
          by: 'survivor',
        }))
      )
        throw new AppError('NOT_FOUND');
      return back(request, reply, 'withdrawn', '#share');
    },
  );

  // Without JavaScript: the file arrives as multipart and goes through the same encrypted store and completion
  // pass as a tus upload. Explicit limits (the plugin's default silently stops at 1 MiB): one file of at most the
  // per-file limit, a few small fields; a cut-off file is refused and leaves nothing behind.
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxFileBytes, files: 1, fields: 4, fieldSize: 200, parts: 5, headerPairs: 50 },
    });
    scope.post<{ Params: { entryId: string } }>(
      `${JOURNAL_PATH}/entries/:entryId/files`,
      {
        // Its twin: tus creation with the grant of createJournalEntry or createJournalUploadGrant (journal.grant-api.ts).
        ...page(
          'a file for her journal entry without JavaScript (thread session + form token)',
          'createEvidenceUpload',
        ),
        bodyLimit: maxFileBytes + 1024 * 1024,
        schema: { hide: true, params: Type.Object({ entryId: Type.String({ maxLength: 100 }) }) },
      },
      async (request, reply) => {
        const session = await requireSession(request, reply);
        if (!session) return reply;
        const owner = ownerOf(session);
        const entry = await journal.entryOf(owner, request.params.entryId);
        if (!entry) throw new AppError('NOT_FOUND');
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
        const file = await request.file();
        const fail = (message: string, status: number) =>
          render(request, reply, session, { status, upload: { entryId: entry.id, message } });
        // No file part at all (a browser always sends one, empty when nothing was chosen): nothing to store.
        if (!file) return fail(request.t('journal.problem.file'), 400);
        const csrf = file.fields.csrf;
        const token = csrf && !Array.isArray(csrf) && csrf.type === 'field' ? csrf.value : undefined;
        if (!verifySurvivorFormToken(request, session, token)) {
          file.file.resume();
          throw new AppError('CSRF');
        }
        if (!file.filename) {
          file.file.resume();
          return fail(request.t('journal.problem.file'), 400);
        }
        const uploadId = randomBytes(16).toString('hex');
        try {
          const declared = Number(request.headers['content-length']);
          const bound =
            Number.isFinite(declared) && declared > 0 ? Math.min(declared, maxFileBytes) : maxFileBytes;
          const record: NewUploadRecord = {
            ownerRef: owner,
            uploadedBy: 'survivor',
            journalEntryId: entry.id,
            evidenceType: entry.evidenceType,
            incidentDate: entry.incidentDate,
            locale: request.locale,
            meta: {
              filename: uploadFileName(file.filename),
              claimedType: file.mimetype.slice(0, 200),
              description: '',
            },
          };
          await datastore.create(
            new Upload({
              id: uploadId,
              size: bound,
              offset: 0,
              metadata: { [RECORD_KEY]: JSON.stringify(record) },
            }),
          );
          let broken: unknown;
          file.file.on('error', (error: unknown) => (broken = error));
          const received = await datastore.write(file.file, uploadId, 0);
          if (file.file.truncated)
            throw new EvidenceRefusal('EVIDENCE_TOO_LARGE', 413, 'evidence.refused.tooLarge', {
              limit: formatBytes(maxFileBytes),
            });
          if (broken || !file.file.readableEnded || received === 0) {
            throw new EvidenceRefusal('EVIDENCE_TRUNCATED', 422, 'evidence.refused.truncated', {
              received: formatBytes(received),
              expected: formatBytes(bound),
            });
          }
          // The exact size is known only now (multipart has no length per file): the bound shrinks to it.
          await app.db
            .updateTable('evidence_upload')
            .set({ size: received })
            .where('id', '=', uploadId)
            .where('received', '=', String(received))
            .execute();
          const { item } = await evidence.finishUpload(uploadId);
          request.log.info({ evidenceId: item.id }, 'journal file stored without JavaScript');
          return back(request, reply, 'uploaded', `#entry-${entry.id}`);
        } catch (error) {
          file.file.resume();
          await evidence.discardUpload(uploadId);
          if (error instanceof EvidenceRefusal) return fail(error.message_(request.locale), error.status);
          throw error;
        }
      },
    );
  });

  // ------------------------------------------------------------------------------------------- JSON API
  const ErrorResponse = Type.Object({
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
      requestId: Type.String(),
    }),
  });
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse };
  const Headers = Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) });
  const api = (reason: string) => ({ access: { public: true as const, reason } });
  const Grant = Type.Object({
    token: Type.String({
      description: 'Send as the Anxin-Upload-Grant header on every tus request (valid 6 hours)',
    }),
    endpoint: Type.String({
      description: 'The tus 1.0.0 endpoint (POST to create, then PATCH/HEAD the Location)',
    }),
    expiresAt: Type.String({ format: 'date-time' }),
    maxFileBytes: Type.Integer(),
  });
  async function bearer(request: FastifyRequest): Promise<ThreadSession> {
    const session = await survivorThreadFromBearer(request);
    if (!session) throw new AppError('UNAUTHENTICATED');
    return session;
  }
  // Her grants end with her thread session (sign-out or expiry), not only after their 6 hours.
  const grantFor = (session: ThreadSession, entryId: string) =>
    evidence.createUploadForOwner({
      ownerRef: ownerOf(session),
      uploadedBy: 'survivor',
      journalEntryId: entryId,
      threadSessionId: session.id,
    });

  app.post(
    '/api/help/thread/journal',
    {
      config: api('her journal, with the thread token from openHelpThread'),
      schema: {
        operationId: 'createJournalEntry',
        tags: ['evidence'],
        summary: 'Record an incident in her journal; answers an upload grant for attaching files with tus',
        description:
          'Attach files by uploading them to the tus endpoint /api/evidence/uploads with the returned grant (Anxin-Upload-Grant header); ' +
          'each finished upload becomes an evidence item of this entry (Anxin-Evidence-Id, Anxin-Evidence-Sha256 on the last PATCH).',
        headers: Headers,
        body: Type.Object(
          {
            incidentDate: Type.String({ description: 'YYYY-MM-DD, not in the future', maxLength: 10 }),
            evidenceType: Type.Optional(
              Type.Union(
                EVIDENCE_TYPES.map((t) => Type.Literal(t)),
                { description: 'SPC 6 evidence type; default statement' },
              ),
            ),
            description: Type.String({ minLength: 1, maxLength: 4000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }), upload: Grant }), ...errors },
      },
    },
    async (request, reply) => {
      const session = await bearer(request);
      const body = request.body as { incidentDate: string; evidenceType?: string; description: string };
      const { id } = await journal.createEntry({
        ownerRef: ownerOf(session),
        createdBy: 'survivor',
        ...body,
      });
      return reply.status(201).send({ id, upload: grantFor(session, id) });
    },
  );

  const ItemBody = Type.Object({
    id: Type.String({ format: 'uuid' }),
    filename: Type.String(),
    size: Type.Integer(),
    sha256: Type.String(),
    mediaType: Type.String(),
    uploadedAt: Type.String({ format: 'date-time' }),
    integrity: Type.Union([Type.Literal('intact'), Type.Literal('broken')]),
    scanState: Type.Union([Type.Literal('pending'), Type.Literal('clean'), Type.Literal('infected')], {
      description:
        'pending: received, awaiting the safety check (nobody else can open or receive it yet); infected: refused by the check and deleted',
    }),
    shares: Type.Array(
      Type.Object({
        id: Type.String(),
        agency: Type.String(),
        organisationId: Type.String(),
        organisationName: Type.String(),
        consentedAt: Type.String({ format: 'date-time' }),
      }),
    ),
  });
  app.get(
    '/api/help/thread/journal',
    {
      config: api('her journal, with the thread token from openHelpThread'),
      schema: {
        operationId: 'listJournalEntries',
        tags: ['evidence'],
        summary: 'Her journal: incidents with their files, integrity and shares',
        headers: Headers,
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object({
                id: Type.String(),
                incidentDate: Type.String(),
                evidenceType: Type.String(),
                description: Type.String(),
                createdAt: Type.String({ format: 'date-time' }),
                items: Type.Array(ItemBody),
                upload: Grant,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const session = await bearer(request);
      const entries = await journal.listEntries(ownerOf(session));
      return {
        entries: entries.map((e) => ({
          ...e,
          upload: grantFor(session, e.id),
          items: e.items.map((i) => ({
            id: i.id,
            filename: i.filename,
            size: i.size,
            sha256: i.sha256,
            mediaType: i.mediaType,
            uploadedAt: i.uploadedAt,
            integrity: i.integrity,
            scanState: i.scanState,
            shares: i.shares,
          })),
        })),
      };
    },
  );

  app.post(
    '/api/help/thread/evidence/shares',
    {
      config: api('her consent to share, with the thread token from openHelpThread'),
      schema: {
        operationId: 'shareEvidence',
        tags: ['evidence'],
        summary:
          'Share some of her items with one agency, with her separate consent (PIPL 23), recorded per item with time',
        headers: Headers,
        body: Type.Object(
          {
            evidenceIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 200 }),
            agency: Type.Union(AGENCIES.map((a) => Type.Literal(a))),
            organisationId: Type.String({ format: 'uuid' }),
            consent: Type.Literal(true, {
              description: 'She agreed to this share (the consent is recorded per item with who and when)',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ shared: Type.Integer() }), ...errors },
      },
    },
    async (request) => {
      const session = await bearer(request);
      const body = request.body as {
        evidenceIds: string[];
        agency: string;
        organisationId: string;
        consent: true;
      };
      return journal.share({ ownerRef: ownerOf(session), ...body, consentedBy: 'survivor' });
    },
  );

  app.delete(
    '/api/help/thread/evidence/shares/:shareId',
    {
      config: api('her withdrawal of a consent to share, with the thread token from openHelpThread'),
      schema: {
        operationId: 'withdrawEvidenceShare',
        tags: ['evidence'],
        summary:
          'Withdraw her consent to one share: the agency loses access to the item at once (the consent row keeps when and by whom)',
        headers: Headers,
        params: Type.Object({ shareId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ withdrawn: Type.Literal(true) }), ...errors },
      },
    },
    async (request) => {
      const session = await bearer(request);
      const { shareId } = request.params as { shareId: string };
      // Another survivor's share, an unknown id or one already withdrawn: the same "not found".
      if (!(await journal.withdraw({ ownerRef: ownerOf(session), shareId, by: 'survivor' })))
        throw new AppError('NOT_FOUND');
      return { withdrawn: true as const };
    },
  );

  return journal;
}

// ---------------------------------------------------------------------------------------------- views

const ENTRY_LABELS: Record<string, MessageKey> = {
  incidentDate: 'journal.date',
  evidenceType: 'journal.type',
  description: 'journal.description',
};
const SHARE_LABELS: Record<string, MessageKey> = {
  evidenceIds: 'journal.shareItems',
  target: 'journal.shareAgency',
  consent: 'journal.consent',
};

function JournalPage(props: {
  request: FastifyRequest;
  p: Portal;
  token: string;
  entries: JournalEntry[];
  targets: ShareTarget[];
  state: PageState;
  maxFileBytes: number;
  evidence: EvidenceService;
  owner: string;
  sessionId: string;
}) {
  const { request, p, token, entries, targets, state } = props;
  const t = p.t;
  const entryErrors = formErrors(request, state.entryProblems ?? []);
  const shareErrors = formErrors(request, state.shareProblems ?? []);
  const values = state.values ?? {};
  // Only checked files can be shared (nobody is sent a file before its malware check).
  const items = entries.flatMap((e) =>
    e.items.filter((i) => i.scanState === 'clean').map((i) => ({ ...i, entryDate: e.incidentDate })),
  );
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <h1>{t('journal.title')}</h1>
      <p class="lead">{t('journal.lead')}</p>
      <p>
        <a href={p.href('/help/thread')}>{t('journal.back')}</a>
      </p>
      {state.notice ? (
        <p class="notice" role="status">
          {state.notice}
        </p>
      ) : null}

      {entries.length === 0 ? <p>{t('journal.empty')}</p> : null}
      {entries.map((entry) => (
        <section class="journal-entry" id={`entry-${entry.id}`} aria-labelledby={`entry-${entry.id}-title`}>
          <h2 id={`entry-${entry.id}-title`}>
            {t('journal.entryTitle', {
              date: entry.incidentDate,
              type: t(`evidence.type.${entry.evidenceType}`),
            })}
          </h2>
          <p class="journal-text">{entry.description}</p>
          <h3>{t('journal.files')}</h3>
          {entry.items.length === 0 ? <p class="hint">{t('journal.noFiles')}</p> : null}
          <ul class="journal-files">
            {entry.items.map((item) => (
              <li>
                <strong class="line">{item.filename}</strong>
                <span class="hint line">
                  {t('journal.fileMeta', {
                    size: formatBytes(item.size),
                    time: formatTime(item.uploadedAt, request.locale),
                  })}
                </span>
                <span class="line">
                  <code class="sha">{t('journal.sha', { sha: item.sha256.slice(0, 12) })}</code>
                </span>
                <span class={item.integrity === 'intact' ? 'line integrity-ok' : 'line integrity-bad'}>
                  {t(item.integrity === 'intact' ? 'journal.intact' : 'journal.broken')}
                </span>
                {item.scanState === 'pending' ? (
                  <span class="line scan-pending">{t('journal.awaitingCheck')}</span>
                ) : null}
                {item.scanState === 'infected' ? (
                  <span class="line integrity-bad">{t('journal.refusedAfterCheck')}</span>
                ) : null}
                <span class="hint line">
                  {item.shares.length
                    ? t('journal.sharedWith', {
                        names: item.shares.map((s) => s.organisationName).join('、'),
                      })
                    : t('journal.notShared')}
                </span>
                {item.shares.map((s) => (
                  <form
                    method="post"
                    action={p.action(`${JOURNAL_PATH}/shares/withdraw`)}
                    class="inline-form"
                  >
                    <input type="hidden" name="csrf" value={token} />
                    <input type="hidden" name="shareId" value={s.id} />
                    <button type="submit" class="link-button">
                      {t('journal.withdraw', { name: s.organisationName })}
                    </button>
                  </form>
                ))}
              </li>
            ))}
          </ul>
          <AttachForm {...props} entry={entry} />
        </section>
      ))}

      <section aria-labelledby="new-entry-title" id="new-entry">
        <h2 id="new-entry-title">{t('journal.new')}</h2>
        <form method="post" action={p.action(`${JOURNAL_PATH}/entries`)} autocomplete="off" novalidate>
          <input type="hidden" name="csrf" value={token} />
          <ErrorSummary
            p={p}
            errors={entryErrors}
            labels={labelsFor(request.t.bind(request), ENTRY_LABELS)}
          />
          <div class={entryErrors.has('incidentDate') ? 'field invalid' : 'field'}>
            <label for="incidentDate">{t('journal.date')}</label>
            <Hint id="incidentDate-hint">{t('journal.dateHint')}</Hint>
            <FieldError id="incidentDate" errors={entryErrors} />
            <input
              id="incidentDate"
              name="incidentDate"
              type="date"
              max={today}
              value={values.incidentDate ?? ''}
              required
              autocomplete="off"
              aria-invalid={entryErrors.has('incidentDate') ? 'true' : undefined}
              aria-describedby={describedBy('incidentDate', entryErrors)}
            />
          </div>
          <div class={entryErrors.has('evidenceType') ? 'field invalid' : 'field'}>
            <label for="evidenceType">{t('journal.type')}</label>
            <Hint id="evidenceType-hint">{t('journal.typeHint')}</Hint>
            <FieldError id="evidenceType" errors={entryErrors} />
            <select
              id="evidenceType"
              name="evidenceType"
              aria-describedby={describedBy('evidenceType', entryErrors)}
            >
              {EVIDENCE_TYPES.map((type) => (
                <option value={type} selected={(values.evidenceType || 'statement') === type}>
                  {t(`evidence.type.${type}`)}
                </option>
              ))}
            </select>
          </div>
          <div class={entryErrors.has('description') ? 'field invalid' : 'field'}>
            <label for="description">{t('journal.description')}</label>
            <Hint id="description-hint">{t('journal.descriptionHint')}</Hint>
            <FieldError id="description" errors={entryErrors} />
            <textarea
              id="description"
              name="description"
              rows={6}
              maxLength={4000}
              required
              autocomplete="off"
              aria-invalid={entryErrors.has('description') ? 'true' : undefined}
              aria-describedby={describedBy('description', entryErrors)}
            >
              {values.description ?? ''}
            </textarea>
          </div>
          <p>
            <button class="button" type="submit">
              {t('journal.save')}
            </button>
          </p>
        </form>
      </section>

      {items.length > 0 ? (
        <section aria-labelledby="share-title" id="share">
          <h2 id="share-title">{t('journal.shareTitle')}</h2>
          <p>{t('journal.shareLead')}</p>
          <form method="post" action={p.action(`${JOURNAL_PATH}/shares`)} autocomplete="off" novalidate>
            <input type="hidden" name="csrf" value={token} />
            <ErrorSummary
              p={p}
              errors={shareErrors}
              labels={labelsFor(request.t.bind(request), SHARE_LABELS)}
            />
            <fieldset class={shareErrors.has('evidenceIds') ? 'field invalid' : 'field'} id="evidenceIds">
              <legend>{t('journal.shareItems')}</legend>
              <FieldError id="evidenceIds" errors={shareErrors} />
              {items.map((item, i) => (
                <label class="choice" for={`share-item-${i}`}>
                  <input type="checkbox" id={`share-item-${i}`} name="evidenceIds" value={item.id} />{' '}
                  {item.filename} ({item.entryDate})
                </label>
              ))}
            </fieldset>
            {props.targets.length === 0 ? (
              <p class="hint">{t('journal.noTargets')}</p>
            ) : (
              <div class={shareErrors.has('target') ? 'field invalid' : 'field'}>
                <label for="target">{t('journal.shareAgency')}</label>
                <FieldError id="target" errors={shareErrors} />
                <select
                  id="target"
                  name="target"
                  aria-describedby={shareErrors.has('target') ? 'target-error' : undefined}
                >
                  <option value="">—</option>
                  {AGENCIES.map((agency) => {
                    const list = targets.filter((x) => x.agency === agency);
                    return list.length ? (
                      <optgroup label={t(`journal.agency.${agency}`)}>
                        {list.map((x) => (
                          <option value={`${agency}:${x.id}`}>{x.name}</option>
                        ))}
                      </optgroup>
                    ) : null;
                  })}
                </select>
              </div>
            )}
            <div class={shareErrors.has('consent') ? 'field invalid' : ''}>
              <FieldError id="consent" errors={shareErrors} />
              <label class="choice" for="consent">
                <input
                  type="checkbox"
                  id="consent"
                  name="consent"
                  value="on"
                  aria-describedby={shareErrors.has('consent') ? 'consent-error' : undefined}
                />{' '}
                {t('journal.consent')}
              </label>
            </div>
            <p>
              <button class="button" type="submit">
                {t('journal.shareSubmit')}
              </button>
            </p>
          </form>
        </section>
      ) : null}
    </>
  );
}

function AttachForm(props: {
  request: FastifyRequest;
  p: Portal;
  token: string;
  entry: JournalEntry;
  state: PageState;
  maxFileBytes: number;
  evidence: EvidenceService;
  owner: string;
  sessionId: string;
}) {
  const { request, p, token, entry, state } = props;
  const t = p.t;
  const id = `file-${entry.id}`;
  const error = state.upload?.entryId === entry.id ? state.upload.message : undefined;
  const errors: FormErrors = new Map(error ? [[id, error]] : []);
  const grant = props.evidence.createUploadForOwner({
    ownerRef: props.owner,
    uploadedBy: 'survivor',
    journalEntryId: entry.id,
    threadSessionId: props.sessionId,
  });
  return (
    <form
      method="post"
      enctype="multipart/form-data"
      action={p.action(`${JOURNAL_PATH}/entries/${entry.id}/files`)}
      class="journal-attach"
      data-tus-grant={grant.token}
      data-tus-endpoint={grant.endpoint}
      data-locale={request.locale}
      data-evidence-type={entry.evidenceType}
      data-incident-date={entry.incidentDate}
      data-done-href={`${request.localePath(JOURNAL_PATH)}?done=uploaded#entry-${entry.id}`}
      data-text-progress={t('journal.progress')}
      data-text-time-left={t('journal.timeLeft')}
      data-text-paused={t('journal.paused')}
      data-text-checking={t('journal.checking')}
      data-text-done={t('journal.uploaded')}
      data-text-failed={t('journal.failed')}
      data-text-failed-generic={t('evidence.refused.failed')}
      data-unit-s={request.locale === 'en' ? 's' : '秒'}
      data-unit-m={request.locale === 'en' ? 'min' : '分钟'}
      data-unit-h={request.locale === 'en' ? 'h' : '小时'}
    >
      {/* The form token comes before the file: the server reads it first and stores nothing without it. */}
      <input type="hidden" name="csrf" value={token} />
      <div class={error ? 'field invalid' : 'field'}>
        <label for={id}>{t('journal.file')}</label>
        <Hint id={`${id}-hint`}>{t('journal.fileHint', { limit: formatBytes(props.maxFileBytes) })}</Hint>
        {error ? (
          <span class="field-error" id={`${id}-error`} role="alert">
            {error}
          </span>
        ) : null}
        <input
          id={id}
          name="file"
          type="file"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy(id, errors)}
        />
      </div>
      <progress hidden max={1} value={0} aria-label={t('journal.attach')} />
      <p class="upload-status" data-upload-status aria-live="polite" />
      <p>
        <button class="button secondary" type="submit">
          {t('journal.upload')}
        </button>
      </p>
    </form>
  );
}
