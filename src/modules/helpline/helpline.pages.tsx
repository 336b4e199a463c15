/**
 * The desk's pages for NGO staff (`/desk/...`, English under `/en/desk/...`): the triage queue with the
 * supervisor view, the case page, the call-back screen (code word first), the hotline call register and the
 * duty roster. Forms post back here and redirect; nothing personal ever goes into a URL. The phone number
 * for a call-back is only ever in the body of the POST answer, never a link or a redirect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { Type, type Static } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { sendPage } from '../../platform/render/page.tsx';
import { CsrfField, FormError, Notice, StaffBar } from '../identity/components.tsx';
import { grantedScope } from '../../platform/access-policy.ts';
import { deskActor } from './helpline.http.ts';
import {
  AGE_BANDS,
  CALLBACK_RESULTS,
  CLOSING_OUTCOMES,
  DANGER_LEVELS,
  GENDERS,
  PROVINCES,
  REFERRAL_KINDS,
  REFERRAL_STATUSES,
  RELATIONSHIPS,
  REPORT_CHANNELS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
  addDays,
  chinaDate,
  chinaInstant,
  weekMonday,
  type CallbackResult,
  type ClosingOutcome,
  type ReferralKind,
  type ReferralStatus,
} from './helpline.model.ts';
import type { CallbackStart, CaseView, DeskActor, HelplineService, QueueItem } from './helpline.service.ts';
import { Uuid } from './helpline.schemas.ts';
import { movedAway, withEscalations } from './helpline.escalation.ts';
import { EscalationBadge, MovedAway } from './helpline.escalation-view.tsx';
import { ordersSeam, startOrderFromCase } from './helpline.case-order.ts';

const FormToken = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const CaseParams = Type.Object({ id: Uuid });
const Str = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const onCase = (action: string) => ({ access: { action, record: 'helpline_case' } });

const label = (request: FastifyRequest, prefix: string, value: string | null | undefined): string =>
  value ? request.t(`${prefix}.${value}` as MessageKey) : request.t('helpline.value.unknown');

function yesNo(request: FastifyRequest, value: boolean | null): string {
  return value === null
    ? request.t('helpline.value.unknown')
    : request.t(value ? 'helpline.value.yes' : 'helpline.value.no');
}

function when(request: FastifyRequest, at: Date): string {
  return new Intl.DateTimeFormat(request.locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
}

function provinceName(request: FastifyRequest, code: string | null): string {
  const province = PROVINCES.find((p) => p.code === code);
  return province
    ? request.locale === 'en'
      ? province.en
      : province.zh
    : request.t('helpline.value.unknown');
}

function deskPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: ComponentChildren,
  status = 200,
): FastifyReply {
  const staff = request.staff;
  const links: [string, MessageKey, string][] = [
    ['/desk', 'helpline.nav.queue', 'helpline.queue.read'],
    ['/desk/calls', 'helpline.nav.calls', 'helpline.call.register'],
    ['/desk/roster', 'helpline.nav.roster', 'helpline.roster.read'],
  ];
  return sendPage(request, reply, {
    survivor: false,
    status,
    title,
    body: (
      <>
        <StaffBar request={request} />
        <nav class="admin-nav desk-nav" aria-label={request.t('helpline.nav.label')}>
          {links
            .filter(([, , action]) => staff && grantedScope(staff, action) !== undefined)
            .map(([href, key]) => (
              <a href={request.localePath(href)}>{request.t(key)}</a>
            ))}
        </nav>
        <div class="desk">{body}</div>
      </>
    ),
  });
}

/** "3 h 20 min left" or "overdue by 40 min", from the item's first-response clock. */
function FirstResponseBadge({
  request,
  state,
}: {
  request: FastifyRequest;
  state: QueueItem['firstResponse'];
}) {
  if (state.minutesLeft === null) {
    return (
      <span class={state.breached ? 'badge late' : 'badge answered'}>
        {request.t(state.breached ? 'helpline.deadline.answeredLate' : 'helpline.deadline.answered')}
      </span>
    );
  }
  const minutes = Math.abs(state.minutesLeft);
  const span = request.t('helpline.deadline.span', {
    hours: Math.floor(minutes / 60),
    minutes: minutes % 60,
  });
  return state.breached ? (
    <strong class="badge breach">{request.t('helpline.deadline.breached', { span })}</strong>
  ) : (
    <span class="badge">{request.t('helpline.deadline.left', { span })}</span>
  );
}

function DangerBadge({ request, level }: { request: FastifyRequest; level: string | null }) {
  return (
    <span class={`badge danger-${level ?? 'unassessed'}`}>
      {label(request, 'helpline.danger', level ?? 'unassessed')}
    </span>
  );
}

function Select({
  name,
  id,
  options,
  selected,
  request,
  prefix,
  empty,
}: {
  name: string;
  id: string;
  options: readonly string[];
  selected: string | null | undefined;
  request: FastifyRequest;
  prefix: string;
  empty?: boolean;
}) {
  return (
    <select name={name} id={id}>
      {empty && <option value="">{request.t('helpline.value.unknown')}</option>}
      {options.map((o) => (
        <option value={o} selected={selected === o}>
          {label(request, prefix, o)}
        </option>
      ))}
    </select>
  );
}

function TriState({
  name,
  id,
  value,
  request,
}: {
  name: string;
  id: string;
  value: boolean | null;
  request: FastifyRequest;
}) {
  return (
    <select name={name} id={id}>
      <option value="">{request.t('helpline.value.unknown')}</option>
      <option value="true" selected={value === true}>
        {request.t('helpline.value.yes')}
      </option>
      <option value="false" selected={value === false}>
        {request.t('helpline.value.no')}
      </option>
    </select>
  );
}

const triState = (value: string | undefined): boolean | null =>
  value === 'true' ? true : value === 'false' ? false : null;
const orNull = (value: string | undefined): string | null => (value ? value : null);
const asArray = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Field problems of an AppError in the page's language, or rethrow anything else. */
function problemsText(request: FastifyRequest, error: unknown): string {
  if (!(error instanceof AppError) || (error.status !== 400 && error.status !== 409)) throw error;
  const fields = error.options.fields ?? [];
  return fields.length
    ? fields.map((f) => request.t(f.message, f.params)).join(' ')
    : request.t('error.validation');
}

