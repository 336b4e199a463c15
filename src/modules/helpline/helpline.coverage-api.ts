/**
 * The platform admin's operations on desk coverage (`/api/desk/coverage`): list the desks with the provinces
 * each asked for and has approved, and approve a desk's provinces or make it a national desk.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { deskActor } from './helpline.http.ts';
import { approveDeskCoverage, listDeskCoverage } from './helpline.coverage.ts';
import { DateTime, Ok, Uuid, errors } from './helpline.schemas.ts';

const tags = ['helpline'];
const Province = Type.String({ pattern: '^[0-9]{2}$' });
const Provinces = Type.Array(Province, { maxItems: 40, uniqueItems: true });

const CoverageParams = Type.Object({ organisationId: Uuid });
const CoverageBody = Type.Object(
  { provinces: Provinces, national: Type.Boolean() },
  { additionalProperties: false },
);
const CoverageResponse = Type.Object({
  desks: Type.Array(
    Type.Object({
      organisationId: Type.String(),
      name: Type.String(),
      regionCode: Type.String(),
      requestedProvinces: Provinces,
      approvedProvinces: Provinces,
      national: Type.Boolean(),
      approvedAt: Type.Union([DateTime, Type.Null()]),
      staff: Type.Integer(),
    }),
  ),
});

export function helplineCoverageApi(app: FastifyInstance): void {
  app.get(
    '/api/desk/coverage',
    {
      config: { access: { action: 'helpline.coverage.approve' } },
      schema: {
        operationId: 'listDeskCoverage',
        tags,
        summary: 'Desks with the provinces each asked for and has approved (platform admin)',
        response: { 200: CoverageResponse, ...errors },
      },
    },
    async () => ({
      desks: (await listDeskCoverage(app.db)).map((d) => ({
        ...d,
        approvedAt: d.approvedAt?.toISOString() ?? null,
      })),
    }),
  );

  app.put(
    '/api/desk/coverage/:organisationId',
    {
      config: { access: { action: 'helpline.coverage.approve' } },
      schema: {
        operationId: 'approveDeskCoverage',
        tags,
        summary: 'Approve the provinces a desk covers, or make it a national desk (platform admin)',
        params: CoverageParams,
        body: CoverageBody,
        response: { 200: Ok, ...errors },
      },
    },
    async (request) => {
      const { organisationId } = request.params as Static<typeof CoverageParams>;
      const body = request.body as Static<typeof CoverageBody>;
      await approveDeskCoverage(app.db, deskActor(request), organisationId, body);
      return { ok: true };
    },
  );
}
