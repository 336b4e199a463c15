/** TypeBox schemas of the orders JSON API. */
import { Type, type Static } from 'typebox';
import {
  CHANNELS,
  ENFORCEMENT,
  MEASURES,
  PROXY_KINDS,
  PROXY_REASONS,
  QUESTIONING_CHANNELS,
  RELATIONSHIPS,
  SERVICE_METHODS,
  VENUE_BASES,
} from './orders.model.ts';

const S = (max: number) => Type.String({ maxLength: max });
const literalUnion = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v)));

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

const PersonSchema = Type.Object({
  name: Type.Optional(S(60)),
  idNumber: Type.Optional(S(18)),
  gender: Type.Optional(literalUnion(['female', 'male', 'other'] as const)),
  birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  phone: Type.Optional(S(20)),
  address: Type.Optional(S(300)),
  regionCode: Type.Optional(Type.String({ maxLength: 6, pattern: '^(\\d{2}(\\d{2}){0,2})?$' })),
  description: Type.Optional(S(300)),
});

export const ApplicationSchema = Type.Object(
  {
    applicant: Type.Optional(PersonSchema),
    respondent: Type.Optional(PersonSchema),
    relationship: Type.Optional(literalUnion(RELATIONSHIPS)),
    proxy: Type.Optional(
      Type.Object({
        kind: Type.Optional(literalUnion(PROXY_KINDS)),
        name: Type.Optional(S(100)),
        reason: Type.Optional(literalUnion(PROXY_REASONS)),
        victimWishes: Type.Optional(S(4000)),
      }),
    ),
    incidents: Type.Optional(
      Type.Array(
        Type.Object({
          date: Type.Optional(S(10)),
          place: Type.Optional(S(300)),
          description: Type.Optional(S(4000)),
        }),
        { maxItems: 30 },
      ),
    ),
    measures: Type.Optional(Type.Array(literalUnion(MEASURES), { maxItems: 6 })),
    otherMeasure: Type.Optional(S(300)),
    keepAwayMetres: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    keepAwayPlaces: Type.Optional(S(300)),
    urgent: Type.Optional(Type.Boolean()),
    urgentReason: Type.Optional(S(1000)),
    venueBasis: Type.Optional(literalUnion(VENUE_BASES)),
    violenceRegionCode: Type.Optional(Type.String({ maxLength: 6, pattern: '^(\\d{2}(\\d{2}){0,2})?$' })),
    evidenceIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
    consentOnline: Type.Optional(Type.Boolean()),
    consentElectronicService: Type.Optional(Type.Boolean()),
  },
  { description: 'Everything the applicant fills in; any field may be missing in a draft' },
);

export const Problem = Type.Object({ field: Type.String(), message: Type.String() });
export const DraftResult = Type.Object({ id: Uuid, problems: Type.Array(Problem) });

export const CreateApplicationBody = Type.Object({
  channel: literalUnion(CHANNELS.filter((c) => c !== 'portal') as ['ngo', 'oral']),
  caseRef: Type.Optional(S(100)),
  helpRequestId: Type.Optional(Uuid),
  application: ApplicationSchema,
});

export const ApplicationView = Type.Object({
  id: Uuid,
  status: Type.String(),
  caseNumber: Type.Union([Type.String(), Type.Null()]),
  urgent: Type.Boolean(),
  rulingDueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  clock: Type.Union([Type.String(), Type.Null()]),
  application: ApplicationSchema,
  problems: Type.Array(Problem),
  reviews: Type.Array(
    Type.Object({
      agency: Type.String(),
      status: Type.String(),
      opinion: Type.Union([Type.String(), Type.Null()]),
      recommendation: Type.Union([Type.String(), Type.Null()]),
      verification: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    }),
  ),
  evidence: Type.Array(
    Type.Object({
      id: Type.String(),
      sha256: Type.String(),
      integrity: Type.String(),
      custodyEntries: Type.Integer(),
    }),
  ),
  /** Her answer per item an NGO asked to file (empty for the court, which never sees what she refused). */
  consents: Type.Array(
    Type.Object({
      evidenceId: Uuid,
      answer: Type.Union([Type.Literal('allowed'), Type.Literal('refused'), Type.Literal('pending')]),
    }),
  ),
  orderId: Type.Union([Uuid, Type.Null()]),
});