/** Registers the desk's pages; returns the registration of the claim form, which index.ts runs last (see helplineClaimApi). */
export function helplinePages(app: FastifyInstance, service: HelplineService): () => void {
  // ---- Queue ----
  const QueueQuery = Type.Object({
    view: Type.Optional(Type.Union([Type.Literal('unclaimed'), Type.Literal('whole'), Type.Literal('mine')])),
    done: Str(30),
  });

  async function queuePage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: 'unclaimed' | 'whole' | 'mine',
    message?: { error?: string; done?: string },
  ): Promise<FastifyReply> {
    const actor = deskActor(request);
    const staff = request.staff;
    const supervisor = grantedScope(actor, 'helpline.queue.supervise') !== undefined;
    const shown = view === 'whole' && !supervisor ? 'unclaimed' : view;
    // Escalated cases still unclaimed first, with their escalation (helpline.escalation.ts).
    const items = await withEscalations(
      request.server.db,
      actor.organisationId,
      shown === 'mine'
        ? await service.myCases(actor)
        : await service.queue(actor.organisationId, { whole: shown === 'whole' }),
    );
    const moved = await movedAway(request.server.db, actor.organisationId, service.clock());
    const settings = await service.deskSettings(actor.organisationId);
    const loads = shown === 'whole' ? await service.loads(actor.organisationId, items) : [];
    const deskStaff = supervisor ? await service.deskStaff(actor.organisationId) : [];
    const onDuty = await service.onDutyNow(actor.organisationId);
    const breaches = items.filter(
      (i) => i.firstResponse.breached && i.firstResponse.minutesLeft !== null,
    ).length;
    const tabs: ['unclaimed' | 'mine' | 'whole', MessageKey][] = [
      ['unclaimed', 'helpline.queue.unclaimed'],
      ['mine', 'helpline.queue.mine'],
      ...(supervisor ? [['whole', 'helpline.queue.whole'] as ['whole', MessageKey]] : []),
    ];
    return deskPage(
      request,
      reply,
      request.t('helpline.queue.title'),
      <>
        <h1>{request.t('helpline.queue.title')}</h1>
        <p class="lead">
          {request.t('helpline.queue.lead', {
            hours: Math.floor(settings.firstResponseMinutes / 60),
            minutes: settings.firstResponseMinutes % 60,
          })}
        </p>
        <p>
          {onDuty.length
            ? request.t('helpline.roster.onDutyNow', { names: onDuty.map((s) => s.name).join('、') })
            : request.t('helpline.roster.nobodyOnDuty')}
        </p>
        {message?.done && <Notice>{request.t('helpline.done.saved')}</Notice>}
        {message?.error && <FormError>{message.error}</FormError>}
        <nav class="desk-tabs" aria-label={request.t('helpline.queue.views')}>
          {tabs.map(([key, text]) => (
            <a
              href={request.localePath(`/desk?view=${key}`)}
              aria-current={shown === key ? 'page' : undefined}
            >
              {request.t(text)}
            </a>
          ))}
        </nav>
        {breaches > 0 && (
          <p class="form-error" role="alert">
            {request.t('helpline.queue.breaches', { count: breaches })}
          </p>
        )}
        {items.length === 0 ? (
          <p>{request.t('helpline.queue.empty')}</p>
        ) : (
          <div class="table-scroll">
            <table class="desk-queue">
              <caption class="visually-hidden">{request.t('helpline.queue.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{request.t('helpline.field.danger')}</th>
                  <th scope="col">{request.t('helpline.field.type')}</th>
                  <th scope="col">{request.t('helpline.field.received')}</th>
                  <th scope="col">{request.t('helpline.field.firstResponse')}</th>
                  <th scope="col">{request.t('helpline.field.assignedTo')}</th>
                  <th scope="col">{request.t('helpline.field.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr
                    class={
                      item.firstResponse.breached && item.firstResponse.minutesLeft !== null
                        ? 'breached'
                        : undefined
                    }
                  >
                    <td data-label={request.t('helpline.field.danger')}>
                      <DangerBadge request={request} level={item.dangerLevel} />
                      {item.victimMinor && (
                        <>
                          {' '}
                          <strong class="badge minor">{request.t('helpline.value.minor')}</strong>
                        </>
                      )}
                    </td>
                    <td data-label={request.t('helpline.field.type')}>
                      {label(request, 'helpline.type', item.requestType)} ·{' '}
                      {label(request, 'helpline.source', item.source)}
                      {item.callbackWaiting && (
                        <span class="badge"> {request.t('helpline.queue.callbackWaiting')}</span>
                      )}
                      {item.awaitingReply && (
                        <span class="badge"> {request.t('helpline.queue.newMessage')}</span>
                      )}
                    </td>
                    <td data-label={request.t('helpline.field.received')}>
                      {when(request, item.receivedAt)}
                    </td>
                    <td data-label={request.t('helpline.field.firstResponse')}>
                      <FirstResponseBadge request={request} state={item.firstResponse} />
                      <EscalationBadge request={request} escalation={item.escalation} />
                    </td>
                    <td data-label={request.t('helpline.field.assignedTo')}>
                      {item.assignedTo ? item.assignedTo.name : request.t('helpline.queue.nobody')}
                    </td>
                    <td data-label={request.t('helpline.field.actions')} class="row-actions">
                      {item.assignedTo === null && (
                        <form
                          method="post"
                          action={request.localePath(`/desk/cases/${item.caseId}/claim`)}
                          class="inline"
                        >
                          <CsrfField token={staff?.csrfToken ?? ''} />
                          <button type="submit">{request.t('helpline.action.claim')}</button>
                        </form>
                      )}
                      {(item.assignedTo?.id === actor.accountId || supervisor) && (
                        <a href={request.localePath(`/desk/cases/${item.caseId}`)}>
                          {request.t('helpline.action.open')}
                        </a>
                      )}
                      {supervisor && (
                        <form
                          method="post"
                          action={request.localePath(`/desk/cases/${item.caseId}/assign`)}
                          class="inline"
                        >
                          <CsrfField token={staff?.csrfToken ?? ''} />
                          <label class="visually-hidden" for={`assign-${item.caseId}`}>
                            {request.t('helpline.action.assignTo')}
                          </label>
                          <select name="accountId" id={`assign-${item.caseId}`}>
                            {deskStaff.map((s) => (
                              <option value={s.id} selected={item.assignedTo?.id === s.id}>
                                {s.displayName}
                              </option>
                            ))}
                          </select>
                          <button type="submit" class="secondary">
                            {request.t(
                              item.assignedTo ? 'helpline.action.reassign' : 'helpline.action.assign',
                            )}
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MovedAway request={request} moved={moved} />
        {shown === 'whole' && (
          <>
            <h2>{request.t('helpline.load.title')}</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">{request.t('helpline.load.name')}</th>
                  <th scope="col">{request.t('helpline.load.open')}</th>
                  <th scope="col">{request.t('helpline.load.unanswered')}</th>
                </tr>
              </thead>
              <tbody>
                {loads.map((l) => (
                  <tr>
                    <td>{l.name}</td>
                    <td>{l.openCases}</td>
                    <td>{l.unanswered}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {staff && grantedScope(staff, 'helpline.settings.manage') !== undefined && (
          <details>
            <summary>{request.t('helpline.settings.title')}</summary>
            <form method="post" action={request.localePath('/desk/settings')} class="stack">
              <CsrfField token={staff.csrfToken} />
              <label for="first-response">{request.t('helpline.settings.firstResponse')}</label>
              <input
                id="first-response"
                name="firstResponseMinutes"
                type="number"
                min={5}
                max={10080}
                required
                value={String(settings.firstResponseMinutes)}
              />
              <fieldset>
                <legend>{request.t('helpline.settings.provinces')}</legend>
                <p class="hint">{request.t('helpline.settings.provincesHint')}</p>
                <div class="checks">
                  {PROVINCES.map((p) => (
                    <label class="check">
                      <input
                        type="checkbox"
                        name="provinces"
                        value={p.code}
                        checked={settings.provinces.includes(p.code)}
                      />{' '}
                      {request.locale === 'en' ? p.en : p.zh}
                    </label>
                  ))}
                </div>
              </fieldset>
              <button type="submit">{request.t('helpline.action.save')}</button>
            </form>
          </details>
        )}
      </>,
    );
  }

  app.get(
    '/desk',
    {
      config: { access: { action: 'helpline.queue.read' } },
      schema: { hide: true, querystring: QueueQuery },
    },
    async (request, reply) => {
      const query = request.query as Static<typeof QueueQuery>;
      return queuePage(request, reply, query.view ?? 'unclaimed', query.done ? { done: query.done } : {});
    },
  );

  app.post(
    '/desk/settings',
    {
      config: { access: { action: 'helpline.settings.manage' }, operation: 'setDeskSettings' },
      schema: {
        hide: true,
        body: Type.Object({
          ...FormToken,
          firstResponseMinutes: Type.Integer({ minimum: 5, maximum: 10080 }),
          provinces: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{2}$' }), { maxItems: 40 })),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as { firstResponseMinutes: number; provinces?: string[] };
      await service.saveDeskSettings(deskActor(request), {
        firstResponseMinutes: body.firstResponseMinutes,
        provinces: [...new Set(body.provinces ?? [])],
      });
      return reply.redirect(request.localePath('/desk?view=whole&done=settings'), 303);
    },
  );

  app.post(
    '/desk/cases/:id/assign',
    {
      config: { ...onCase('helpline.case.assign'), operation: 'assignCase' },
      schema: { hide: true, params: CaseParams, body: Type.Object({ ...FormToken, accountId: Uuid }) },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof CaseParams>;
      try {
        await service.assign(deskActor(request), id, (request.body as { accountId: string }).accountId);
      } catch (error) {
        return queuePage(request, reply, 'whole', { error: problemsText(request, error) });
      }
      return reply.redirect(request.localePath('/desk?view=whole&done=assigned'), 303);
    },
  );

  // ---- Case ----
  const CaseQuery = Type.Object({ done: Str(30) });

  async function casePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    message: { error?: string; done?: string; status?: number } = {},
  ): Promise<FastifyReply> {
    const actor = deskActor(request);
    const view = await service.caseView(actor, id);
    // The gate audits every GET of a case; a form answered with the case page again is a read too.
    if (request.method !== 'GET') await service.recordCaseRead(actor, id);
    return deskPage(
      request,
      reply,
      request.t('helpline.case.title'),
      <CaseBody
        request={request}
        view={view}
        actor={actor}
        message={message}
        orders={ordersSeam(app) !== undefined}
      />,
      message.status ?? 200,
    );
  }

  app.get(
    '/desk/cases/:id',
    {
      config: onCase('helpline.case.read'),
      schema: { hide: true, params: CaseParams, querystring: CaseQuery },
    },
    async (request, reply) => {
      const { done } = request.query as Static<typeof CaseQuery>;
      return casePage(request, reply, (request.params as Static<typeof CaseParams>).id, done ? { done } : {});
    },
  );

  /** A case form: run the change, then back to the case page (or the page again with the problem). */
  function caseAction<B>(
    path: string,
    action: string,
    operation: string,
    body: ReturnType<typeof Type.Object>,
    run: (actor: DeskActor, id: string, body: B) => Promise<unknown>,
  ): void {
    app.post(
      `/desk/cases/:id/${path}`,
      { config: { ...onCase(action), operation }, schema: { hide: true, params: CaseParams, body } },
      async (request, reply) => {
        const { id } = request.params as Static<typeof CaseParams>;
        try {
          await run(deskActor(request), id, request.body as B);
        } catch (error) {
          const text = problemsText(request, error);
          return casePage(request, reply, id, { error: text, status: (error as AppError).status });
        }
        return reply.redirect(
          request.localePath(`/desk/cases/${id}?done=${path.split('/')[0] ?? 'saved'}`),
          303,
        );
      },
    );
  }

  caseAction<{ text: string }>(
    'reply',
    'helpline.case.reply',
    'replyToSurvivor',
    Type.Object({ ...FormToken, text: Type.String({ maxLength: 5000 }) }),
    (actor, id, body) => service.reply(actor, id, body.text),
  );
  caseAction<{ text: string }>(
    'notes',
    'helpline.case.note',
    'addCaseNote',
    Type.Object({ ...FormToken, text: Type.String({ maxLength: 10000 }) }),
    (actor, id, body) => service.addNote(actor, id, body.text),
  );
  caseAction<Record<string, string | string[] | undefined>>(
    'classify',
    'helpline.case.classify',
    'classifyCase',
    Type.Object({
      ...FormToken,
      requestType: Type.Union(REQUEST_TYPES.map((v) => Type.Literal(v))),
      otherType: Str(100),
      forms: Type.Optional(
        Type.Array(Type.Union(VIOLENCE_FORMS.map((v) => Type.Literal(v))), {
          maxItems: VIOLENCE_FORMS.length,
        }),
      ),
      relationship: Type.Optional(
        Type.Union([Type.Literal(''), ...RELATIONSHIPS.map((v) => Type.Literal(v))]),
      ),
      victimMinor: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('true'), Type.Literal('false')])),
      childrenWitnessed: Type.Optional(
        Type.Union([Type.Literal(''), Type.Literal('true'), Type.Literal('false')]),
      ),
      ageBand: Type.Optional(Type.Union([Type.Literal(''), ...AGE_BANDS.map((v) => Type.Literal(v))])),
      gender: Type.Optional(Type.Union([Type.Literal(''), ...GENDERS.map((v) => Type.Literal(v))])),
      province: Type.Optional(Type.String({ pattern: '^([0-9]{2})?$' })),
      dangerLevel: Type.Optional(
        Type.Union([Type.Literal(''), ...DANGER_LEVELS.map((v) => Type.Literal(v))]),
      ),
    }),
    (actor, id, body) =>
      service.classify(actor, id, {
        requestType: body.requestType as string,
        ...(typeof body.otherType === 'string' && body.otherType ? { otherType: body.otherType } : {}),
        forms: [...new Set(asArray(body.forms))],
        relationship: orNull(body.relationship as string | undefined),
        victimMinor: triState(body.victimMinor as string | undefined),
        childrenWitnessed: triState(body.childrenWitnessed as string | undefined),
        ageBand: orNull(body.ageBand as string | undefined),
        gender: orNull(body.gender as string | undefined),
        province: orNull(body.province as string | undefined),
        dangerLevel: orNull(body.dangerLevel as string | undefined),
      }),
  );
  caseAction<{ kind: ReferralKind; agency?: string }>(
    'referrals',
    'helpline.case.refer',
    'createReferral',
    Type.Object({
      ...FormToken,
      kind: Type.Union(REFERRAL_KINDS.map((v) => Type.Literal(v))),
      agency: Str(200),
    }),
    (actor, id, body) =>
      service.createReferral(actor, id, {
        kind: body.kind,
        status: 'proposed',
        ...(body.agency ? { agency: body.agency } : {}),
      }),
  );
  caseAction<{ referralId: string; status: ReferralStatus; outcome?: string }>(
    'referral-status',
    'helpline.case.refer',
    'updateReferral',
    Type.Object({
      ...FormToken,
      referralId: Uuid,
      status: Type.Union(REFERRAL_STATUSES.map((v) => Type.Literal(v))),
      outcome: Str(2000),
    }),
    (actor, id, body) =>
      service.updateReferral(actor, id, body.referralId, {
        status: body.status,
        ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
      }),
  );
  caseAction<{
    reportedAt: string;
    channel: string;
    policeStation: string;
    reference?: string;
    details?: string;
  }>(
    'mandatory-report',
    'helpline.case.mandatoryReport',
    'recordMandatoryReport',
    Type.Object({
      ...FormToken,
      reportedAt: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$' }),
      channel: Type.Union(REPORT_CHANNELS.map((v) => Type.Literal(v))),
      policeStation: Type.String({ maxLength: 200 }),
      reference: Str(100),
      details: Str(5000),
    }),
    (actor, id, body) =>
      service.recordMandatoryReport(actor, id, {
        reportedAt: chinaInstant(body.reportedAt.slice(0, 10), body.reportedAt.slice(11, 16)),
        channel: body.channel,
        policeStation: body.policeStation,
        ...(body.reference ? { reference: body.reference } : {}),
        ...(body.details ? { details: body.details } : {}),
      }),
  );
  caseAction<{ outcome: ClosingOutcome; note?: string }>(
    'close',
    'helpline.case.close',
    'closeCase',
    Type.Object({
      ...FormToken,
      outcome: Type.Union(CLOSING_OUTCOMES.map((v) => Type.Literal(v))),
      note: Str(2000),
    }),
    (actor, id, body) =>
      service.close(actor, id, { outcome: body.outcome, ...(body.note ? { note: body.note } : {}) }),
  );
  caseAction<{ attemptId: string; result: CallbackResult }>(
    'callback-result',
    'helpline.case.callback',
    'finishCallback',
    Type.Object({
      ...FormToken,
      attemptId: Uuid,
      result: Type.Union(CALLBACK_RESULTS.map((v) => Type.Literal(v))),
    }),
    (actor, id, body) => service.finishCallback(actor, id, body.attemptId, body.result),
  );

  // The call-back screen is the answer to the POST itself: the number never sits in a URL or in history.
  app.post(
    '/desk/cases/:id/callback',
    {
      config: { ...onCase('helpline.case.callback'), operation: 'startCallback' },
      schema: {
        hide: true,
        params: CaseParams,
        body: Type.Object({ ...FormToken, callbackId: Type.Optional(Type.Union([Type.Literal(''), Uuid])) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof CaseParams>;
      const { callbackId } = request.body as { callbackId?: string };
      let started: CallbackStart;
      try {
        started = await service.startCallback(deskActor(request), id, callbackId || undefined);
      } catch (error) {
        return casePage(request, reply, id, {
          error: problemsText(request, error),
          status: (error as AppError).status,
        });
      }
      return deskPage(
        request,
        reply,
        request.t('helpline.callback.title'),
        <CallbackScreen request={request} caseId={id} started={started} />,
      );
    },
  );

  app.post(
    '/desk/cases/:id/protection-order',
    {
      config: { ...onCase('helpline.case.startOrder'), operation: 'startOrderFromCase' },
      schema: { hide: true, params: CaseParams, body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof CaseParams>;
      const started = await startOrderFromCase(app, deskActor(request), id);
      return reply.redirect(request.localePath(started.href), 303);
    },
  );

  // Her evidence file, through the case: only the case's staff, only items of her case; custody-logged and audited.
  const EvidenceParams = Type.Object({ id: Uuid, evidenceId: Uuid });
  app.get(
    '/desk/cases/:id/evidence/:evidenceId',
    { config: onCase('helpline.case.read'), compress: false, schema: { hide: true, params: EvidenceParams } },
    async (request, reply) => {
      const { id, evidenceId } = request.params as Static<typeof EvidenceParams>;
      const opened = await service.openEvidence(deskActor(request), id, evidenceId);
      const name = (
        opened.item.filename.includes('.')
          ? opened.item.filename
          : `${opened.item.filename}.${opened.item.extension}`
      ).replace(/[^\x20-\x7e]|["\\]/g, '_');
      return reply
        .header('content-type', opened.item.mediaType)
        .header(
          'content-disposition',
          `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(opened.item.filename)}`,
        )
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .header('anxin-evidence-sha256', opened.item.sha256)
        .send(opened.stream);
    },
  );

  // ---- Hotline calls ----
  const CallForm = Type.Object({
    ...FormToken,
    startedAt: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    durationMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    callerAgeBand: Type.Optional(Type.Union([Type.Literal(''), ...AGE_BANDS.map((v) => Type.Literal(v))])),
    callerGender: Type.Optional(Type.Union([Type.Literal(''), ...GENDERS.map((v) => Type.Literal(v))])),
    callerMinor: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('true'), Type.Literal('false')])),
    province: Type.Optional(Type.String({ pattern: '^([0-9]{2})?$' })),
    category: Type.Union(REQUEST_TYPES.map((v) => Type.Literal(v))),
    summary: Type.String({ maxLength: 10000 }),
    followUpNeeded: Type.Optional(Type.Literal('true')),
    link: Type.Union([Type.Literal('none'), Type.Literal('open'), Type.Literal('existing')]),
    caseId: Type.Optional(Type.Union([Type.Literal(''), Uuid])),
  });

  async function callsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    message: { error?: string; done?: string; status?: number } = {},
  ): Promise<FastifyReply> {
    const actor = deskActor(request);
    const staff = request.staff;
    const listScope = grantedScope(actor, 'helpline.call.list');
    const calls = listScope ? await service.listCalls(actor, listScope) : [];
    const mine = await service.myCases(actor);
    const nowLocal = `${chinaDate(service.clock())}T${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(service.clock())}`;
    return deskPage(
      request,
      reply,
      request.t('helpline.calls.title'),
      <>
        <h1>{request.t('helpline.calls.title')}</h1>
        {message.done && <Notice>{request.t('helpline.calls.registered')}</Notice>}
        {message.error && <FormError>{message.error}</FormError>}
        <form method="post" action={request.localePath('/desk/calls')} class="stack">
          <CsrfField token={staff?.csrfToken ?? ''} />
          <label for="call-start">{request.t('helpline.calls.startedAt')}</label>
          <input id="call-start" name="startedAt" type="datetime-local" required value={nowLocal} />
          <label for="call-duration">{request.t('helpline.calls.duration')}</label>
          <input
            id="call-duration"
            name="durationMinutes"
            type="number"
            min={0}
            max={1440}
            required
            value="0"
          />
          <fieldset>
            <legend>{request.t('helpline.calls.caller')}</legend>
            <label for="call-age">{request.t('helpline.field.ageBand')}</label>
            <Select
              request={request}
              name="callerAgeBand"
              id="call-age"
              options={AGE_BANDS}
              selected={null}
              prefix="helpline.age"
              empty
            />
            <label for="call-gender">{request.t('helpline.field.gender')}</label>
            <Select
              request={request}
              name="callerGender"
              id="call-gender"
              options={GENDERS}
              selected={null}
              prefix="helpline.gender"
              empty
            />
            <label for="call-minor">{request.t('helpline.field.minor')}</label>
            <TriState request={request} name="callerMinor" id="call-minor" value={null} />
            <label for="call-province">{request.t('helpline.field.province')}</label>
            <select id="call-province" name="province">
              <option value="">{request.t('helpline.value.unknown')}</option>
              {PROVINCES.map((p) => (
                <option value={p.code}>{request.locale === 'en' ? p.en : p.zh}</option>
              ))}
            </select>
          </fieldset>
          <label for="call-category">{request.t('helpline.field.type')}</label>
          <Select
            request={request}
            name="category"
            id="call-category"
            options={REQUEST_TYPES}
            selected="domestic_violence"
            prefix="helpline.type"
          />
          <label for="call-summary">{request.t('helpline.calls.summary')}</label>
          <p class="hint" id="call-summary-hint">
            {request.t('helpline.calls.summaryHint')}
          </p>
          <textarea
            id="call-summary"
            name="summary"
            rows={5}
            required
            maxLength={10000}
            aria-describedby="call-summary-hint"
            autocomplete="off"
          />
          <label class="check">
            <input type="checkbox" name="followUpNeeded" value="true" />{' '}
            {request.t('helpline.calls.followUp')}
          </label>
          <fieldset>
            <legend>{request.t('helpline.calls.link')}</legend>
            <label class="check">
              <input type="radio" name="link" value="open" checked /> {request.t('helpline.calls.linkOpen')}
            </label>
            <label class="check">
              <input type="radio" name="link" value="existing" /> {request.t('helpline.calls.linkExisting')}
            </label>
            <label for="call-case" class="visually-hidden">
              {request.t('helpline.calls.linkExisting')}
            </label>
            <select id="call-case" name="caseId">
              <option value="">{request.t('helpline.calls.chooseCase')}</option>
              {mine.map((c) => (
                <option value={c.caseId}>
                  {label(request, 'helpline.type', c.requestType)} · {when(request, c.receivedAt)}
                </option>
              ))}
            </select>
            <label class="check">
              <input type="radio" name="link" value="none" /> {request.t('helpline.calls.linkNone')}
            </label>
          </fieldset>
          <button type="submit">{request.t('helpline.calls.register')}</button>
        </form>
        <h2>
          {request.t(listScope === 'organisation' ? 'helpline.calls.listAll' : 'helpline.calls.listMine')}
        </h2>
        {calls.length === 0 ? (
          <p>{request.t('helpline.calls.none')}</p>
        ) : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{request.t('helpline.calls.startedAt')}</th>
                  <th scope="col">{request.t('helpline.calls.duration')}</th>
                  <th scope="col">{request.t('helpline.field.type')}</th>
                  <th scope="col">{request.t('helpline.calls.caller')}</th>
                  <th scope="col">{request.t('helpline.calls.followUp')}</th>
                  <th scope="col">{request.t('helpline.calls.case')}</th>
                </tr>
              </thead>
              <tbody>
                {calls.map((c) => (
                  <tr>
                    <td>{when(request, c.startedAt)}</td>
                    <td>
                      {request.t('helpline.calls.minutes', { minutes: Math.round(c.durationSeconds / 60) })}
                    </td>
                    <td>{label(request, 'helpline.type', c.category)}</td>
                    <td>
                      {label(request, 'helpline.age', c.callerAgeBand)} ·{' '}
                      {label(request, 'helpline.gender', c.callerGender)} ·{' '}
                      {provinceName(request, c.province)}
                      {c.callerMinor && (
                        <strong class="badge minor"> {request.t('helpline.value.minor')}</strong>
                      )}
                    </td>
                    <td>{yesNo(request, c.followUpNeeded)}</td>
                    <td>
                      {c.caseId ? (
                        <a href={request.localePath(`/desk/cases/${c.caseId}`)}>
                          {request.t('helpline.action.open')}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>,
      message.status ?? 200,
    );
  }

  app.get(
    '/desk/calls',
    {
      config: { access: { action: 'helpline.call.register' } },
      schema: { hide: true, querystring: Type.Object({ done: Str(30) }) },
    },
    async (request, reply) => {
      const { done } = request.query as { done?: string };
      return callsPage(request, reply, done ? { done } : {});
    },
  );

  app.post(
    '/desk/calls',
    {
      config: { access: { action: 'helpline.call.register' }, operation: 'registerHotlineCall' },
      schema: { hide: true, body: CallForm },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof CallForm>;
      let created: { callId: string; caseId: string | null };
      try {
        if (body.link === 'existing' && !body.caseId)
          throw new AppError('VALIDATION', {
            fields: [{ field: 'caseId', message: 'helpline.call.caseUnknown' }],
          });
        created = await service.registerCall(deskActor(request), {
          startedAt: chinaInstant(body.startedAt.slice(0, 10), body.startedAt.slice(11, 16)),
          durationMinutes: body.durationMinutes,
          callerAgeBand: orNull(body.callerAgeBand),
          callerGender: orNull(body.callerGender),
          callerMinor: triState(body.callerMinor),
          province: orNull(body.province),
          category: body.category,
          summary: body.summary,
          followUpNeeded: body.followUpNeeded === 'true',
          ...(body.link === 'existing' && body.caseId ? { caseId: body.caseId } : {}),
          ...(body.link === 'open' ? { openCase: true } : {}),
        });
      } catch (error) {
        return callsPage(request, reply, {
          error: problemsText(request, error),
          status: (error as AppError).status,
        });
      }
      return reply.redirect(
        request.localePath(
          created.caseId ? `/desk/cases/${created.caseId}?done=call` : '/desk/calls?done=call',
        ),
        303,
      );
    },
  );

  // ---- Roster ----
  async function rosterPage(
    request: FastifyRequest,
    reply: FastifyReply,
    weekOf: string,
    message: { error?: string; done?: string; status?: number } = {},
  ): Promise<FastifyReply> {
    const actor = deskActor(request);
    const staff = request.staff;
    const week = weekMonday(weekOf);
    const shifts = await service.shiftsBetween(
      actor.organisationId,
      chinaInstant(week, '00:00'),
      chinaInstant(addDays(week, 7), '00:00'),
    );
    const onDuty = await service.onDutyNow(actor.organisationId);
    const manage = grantedScope(actor, 'helpline.roster.manage') !== undefined;
    const people = manage ? await service.deskStaff(actor.organisationId) : [];
    const time = (at: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(at);
    return deskPage(
      request,
      reply,
      request.t('helpline.roster.title'),
      <>
        <h1>{request.t('helpline.roster.title')}</h1>
        <p>
          {onDuty.length
            ? request.t('helpline.roster.onDutyNow', { names: onDuty.map((s) => s.name).join('、') })
            : request.t('helpline.roster.nobodyOnDuty')}
        </p>
        {message.done && <Notice>{request.t('helpline.done.saved')}</Notice>}
        {message.error && <FormError>{message.error}</FormError>}
        <nav class="desk-tabs" aria-label={request.t('helpline.roster.weeks')}>
          <a href={request.localePath(`/desk/roster?week=${addDays(week, -7)}`)}>
            {request.t('helpline.roster.previous')}
          </a>
          <span>{request.t('helpline.roster.weekOf', { date: week })}</span>
          <a href={request.localePath(`/desk/roster?week=${addDays(week, 7)}`)}>
            {request.t('helpline.roster.next')}
          </a>
        </nav>
        <ul class="roster-week">
          {Array.from({ length: 7 }, (_, i) => addDays(week, i)).map((day, i) => {
            const dayShifts = shifts.filter((s) => chinaDate(s.startsAt) === day);
            return (
              <li>
                <h2>
                  {request.t(`helpline.weekday.${i}` as MessageKey)} {day}
                </h2>
                {dayShifts.length === 0 ? (
                  <p class="hint">{request.t('helpline.roster.noShifts')}</p>
                ) : (
                  <ul>
                    {dayShifts.map((s) => (
                      <li>
                        {time(s.startsAt)}–{chinaDate(s.endsAt) !== day ? '24:00' : time(s.endsAt)} {s.name}
                        {manage && (
                          <form
                            method="post"
                            action={request.localePath(`/desk/roster/${s.id}/remove`)}
                            class="inline"
                          >
                            <CsrfField token={staff?.csrfToken ?? ''} />
                            <button type="submit" class="link-button">
                              {request.t('helpline.roster.remove')}
                            </button>
                          </form>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
        {manage && (
          <>
            <h2>{request.t('helpline.roster.add')}</h2>
            <form method="post" action={request.localePath('/desk/roster')} class="stack">
              <CsrfField token={staff?.csrfToken ?? ''} />
              <label for="shift-who">{request.t('helpline.roster.who')}</label>
              <select id="shift-who" name="accountId">
                {people.map((p) => (
                  <option value={p.id}>{p.displayName}</option>
                ))}
              </select>
              <label for="shift-date">{request.t('helpline.roster.date')}</label>
              <input id="shift-date" name="date" type="date" required value={week} />
              <label for="shift-from">{request.t('helpline.roster.from')}</label>
              <input id="shift-from" name="from" type="time" required value="09:00" />
              <label for="shift-to">{request.t('helpline.roster.to')}</label>
              <input id="shift-to" name="to" type="time" required value="17:00" />
              <button type="submit">{request.t('helpline.roster.add')}</button>
            </form>
          </>
        )}
      </>,
      message.status ?? 200,
    );
  }

  const RosterQuery = Type.Object({
    week: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })),
    done: Str(30),
  });
  app.get(
    '/desk/roster',
    {
      config: { access: { action: 'helpline.roster.read' } },
      schema: { hide: true, querystring: RosterQuery },
    },
    async (request, reply) => {
      const query = request.query as Static<typeof RosterQuery>;
      return rosterPage(
        request,
        reply,
        query.week ?? chinaDate(service.clock()),
        query.done ? { done: query.done } : {},
      );
    },
  );

  const ShiftForm = Type.Object({
    ...FormToken,
    accountId: Uuid,
    date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    to: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
  });
  app.post(
    '/desk/roster',
    {
      config: { access: { action: 'helpline.roster.manage' }, operation: 'addDutyShift' },
      schema: { hide: true, body: ShiftForm },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof ShiftForm>;
      try {
        await service.addShift(deskActor(request), {
          accountId: body.accountId,
          date: body.date,
          from: body.from,
          to: body.to === '00:00' ? '24:00' : body.to,
        });
      } catch (error) {
        return rosterPage(request, reply, body.date, {
          error: problemsText(request, error),
          status: (error as AppError).status,
        });
      }
      return reply.redirect(request.localePath(`/desk/roster?week=${body.date}&done=shift`), 303);
    },
  );

  app.post(
    '/desk/roster/:id/remove',
    {
      config: { access: { action: 'helpline.roster.manage' }, operation: 'removeDutyShift' },
      schema: { hide: true, params: Type.Object({ id: Uuid }), body: Type.Object(FormToken) },
    },
    async (request, reply) => {
      await service.removeShift(deskActor(request), (request.params as { id: string }).id);
      return reply.redirect(request.localePath('/desk/roster?done=removed'), 303);
    },
  );

  return () => {
    app.post(
      '/desk/cases/:id/claim',
      {
        config: { ...onCase('helpline.case.claim'), operation: 'claimCase' },
        schema: { hide: true, params: CaseParams, body: Type.Object(FormToken) },
      },
      async (request, reply) => {
        const { id } = request.params as Static<typeof CaseParams>;
        try {
          await service.claim(deskActor(request), id);
        } catch (error) {
          return queuePage(request, reply, 'unclaimed', { error: problemsText(request, error) });
        }
        return reply.redirect(request.localePath(`/desk/cases/${id}`), 303);
      },
    );
  };
}

function CallbackScreen({
  request,
  caseId,
  started,
}: {
  request: FastifyRequest;
  caseId: string;
  started: CallbackStart;
}) {
  return (
    <>
      <h1>{request.t('helpline.callback.title')}</h1>
      <section class="callout code-word" aria-labelledby="code-word-title">
        <h2 id="code-word-title">{request.t('helpline.callback.step1')}</h2>
        {started.codeWord ? (
          <>
            <p>{request.t('helpline.callback.askCodeWord')}</p>
            <p class="secret" data-testid="code-word">
              {started.codeWord}
            </p>
          </>
        ) : (
          <p>{request.t('helpline.callback.noCodeWord')}</p>
        )}
        <p>{request.t('helpline.callback.ifWrong')}</p>
      </section>
      <section aria-labelledby="dial-title">
        <h2 id="dial-title">{request.t('helpline.callback.step2')}</h2>
        <p class="secret">{started.phone}</p>
        {started.noVoicemail && <p class="form-error">{request.t('helpline.callback.noVoicemail')}</p>}
        {started.noSms && <p class="form-error">{request.t('helpline.callback.noSms')}</p>}
      </section>
      <section aria-labelledby="result-title">
        <h2 id="result-title">{request.t('helpline.callback.step3')}</h2>
        <form
          method="post"
          action={request.localePath(`/desk/cases/${caseId}/callback-result`)}
          class="stack"
        >
          <CsrfField token={request.staff?.csrfToken ?? ''} />
          <input type="hidden" name="attemptId" value={started.attemptId} />
          {CALLBACK_RESULTS.map((r, i) => (
            <label class="check">
              <input type="radio" name="result" value={r} checked={i === 0} />{' '}
              {request.t(`helpline.callbackResult.${r}` as MessageKey)}
            </label>
          ))}
          <button type="submit">{request.t('helpline.action.save')}</button>
        </form>
      </section>
    </>
  );
}

function CaseBody({
  request,
  view,
  actor,
  message,
  orders,
}: {
  request: FastifyRequest;
  view: CaseView;
  actor: DeskActor;
  message: { error?: string; done?: string };
  orders: boolean;
}) {
  const token = request.staff?.csrfToken ?? '';
  const c = view.classification;
  const action = (path: string) => request.localePath(`/desk/cases/${view.id}/${path}`);
  const open = view.status !== 'closed';
  const canWork = grantedScope(actor, 'helpline.case.note') !== undefined;
  return (
    <>
      <h1>
        {request.t('helpline.case.title')} {view.caseCode && <code>{view.caseCode}</code>}
      </h1>
      {message.done && <Notice>{request.t('helpline.done.saved')}</Notice>}
      {message.error && <FormError>{message.error}</FormError>}
      <dl class="case-facts">
        <dt>{request.t('helpline.field.danger')}</dt>
        <dd>
          <DangerBadge request={request} level={c.dangerLevel} />
        </dd>
        <dt>{request.t('helpline.field.minor')}</dt>
        <dd>
          {c.victimMinor ? (
            // The label already says "minor": the value is "yes" (marked), not "minor" again.
            <strong class="badge minor">{request.t('helpline.value.yes')}</strong>
          ) : (
            yesNo(request, c.victimMinor)
          )}
        </dd>
        <dt>{request.t('helpline.field.status')}</dt>
        <dd>{label(request, 'helpline.status', view.status)}</dd>
        <dt>{request.t('helpline.field.received')}</dt>
        <dd>
          {when(request, view.receivedAt)} · {label(request, 'helpline.source', view.source)}
        </dd>
        <dt>{request.t('helpline.field.firstResponse')}</dt>
        <dd>
          <FirstResponseBadge request={request} state={view.firstResponse} />
        </dd>
        <dt>{request.t('helpline.field.assignedTo')}</dt>
        <dd>{view.assignedTo?.name ?? request.t('helpline.queue.nobody')}</dd>
        {view.consentBasis === 'minor_emergency' && (
          <>
            <dt>{request.t('helpline.field.consent')}</dt>
            <dd>{request.t('helpline.case.minorEmergency')}</dd>
          </>
        )}
      </dl>

      {view.contact && (
        <section aria-labelledby="contact-title">
          <h2 id="contact-title">{request.t('helpline.contact.title')}</h2>
          <ul>
            <li>
              {request.t('helpline.contact.channel', {
                channel: label(request, 'helpline.channel', view.contact.channel),
              })}
            </li>
            <li>
              {view.contact.windows.length
                ? request.t('helpline.contact.windows', {
                    windows: view.contact.windows.map((w) => `${w.from}–${w.to}`).join(', '),
                  })
                : request.t('helpline.contact.anyTime')}
            </li>
            <li>
              {request.t(
                view.contact.hasCodeWord ? 'helpline.contact.codeWordSet' : 'helpline.contact.noCodeWord',
              )}
            </li>
            {view.contact.noVoicemail && <li>{request.t('helpline.callback.noVoicemail')}</li>}
            {view.contact.noSms && <li>{request.t('helpline.callback.noSms')}</li>}
            {view.contact.noGuardianContact && (
              <li>
                <strong>{request.t('helpline.contact.noGuardian')}</strong>
              </li>
            )}
          </ul>
          {open && canWork && (
            <form method="post" action={action('callback')} class="stack">
              <CsrfField token={token} />
              {view.waitingCallbacks.length > 0 && (
                <>
                  <label for="callback-which">{request.t('helpline.callback.which')}</label>
                  <select id="callback-which" name="callbackId">
                    {view.waitingCallbacks.map((w) => (
                      <option value={w.id}>
                        {request.t('helpline.callback.requestedAt', { when: when(request, w.createdAt) })}
                      </option>
                    ))}
                    {view.contact.channel === 'phone' && (
                      <option value="">{request.t('helpline.callback.fromRequest')}</option>
                    )}
                  </select>
                </>
              )}
              <button type="submit">{request.t('helpline.action.startCallback')}</button>
            </form>
          )}
        </section>
      )}

      <section aria-labelledby="thread-title">
        <h2 id="thread-title">{request.t('helpline.thread.title')}</h2>
        {view.messages.length === 0 ? (
          <p class="hint">{request.t('helpline.thread.none')}</p>
        ) : (
          <ol class="thread">
            {view.messages.map((m) => (
              <li class={`message ${m.author}`}>
                <p class="meta">
                  {request.t(m.author === 'staff' ? 'helpline.thread.staff' : 'helpline.thread.survivor')} ·{' '}
                  {when(request, m.createdAt)}
                </p>
                <p class="body">{m.text}</p>
              </li>
            ))}
          </ol>
        )}
        {open && canWork && view.caseCode && (
          <form method="post" action={action('reply')} class="stack">
            <CsrfField token={token} />
            <label for="reply-text">{request.t('helpline.thread.reply')}</label>
            <p class="hint" id="reply-hint">
              {request.t('helpline.thread.replyHint')}
            </p>
            <textarea
              id="reply-text"
              name="text"
              rows={5}
              required
              maxLength={5000}
              aria-describedby="reply-hint"
              autocomplete="off"
            />
            <button type="submit">{request.t('helpline.action.sendReply')}</button>
          </form>
        )}
      </section>

      <section aria-labelledby="notes-title">
        <h2 id="notes-title">{request.t('helpline.notes.title')}</h2>
        <p class="hint">{request.t('helpline.notes.hint')}</p>
        <ul class="notes">
          {view.notes.map((n) => (
            <li>
              <p class="meta">
                {n.author} · {when(request, n.createdAt)}
              </p>
              <p class="body">{n.text}</p>
            </li>
          ))}
        </ul>
        {canWork && (
          <form method="post" action={action('notes')} class="stack">
            <CsrfField token={token} />
            <label for="note-text">{request.t('helpline.notes.add')}</label>
            <textarea id="note-text" name="text" rows={3} required maxLength={10000} autocomplete="off" />
            <button type="submit" class="secondary">
              {request.t('helpline.notes.add')}
            </button>
          </form>
        )}
      </section>

      {view.calls.length > 0 && (
        <section aria-labelledby="calls-title">
          <h2 id="calls-title">{request.t('helpline.calls.onCase')}</h2>
          <ul>
            {view.calls.map((call) => (
              <li>
                {when(request, call.startedAt)} ·{' '}
                {request.t('helpline.calls.minutes', { minutes: Math.round(call.durationSeconds / 60) })} ·{' '}
                {label(request, 'helpline.type', call.category)}
                {call.summary && <p class="body">{call.summary}</p>}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="classify-title">
        <h2 id="classify-title">{request.t('helpline.classify.title')}</h2>
        <form method="post" action={action('classify')} class="stack">
          <CsrfField token={token} />
          <label for="c-type">{request.t('helpline.field.type')}</label>
          <Select
            request={request}
            name="requestType"
            id="c-type"
            options={REQUEST_TYPES}
            selected={c.requestType ?? 'domestic_violence'}
            prefix="helpline.type"
          />
          <label for="c-other">{request.t('helpline.field.otherType')}</label>
          <input id="c-other" name="otherType" maxLength={100} value={c.otherType ?? ''} autocomplete="off" />
          <fieldset>
            <legend>{request.t('helpline.field.forms')}</legend>
            <div class="checks">
              {VIOLENCE_FORMS.map((f) => (
                <label class="check">
                  <input type="checkbox" name="forms" value={f} checked={c.forms.includes(f)} />{' '}
                  {label(request, 'helpline.violence', f)}
                </label>
              ))}
            </div>
          </fieldset>
          <label for="c-rel">{request.t('helpline.field.relationship')}</label>
          <Select
            request={request}
            name="relationship"
            id="c-rel"
            options={RELATIONSHIPS}
            selected={c.relationship}
            prefix="helpline.rel"
            empty
          />
          <label for="c-minor">{request.t('helpline.field.minor')}</label>
          <TriState request={request} name="victimMinor" id="c-minor" value={c.victimMinor} />
          <label for="c-children">{request.t('helpline.field.childrenWitnessed')}</label>
          <TriState request={request} name="childrenWitnessed" id="c-children" value={c.childrenWitnessed} />
          <label for="c-age">{request.t('helpline.field.ageBand')}</label>
          <Select
            request={request}
            name="ageBand"
            id="c-age"
            options={AGE_BANDS}
            selected={c.ageBand}
            prefix="helpline.age"
            empty
          />
          <label for="c-gender">{request.t('helpline.field.gender')}</label>
          <Select
            request={request}
            name="gender"
            id="c-gender"
            options={GENDERS}
            selected={c.gender}
            prefix="helpline.gender"
            empty
          />
          <label for="c-province">{request.t('helpline.field.province')}</label>
          <select id="c-province" name="province">
            <option value="">{request.t('helpline.value.unknown')}</option>
            {PROVINCES.map((p) => (
              <option value={p.code} selected={c.province === p.code}>
                {request.locale === 'en' ? p.en : p.zh}
              </option>
            ))}
          </select>
          <label for="c-danger">{request.t('helpline.field.danger')}</label>
          <Select
            request={request}
            name="dangerLevel"
            id="c-danger"
            options={DANGER_LEVELS}
            selected={c.dangerLevel}
            prefix="helpline.danger"
            empty
          />
          <button type="submit" class="secondary">
            {request.t('helpline.action.save')}
          </button>
        </form>
      </section>

      {view.evidence.length > 0 && (
        <section aria-labelledby="evidence-title">
          <h2 id="evidence-title">{request.t('helpline.evidence.title')}</h2>
          <ul>
            {view.evidence.map((e) => (
              <li>
                <a href={request.localePath(`/desk/cases/${view.id}/evidence/${e.id}`)}>{e.filename}</a> ·{' '}
                {request.t('helpline.evidence.meta', {
                  date: e.incidentDate ?? '—',
                  kb: Math.max(1, Math.round(e.size / 1024)),
                })}
                <br />
                <code class="hint">SHA-256 {e.sha256.slice(0, 16)}…</code>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="referrals-title">
        <h2 id="referrals-title">{request.t('helpline.referrals.title')}</h2>
        {view.referrals.length === 0 ? (
          <p class="hint">{request.t('helpline.referrals.none')}</p>
        ) : (
          <ul class="referrals">
            {view.referrals.map((r) => (
              <li>
                <strong>{label(request, 'helpline.referral', r.kind)}</strong>
                {r.agency && ` · ${r.agency}`} · {label(request, 'helpline.referralStatus', r.status)}
                {r.outcome && <p class="body">{r.outcome}</p>}
                {open && canWork && (
                  <form method="post" action={action('referral-status')} class="inline">
                    <CsrfField token={token} />
                    <input type="hidden" name="referralId" value={r.id} />
                    <label for={`rs-${r.id}`} class="visually-hidden">
                      {request.t('helpline.referrals.status')}
                    </label>
                    <Select
                      request={request}
                      name="status"
                      id={`rs-${r.id}`}
                      options={REFERRAL_STATUSES}
                      selected={r.status}
                      prefix="helpline.referralStatus"
                    />
                    <label for={`ro-${r.id}`} class="visually-hidden">
                      {request.t('helpline.referrals.outcome')}
                    </label>
                    <input
                      id={`ro-${r.id}`}
                      name="outcome"
                      maxLength={2000}
                      placeholder={request.t('helpline.referrals.outcome')}
                      value={r.outcome ?? ''}
                      autocomplete="off"
                    />
                    <button type="submit" class="secondary">
                      {request.t('helpline.action.save')}
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
        {open && canWork && (
          <form method="post" action={action('referrals')} class="stack">
            <CsrfField token={token} />
            <label for="ref-kind">{request.t('helpline.referrals.kind')}</label>
            <Select
              request={request}
              name="kind"
              id="ref-kind"
              options={REFERRAL_KINDS}
              selected="legal_aid"
              prefix="helpline.referral"
            />
            <label for="ref-agency">{request.t('helpline.referrals.agency')}</label>
            <input id="ref-agency" name="agency" maxLength={200} autocomplete="off" />
            <button type="submit" class="secondary">
              {request.t('helpline.referrals.add')}
            </button>
          </form>
        )}
      </section>

      {c.victimMinor && (
        <section aria-labelledby="report-title" class="callout">
          <h2 id="report-title">{request.t('helpline.report.title')}</h2>
          <p>{request.t('helpline.report.lead')}</p>
          {view.mandatoryReports.length === 0 ? (
            <p class="form-error">{request.t('helpline.report.missing')}</p>
          ) : (
            <ul>
              {view.mandatoryReports.map((r) => (
                <li>
                  {when(request, r.reportedAt)} · {label(request, 'helpline.reportChannel', r.channel)} ·{' '}
                  {r.policeStation}
                  {r.reference && ` · ${request.t('helpline.report.reference')}: ${r.reference}`}
                  <span class="hint"> {request.t('helpline.report.reporterConfidential')}</span>
                </li>
              ))}
            </ul>
          )}
          {canWork && (
            <form method="post" action={action('mandatory-report')} class="stack">
              <CsrfField token={token} />
              <label for="rep-at">{request.t('helpline.report.when')}</label>
              <input id="rep-at" name="reportedAt" type="datetime-local" required />
              <label for="rep-channel">{request.t('helpline.report.channel')}</label>
              <Select
                request={request}
                name="channel"
                id="rep-channel"
                options={REPORT_CHANNELS}
                selected="phone"
                prefix="helpline.reportChannel"
              />
              <label for="rep-station">{request.t('helpline.report.station')}</label>
              <input id="rep-station" name="policeStation" required maxLength={200} autocomplete="off" />
              <label for="rep-ref">{request.t('helpline.report.reference')}</label>
              <input id="rep-ref" name="reference" maxLength={100} autocomplete="off" />
              <label for="rep-details">{request.t('helpline.report.details')}</label>
              <textarea id="rep-details" name="details" rows={3} maxLength={5000} autocomplete="off" />
              <button type="submit">{request.t('helpline.report.record')}</button>
            </form>
          )}
        </section>
      )}

      {orders && open && canWork && (
        <section aria-labelledby="order-title">
          <h2 id="order-title">{request.t('helpline.order.title')}</h2>
          <p class="hint">{request.t('helpline.order.hint')}</p>
          <form method="post" action={action('protection-order')}>
            <CsrfField token={token} />
            <button type="submit">{request.t('helpline.order.start')}</button>
          </form>
        </section>
      )}

      <section aria-labelledby="close-title">
        <h2 id="close-title">{request.t('helpline.close.title')}</h2>
        {open ? (
          canWork && (
            <form method="post" action={action('close')} class="stack">
              <CsrfField token={token} />
              <label for="close-outcome">{request.t('helpline.close.outcome')}</label>
              <Select
                request={request}
                name="outcome"
                id="close-outcome"
                options={CLOSING_OUTCOMES}
                selected="advice_given"
                prefix="helpline.outcome"
              />
              <label for="close-note">{request.t('helpline.close.note')}</label>
              <textarea id="close-note" name="note" rows={2} maxLength={2000} autocomplete="off" />
              <button type="submit" class="secondary">
                {request.t('helpline.close.submit')}
              </button>
            </form>
          )
        ) : (
          <p>
            {request.t('helpline.close.closedOn', {
              when: view.closedAt ? when(request, view.closedAt) : '',
            })}{' '}
            · {label(request, 'helpline.outcome', view.closingOutcome)}
            {view.closingNote && <span class="body"> · {view.closingNote}</span>}
          </p>
        )}
      </section>
    </>
  );
}
