/**
 * The DA-5 self-check through the JSON API (`scoreSafetyCheck`): the twin of the `/safety-check` page, scoring
 * with the same function (`scoreDangerAssessment`). Nothing is stored; to attach the answers to a help request,
 * send them as `dangerAnswers` with createHelpRequest (the twin of `/help/new/with-check`).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { MessageKey } from '../../platform/i18n/catalog.ts';
import { ErrorResponse } from '../../platform/error-responses.ts';
import { DA5_ITEMS, scoreDangerAssessment } from './help.model.ts';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

const PLAN: MessageKey[] = [
  'help.danger.plan1',
  'help.danger.plan2',
  'help.danger.plan3',
  'help.danger.plan4',
  'help.danger.plan5',
];

export function safetyCheckApi(app: FastifyInstance): void {
  app.post(
    '/api/help/safety-check',
    {
      config: {
        access: { public: true, reason: 'danger self-assessment for anyone; nothing is stored' },
        rateLimit: { max: 60, timeWindow: 60_000 },
      },
      schema: {
        operationId: 'scoreSafetyCheck',
        tags: ['help'],
        summary: 'Score the DA-5 danger self-check (five yes/no answers); nothing is stored',
        body: Type.Object(
          {
            answers: Type.Array(Type.Boolean(), {
              minItems: DA5_ITEMS,
              maxItems: DA5_ITEMS,
              description: 'Her answers to the five questions, in order (true: yes)',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            score: Type.Integer(),
            level: Type.Union([Type.Literal('variable'), Type.Literal('increased'), Type.Literal('high')]),
            message: Type.String({ description: 'What the result means, in her language' }),
            plan: Type.Array(Type.String(), { description: 'Safety-plan steps, in her language' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { answers } = request.body as { answers: boolean[] };
      const { score, level } = scoreDangerAssessment(answers);
      reply.header('cache-control', 'no-store');
      return {
        score,
        level,
        message: `${request.t('help.danger.score', { score })} ${request.t(`help.danger.level.${level}`)}`,
        plan: PLAN.map((k) => request.t(k)),
      };
    },
  );
}
