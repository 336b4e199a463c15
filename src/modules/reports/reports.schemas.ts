/**
 * The work report's documented shape (TypeBox → OpenAPI): every figure, breakdown and cross-table of the
 * report. A count is `null` when it is hidden by small-count suppression; a share is `null` when either of
 * its parts is hidden or its whole is zero. Shares are fractions (0.33 = 33 %).
 */
import { Type, type Static } from 'typebox';

const NullableCount = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'China-time calendar day' });

export const Figure = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.Null()], { description: 'This period (null: hidden)' }),
    previous: Type.Union([Type.Number(), Type.Null()], {
      description: 'The period of the same length just before',
    }),
    change: Type.Union([Type.Number(), Type.Null()], {
      description: 'Relative change (value − previous) / previous',
    }),
  },
  { description: 'A headline figure compared with the previous period' },
);

export const BreakdownRow = Type.Object({
  key: Type.String({ description: 'Stable code (e.g. domestic_violence, 44, female)' }),
  label: Type.String({ description: 'Name in the report language' }),
  count: NullableCount,
  share: Type.Union([Type.Number(), Type.Null()], { description: 'count / the breakdown’s base' }),
  previous: NullableCount,
});

export const Breakdown = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    rows: Type.Array(BreakdownRow),
    base: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'What shares are taken of (usually all requests)',
    }),
    /** True when rows can overlap (several forms per request): they do not add up to the base. */
    multiple: Type.Boolean(),
  },
  { description: 'Counts by one dimension, with shares and the previous period' },
);

export const CrossTab = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    rows: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
    columns: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
    cells: Type.Array(Type.Array(NullableCount)),
    rowTotals: Type.Array(NullableCount),
    columnTotals: Type.Array(NullableCount),
    total: NullableCount,
  },
  { description: 'Counts by two dimensions with their margins' },
);

export const SeriesPoint = Type.Object({
  period: Type.String({ description: 'YYYY-MM-DD (daily) or YYYY-MM (monthly)' }),
  helpRequests: NullableCount,
  opens: Type.Integer({ minimum: 0 }),
  newUsers: Type.Integer({ minimum: 0 }),
});

export const HotlineCalls = Type.Object(
  {
    total: Figure,
    perDay: Figure,
    averageMinutes: Type.Union([Type.Number(), Type.Null()], { description: 'Average length of a call' }),
    byType: Breakdown,
    byRegion: Breakdown,
    byAgeBand: Breakdown,
    byGender: Breakdown,
    ageGender: CrossTab,
    minorGender: CrossTab,
    minors: Type.Object({ count: NullableCount, share: NullableNumber }),
    followUp: Breakdown,
  },
  { description: 'Hotline calls registered by the NGO desk, by the day of the call' },
);

export const DeskWork = Type.Object(
  {
    cases: Figure,
    bySource: Breakdown,
    firstResponse: Type.Object({
      withinDayShare: Type.Union([Type.Number(), Type.Null()], {
        description: 'Responded within 24 h / responded',
      }),
      averageHours: Type.Union([Type.Number(), Type.Null()]),
      buckets: Breakdown,
    }),
    closed: Figure,
    averageDaysToClose: Type.Union([Type.Number(), Type.Null()]),
    timeToClose: Breakdown,
    outcomes: Breakdown,
    referrals: Figure,
    referralsByKind: Breakdown,
    referralsByStatus: Breakdown,
  },
  { description: 'The NGO desk’s cases (by day received) and referrals (by day made)' },
);