export const DocketItem = Type.Object({
  id: Uuid,
  caseNumber: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  urgent: Type.Boolean(),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  rulingDueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  clock: Type.Union([Type.String(), Type.Null()]),
  minutesLeft: Type.Union([Type.Integer(), Type.Null()]),
  reviewsDone: Type.Integer(),
  reviewsTotal: Type.Integer(),
});

export const AcceptBody = Type.Object({ urgent: Type.Optional(Type.Boolean()) });
export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) });
export const TransferBody = Type.Object({
  toCourtId: Uuid,
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
});
export const RequestMoreBody = Type.Object({
  from: literalUnion(['police', 'federation', 'committee', 'applicant'] as const),
  note: Type.String({ maxLength: 2000 }),
});
export const QuestioningBody = Type.Object({
  channel: literalUnion(QUESTIONING_CHANNELS),
  questionedAt: Type.String({ format: 'date-time' }),
  responded: Type.Boolean(),
  answer: Type.Optional(S(4000)),
});
export const DecisionBody = Type.Object({
  outcome: literalUnion(['grant', 'reject'] as const),
  measures: Type.Optional(Type.Array(literalUnion(MEASURES), { maxItems: 6 })),
  otherMeasure: Type.Optional(S(300)),
  keepAwayMetres: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  validMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
  validUntil: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  terms: Type.Optional(S(4000)),
  reasons: Type.Optional(S(4000)),
});
export const OpinionBody = Type.Object({
  opinion: Type.String({ maxLength: 4000 }),
  recommendation: literalUnion(['grant', 'reject', 'no_view'] as const),
  callOuts: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  earlierWarnings: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  incidentsOnRecord: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
});
export const ServiceBody = Type.Object({
  method: literalUnion(SERVICE_METHODS),
  servedAt: Type.String({ format: 'date-time' }),
  serverName: Type.String({ maxLength: 100 }),
});
export const ModifyBody = Type.Object({
  change: literalUnion(['modify', 'extend', 'revoke'] as const),
  measures: Type.Optional(Type.Array(literalUnion(MEASURES), { maxItems: 6 })),
  validUntil: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  validMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
  reasons: Type.String({ maxLength: 4000 }),
});
export const ReconsiderationDecisionBody = Type.Object({
  outcome: literalUnion(['upheld', 'revoked'] as const),
});
export const ViolationBody = Type.Object({
  occurredOn: Type.String({ maxLength: 10 }),
  description: Type.String({ maxLength: 4000 }),
  evidenceIds: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
});
export const ViolationDecisionBody = Type.Object({
  outcome: literalUnion(ENFORCEMENT),
  fineYuan: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  detentionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  reasons: Type.String({ maxLength: 4000 }),
});
export const WarningBody = Type.Object({
  abuserName: Type.String({ maxLength: 60 }),
  abuserIdNumber: Type.Optional(Type.String({ maxLength: 18 })),
  victimName: Type.String({ maxLength: 60 }),
  facts: Type.String({ maxLength: 4000 }),
  helpRequestId: Type.Optional(Uuid),
});
export const WarningStepBody = Type.Object({
  step: literalUnion(['delivered_abuser', 'delivered_victim', 'committee_notified', 'visit'] as const),
  notes: Type.Optional(S(4000)),
});
export const DocumentQuery = Type.Object({
  copy: Type.Optional(literalUnion(['court', 'applicant', 'respondent', 'police', 'committee'] as const)),
});
export const TimelineView = Type.Object({
  status: Type.String(),
  steps: Type.Array(
    Type.Object({ kind: Type.String(), at: Type.String({ format: 'date-time' }), label: Type.String() }),
  ),
});
export const CheckView = Type.Object({
  valid: Type.Boolean(),
  validUntil: Type.String({ format: 'date' }),
  court: Type.String(),
  status: Type.String(),
});
export const Ok = Type.Object({ ok: Type.Literal(true) });

export type ApplicationBody = Static<typeof ApplicationSchema>;
