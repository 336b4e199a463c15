/**
 * The escalation operations (`/api/desk/...`): a case's escalations (who was alerted when, where it was handed
 * over; a case read, audited by the gate like every case read), and the desk's hand-over interval. The queue
 * itself carries each case's escalation state (`listTriageQueue`).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { deskActor } from './helpline.http.ts';
import { caseEscalations, HANDOVER_LIMITS, setHandoverMinutes } from './helpline.escalation.ts';
import { CaseParams, DateTime, Ok, errors } from './helpline.schemas.ts';

const tags = ['helpline'];
const Desk = Type.Object({ id: Type.String(), name: Type.String() });
const EscalationsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      level: Type.Integer({
        description: '1: the supervisor on duty alerted; 2: handed to the fallback desk',
      }),
      escalatedAt: DateTime,
      dueAt: DateTime,
      fromDesk: Desk,
      toDesk: Type.Union([Desk, Type.Null()]),
      supervisor: Type.Union([Desk, Type.Null()], { description: 'Level 1: the supervisor on duty then' }),
    }),
  ),
});
const HandoverBody = Type.Object(
  { handoverMinutes: Type.Integer({ minimum: HANDOVER_LIMITS.min, maximum: HANDOVER_LIMITS.max }) },
  { additionalProperties: false },
);

export function helplineEscalationApi(app: FastifyInstance): void {
  app.get(
    '/api/desk/cases/:id/escalations',
    {
      config: { access: { action: 'helpline.case.read', record: 'helpline_case' } },
      schema: {
        operationId: 'listCaseEscalations',
        tags,
        summary:
          'A case’s escalations: the supervisor on duty alerted at its first-response deadline, the hand-over to a fallback desk',
        params: CaseParams,
        response: { 200: EscalationsResponse, ...errors },
      },
    },
    async (request) => ({
      items: await caseEscalations(app.db, (request.params as Static<typeof CaseParams>).id),
    }),
  );

  app.put(
    '/api/desk/settings/escalation',
    {
      config: { access: { action: 'helpline.settings.manage' } },
      schema: {
        operationId: 'setHandoverMinutes',
        tags,
        summary:
          'How long after the supervisor’s alert a still unclaimed case is handed to the fallback desk (minutes)',
        body: HandoverBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof HandoverBody>;
      await setHandoverMinutes(app.db, deskActor(request), body.handoverMinutes);
      return { ok: true };
    },
  );
}
