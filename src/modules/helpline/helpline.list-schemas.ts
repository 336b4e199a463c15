/** TypeBox schemas of the desk's lists, the case timeline and starting an order from a case (issue 14). */
import { Type } from 'typebox';
import { DANGER_LEVELS } from './helpline.model.ts';
import { DateTime, HotlineCallSchema, QueueResponse, Uuid, union } from './helpline.schemas.ts';
import { TIMELINE_KINDS } from './helpline.timeline.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Cursor = Type.String({
  minLength: 1,
  maxLength: 400,
  description: 'The `nextCursor` of the previous page, unchanged',
});
const Limit = (max: number) => Type.Integer({ minimum: 1, maximum: max });
const NextCursor = nullable(
  Type.String({ description: 'Pass as `cursor` for the next page; null on the last' }),
);
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD, China time' });

const CaseFilters = {
  status: Type.Optional(union(['new', 'in_progress', 'closed'] as const)),
  dangerLevel: Type.Optional(union(DANGER_LEVELS)),
  assignee: Type.Optional(
    Type.Union([Type.Literal('unassigned'), Uuid], { description: 'A staff account id, or `unassigned`' }),
  ),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Limit(100)),
};
export const CaseListQuery = Type.Object(CaseFilters, { additionalProperties: false });
export const CaseSearchBody = Type.Object(
  {
    caseCode: Type.Optional(
      Type.String({
        maxLength: 20,
        description: 'Her case code as she gives it on the phone (sent in the body: never in a URL)',
      }),
    ),
    ...CaseFilters,
  },
  { additionalProperties: false },
);

const CaseListItem = Type.Object({
  caseId: Type.String(),
  source: Type.String(),
  status: Type.String(),
  dangerLevel: nullable(Type.String()),
  victimMinor: nullable(Type.Boolean()),
  requestType: nullable(Type.String()),
  province: nullable(Type.String()),
  receivedAt: DateTime,
  assignedTo: nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  closedAt: nullable(DateTime),
});
export const CaseListResponse = Type.Object({ items: Type.Array(CaseListItem), nextCursor: NextCursor });

export const QueuePageQuery = Type.Object(
  {
    view: Type.Optional(union(['unclaimed', 'whole', 'mine'] as const)),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit(500)),
  },
  { additionalProperties: false },
);
/** The queue (helpline.schemas.ts QueueResponse), a page at a time. */
export const QueuePageResponse = Type.Object({
  ...QueueResponse.properties,
  nextCursor: NextCursor,
});

export const CallsQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit(200)),
  },
  { additionalProperties: false },
);
export const CallsPageResponse = Type.Object({
  items: Type.Array(HotlineCallSchema),
  nextCursor: NextCursor,
});

const TimelineEntrySchema = Type.Object({
  kind: union(TIMELINE_KINDS),
  at: DateTime,
  who: Type.Object({
    type: union(['survivor', 'staff', 'organisation'] as const),
    accountId: nullable(Type.String()),
    name: nullable(Type.String()),
    role: nullable(Type.String()),
  }),
  refId: nullable(Type.String()),
  text: nullable(Type.String()),
  status: nullable(Type.String()),
});
export const TimelineResponse = Type.Object({ items: Type.Array(TimelineEntrySchema) });

export const OrderStarted = Type.Object({
  applicationId: Type.String(),
  href: Type.String({ description: 'The page where staff complete the application with her' }),
});
