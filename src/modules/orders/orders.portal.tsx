/**
 * The survivor's side of the one-stop, inside her portal thread (case code + secret session, read through
 * help.orders-api.ts): the application form with its draft kept on the server and a list of exactly what is
 * still missing, filing with the competent court, her status timeline, her order, and a one-step violation
 * report from an order in force. Pages are `no-store` with quick exit; every read is audited.
 */
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
import type { ThreadSession } from '../help/help.service.ts';
import {
  MEASURES,
  PROXY_KINDS,
  PROXY_REASONS,
  RELATIONSHIPS,
  VENUE_BASES,
  type ApplicationInput,
} from './orders.model.ts';
import { formatDateTime, formatDay, staffActor, timelineLabel } from './orders.routes.tsx';
import { requireStaff } from '../../platform/access-guard.ts';
import { StaffBar } from '../identity/components.tsx';
import { evidenceFromApp, helpCaseOwnerRef } from './orders.seams.ts';
import type { OrdersService } from './orders.service.ts';
import {
  herVault,
  listHerApplications,
  readHerApplication,
  reportHerViolation,
  saveHerApplication,
  startHerApplication,
  submitHerApplication,
  survivorActor,
} from './orders.survivor.ts';

const BASE = '/help/thread/orders';
const page = (reason: string, operation?: string) => ({
  config: { access: { public: true as const, reason }, ...(operation ? { operation } : {}) },
  schema: { hide: true },
});
const FormBody = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([
    Type.String({ maxLength: 4000 }),
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: 60 }),
  ]),
  { maxProperties: 80 },
);
const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
type Form = Record<string, string | string[] | undefined>;

