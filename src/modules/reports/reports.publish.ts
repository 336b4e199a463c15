/**
 * Publishing the work report (issue 14): one use case for the report page's button and `publishWorkReport`
 * in the API — a frozen snapshot in both languages, small counts always suppressed (threshold at least 5),
 * stored with its audit event in one transaction — and the list of an organisation's published snapshots
 * (newest first, cursor-paginated) for the page and `listPublishedWorkReports`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type Transaction } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { decodeCursor, encodeCursor, isDbTimestamp, pageSize } from '../../platform/cursor.ts';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditReportPublished } from './reports.audit.ts';
import { buildReportFor, organisationFor, type ReportAsk } from './reports.request.ts';
import { isUuid } from '../../platform/ids.ts';

type Executor = Db | Transaction<Database>;

/** The lowest suppression threshold a published (public) report may use. */
export const PUBLISH_MIN_THRESHOLD = 5;

export interface PublicationSummary {
  id: string;
  /** null: all organisations (a platform admin's report). */
  organisationId: string | null;
  periodFrom: string;
  periodTo: string;
  threshold: number;
  createdAt: Date;
}

/** Publish the report the request asks for; answers the new publication's id. Bad input stores nothing. */
export async function publishWorkReport(
  app: FastifyInstance,
  request: FastifyRequest,
  ask: ReportAsk,
): Promise<{ id: string }> {
  // What is published stays public: counts below 5 are always hidden there (a lower threshold is for internal views).
  if (ask.threshold !== undefined && ask.threshold < PUBLISH_MIN_THRESHOLD) {
    throw new AppError('VALIDATION', {
      fields: [
        {
          field: 'threshold',
          message: 'reports.publish.thresholdTooLow',
          params: { min: PUBLISH_MIN_THRESHOLD },
        },
      ],
    });
  }
  const staff = requireStaff(request);
  const zh = await buildReportFor(app, request, ask, { suppressed: true, locale: 'zh-CN' });
  const en = await buildReportFor(app, request, ask, { suppressed: true, locale: 'en' });
  const id = randomUUID();
  await app.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('report_publication')
      .values({
        id,
        organisation_id: zh.organisation.id ?? '',
        period_from: zh.period.from,
        period_to: zh.period.to,
        threshold: zh.suppression.threshold,
        report_zh: JSON.stringify(zh),
        report_en: JSON.stringify(en),
        published_by: staff.accountId,
      })
      .execute();
    await auditReportPublished(trx, request, id, zh);
  });
  return { id };
}

/** An organisation's live publications ('' = all organisations), newest first, keyset on (created_at, id). */
export async function listPublications(
  db: Executor,
  organisationId: string,
  options: { cursor?: string; limit?: number } = {},
): Promise<{ items: PublicationSummary[]; nextCursor: string | null }> {
  const limit = pageSize(options.limit, 20, 100);
  const key = options.cursor !== undefined ? decodeCursor(options.cursor, ['t', 'id']) : undefined;
  if (key && (!isUuid(key.id) || !isDbTimestamp(key.t)))
    throw new AppError('VALIDATION', { fields: [{ field: 'cursor', message: 'validation.format' }] });
  let query = db
    .selectFrom('report_publication')
    .select(['id', 'organisation_id', 'threshold', 'created_at'])
    // Days as written (YYYY-MM-DD), not as a Date at midnight somewhere.
    .select([sql<string>`period_from::text`.as('period_from'), sql<string>`period_to::text`.as('period_to')])
    .select(sql<string>`created_at::text`.as('created_key'))
    .where('organisation_id', '=', organisationId)
    .where('withdrawn_at', 'is', null);
  if (key) query = query.where(sql<boolean>`(created_at, id) < (${key.t}::timestamptz, ${key.id}::uuid)`);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      organisationId: r.organisation_id || null,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      threshold: r.threshold,
      createdAt: r.created_at,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.created_key, id: last.id }) : null,
  };
}

const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.String(),
  }),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse };
const Organisation = Type.String({
  maxLength: 40,
  description: 'An organisation id (one’s own unless a platform admin), or `all` (platform admins)',
});
export const PublishBody = Type.Object(
  {
    from: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
    to: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
    organisation: Type.Optional(Organisation),
    threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
  },
  { additionalProperties: false },
);
const PublicationItem = Type.Object({
  id: Type.String(),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  periodFrom: Type.String(),
  periodTo: Type.String(),
  threshold: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
const ListQuery = Type.Object(
  {
    organisation: Type.Optional(Organisation),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

export function reportsPublishApi(app: FastifyInstance): void {
  app.post(
    '/api/reports/published',
    {
      config: { access: { action: 'reports.publish' } },
      schema: {
        operationId: 'publishWorkReport',
        tags: ['reports'],
        summary:
          'Publish the work report of a period: a public, frozen snapshot with counts below the threshold (at least 5) hidden',
        body: PublishBody,
        response: {
          201: Type.Object({ id: Type.String(), href: Type.String({ description: 'Its public page' }) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = await publishWorkReport(app, request, request.body as ReportAsk);
      return reply.status(201).send({ id, href: `/reports/published/${id}` });
    },
  );

  app.get(
    '/api/reports/published',
    {
      config: { access: { action: 'reports.read' } },
      schema: {
        operationId: 'listPublishedWorkReports',
        tags: ['reports'],
        summary: 'The work reports an organisation published, newest first (cursor-paginated)',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(PublicationItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query as { organisation?: string; cursor?: string; limit?: number };
      const organisation = await organisationFor(app, request, query.organisation);
      return listPublications(app.db, organisation.id ?? '', {
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
    },
  );
}
