/**
 * The survivor portal's pages (Chinese at the root, English under /en): knowledge, hotline, directory,
 * danger self-assessment, the help-request form, her thread (after case code + secret) and call-backs.
 * Every page works without JavaScript, is `no-store`, and re-renders a form with her input and the problems
 * (status 400) rather than a generic error page; nothing is stored while anything is invalid.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { csrfTokenFor, verifyCsrfToken } from '../../platform/csrf.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { HotlineHours } from './help.hours.tsx';
import {
  echoValues,
  parseCallbackForm,
  parseDangerAnswers,
  parseHelpRequestForm,
  type FormBody,
} from './help.forms.ts';
import {
  AGE_BANDS,
  CONTACT_CHANNELS,
  DA5_ITEMS,
  DIRECTORY_KINDS,
  GENDERS,
  PROVINCES,
  RELATIONSHIPS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
  isUnder14,
  scoreDangerAssessment,
  searchProblems,
  type DirectoryKind,
} from './help.model.ts';
import { formatSecret, type HelpService, type StaffRole, type ThreadSession } from './help.service.ts';
import type { UsageCounter } from './help.usage.ts';
import { admitCallbackRequest, admitHelpRequest, ProofOfWorkFields } from './help.admission.tsx';
import {
  Checkbox,
  ErrorSummary,
  FieldError,
  Hint,
  NeutralField,
  RadioGroup,
  SafeCallFields,
  SelectField,
  TextField,
  describedBy,
  formErrors,
  labelsFor,
  neutralChosen,
  portal,
  type FormErrors,
  type Portal,
} from './help.views.tsx';

export const THREAD_COOKIE = 'ax_thread';
const THREAD_PATHS = ['/help/thread', '/en/help/thread'];
/** Her protection-order application and its timeline, served by the orders module. */
const THREAD_ORDERS_PATH = '/help/thread/orders';
/** Her answers on evidence her lawyer would like to file with a court, served by the orders module. */
const THREAD_CONSENT_PATH = '/help/thread/consent';
/** Her evidence journal, served by the evidence module. */
const THREAD_JOURNAL_PATH = '/help/thread/journal';

/** A page route; `operation` names its JSON API twin (a page that changes state calls the same use case). */
const page = (reason: string, operation?: string) => ({
  config: { access: { public: true as const, reason }, ...(operation ? { operation } : {}) },
  schema: { hide: true },
});
const FormBodySchema = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([
    Type.String({ maxLength: 20_000 }),
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }),
  ]),
  { maxProperties: 60 },
);

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  p: Portal,
  title: string,
  body: preact.ComponentChildren,
  status = 200,
  languagePath?: string,
) {
  return sendPage(request, reply, {
    title,
    body,
    status,
    neutralTitle: p.neutral,
    ...(languagePath ? { languagePath } : {}),
  });
}

