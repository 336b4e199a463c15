/**
 * The desk's JSON API (`/api/desk/...`, in the OpenAPI document): the same operations the pages offer, for
 * other clients. Every route declares its access action; case routes name the `helpline_case` record, so the
 * gate answers 404 outside the actor's scope and audits every read.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { grantedScope } from '../../platform/access-policy.ts';
import { deskActor, grantedScopeOf } from './helpline.http.ts';
import type { HelplineService } from './helpline.service.ts';
import {
  AssignBody,
  CallbackBody,
  CallbackFinishBody,
  CallbackResponse,
  CaseParams,
  CaseResponse,
  ClassificationBody,
  CloseBody,
  Created,
  DutyHoursResponse,
  HotlineCallBody,
  HotlineCallCreated,
  MandatoryReportBody,
  MessageResponse,
  NoteBody,
  NoteSchema,
  Ok,
  ReferralBody,
  ReferralParams,
  ReferralUpdateBody,
  ReplyBody,
  RosterQuery,
  RosterResponse,
  SettingsBody,
  ShiftBody,
  ShiftParams,
  errors,
} from './helpline.schemas.ts';
import { addDays, chinaDate, chinaInstant, weekMonday } from './helpline.model.ts';
import { handoverMinutes, movedAway, withEscalations } from './helpline.escalation.ts';
import { listCallsPage, pageQueue, queueCursor } from './helpline.case-list.ts';
import { CallsPageResponse, CallsQuery, QueuePageQuery, QueuePageResponse } from './helpline.list-schemas.ts';

const tags = ['helpline'];
const onCase = (action: string) => ({ access: { action, record: 'helpline_case' } });

export function helplineApi(app: FastifyInstance, service: HelplineService): void {
  app.get(
    '/api/desk/queue',
    {
      config: { access: { action: 'helpline.queue.read' } },
      schema: {
        operationId: 'listTriageQueue',
        tags,
        summary:
          'The triage queue: unclaimed cases (or the whole queue with loads, for a supervisor; or mine), by danger, minors, waiting time',
        description:
          'Cursor-paginated in triage order (`nextCursor`); the supervisor’s loads count the whole queue.',
        querystring: QueuePageQuery,
        response: { 200: QueuePageResponse, ...errors },
      },
    },
    async (request) => {
      const actor = deskActor(request);
      const query = request.query as Static<typeof QueuePageQuery>;
      const view = (query.view as 'unclaimed' | 'whole' | 'mine' | undefined) ?? 'unclaimed';
      const supervisor = grantedScope(actor, 'helpline.queue.supervise') !== undefined;
      const whole = view === 'whole' && supervisor;
      // A bad cursor is refused before the queue is read (reading it takes new requests in).
      if (query.cursor !== undefined) queueCursor(query.cursor);
      const items =
        view === 'mine' ? await service.myCases(actor) : await service.queue(actor.organisationId, { whole });
      // Escalated cases still unclaimed first (helpline.escalation.ts), then triage order; a page at a time.
      const page = pageQueue(await withEscalations(app.db, actor.organisationId, items), {
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
      return {
        firstResponseMinutes: await service.firstResponseMinutes(actor.organisationId),
        handoverMinutes: await handoverMinutes(app.db, actor.organisationId),
        items: page.items,
        nextCursor: page.nextCursor,
        // The cases this desk handed to another desk lately.
        movedAway: await movedAway(app.db, actor.organisationId, service.clock()),
        ...(whole ? { loads: await service.loads(actor.organisationId, items) } : {}),
      };
    },
  );

  app.post(
    '/api/desk/cases/:id/assign',
    {
      config: onCase('helpline.case.assign'),
      schema: {
        operationId: 'assignCase',
        tags,
        summary: 'Assign or reassign a case (supervisor)',
        params: CaseParams,
        body: AssignBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      await service.assign(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        (request.body as Static<typeof AssignBody>).accountId,
      );
      return { ok: true };
    },
  );

  app.get(
    '/api/desk/cases/:id',
    {
      config: onCase('helpline.case.read'),
      schema: {
        operationId: 'getCase',
        tags,
        summary:
          'A case: her thread, notes, classification, referrals, reports, calls (every read is audited)',
        params: CaseParams,
        response: { 200: CaseResponse, ...errors },
      },
    },
    async (request) => service.caseView(deskActor(request), (request.params as Static<typeof CaseParams>).id),
  );

  app.post(
    '/api/desk/cases/:id/replies',
    {
      config: onCase('helpline.case.reply'),
      schema: {
        operationId: 'replyToSurvivor',
        tags,
        summary: 'Reply on her thread (she reads it with her case code and secret)',
        params: CaseParams,
        body: ReplyBody,
        response: { 201: MessageResponse, ...errors },
      },
    },
    async (request, reply) => {
      const message = await service.reply(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        (request.body as Static<typeof ReplyBody>).text,
      );
      return reply.status(201).send(message);
    },
  );

  app.post(
    '/api/desk/cases/:id/notes',
    {
      config: onCase('helpline.case.note'),
      schema: {
        operationId: 'addCaseNote',
        tags,
        summary: 'An internal note (never shown to her)',
        params: CaseParams,
        body: NoteBody,
        response: { 201: NoteSchema, ...errors },
      },
    },
    async (request, reply) => {
      const note = await service.addNote(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        (request.body as Static<typeof NoteBody>).text,
      );
      return reply.status(201).send(note);
    },
  );

  app.put(
    '/api/desk/cases/:id/classification',
    {
      config: onCase('helpline.case.classify'),
      schema: {
        operationId: 'classifyCase',
        tags,
        summary: 'Classify the case (PRODUCT.md classification) and set its danger level',
        params: CaseParams,
        body: ClassificationBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      await service.classify(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        request.body as Static<typeof ClassificationBody>,
      );
      return { ok: true };
    },
  );

  app.post(
    '/api/desk/calls',
    {
      config: { access: { action: 'helpline.call.register' } },
      schema: {
        operationId: 'registerHotlineCall',
        tags,
        summary: 'Register a hotline call; link it to a case or open a new one',
        body: HotlineCallBody,
        response: { 201: HotlineCallCreated, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof HotlineCallBody>;
      const created = await service.registerCall(deskActor(request), {
        ...body,
        startedAt: new Date(body.startedAt),
      });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/desk/calls',
    {
      config: { access: { action: 'helpline.call.list' } },
      schema: {
        operationId: 'listHotlineCalls',
        tags,
        summary: 'Hotline calls: mine, or all of the organisation (supervisor), newest first',
        description:
          'Filter by China-time days `from`–`to` (both included); cursor-paginated (`nextCursor`).',
        querystring: CallsQuery,
        response: { 200: CallsPageResponse, ...errors },
      },
    },
    async (request) =>
      listCallsPage(
        service.core,
        deskActor(request),
        grantedScopeOf(request),
        request.query as Static<typeof CallsQuery>,
      ),
  );

  app.post(
    '/api/desk/cases/:id/callbacks',
    {
      config: onCase('helpline.case.callback'),
      schema: {
        operationId: 'startCallback',
        tags,
        summary:
          'Start a call-back: refused outside her safe windows or on a channel she did not allow; the code word comes first',
        params: CaseParams,
        body: CallbackBody,
        response: { 201: CallbackResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof CallbackBody>;
      const started = await service.startCallback(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        body.callbackId,
      );
      return reply.status(201).header('cache-control', 'no-store').send(started);
    },
  );

  app.post(
    '/api/desk/cases/:id/callbacks/result',
    {
      config: onCase('helpline.case.callback'),
      schema: {
        operationId: 'finishCallback',
        tags,
        summary: 'How the call-back went',
        params: CaseParams,
        body: CallbackFinishBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof CallbackFinishBody>;
      await service.finishCallback(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        body.attemptId,
        body.result,
      );
      return { ok: true };
    },
  );

  app.post(
    '/api/desk/cases/:id/referrals',
    {
      config: onCase('helpline.case.refer'),
      schema: {
        operationId: 'createReferral',
        tags,
        summary: 'Refer to police, court, shelter, federation, legal aid, hospital or counselling',
        params: CaseParams,
        body: ReferralBody,
        response: { 201: Created, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof ReferralBody>;
      const id = await service.createReferral(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        {
          kind: body.kind,
          status: body.status ?? 'proposed',
          ...(body.agency !== undefined ? { agency: body.agency } : {}),
          ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
        },
      );
      return reply.status(201).send({ id });
    },
  );

  app.patch(
    '/api/desk/cases/:id/referrals/:referralId',
    {
      config: onCase('helpline.case.refer'),
      schema: {
        operationId: 'updateReferral',
        tags,
        summary: 'Status and outcome of a referral',
        params: ReferralParams,
        body: ReferralUpdateBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const params = request.params as Static<typeof ReferralParams>;
      const body = request.body as Static<typeof ReferralUpdateBody>;
      await service.updateReferral(deskActor(request), params.id, params.referralId, {
        status: body.status,
        ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
      });
      return { ok: true };
    },
  );

  app.post(
    '/api/desk/cases/:id/mandatory-report',
    {
      config: onCase('helpline.case.mandatoryReport'),
      schema: {
        operationId: 'recordMandatoryReport',
        tags,
        summary:
          'Record the mandatory report to the police about a minor (ADVL 14, MPL 11); the reporter stays confidential',
        params: CaseParams,
        body: MandatoryReportBody,
        response: { 201: Created, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof MandatoryReportBody>;
      const id = await service.recordMandatoryReport(
        deskActor(request),
        (request.params as Static<typeof CaseParams>).id,
        {
          reportedAt: new Date(body.reportedAt),
          channel: body.channel,
          policeStation: body.policeStation,
          ...(body.reference !== undefined ? { reference: body.reference } : {}),
          ...(body.details !== undefined ? { details: body.details } : {}),
        },
      );
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/desk/cases/:id/close',
    {
      config: onCase('helpline.case.close'),
      schema: {
        operationId: 'closeCase',
        tags,
        summary: 'Close the case with an outcome',
        params: CaseParams,
        body: CloseBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof CloseBody>;
      await service.close(deskActor(request), (request.params as Static<typeof CaseParams>).id, {
        outcome: body.outcome,
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
      return { ok: true };
    },
  );

  app.put(
    '/api/desk/settings',
    {
      config: { access: { action: 'helpline.settings.manage' } },
      schema: {
        operationId: 'setDeskSettings',
        tags,
        summary: 'First-response deadline and provinces served',
        body: SettingsBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof SettingsBody>;
      await service.saveDeskSettings(deskActor(request), {
        firstResponseMinutes: body.firstResponseMinutes,
        provinces: body.provinces ?? [],
      });
      return { ok: true };
    },
  );

  app.get(
    '/api/desk/roster',
    {
      config: { access: { action: 'helpline.roster.read' } },
      schema: {
        operationId: 'listDutyShifts',
        tags,
        summary: 'Duty shifts of one week and who is on duty now',
        querystring: RosterQuery,
        response: { 200: RosterResponse, ...errors },
      },
    },
    async (request) => {
      const actor = deskActor(request);
      const asked = (request.query as Static<typeof RosterQuery>).week;
      // The pattern admits strings like 3191-26-43: only a real calendar date is a week to show.
      if (asked !== undefined && !isCalendarDate(asked)) {
        throw new AppError('VALIDATION', { fields: [{ field: 'week', message: 'validation.format' }] });
      }
      const week = weekMonday(asked ?? chinaDate(service.clock()));
      const shifts = await service.shiftsBetween(
        actor.organisationId,
        chinaInstant(week, '00:00'),
        chinaInstant(addDays(week, 7), '00:00'),
      );
      return { weekStart: week, shifts, onDutyNow: await service.onDutyNow(actor.organisationId) };
    },
  );

  app.post(
    '/api/desk/roster',
    {
      config: { access: { action: 'helpline.roster.manage' } },
      schema: {
        operationId: 'addDutyShift',
        tags,
        summary: 'Add a duty shift (China time)',
        body: ShiftBody,
        response: { 201: Created, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ id: await service.addShift(deskActor(request), request.body as Static<typeof ShiftBody>) }),
  );

  app.delete(
    '/api/desk/roster/:id',
    {
      config: { access: { action: 'helpline.roster.manage' } },
      schema: {
        operationId: 'removeDutyShift',
        tags,
        summary: 'Remove a duty shift',
        params: ShiftParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      await service.removeShift(deskActor(request), (request.params as Static<typeof ShiftParams>).id);
      return { ok: true };
    },
  );

  app.get(
    '/api/hotline/hours',
    {
      config: {
        access: { public: true, reason: 'the hotline’s opening hours are public; no names or personal data' },
      },
      schema: {
        operationId: 'getHotlineHours',
        tags,
        summary: 'When the hotline is staffed in the coming week (China time)',
        response: { 200: DutyHoursResponse },
      },
    },
    async () => service.dutyHours(),
  );
}

/**
 * Claiming changes who a case is assigned to, and so what the gate allows next. It is registered after every
 * other case route (see index.ts), so the access matrix, which calls every route in order on an unassigned case,
 * checks the others before a claim assigns it.
 */
export function helplineClaimApi(app: FastifyInstance, service: HelplineService): void {
  app.post(
    '/api/desk/cases/:id/claim',
    {
      config: onCase('helpline.case.claim'),
      schema: {
        operationId: 'claimCase',
        tags,
        summary: 'Take an unclaimed case',
        params: CaseParams,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      await service.claim(deskActor(request), (request.params as Static<typeof CaseParams>).id);
      return { ok: true };
    },
  );
}

/** A real date in the calendar (YYYY-MM-DD), not only one that looks like it. */
function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === value;
}