export const ProtectionOrders = Type.Object(
  {
    applied: Figure,
    accepted: Figure,
    granted: Figure,
    rejected: Figure,
    grantedShare: Type.Union([Type.Number(), Type.Null()], { description: 'granted / decided' }),
    urgent: NullableCount,
    byChannel: Breakdown,
    decidedWithinLimit: NullableCount,
    decidedOverLimit: NullableCount,
    withinLimitShare: Type.Union([Type.Number(), Type.Null()], {
      description: 'Decided within 72 h of acceptance (24 h when urgent) / decided',
    }),
    averageHoursToDecision: Type.Union([Type.Number(), Type.Null()]),
    timeToDecision: Breakdown,
    served: Figure,
    violations: Figure,
    violationOutcomes: Breakdown,
  },
  {
    description:
      'Protection-order applications by the day they were submitted (court of the application), violations by the day reported',
  },
);

export const WorkReport = Type.Object({
  period: Type.Object({ from: Day, to: Day, days: Type.Integer({ minimum: 1 }) }),
  previousPeriod: Type.Object({ from: Day, to: Day }),
  organisation: Type.Object({
    id: Type.Union([Type.String(), Type.Null()], { description: 'null: all organisations' }),
    name: Type.String(),
  }),
  language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
  generatedAt: Type.String({ format: 'date-time' }),
  rollupsAsOf: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  suppression: Type.Object({
    applied: Type.Boolean(),
    threshold: Type.Integer({
      minimum: 1,
      description: 'Counts 1 … threshold−1 are hidden (1: nothing hidden)',
    }),
  }),
  series: Type.Object({
    granularity: Type.Union([Type.Literal('day'), Type.Literal('month')]),
    points: Type.Array(SeriesPoint),
  }),
  usage: Type.Object(
    {
      users: Figure,
      opens: Figure,
      newUsersPerDay: Figure,
      opensPerDay: Figure,
      averageDailyUsers: Figure,
      pageViews: Figure,
      byChannel: Breakdown,
    },
    { description: 'Anonymous usage counts of the help portal (never suppressed: they describe no person)' },
  ),
  helpRequests: Type.Object({
    total: Figure,
    perDay: Figure,
    assessedBy: {
      ...Breakdown,
      description:
        'Whose classification each request is counted by: the desk’s assessment of its case (desk) or her own answers (self); every request once',
    },
    byType: Breakdown,
    byRegion: Breakdown,
    byAgeBand: Breakdown,
    byGender: Breakdown,
    ageGender: CrossTab,
    minorGender: CrossTab,
    minors: Type.Object({ count: Figure, share: NullableNumber, byGender: Breakdown }),
    adults: Type.Object({ count: Figure, share: NullableNumber, byGender: Breakdown }),
    forms: Breakdown,
    formGroups: Breakdown,
    formGroupPairs: Breakdown,
    physicalWithPsychological: Type.Object({
      physical: NullableCount,
      both: NullableCount,
      share: Type.Union([Type.Number(), Type.Null()], { description: 'both / physical' }),
    }),
    relationship: Breakdown,
    parentChild: Type.Object({ count: NullableCount, share: NullableNumber }),
    childrenWitnessed: Breakdown,
    danger: Breakdown,
    firstResponse: Type.Object({
      answered: NullableCount,
      unanswered: NullableCount,
      withinDayShare: Type.Union([Type.Number(), Type.Null()], {
        description: 'Answered within 24 h / answered',
      }),
      averageHours: Type.Union([Type.Number(), Type.Null()]),
      buckets: Breakdown,
    }),
  }),
  hotlineCalls: HotlineCalls,
  desk: DeskWork,
  protectionOrders: ProtectionOrders,
});

export type WorkReportT = Static<typeof WorkReport>;
export type BreakdownT = Static<typeof Breakdown>;
export type CrossTabT = Static<typeof CrossTab>;
export type FigureT = Static<typeof Figure>;

export const WorkReportQuery = Type.Object({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  organisation: Type.Optional(
    Type.String({ maxLength: 40, description: '"all" or an organisation id; default: one’s own' }),
  ),
  language: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
  suppress: Type.Optional(
    Type.Boolean({ default: true, description: 'Hide small counts (default). false: internal figures' }),
  ),
  threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, default: 5 })),
});
export type WorkReportQueryT = Static<typeof WorkReportQuery>;