const str = (form: Form, key: string): string | undefined => {
  const v = form[key];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
};
const list = (form: Form, key: string): string[] => {
  const v = form[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const int = (form: Form, key: string): number | undefined => {
  const s = str(form, key);
  return s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : undefined;
};

/** Her flat form → the application (empty fields are simply absent). */
export function parseApplicationForm(form: Form): ApplicationInput {
  const incidents: ApplicationInput['incidents'] = [];
  for (let i = 0; i < 5; i++) {
    const date = str(form, `incidents.${i}.date`);
    const description = str(form, `incidents.${i}.description`);
    if (date || description)
      incidents.push({ ...(date ? { date } : {}), ...(description ? { description } : {}) });
  }
  const proxyKind = str(form, 'proxy.kind');
  const birthYear = int(form, 'respondent.birthYear');
  const keepAwayMetres = int(form, 'keepAwayMetres');
  const input: ApplicationInput = {
    applicant: {
      name: str(form, 'applicant.name'),
      regionCode: str(form, 'applicant.regionCode'),
      address: str(form, 'applicant.address'),
      phone: str(form, 'applicant.phone'),
    },
    respondent: {
      name: str(form, 'respondent.name'),
      idNumber: str(form, 'respondent.idNumber')?.toUpperCase(),
      description: str(form, 'respondent.description'),
      regionCode: str(form, 'respondent.regionCode'),
      ...(birthYear !== undefined ? { birthYear } : {}),
    },
    relationship: str(form, 'relationship'),
    incidents,
    measures: list(form, 'measures'),
    otherMeasure: str(form, 'otherMeasure'),
    keepAwayPlaces: str(form, 'keepAwayPlaces'),
    urgent: str(form, 'urgent') === 'true',
    urgentReason: str(form, 'urgentReason'),
    venueBasis: str(form, 'venueBasis') ?? 'applicant',
    violenceRegionCode: str(form, 'violenceRegionCode'),
    evidenceIds: list(form, 'evidenceIds'),
    consentOnline: str(form, 'consentOnline') === 'true',
    consentElectronicService: str(form, 'consentElectronicService') === 'true',
    ...(keepAwayMetres !== undefined ? { keepAwayMetres } : {}),
    ...(proxyKind
      ? {
          proxy: {
            kind: proxyKind as 'close_relative',
            name: str(form, 'proxy.name'),
            reason: str(form, 'proxy.reason') as 'coerced',
            victimWishes: str(form, 'proxy.victimWishes'),
          },
        }
      : {}),
  };
  return JSON.parse(JSON.stringify(input)) as ApplicationInput; // drop undefined fields
}

export function ordersPortal(app: FastifyInstance, service: OrdersService): void {
  async function requireSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<ThreadSession | undefined> {
    const session = await survivorThreadSession(request);
    if (!session) {
      await reply.redirect(request.localePath('/help/thread'), 303);
      return undefined;
    }
    return session;
  }

  function send(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ThreadSession,
    title: string,
    body: preact.ComponentChildren,
    status = 200,
  ) {
    return sendPage(request, reply, { title, body, status, neutralTitle: session.neutralTitles });
  }

  app.get(
    BASE,
    page('Her protection-order applications, behind her thread session (checked in the handler)'),
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const apps = await listHerApplications(service, session);
      const token = survivorFormToken(request, session);
      return send(
        request,
        reply,
        session,
        request.t('orders.portal.title'),
        <>
          <h1>{request.t('orders.portal.title')}</h1>
          <p class="lead">{request.t('orders.portal.lead')}</p>
          {apps.length ? (
            <>
              <h2>{request.t('orders.portal.myApplications')}</h2>
              <ul class="my-applications">
                {apps.map((a) => (
                  <li>
                    <a href={request.localePath(`${BASE}/${a.id}`)}>
                      {a.caseNumber ?? formatDay(a.createdAt, request.locale)}
                    </a>{' '}
                    · {request.t(`orders.status.${a.status}`)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <form method="post" action={request.localePath(BASE)}>
            <input type="hidden" name="csrf" value={token} />
            <button type="submit">{request.t('orders.portal.start')}</button>
          </form>
        </>,
      );
    },
  );

  app.post(
    BASE,
    {
      ...page('Starts her draft application, behind her thread session and form token', 'startMyApplication'),
      schema: { hide: true, body: FormBody },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      if (!verifySurvivorFormToken(request, session, (request.body as Form).csrf)) throw new AppError('CSRF');
      const { id } = await startHerApplication(service, session, survivorActor(request));
      return reply.redirect(request.localePath(`${BASE}/${id}`), 303);
    },
  );

  async function applicationPage(
    request: FastifyRequest,
    reply: FastifyReply,
    session: ThreadSession,
    id: string,
    state: { problems?: FieldProblem[]; notice?: string; status?: number; values?: ApplicationInput } = {},
  ) {
    const { draft, timeline, order, notices } = await readHerApplication(
      app,
      service,
      session,
      survivorActor(request),
      id,
      'portal',
    );
    const token = survivorFormToken(request, session);
    const editable = draft.status === 'draft' || draft.status === 'returned';
    const title = request.t('orders.portal.title');
    if (editable) {
      const values = state.values ?? draft.input;
      const problems = state.problems ?? draft.problems;
      const evidence = await herVault(app, session);
      return send(
        request,
        reply,
        session,
        title,
        <ApplicationForm
          request={request}
          id={id}
          token={token}
          values={values}
          problems={problems}
          evidence={evidence}
          courtNote={draft.status === 'returned' ? draft.courtNote : null}
          notice={state.notice}
        />,
        state.status,
      );
    }
    const vault = order?.inForce ? await herVault(app, session) : [];
    return send(
      request,
      reply,
      session,
      title,
      <>
        <h1>{request.t('orders.portal.status')}</h1>
        {state.notice ? (
          <p class="notice" role="status">
            {state.notice}
          </p>
        ) : null}
        <p class="status">{request.t(`orders.status.${draft.status}`)}</p>
        <h2>{request.t('orders.timeline.title')}</h2>
        <ol class="timeline" aria-label={request.t('orders.timeline.title')}>
          {timeline.map((s) => (
            <li data-kind={s.kind}>
              <time>{formatDateTime(s.at, request.locale)}</time> {timelineLabel(request, s.kind)}
            </li>
          ))}
        </ol>
        {order ? (
          <section class="my-order">
            <h2>{request.t('orders.portal.order')}</h2>
            <p>
              {order.caseNumber} ·{' '}
              {request.t('orders.portal.validUntil', { date: formatDay(order.validUntil, request.locale) })}
            </p>
            <ul>
              {order.measures.map((m) => (
                <li>{request.t(`orders.measure.${m as 'other'}`)}</li>
              ))}
            </ul>
            {order.inForce ? (
              <form
                data-replace
                method="post"
                action={request.localePath(`${BASE}/${id}/violation`)}
                class="stack violation-report"
              >
                <h3>{request.t('orders.portal.reportViolation')}</h3>
                <input type="hidden" name="csrf" value={token} />
                <label for="occurredOn">{request.t('orders.portal.violationDate')}</label>
                <input id="occurredOn" name="occurredOn" type="date" required autocomplete="off" />
                <label for="description">{request.t('orders.portal.violationText')}</label>
                <textarea id="description" name="description" required maxLength={4000} autocomplete="off" />
                {vault.length ? (
                  <fieldset>
                    <legend>{request.t('orders.portal.evidence')}</legend>
                    {vault.map((e) => (
                      <label class="check">
                        <input type="checkbox" name="evidenceIds" value={e.id} /> {e.filename} (
                        {e.evidenceType})
                      </label>
                    ))}
                  </fieldset>
                ) : null}
                <button type="submit">{request.t('orders.portal.reportViolation')}</button>
              </form>
            ) : null}
          </section>
        ) : null}
        {notices.length ? (
          <section>
            <h2>{request.t('orders.portal.notices')}</h2>
            <ul>
              {notices.map((n) => (
                <li>
                  {formatDateTime(n.at, request.locale)} ·{' '}
                  {request.t(`orders.notice.${n.template}` as MessageKey)}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <p>
          <a href={request.localePath(BASE)}>← {request.t('orders.portal.myApplications')}</a>
        </p>
      </>,
    );
  }

  const DoneQuery = Type.Object({
    done: Type.Optional(Type.Literal('violation')),
    n: Type.Optional(Type.Literal('1')),
  });
  app.get(
    `${BASE}/:id`,
    {
      ...page('Her application and its timeline, behind her thread session (checked in the handler)'),
      schema: { hide: true, params: IdParams, querystring: DoneQuery },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const done = (request.query as { done?: 'violation' }).done;
      return applicationPage(
        request,
        reply,
        session,
        (request.params as { id: string }).id,
        done ? { notice: request.t('orders.portal.violationReported') } : {},
      );
    },
  );

  app.post(
    `${BASE}/:id`,
    {
      ...page(
        'Saves or files her application, behind her thread session and form token',
        'saveMyApplication',
      ),
      schema: { hide: true, params: IdParams, body: FormBody },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const form = request.body as Form;
      if (!verifySurvivorFormToken(request, session, form.csrf)) throw new AppError('CSRF');
      const id = (request.params as { id: string }).id;
      const input = parseApplicationForm(form);
      const saved = await saveHerApplication(app, service, session, survivorActor(request), id, input);
      if (str(form, 'intent') !== 'submit')
        return applicationPage(request, reply, session, id, {
          problems: saved.problems,
          notice: request.t('orders.action.saved'),
          values: input,
        });
      try {
        const filed = await submitHerApplication(service, session, survivorActor(request), id);
        return applicationPage(request, reply, session, id, {
          notice: request.t('orders.portal.submitted', { court: filed.courtName }),
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION')
          return applicationPage(request, reply, session, id, {
            problems: error.options.fields ?? [],
            status: 400,
            values: input,
          });
        throw error;
      }
    },
  );

  app.post(
    `${BASE}/:id/violation`,
    {
      ...page(
        'Her one-step violation report from her order, behind her thread session and form token',
        'reportMyViolation',
      ),
      schema: { hide: true, params: IdParams, body: FormBody },
    },
    async (request, reply) => {
      const session = await requireSession(request, reply);
      if (!session) return reply;
      const form = request.body as Form;
      if (!verifySurvivorFormToken(request, session, form.csrf)) throw new AppError('CSRF');
      const id = (request.params as { id: string }).id;
      // Only items from her own vault can be attached: the form offers nothing else, and anything else posted is
      // left out here (the API, with ids she chose herself, answers 404 for them instead).
      const mine = new Set((await herVault(app, session)).map((e) => e.id));
      await reportHerViolation(app, service, session, survivorActor(request), id, {
        occurredOn: str(form, 'occurredOn') ?? '',
        description: str(form, 'description') ?? '',
        evidenceIds: list(form, 'evidenceIds').filter((e) => mine.has(e)),
      });
      // Post-redirect-get: reloading the result reports nothing twice; `done` is a fixed word, never her data.
      return reply.redirect(`${request.localePath(`${BASE}/${id}`)}?done=violation`, 303);
    },
  );
}

/**
 * Staff completing an application with her (NGO caseworker from a case, or a clerk recording an oral
 * application): the same form and the same rules, under the staff session and the access policy.
 */
export function staffApplicationPages(app: FastifyInstance, service: OrdersService): void {
  const access = { access: { action: 'orders.application.edit', record: 'order_application' } };
  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: { problems?: FieldProblem[]; values?: ApplicationInput; notice?: string; status?: number } = {},
  ) {
    const staff = requireStaff(request);
    const draft = await service.getDraft(id);
    if (draft.status !== 'draft' && draft.status !== 'returned')
      return reply.redirect(request.localePath(`/orders/applications/${id}`), 303);
    const evidence = draft.helpRequestId
      ? ((await evidenceFromApp(app)?.listForOwner(helpCaseOwnerRef(draft.helpRequestId))) ?? [])
      : [];
    return sendPage(request, reply, {
      survivor: false,
      status: state.status ?? 200,
      title: request.t('orders.portal.title'),
      body: (
        <>
          <StaffBar request={request} />
          <ApplicationForm
            request={request}
            id={id}
            tokenField="_csrf"
            token={staff.csrfToken}
            action={request.localePath(`/orders/applications/${id}/edit`)}
            values={state.values ?? draft.input}
            problems={state.problems ?? draft.problems}
            evidence={evidence}
            courtNote={draft.status === 'returned' ? draft.courtNote : null}
            notice={state.notice}
          />
        </>
      ),
    });
  }
  app.get(
    '/orders/applications/:id/edit',
    { config: access, schema: { hide: true, params: IdParams } },
    async (request, reply) => render(request, reply, (request.params as { id: string }).id),
  );
  app.post(
    '/orders/applications/:id/edit',
    {
      // Saving is updateOrderApplication; "submit" then files it (submitOrderApplication), as the API does.
      config: { ...access, operation: 'updateOrderApplication' },
      schema: { hide: true, params: IdParams, body: FormBody },
    },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const form = request.body as Form;
      const draft = await service.getDraft(id);
      const input = parseApplicationForm(form);
      const actor = staffActor(request);
      const saved = await service.saveDraft(actor, input, {
        id,
        channel: 'ngo',
        helpRequestId: draft.helpRequestId,
      });
      if (str(form, 'intent') !== 'submit')
        return render(request, reply, id, {
          problems: saved.problems,
          values: input,
          notice: request.t('orders.action.saved'),
        });
      try {
        await service.submit(actor, id);
        return reply.redirect(request.localePath(`/orders/applications/${id}`), 303);
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION')
          return render(request, reply, id, {
            problems: error.options.fields ?? [],
            values: input,
            status: 400,
          });
        // Waiting for her answer per file: the application page lists which are allowed, refused or pending.
        if (error instanceof AppError && error.code === 'CONSENT_PENDING')
          return reply.redirect(request.localePath(`/orders/applications/${id}`), 303);
        throw error;
      }
    },
  );
}

interface FormProps {
  request: FastifyRequest;
  id: string;
  /** The form token field: `csrf` for her thread session, `_csrf` for staff. */
  tokenField?: string;
  token: string;
  /** Where the form posts (her portal page by default). */
  action?: string;
  values: ApplicationInput;
  problems: FieldProblem[];
  evidence: { id: string; filename: string; evidenceType: string }[];
  courtNote: string | null;
  notice: string | undefined;
}

export function ApplicationForm({
  request,
  id,
  tokenField = 'csrf',
  token,
  action,
  values,
  problems,
  evidence,
  courtNote,
  notice,
}: FormProps) {
  const t = request.t.bind(request);
  const problemFor = (field: string) => problems.find((p) => p.field === field);
  const Field = ({
    name,
    label,
    value,
    type = 'text',
    hint,
  }: {
    name: string;
    label: MessageKey;
    value: string | number | undefined;
    type?: string;
    hint?: boolean;
  }) => {
    const problem = problemFor(name);
    return (
      <div class={problem ? 'field has-error' : 'field'}>
        <label for={name}>{t(label)}</label>
        {problem ? (
          <p class="field-error" id={`${name}-error`}>
            {t(problem.message, problem.params)}
          </p>
        ) : null}
        {type === 'textarea' ? (
          <textarea
            id={name}
            name={name}
            autocomplete="off"
            maxLength={4000}
            aria-describedby={problem ? `${name}-error` : undefined}
          >
            {value ?? ''}
          </textarea>
        ) : (
          <input
            id={name}
            name={name}
            type={type}
            autocomplete="off"
            value={value === undefined ? '' : String(value)}
            aria-describedby={problem ? `${name}-error` : undefined}
            aria-invalid={problem ? 'true' : undefined}
            data-hint={hint ? '1' : undefined}
          />
        )}
      </div>
    );
  };
  const Select = ({
    name,
    label,
    options,
    value,
    prefix,
  }: {
    name: string;
    label: MessageKey;
    options: readonly string[];
    value: string | undefined;
    prefix?: string;
  }) => (
    <div class={problemFor(name) ? 'field has-error' : 'field'}>
      <label for={name}>{t(label)}</label>
      {problemFor(name) ? <p class="field-error">{t(problemFor(name)!.message)}</p> : null}
      <select id={name} name={name}>
        <option value="">—</option>
        {options.map((o) => (
          <option value={o} selected={o === value}>
            {prefix ? t(`${prefix}${o}` as MessageKey) : o}
          </option>
        ))}
      </select>
    </div>
  );
  const incidents = [...(values.incidents ?? [])];
  while (incidents.length < 3) incidents.push({});
  return (
    <>
      <h1>{t('orders.portal.title')}</h1>
      <p class="lead">{t('orders.portal.lead')}</p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {courtNote ? (
        <p class="notice">
          {t('orders.portal.courtNote')} {courtNote}
        </p>
      ) : null}
      {problems.length ? (
        <div class="error-summary" role="alert" tabindex={-1}>
          <h2>{t('orders.portal.stillMissing')}</h2>
          <ul>
            {problems.map((p) => (
              <li>
                <a href={`#${p.field}`}>{t(p.message, p.params)}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p class="notice">{t('orders.portal.complete')}</p>
      )}
      <form
        method="post"
        action={action ?? request.localePath(`${BASE}/${id}`)}
        class="stack order-form"
        autocomplete="off"
      >
        <input type="hidden" name={tokenField} value={token} />
        <fieldset>
          <legend>{t('orders.portal.applicant')}</legend>
          <Field name="applicant.name" label="orders.portal.name" value={values.applicant?.name} />
          <Field
            name="applicant.regionCode"
            label="orders.portal.regionCode"
            value={values.applicant?.regionCode}
          />
          <Field name="applicant.address" label="orders.portal.address" value={values.applicant?.address} />
          <Field
            name="applicant.phone"
            label="orders.portal.phone"
            value={values.applicant?.phone}
            type="tel"
          />
        </fieldset>
        <fieldset>
          <legend>{t('orders.portal.respondent')}</legend>
          <Field name="respondent.name" label="orders.portal.name" value={values.respondent?.name} />
          <Field
            name="respondent.idNumber"
            label="orders.portal.respondentId"
            value={values.respondent?.idNumber}
          />
          <Field
            name="respondent.birthYear"
            label="orders.portal.birthYear"
            value={values.respondent?.birthYear}
            type="number"
          />
          <Field
            name="respondent.description"
            label="orders.portal.description"
            value={values.respondent?.description}
          />
          <Field
            name="respondent.regionCode"
            label="orders.portal.regionCode"
            value={values.respondent?.regionCode}
          />
        </fieldset>
        <Select
          name="relationship"
          label="orders.portal.relationship"
          options={RELATIONSHIPS}
          value={values.relationship}
          prefix="orders.relationship."
        />
        <fieldset>
          <legend>{t('orders.portal.proxy')}</legend>
          <Select
            name="proxy.kind"
            label="orders.portal.proxyKind"
            options={PROXY_KINDS}
            value={values.proxy?.kind}
            prefix="orders.proxyKind."
          />
          <Field name="proxy.name" label="orders.portal.proxyName" value={values.proxy?.name} />
          <Select
            name="proxy.reason"
            label="orders.portal.proxyReason"
            options={PROXY_REASONS}
            value={values.proxy?.reason}
            prefix="orders.proxyReason."
          />
          <Field
            name="proxy.victimWishes"
            label="orders.portal.victimWishes"
            value={values.proxy?.victimWishes}
            type="textarea"
          />
        </fieldset>
        <fieldset id="incidents">
          <legend>{t('orders.portal.incidents')}</legend>
          {problemFor('incidents') ? <p class="field-error">{t(problemFor('incidents')!.message)}</p> : null}
          {incidents.map((incident, i) => (
            <div class="incident">
              <Field
                name={`incidents.${i}.date`}
                label="orders.portal.incidentDate"
                value={incident.date}
                type="date"
              />
              <Field
                name={`incidents.${i}.description`}
                label="orders.portal.incidentText"
                value={incident.description}
                type="textarea"
              />
            </div>
          ))}
        </fieldset>
        <fieldset id="measures">
          <legend>{t('orders.portal.measures')}</legend>
          {problemFor('measures') ? <p class="field-error">{t(problemFor('measures')!.message)}</p> : null}
          {MEASURES.map((m) => (
            <label class="check">
              <input
                type="checkbox"
                name="measures"
                value={m}
                checked={(values.measures ?? []).includes(m)}
              />{' '}
              {t(`orders.measure.${m}`)}
            </label>
          ))}
          <Field name="otherMeasure" label="orders.portal.otherMeasure" value={values.otherMeasure} />
          <Field
            name="keepAwayMetres"
            label="orders.portal.keepAwayMetres"
            value={values.keepAwayMetres}
            type="number"
          />
          <Field name="keepAwayPlaces" label="orders.portal.keepAwayPlaces" value={values.keepAwayPlaces} />
        </fieldset>
        <label class="check">
          <input type="checkbox" name="urgent" value="true" checked={values.urgent === true} />{' '}
          {t('orders.portal.urgent')}
        </label>
        <Field
          name="urgentReason"
          label="orders.portal.urgentReason"
          value={values.urgentReason}
          type="textarea"
        />
        <fieldset id="venueBasis">
          <legend>{t('orders.portal.venue')}</legend>
          {problemFor('venueBasis') ? (
            <p class="field-error">{t(problemFor('venueBasis')!.message)}</p>
          ) : null}
          {VENUE_BASES.map((b) => (
            <label class="check">
              <input
                type="radio"
                name="venueBasis"
                value={b}
                checked={(values.venueBasis ?? 'applicant') === b}
              />{' '}
              {t(`orders.portal.venue.${b}`)}
            </label>
          ))}
          <Field
            name="violenceRegionCode"
            label="orders.portal.violenceRegionCode"
            value={values.violenceRegionCode}
          />
        </fieldset>
        <fieldset id="evidenceIds">
          <legend>{t('orders.portal.evidence')}</legend>
          {evidence.length === 0 ? <p class="hint">{t('orders.portal.noEvidence')}</p> : null}
          {evidence.map((e) => (
            <label class="check">
              <input
                type="checkbox"
                name="evidenceIds"
                value={e.id}
                checked={(values.evidenceIds ?? []).includes(e.id)}
              />{' '}
              {e.filename} ({e.evidenceType})
            </label>
          ))}
        </fieldset>
        <label class="check" id="consentOnline">
          <input type="checkbox" name="consentOnline" value="true" checked={values.consentOnline === true} />{' '}
          {t('orders.portal.consentOnline')}
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="consentElectronicService"
            value="true"
            checked={values.consentElectronicService === true}
          />{' '}
          {t('orders.portal.consentElectronic')}
        </label>
        <div class="buttons">
          <button type="submit" name="intent" value="save" class="secondary">
            {t('orders.portal.save')}
          </button>
          <button type="submit" name="intent" value="submit">
            {t('orders.portal.submit')}
          </button>
        </div>
      </form>
    </>
  );
}