/** Links to the other survivor pages, shown at the foot of each page. */
export function PortalNav({ p }: { p: Portal }) {
  const items: [string, MessageKey][] = [
    ['/help/new', 'help.nav.help'],
    ['/help/thread', 'help.nav.thread'],
    ['/safety-check', 'help.nav.safetyCheck'],
    ['/learn/domestic-violence', 'help.nav.learnDv'],
    ['/learn/protection-order', 'help.nav.learnOrder'],
    ['/learn/minors', 'help.nav.learnMinors'],
    ['/hotline', 'help.nav.hotline'],
    ['/directory', 'help.nav.directory'],
    ['/callback', 'help.nav.callback'],
  ];
  return (
    <nav class="portal-nav" aria-label={p.t('help.nav.title')}>
      <ul>
        {items.map(([path, key]) => (
          <li>
            <a href={p.href(path)}>{p.t(key)}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function List({ p, keys }: { p: Portal; keys: MessageKey[] }) {
  return (
    <ul>
      {keys.map((k) => (
        <li>{p.t(k)}</li>
      ))}
    </ul>
  );
}

function Emergency({ p }: { p: Portal }) {
  return (
    <div class="callout" role="note">
      <p>
        <strong>{p.t('home.emergency')}</strong>{' '}
        <a class="button danger" href="tel:110">
          {p.t('home.callPolice')}
        </a>
      </p>
    </div>
  );
}

const options = <T extends string>(values: readonly T[], t: (key: MessageKey) => string, prefix: string) =>
  values.map((value) => ({ value, label: t(`${prefix}.${value}` as MessageKey) }));

function provinceOptions(request: FastifyRequest) {
  return PROVINCES.map((pr) => ({ value: pr.code, label: request.locale === 'en' ? pr.en : pr.zh }));
}

// ---------------------------------------------------------------------------------------------- help form

const HELP_LABELS: Record<string, MessageKey> = {
  requestType: 'help.new.typeLegend',
  otherType: 'help.new.otherType',
  narrative: 'help.new.narrative',
  ageBand: 'help.new.ageBand',
  gender: 'help.new.gender',
  minor: 'help.new.minor',
  province: 'help.new.province',
  city: 'help.new.city',
  forms: 'help.new.formsLegend',
  relationship: 'help.new.relationship',
  childrenWitnessed: 'help.new.children',
  guardianMayBeAbuser: 'help.new.guardian',
  contactChannel: 'help.new.channel',
  phone: 'help.new.phone',
  email: 'help.new.email',
  window1From: 'help.new.windows',
  window1To: 'help.new.windows',
  window2From: 'help.new.windows',
  window2To: 'help.new.windows',
  codeWord: 'help.new.codeWord',
  noSms: 'help.new.noSms',
  consentSensitive: 'help.new.consentTitle',
  danger: 'help.danger.title',
  '(body)': 'help.new.title',
};

function HelpForm({
  request,
  p,
  values,
  errors,
  formsChosen,
}: {
  request: FastifyRequest;
  p: Portal;
  values: Record<string, string>;
  errors: FormErrors;
  formsChosen: string[];
}) {
  const t = p.t;
  const opt = t('help.form.optional');
  const danger = values.danger ? parseDangerAnswers(values.danger) : undefined;
  const yesNo = [
    { value: 'yes', label: t('help.form.yes') },
    { value: 'no', label: t('help.form.no') },
  ];
  return (
    <form method="post" action={p.action('/help/new')} autocomplete="off" novalidate>
      <NeutralField p={p} />
      <ErrorSummary p={p} errors={errors} labels={labelsFor(t, HELP_LABELS)} />
      <ProofOfWorkFields request={request} />
      <RadioGroup
        name="requestType"
        legend={t('help.new.typeLegend')}
        value={values.requestType ?? 'domestic_violence'}
        errors={errors}
        options={options(REQUEST_TYPES, t, 'help.type')}
      />
      <TextField
        id="otherType"
        label={t('help.new.otherType')}
        value={values.otherType}
        errors={errors}
        maxLength={100}
        optionalLabel={opt}
      />
      <div class={errors.has('narrative') ? 'field invalid' : 'field'}>
        <label for="narrative">{t('help.new.narrative')}</label>
        <Hint id="narrative-hint">{t('help.new.narrativeHint')}</Hint>
        <FieldError id="narrative" errors={errors} />
        <textarea
          id="narrative"
          name="narrative"
          rows={6}
          maxLength={5000}
          required
          autocomplete="off"
          aria-invalid={errors.has('narrative') ? 'true' : undefined}
          aria-describedby={describedBy('narrative', errors)}
        >
          {values.narrative ?? ''}
        </textarea>
      </div>

      <details
        class="about"
        open={
          [...errors.keys()].some((k) =>
            [
              'ageBand',
              'gender',
              'minor',
              'province',
              'city',
              'forms',
              'relationship',
              'childrenWitnessed',
              'guardianMayBeAbuser',
            ].includes(k),
          ) || undefined
        }
      >
        <summary>{t('help.new.aboutTitle')}</summary>
        <p class="hint">{t('help.new.aboutWhy')}</p>
        <SelectField
          id="ageBand"
          label={t('help.new.ageBand')}
          hint={t('help.new.ageWhy')}
          value={values.ageBand}
          errors={errors}
          options={options(AGE_BANDS, t, 'help.age')}
          empty={t('help.form.notSaid')}
          optionalLabel={opt}
        />
        <RadioGroup
          name="minor"
          legend={t('help.new.minor')}
          hint={t('help.new.minorWhy')}
          value={values.minor}
          errors={errors}
          options={yesNo}
          optionalLabel={opt}
        />
        <RadioGroup
          name="guardianMayBeAbuser"
          legend={t('help.new.guardian')}
          hint={t('help.new.guardianWhy')}
          value={values.guardianMayBeAbuser}
          errors={errors}
          options={yesNo}
          optionalLabel={opt}
        />
        {values.ageBand === 'under_14' ? <p class="note">{t('help.new.minorsNote')}</p> : null}
        <SelectField
          id="gender"
          label={t('help.new.gender')}
          value={values.gender}
          errors={errors}
          options={options(GENDERS, t, 'help.gender')}
          empty={t('help.form.choose')}
          optionalLabel={opt}
        />
        <SelectField
          id="province"
          label={t('help.new.province')}
          hint={t('help.new.provinceWhy')}
          value={values.province}
          errors={errors}
          options={provinceOptions(request)}
          empty={t('help.form.notSaid')}
          optionalLabel={opt}
        />
        <TextField
          id="city"
          label={t('help.new.city')}
          hint={t('help.new.cityWhy')}
          value={values.city}
          errors={errors}
          maxLength={40}
          optionalLabel={opt}
        />
        <fieldset
          class={errors.has('forms') ? 'field invalid' : 'field'}
          id="forms"
          aria-describedby={describedBy('forms', errors)}
        >
          <legend>
            {t('help.new.formsLegend')}
            <span class="opt"> {opt}</span>
          </legend>
          <Hint id="forms-hint">{t('help.new.formsWhy')}</Hint>
          <FieldError id="forms" errors={errors} />
          {VIOLENCE_FORMS.map((form) => (
            <label class="choice" for={`forms-${form}`}>
              <input
                type="checkbox"
                id={`forms-${form}`}
                name="forms"
                value={form}
                checked={formsChosen.includes(form)}
              />
              {t(`help.form.${form}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <SelectField
          id="relationship"
          label={t('help.new.relationship')}
          hint={t('help.new.relationshipWhy')}
          value={values.relationship}
          errors={errors}
          options={options(RELATIONSHIPS, t, 'help.rel')}
          empty={t('help.form.notSaid')}
          optionalLabel={opt}
        />
        <RadioGroup
          name="childrenWitnessed"
          legend={t('help.new.children')}
          hint={t('help.new.childrenWhy')}
          value={values.childrenWitnessed}
          errors={errors}
          options={yesNo}
          optionalLabel={opt}
        />
      </details>

      <h2>{t('help.new.contactTitle')}</h2>
      <p class="hint">{t('help.new.contactWhy')}</p>
      <RadioGroup
        name="contactChannel"
        legend={t('help.new.channel')}
        value={values.contactChannel ?? 'in_app'}
        errors={errors}
        options={options(['in_app', ...CONTACT_CHANNELS.filter((c) => c !== 'in_app')], t, 'help.channel')}
      />
      <TextField
        id="phone"
        label={t('help.new.phone')}
        hint={t('help.new.phoneWhy')}
        value={values.phone}
        errors={errors}
        type="tel"
        inputMode="tel"
        maxLength={20}
        optionalLabel={opt}
        sensitive
      />
      <TextField
        id="email"
        label={t('help.new.email')}
        hint={t('help.new.emailWhy')}
        value={values.email}
        errors={errors}
        type="email"
        inputMode="email"
        maxLength={120}
        optionalLabel={opt}
        sensitive
      />
      <SafeCallFields p={p} values={values} errors={errors} />

      <h2>{t('help.new.consentTitle')}</h2>
      <p class="consent">{t('help.new.consentText')}</p>
      <Checkbox
        id="consentSensitive"
        label={t('help.new.consent')}
        checked={values.consentSensitive === 'on'}
        errors={errors}
      />
      {danger ? (
        <>
          <input type="hidden" name="danger" value={values.danger} />
          <p class="note">{t('help.new.danger', { score: scoreDangerAssessment(danger).score })}</p>
        </>
      ) : null}
      {!p.neutral ? (
        <Checkbox
          id="neutralTitles"
          label={t('help.new.neutral')}
          checked={values.neutralTitles === 'on'}
          errors={errors}
        />
      ) : null}
      <p>
        <button class="button" type="submit">
          {t('help.new.submit')}
        </button>
      </p>
    </form>
  );
}

function renderHelpForm(
  request: FastifyRequest,
  reply: FastifyReply,
  values: Record<string, string>,
  formsChosen: string[],
  problems: FieldProblem[],
  status: number,
  refusal?: string,
) {
  const p = portal(request);
  const errors = formErrors(request, problems);
  return send(
    request,
    reply,
    p,
    p.t('help.new.title'),
    <>
      <h1>{p.t('help.new.title')}</h1>
      <p class="lead">{p.t('help.new.lead')}</p>
      <p>
        <a href={p.href('/learn/minors')}>{p.t('help.new.minorsLink')}</a>
        {' · '}
        <a href={p.href('/help/new/child')}>{p.t('help.child.link')}</a>
      </p>
      {refusal ? (
        <p class="callout" role="alert">
          {refusal}
        </p>
      ) : null}
      <HelpForm request={request} p={p} values={values} errors={errors} formsChosen={formsChosen} />
    </>,
    status,
    // Also reached by posting the self-check result (/help/new/with-check, no page to GET): switch to the form itself.
    '/help/new',
  );
}

// ---------------------------------------------------------------------------------------------- thread

function readThreadCookie(request: FastifyRequest): string | undefined {
  return request.cookies[THREAD_COOKIE];
}

function setThreadCookie(request: FastifyRequest, reply: FastifyReply, token: string) {
  const secure = request.server.config.publicUrl.startsWith('https://');
  // Session-only (no Max-Age / Expires), HttpOnly, SameSite=Strict, limited to the thread pages in both languages.
  for (const path of THREAD_PATHS)
    reply.setCookie(THREAD_COOKIE, token, { path, httpOnly: true, sameSite: 'strict', secure });
}

export function clearThreadCookie(request: FastifyRequest, reply: FastifyReply) {
  const secure = request.server.config.publicUrl.startsWith('https://');
  for (const path of THREAD_PATHS)
    reply.clearCookie(THREAD_COOKIE, { path, httpOnly: true, sameSite: 'strict', secure });
}

/** Who answered her: a caseworker's reply is not a lawyer's. */
const STAFF_LABEL: Record<StaffRole, MessageKey> = {
  lawyer: 'help.thread.staff',
  caseworker: 'help.thread.caseworker',
  staff: 'help.thread.staffOther',
};

function formatTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

function OpenForm({
  p,
  errors,
  values,
  message,
}: {
  p: Portal;
  errors: FormErrors;
  values: Record<string, string>;
  message?: string;
}) {
  const t = p.t;
  return (
    <form data-replace method="post" action={p.action('/help/open')} autocomplete="off" novalidate>
      <NeutralField p={p} />
      {message ? (
        <p class="errors" role="alert">
          {message}
        </p>
      ) : null}
      <TextField
        id="caseCode"
        label={t('help.open.code')}
        hint={t('help.open.codeHint')}
        value={values.caseCode}
        errors={errors}
        maxLength={20}
        required
        sensitive
      />
      {/* Not type=password: the browser would offer to keep the secret in the phone's password manager, where he could find it. */}
      <TextField
        id="secret"
        label={t('help.open.secret')}
        hint={t('help.open.secretHint')}
        errors={errors}
        maxLength={80}
        required
        sensitive
      />
      <p>
        <button class="button" type="submit">
          {t('help.open.submit')}
        </button>
      </p>
    </form>
  );
}

function renderOpenPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    status?: number;
    message?: string;
    values?: Record<string, string>;
    problems?: FieldProblem[];
  } = {},
) {
  const p = portal(request);
  return send(
    request,
    reply,
    p,
    p.t('help.open.title'),
    <>
      <h1>{p.t('help.open.title')}</h1>
      <p class="lead">{p.t('help.open.lead')}</p>
      <OpenForm
        p={p}
        errors={formErrors(request, options.problems ?? [])}
        values={options.values ?? {}}
        message={options.message}
      />
      <PortalNav p={p} />
    </>,
    options.status ?? 200,
  );
}

const CALLBACK_LABELS: Record<string, MessageKey> = {
  phone: 'help.new.phone',
  window1From: 'help.new.windows',
  window1To: 'help.new.windows',
  window2From: 'help.new.windows',
  window2To: 'help.new.windows',
  codeWord: 'help.new.codeWord',
  consentSensitive: 'help.new.consentTitle',
  '(body)': 'help.callback.title',
};

function CallbackFields({
  p,
  values,
  errors,
}: {
  p: Portal;
  values: Record<string, string>;
  errors: FormErrors;
}) {
  const t = p.t;
  return (
    <>
      <ErrorSummary p={p} errors={errors} labels={labelsFor(t, CALLBACK_LABELS)} />
      <TextField
        id="phone"
        label={t('help.new.phone')}
        value={values.phone}
        errors={errors}
        type="tel"
        inputMode="tel"
        maxLength={20}
        required
        sensitive
      />
      <SafeCallFields p={p} values={values} errors={errors} />
      <p class="consent">{t('help.new.consentText')}</p>
      <Checkbox
        id="consentSensitive"
        label={t('help.new.consent')}
        checked={values.consentSensitive === 'on'}
        errors={errors}
      />
    </>
  );
}

async function renderThread(
  request: FastifyRequest,
  reply: FastifyReply,
  service: HelpService,
  session: ThreadSession,
  options: {
    status?: number;
    notice?: string;
    messageErrors?: FieldProblem[];
    callbackErrors?: FieldProblem[];
    values?: Record<string, string>;
  } = {},
) {
  const p = portal(request, session.neutralTitles || neutralFromRequest(request));
  const t = p.t;
  const messages = await service.listMessages(request.server.db, session.helpRequestId);
  const csrf = csrfTokenFor(request.server.keyring.deriveKey('csrf'), session.id);
  const messageErrors = formErrors(
    request,
    (options.messageErrors ?? []).map((f) => ({ ...f, field: f.field === 'text' ? 'text' : f.field })),
  );
  const callbackErrors = formErrors(request, options.callbackErrors ?? []);
  const values = options.values ?? {};
  const hasStaffReply = messages.some((m) => m.author === 'staff');
  // Files her lawyer would like to file with a court, waiting for her answer (orders module, same thread session).
  const consentsWaiting = request.server.hasRoute({ method: 'GET', url: THREAD_CONSENT_PATH })
    ? (
        await request.server.db
          .selectFrom('order_evidence_consent')
          .select('evidence_id')
          .where('help_request_id', '=', session.helpRequestId)
          .where('answer', 'is', null)
          .execute()
      ).length
    : 0;
  return send(
    request,
    reply,
    p,
    t('help.thread.title'),
    <>
      <h1>{t('help.thread.title')}</h1>
      <p>{t('help.thread.code', { code: session.caseCode })}</p>
      <p class="note">
        {session.previousOpenAt
          ? t('help.thread.lastOpened', { time: formatTime(session.previousOpenAt, request.locale) })
          : t('help.thread.firstOpen')}
      </p>
      {options.notice ? (
        <p class="ok" role="status">
          {options.notice}
        </p>
      ) : null}
      <h2>{t('help.thread.messages')}</h2>
      <ol class="messages">
        {messages.map((m) => (
          <li class={m.author === 'staff' ? 'msg staff' : 'msg'}>
            <p class="who">
              {m.author === 'staff' ? t(STAFF_LABEL[m.staffRole ?? 'staff']) : t('help.thread.you')} ·{' '}
              <time dateTime={m.createdAt.toISOString()}>{formatTime(m.createdAt, request.locale)}</time>
            </p>
            <p class="text">{m.text}</p>
          </li>
        ))}
      </ol>
      {hasStaffReply ? null : <p>{t('help.thread.noReply')}</p>}
      {consentsWaiting > 0 ? (
        <section aria-labelledby="consent-title" class="notice">
          <h2 id="consent-title">{t('orders.consent.title')}</h2>
          <p>
            <a class="button" id="thread-consent" href={p.href(THREAD_CONSENT_PATH)}>
              {t('help.thread.consentLink', { count: consentsWaiting })}
            </a>
          </p>
        </section>
      ) : null}

      <form
        data-replace
        method="post"
        action={p.action('/help/thread/message')}
        autocomplete="off"
        novalidate
      >
        <input type="hidden" name="csrf" value={csrf} />
        <div class={messageErrors.has('text') ? 'field invalid' : 'field'}>
          <label for="text">{t('help.thread.write')}</label>
          <FieldError id="text" errors={messageErrors} />
          <textarea
            id="text"
            name="text"
            rows={4}
            maxLength={5000}
            autocomplete="off"
            aria-invalid={messageErrors.has('text') ? 'true' : undefined}
            aria-describedby={messageErrors.has('text') ? 'text-error' : undefined}
          >
            {options.messageErrors?.length ? (values.text ?? '') : ''}
          </textarea>
        </div>
        <p>
          <button class="button" type="submit">
            {t('help.thread.send')}
          </button>
        </p>
      </form>

      <details class="about" open={callbackErrors.size > 0 || undefined}>
        <summary>{t('help.thread.callbackTitle')}</summary>
        <form
          data-replace
          method="post"
          action={p.action('/help/thread/callback')}
          autocomplete="off"
          novalidate
        >
          <input type="hidden" name="csrf" value={csrf} />
          <CallbackFields
            p={p}
            values={options.callbackErrors?.length ? values : {}}
            errors={callbackErrors}
          />
          <p>
            <button class="button" type="submit">
              {t('help.callback.submit')}
            </button>
          </p>
        </form>
      </details>

      {/* Her evidence journal (evidence module, behind the same thread session). */}
      {request.server.hasRoute({ method: 'GET', url: THREAD_JOURNAL_PATH }) ? (
        <p>
          <a class="button secondary" id="thread-journal" href={p.href(THREAD_JOURNAL_PATH)}>
            {t('journal.link')}
          </a>
        </p>
      ) : null}

      {/* Her protection-order application (orders module, behind the same thread session). */}
      {request.server.hasRoute({ method: 'GET', url: THREAD_ORDERS_PATH }) ? (
        <section aria-labelledby="orders-title">
          <h2 id="orders-title">{t('help.thread.ordersTitle')}</h2>
          <p>{t('help.thread.ordersLead')}</p>
          <p>
            <a class="button secondary" id="thread-orders" href={p.href(THREAD_ORDERS_PATH)}>
              {t('help.thread.ordersLink')}
            </a>
          </p>
        </section>
      ) : null}

      {/* Deleting her data (help.deletion-routes.tsx): a confirm step first, which says what the court keeps. */}
      <p>
        <a id="thread-delete" href={p.href('/help/thread/delete')}>
          {t('help.delete.link')}
        </a>
      </p>

      <form data-replace method="post" action={p.action('/help/thread/leave')}>
        <input type="hidden" name="csrf" value={csrf} />
        <p class="hint" id="leave-hint">
          {t('help.thread.leaveHint')}
        </p>
        <button class="button secondary" type="submit" aria-describedby="leave-hint">
          {t('help.thread.leave')}
        </button>
      </form>
    </>,
    options.status ?? 200,
  );
}

function neutralFromRequest(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  return query?.n === '1';
}

/** The network a request comes from, for per-network limits (stored only as an HMAC by the rate limiter). */
export const networkOf = (request: FastifyRequest): string => request.ip;

// ---------------------------------------------------------------------------------------------- routes

export function helpPages(app: FastifyInstance, service: HelpService, usage: UsageCounter): void {
  const counted = (request: FastifyRequest) => usage.pageView(request);
  const NeutralQuery = Type.Object({ n: Type.Optional(Type.Literal('1')) });

  // --- knowledge
  const learnPage = (path: string, title: MessageKey, body: (p: Portal) => preact.ComponentChildren) =>
    app.get(
      path,
      { ...page('knowledge for anyone, no sign-in'), schema: { hide: true, querystring: NeutralQuery } },
      async (request, reply) => {
        counted(request);
        const p = portal(request);
        return send(
          request,
          reply,
          p,
          p.t(title),
          <>
            {body(p)}
            <PortalNav p={p} />
          </>,
        );
      },
    );

  learnPage('/learn/domestic-violence', 'help.learn.dv.title', (p) => (
    <>
      <h1>{p.t('help.learn.dv.title')}</h1>
      <p class="lead">{p.t('help.learn.dv.lead')}</p>
      <h2>{p.t('help.learn.dv.lawTitle')}</h2>
      <p>{p.t('help.learn.dv.law')}</p>
      <h2>{p.t('help.learn.dv.formsTitle')}</h2>
      <List
        p={p}
        keys={[
          'help.learn.dv.physical',
          'help.learn.dv.psychological',
          'help.learn.dv.sexual',
          'help.learn.dv.economic',
          'help.learn.dv.freedom',
          'help.learn.dv.stalking',
          'help.learn.dv.neglect',
        ]}
      />
      <h2>{p.t('help.learn.dv.whoTitle')}</h2>
      <p>{p.t('help.learn.dv.who')}</p>
      <p>
        <strong>{p.t('help.learn.dv.notAlone')}</strong>{' '}
        <a href={p.href('/learn/protection-order')}>{p.t('help.nav.learnOrder')}</a>
      </p>
      <p>
        <a class="button" href={p.href('/help/new')}>
          {p.t('help.nav.help')}
        </a>
      </p>
    </>
  ));

  learnPage('/learn/protection-order', 'help.learn.order.title', (p) => (
    <>
      <h1>{p.t('help.learn.order.title')}</h1>
      <p class="lead">{p.t('help.learn.order.lead')}</p>
      <h2>{p.t('help.learn.order.whoTitle')}</h2>
      <p>{p.t('help.learn.order.who')}</p>
      <h2>{p.t('help.learn.order.whatTitle')}</h2>
      <List
        p={p}
        keys={[
          'help.learn.order.what1',
          'help.learn.order.what2',
          'help.learn.order.what3',
          'help.learn.order.what4',
          'help.learn.order.what5',
          'help.learn.order.what6',
        ]}
      />
      <h2>{p.t('help.learn.order.fastTitle')}</h2>
      <p>{p.t('help.learn.order.fast')}</p>
      <h2>{p.t('help.learn.order.evidenceTitle')}</h2>
      <p>{p.t('help.learn.order.evidenceLead')}</p>
      <ol>
        {(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10', 'e11'] as const).map((k) => (
          <li>{p.t(`help.learn.order.${k}`)}</li>
        ))}
      </ol>
      <p class="hint">{p.t('help.learn.order.source')}</p>
      <p>
        <a class="button" href={p.href('/help/new')}>
          {p.t('help.nav.help')}
        </a>
      </p>
    </>
  ));

  learnPage('/learn/minors', 'help.learn.minors.title', (p) => (
    <>
      <h1>{p.t('help.learn.minors.title')}</h1>
      <p class="lead">{p.t('help.learn.minors.lead')}</p>
      {(['p1', 'p2', 'p3', 'p4', 'p5'] as const).map((k) => (
        <p>{p.t(`help.learn.minors.${k}`)}</p>
      ))}
      <p class="actions">
        <a class="button" href="tel:12355">
          {p.t('help.learn.minors.call')}
        </a>{' '}
        <a class="button secondary" href={p.href('/help/new/child')}>
          {p.t('help.child.link')}
        </a>
      </p>
      <Emergency p={p} />
    </>
  ));

  // How to hide the visit (linked from every survivor page's footer): history in WeChat's browser and common
  // Android browsers, private mode. Plain text, no script needed.
  learnPage('/learn/hide-visit', 'help.hide.title', (p) => (
    <>
      <h1>{p.t('help.hide.title')}</h1>
      <p class="lead">{p.t('help.hide.lead')}</p>
      {(['quick', 'private', 'wechat', 'android', 'more'] as const).map((k) => (
        <>
          <h2>{p.t(`help.hide.${k}Title`)}</h2>
          <p>{p.t(`help.hide.${k}`)}</p>
        </>
      ))}
      <Emergency p={p} />
    </>
  ));

  // --- hotline
  app.get(
    '/hotline',
    { ...page('hotline numbers for anyone'), schema: { hide: true, querystring: NeutralQuery } },
    async (request, reply) => {
      counted(request);
      const p = portal(request);
      const national = await service.listDirectoryEntries({ province: '00' }, request.locale);
      // The desk's duty roster (merged hours, no names); the desk module registers after this one.
      const hours = request.server.hasDecorator('helpline')
        ? await request.server.helpline.dutyHours()
        : undefined;
      return send(
        request,
        reply,
        p,
        p.t('help.hotline.title'),
        <>
          <h1>{p.t('help.hotline.title')}</h1>
          <p class="lead">{p.t('help.hotline.lead')}</p>
          <Emergency p={p} />
          <h2>{p.t('help.hotline.ours')}</h2>
          {hours?.days.some((d) => d.intervals.length) ? (
            <HotlineHours hours={hours} t={p.t} />
          ) : (
            <p class="note">{p.t('help.hotline.noRoster')}</p>
          )}
          <p>{p.t('help.hotline.callbackLead')}</p>
          <p>
            <a class="button" href={p.href('/callback')}>
              {p.t('help.nav.callback')}
            </a>
          </p>
          <ul class="cards">
            {national
              .filter((e) => e.province === '00' && e.phone)
              .map((e) => (
                <li>
                  <strong>{e.name}</strong>
                  {e.hours ? (
                    <span class="hint"> {p.t('help.directory.hours', { hours: e.hours })}</span>
                  ) : null}
                  <br />
                  <a class="button secondary" href={`tel:${e.phone}`}>
                    {p.t('help.directory.call', { phone: e.phone ?? '' })}
                  </a>
                </li>
              ))}
          </ul>
          <PortalNav p={p} />
        </>,
      );
    },
  );

  // --- directory
  app.get(
    '/directory',
    {
      ...page('directory of public services, searchable without JavaScript'),
      schema: {
        hide: true,
        querystring: Type.Object({
          province: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: '^[0-9]{2}$' })])),
          kind: Type.Optional(Type.Union([Type.Literal(''), ...DIRECTORY_KINDS.map((k) => Type.Literal(k))])),
          q: Type.Optional(Type.String({ maxLength: 40 })),
          n: Type.Optional(Type.Literal('1')),
        }),
      },
    },
    async (request, reply) => {
      counted(request);
      const p = portal(request);
      const query = request.query as { province?: string; kind?: string; q?: string };
      const problems = searchProblems('q', query.q);
      const searched = query.province !== undefined || query.kind !== undefined || query.q !== undefined;
      const entries = problems.length
        ? []
        : await service.listDirectoryEntries(
            {
              province: query.province || undefined,
              kind: (query.kind || undefined) as DirectoryKind | undefined,
              q: query.q || undefined,
            },
            request.locale,
          );
      const errors = formErrors(request, problems);
      const provinceName = (code: string) =>
        code === '00'
          ? p.t('help.directory.national')
          : (provinceOptions(request).find((o) => o.value === code)?.label ?? code);
      return send(
        request,
        reply,
        p,
        p.t('help.directory.title'),
        <>
          <h1>{p.t('help.directory.title')}</h1>
          <p class="lead">{p.t('help.directory.lead')}</p>
          <form method="get" action={p.action('/directory')} role="search">
            <NeutralField p={p} />
            <SelectField
              id="province"
              label={p.t('help.directory.province')}
              value={query.province}
              errors={errors}
              options={provinceOptions(request)}
              empty={p.t('help.directory.anyProvince')}
            />
            <SelectField
              id="kind"
              label={p.t('help.directory.kind')}
              value={query.kind}
              errors={errors}
              options={options(DIRECTORY_KINDS, p.t, 'help.kind')}
              empty={p.t('help.directory.anyKind')}
            />
            <TextField
              id="q"
              label={p.t('help.directory.q')}
              value={query.q}
              errors={errors}
              maxLength={40}
              optionalLabel={p.t('help.form.optional')}
            />
            <p>
              <button class="button" type="submit">
                {p.t('help.directory.search')}
              </button>
            </p>
          </form>
          {searched || entries.length ? (
            <p role="status">
              {entries.length
                ? p.t('help.directory.count', { count: entries.length })
                : p.t('help.directory.none')}
            </p>
          ) : null}
          <ul class="cards">
            {entries.map((e) => (
              <li>
                <strong>{e.name}</strong>
                <br />
                <span class="hint">
                  {p.t(`help.kind.${e.kind}` as MessageKey)} · {e.city ?? provinceName(e.province)}
                  {e.hours ? ` · ${p.t('help.directory.hours', { hours: e.hours })}` : ''}
                </span>
                {e.phone ? (
                  <>
                    <br />
                    <a href={`tel:${e.phone}`}>{p.t('help.directory.call', { phone: e.phone })}</a>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          <PortalNav p={p} />
        </>,
        problems.length ? 400 : 200,
      );
    },
  );

  // --- danger self-assessment (answers never stored unless she attaches them to a request)
  const dangerQuestions = [
    'help.danger.q1',
    'help.danger.q2',
    'help.danger.q3',
    'help.danger.q4',
    'help.danger.q5',
  ] as const;
  const renderDanger = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    problems: FieldProblem[],
    status: number,
  ) => {
    const p = portal(request);
    const errors = formErrors(request, problems);
    const labels = Object.fromEntries(dangerQuestions.map((k, i) => [`q${i + 1}`, p.t(k)]));
    return send(
      request,
      reply,
      p,
      p.t('help.danger.title'),
      <>
        <h1>{p.t('help.danger.title')}</h1>
        <p class="lead">{p.t('help.danger.lead')}</p>
        <form method="post" action={p.action('/safety-check')} autocomplete="off" novalidate>
          <NeutralField p={p} />
          <ErrorSummary p={p} errors={errors} labels={labels} />
          {dangerQuestions.map((key, i) => (
            <RadioGroup
              name={`q${i + 1}`}
              legend={`${i + 1}. ${p.t(key)}`}
              value={values[`q${i + 1}`]}
              errors={errors}
              options={[
                { value: 'yes', label: p.t('help.danger.yes') },
                { value: 'no', label: p.t('help.danger.no') },
              ]}
            />
          ))}
          <p>
            <button class="button" type="submit">
              {p.t('help.danger.submit')}
            </button>
          </p>
        </form>
        <p class="hint">{p.t('help.danger.source')}</p>
        <PortalNav p={p} />
      </>,
      status,
    );
  };

  app.get(
    '/safety-check',
    { ...page('danger self-assessment for anyone'), schema: { hide: true, querystring: NeutralQuery } },
    async (request, reply) => {
      counted(request);
      return renderDanger(request, reply, {}, [], 200);
    },
  );

  app.post(
    '/safety-check',
    {
      ...page('danger self-assessment result; nothing is stored', 'scoreSafetyCheck'),
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const problems: FieldProblem[] = [];
      const answers: boolean[] = [];
      for (let i = 1; i <= DA5_ITEMS; i++) {
        const value = body[`q${i}`];
        if (value === 'yes' || value === 'no') answers.push(value === 'yes');
        else
          problems.push({
            field: `q${i}`,
            message: value === undefined || value === '' ? 'validation.required' : 'validation.choice',
          });
      }
      if (problems.length) return renderDanger(request, reply, echoValues(body), problems, 400);
      const p = portal(request);
      const { score, level } = scoreDangerAssessment(answers);
      const encoded = answers.map((a) => (a ? '1' : '0')).join('');
      return send(
        request,
        reply,
        p,
        p.t('help.danger.result'),
        <>
          <h1>{p.t('help.danger.result')}</h1>
          <p>{p.t('help.danger.score', { score })}</p>
          <p class={level === 'high' ? 'callout' : 'note'}>
            <strong>{p.t(`help.danger.level.${level}`)}</strong>
          </p>
          {level === 'high' ? <Emergency p={p} /> : null}
          <form method="post" action={p.action('/help/new/with-check')}>
            <NeutralField p={p} />
            <input type="hidden" name="danger" value={encoded} />
            <button class="button" type="submit">
              {p.t('help.danger.attach')}
            </button>
          </form>
          <p>
            <a href={p.href('/help/new')}>{p.t('help.danger.ask')}</a>
          </p>
          <h2>{p.t('help.danger.planTitle')}</h2>
          <List
            p={p}
            keys={[
              'help.danger.plan1',
              'help.danger.plan2',
              'help.danger.plan3',
              'help.danger.plan4',
              'help.danger.plan5',
            ]}
          />
          <p class="hint">{p.t('help.danger.source')}</p>
          <PortalNav p={p} />
        </>,
      );
    },
  );

  // --- help request
  app.get(
    '/help/new',
    {
      ...page('the help-request form must be open to everyone'),
      schema: { hide: true, querystring: NeutralQuery },
    },
    async (request, reply) => {
      counted(request);
      return renderHelpForm(request, reply, {}, [], [], 200);
    },
  );

  app.post(
    '/help/new/with-check',
    {
      // Its twin: createHelpRequest with `dangerAnswers` (the form it opens sends them).
      ...page('opens the help form with her self-assessment attached; nothing stored', 'createHelpRequest'),
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const danger = typeof body.danger === 'string' ? parseDangerAnswers(body.danger) : undefined;
      if (!danger)
        return renderHelpForm(
          request,
          reply,
          {},
          [],
          [{ field: 'danger', message: 'validation.invalid' }],
          400,
        );
      return renderHelpForm(request, reply, { danger: body.danger as string }, [], [], 200);
    },
  );

  app.post(
    '/help/new',
    {
      config: {
        access: {
          public: true,
          reason:
            'anonymous help requests; admitted per network, more widely with a proof of work (help.admission.tsx)',
        },
        operation: 'createHelpRequest',
      },
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const { input, problems } = parseHelpRequestForm(body);
      const formsChosen = Array.isArray(body.forms)
        ? (body.forms as string[])
        : typeof body.forms === 'string'
          ? [body.forms]
          : [];
      if (problems.length)
        return renderHelpForm(request, reply, echoValues(body), formsChosen, problems, 400);
      try {
        await admitHelpRequest(
          request,
          networkOf(request),
          typeof body.proof === 'string' ? body.proof : undefined,
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'RATE_LIMITED') throw error;
        // Refused for now: her words stay on the page, with when to send again.
        for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
        return renderHelpForm(
          request,
          reply,
          echoValues(body),
          formsChosen,
          [],
          429,
          request.t('error.rateLimited', { seconds: Number(error.options.params?.seconds ?? 60) }),
        );
      }
      const created = await service.createHelpRequest(input, request.locale);
      const p = portal(request, input.neutralTitles === true);
      const t = p.t;
      return send(
        request,
        reply,
        p,
        t('help.created.title'),
        <>
          <h1>{t('help.created.title')}</h1>
          <p class="lead">{t('help.created.lead')}</p>
          <dl class="credentials">
            <dt>{t('help.created.code')}</dt>
            <dd id="case-code" lang="en">
              {created.caseCode}
            </dd>
            <dt>{t('help.created.secret')}</dt>
            <dd id="case-secret" lang="en">
              {formatSecret(created.secret, request.locale)}
            </dd>
          </dl>
          <p class="callout">{t('help.created.once')}</p>
          <p>{t('help.created.next')}</p>
          {isUnder14(input) ? <p class="note">{t('help.new.minorsNote')}</p> : null}
          <p>
            <a class="button" href={p.href('/help/thread')}>
              {t('help.created.open')}
            </a>
          </p>
        </>,
        201,
      );
    },
  );

  // --- her thread
  // Her forms post, then redirect (303) to this page with `done` naming what was sent (a fixed word, never her
  // data): a reload of the result sends nothing twice (post-redirect-get).
  const THREAD_DONE = {
    sent: 'help.thread.sent',
    callback: 'help.thread.callbackSent',
  } as const satisfies Record<string, MessageKey>;
  const ThreadQuery = Type.Object({
    n: Type.Optional(Type.Literal('1')),
    done: Type.Optional(Type.Union(Object.keys(THREAD_DONE).map((k) => Type.Literal(k)))),
  });
  const threadDone = (request: FastifyRequest, done: keyof typeof THREAD_DONE) => {
    const neutral = neutralChosen(request) ? '&n=1' : '';
    return `${request.localePath('/help/thread')}?done=${done}${neutral}`;
  };
  app.get(
    '/help/thread',
    {
      ...page('her thread, opened with case code and secret'),
      schema: { hide: true, querystring: ThreadQuery },
    },
    async (request, reply) => {
      counted(request);
      const token = readThreadCookie(request);
      const session = await service.threadSession(token);
      if (!session) {
        if (token) clearThreadCookie(request, reply);
        return renderOpenPage(request, reply, token ? { message: request.t('help.open.expired') } : {});
      }
      const done = (request.query as { done?: keyof typeof THREAD_DONE }).done;
      return renderThread(
        request,
        reply,
        service,
        session,
        done ? { notice: request.t(THREAD_DONE[done]) } : {},
      );
    },
  );

  app.post(
    '/help/open',
    {
      config: {
        access: {
          public: true,
          reason: 'case code + secret open her thread; wrong secrets are throttled per network and code',
        },
        operation: 'openHelpThread',
      },
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const code = typeof body.caseCode === 'string' ? body.caseCode : '';
      const secret = typeof body.secret === 'string' ? body.secret : '';
      const values = { caseCode: code.slice(0, 20) };
      const problems: FieldProblem[] = [];
      if (!code.trim()) problems.push({ field: 'caseCode', message: 'validation.required' });
      if (!secret.trim()) problems.push({ field: 'secret', message: 'validation.required' });
      if (problems.length) return renderOpenPage(request, reply, { status: 400, values, problems });
      try {
        const { token } = await service.openThread(code, secret, networkOf(request), {
          neutralTitles: body.n === '1',
        });
        setThreadCookie(request, reply, token);
        return reply.redirect(request.localePath('/help/thread'), 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.code === 'UNAUTHENTICATED')
          return renderOpenPage(request, reply, {
            status: 401,
            values,
            message: request.t('help.open.wrong'),
          });
        if (error.code === 'RATE_LIMITED') {
          for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
          return renderOpenPage(request, reply, {
            status: 429,
            values,
            message: request.t('error.rateLimited', { seconds: Number(error.options.params?.seconds ?? 60) }),
          });
        }
        throw error;
      }
    },
  );

  /** The thread session behind a thread form post, with its CSRF token checked; otherwise back to the open page. */
  async function threadPost(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<ThreadSession | undefined> {
    const session = await service.threadSession(readThreadCookie(request));
    if (!session) {
      clearThreadCookie(request, reply);
      await renderOpenPage(request, reply, { status: 401, message: request.t('help.open.expired') });
      return undefined;
    }
    const body = request.body as FormBody;
    if (!verifyCsrfToken(request.server.keyring.deriveKey('csrf'), session.id, body.csrf))
      throw new AppError('CSRF');
    return session;
  }

  app.post(
    '/help/thread/message',
    {
      ...page('her message on her own thread (thread session + CSRF token)', 'postThreadMessage'),
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const session = await threadPost(request, reply);
      if (!session) return reply;
      const body = request.body as FormBody;
      const text = typeof body.text === 'string' ? body.text : '';
      try {
        await service.postSurvivorMessage(session, typeof body.text === 'string' ? text : '');
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION') {
          return renderThread(request, reply, service, session, {
            status: 400,
            messageErrors: error.options.fields ?? [],
            values: echoValues(body),
          });
        }
        throw error;
      }
      return reply.redirect(threadDone(request, 'sent'), 303);
    },
  );

  app.post(
    '/help/thread/callback',
    {
      ...page('call-back request from her thread (thread session + CSRF token)', 'requestCallback'),
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const session = await threadPost(request, reply);
      if (!session) return reply;
      const body = request.body as FormBody;
      const { input, problems } = parseCallbackForm(body);
      if (problems.length)
        return renderThread(request, reply, service, session, {
          status: 400,
          callbackErrors: problems,
          values: echoValues(body),
        });
      await service.requestCallback(input, request.locale, session.helpRequestId);
      return reply.redirect(threadDone(request, 'callback'), 303);
    },
  );

  app.post(
    '/help/thread/leave',
    { ...page('ends her thread session', 'closeHelpThread'), schema: { hide: true, body: FormBodySchema } },
    async (request, reply) => {
      const session = await threadPost(request, reply);
      if (!session) return reply;
      await service.endThreadSession(readThreadCookie(request));
      clearThreadCookie(request, reply);
      return reply.redirect(request.localePath('/'), 303);
    },
  );

  // --- call-back on its own
  const renderCallback = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    problems: FieldProblem[],
    status: number,
    refusal?: string,
  ) => {
    const p = portal(request);
    return send(
      request,
      reply,
      p,
      p.t('help.callback.title'),
      <>
        <h1>{p.t('help.callback.title')}</h1>
        <p class="lead">{p.t('help.callback.lead')}</p>
        {refusal ? (
          <p class="callout" role="alert">
            {refusal}
          </p>
        ) : null}
        <form data-replace method="post" action={p.action('/callback')} autocomplete="off" novalidate>
          <NeutralField p={p} />
          <ProofOfWorkFields request={request} />
          <CallbackFields p={p} values={values} errors={formErrors(request, problems)} />
          <p>
            <button class="button" type="submit">
              {p.t('help.callback.submit')}
            </button>
          </p>
        </form>
        <PortalNav p={p} />
      </>,
      status,
    );
  };

  app.get(
    '/callback',
    { ...page('call-back request form for anyone'), schema: { hide: true, querystring: NeutralQuery } },
    async (request, reply) => {
      counted(request);
      return renderCallback(request, reply, {}, [], 200);
    },
  );

  app.post(
    '/callback',
    {
      config: {
        access: {
          public: true,
          reason:
            'anonymous call-back requests; admitted per network like help requests, more widely with a proof of work (help.admission.tsx)',
        },
        // Its API twin: the same admission and the same use case (service.requestCallback).
        operation: 'requestCallback',
      },
      schema: { hide: true, body: FormBodySchema },
    },
    async (request, reply) => {
      const body = request.body as FormBody;
      const { input, problems } = parseCallbackForm(body);
      if (problems.length) return renderCallback(request, reply, echoValues(body), problems, 400);
      try {
        await admitCallbackRequest(
          request,
          networkOf(request),
          typeof body.proof === 'string' ? body.proof : undefined,
        );
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'RATE_LIMITED') throw error;
        // Refused for now: what she entered stays on the page, with when to send again.
        for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
        return renderCallback(
          request,
          reply,
          echoValues(body),
          [],
          429,
          request.t('error.rateLimited', { seconds: Number(error.options.params?.seconds ?? 60) }),
        );
      }
      await service.requestCallback(input, request.locale, null);
      // Post-redirect-get: a reload of the result page asks for nothing twice.
      return reply.redirect(portal(request).href('/callback/done'), 303);
    },
  );

  app.get(
    '/callback/done',
    {
      ...page('the call-back request was received (after post-redirect-get)'),
      schema: { hide: true, querystring: NeutralQuery },
    },
    async (request, reply) => {
      const p = portal(request);
      return send(
        request,
        reply,
        p,
        p.t('help.callback.done.title'),
        <>
          <h1>{p.t('help.callback.done.title')}</h1>
          <p class="lead">{p.t('help.callback.done.lead')}</p>
          <PortalNav p={p} />
        </>,
      );
    },
  );
}
