/** TypeBox schemas of the desk's JSON API: bodies, parameters and every response (undeclared fields are removed). */
import { Type } from 'typebox';
import {
  AGE_BANDS,
  CALLBACK_RESULTS,
  CLOSING_OUTCOMES,
  DANGER_LEVELS,
  GENDERS,
  REFERRAL_KINDS,
  REFERRAL_STATUSES,
  RELATIONSHIPS,
  REPORT_CHANNELS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
} from './helpline.model.ts';
import { DESK_LIMITS } from './helpline.service.ts';

export const union = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
export const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
export const DateTime = Type.String({ format: 'date-time' });
const Province = Type.String({ pattern: '^[0-9]{2}$' });
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, China time' });

export const CaseParams = Type.Object({ id: Uuid });
export const ReferralParams = Type.Object({ id: Uuid, referralId: Uuid });
export const ShiftParams = Type.Object({ id: Uuid });

const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.String(),
  }),
});
export const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

const FirstResponse = Type.Object({
  dueAt: DateTime,
  minutesLeft: nullable(Type.Integer()),
  breached: Type.Boolean(),
});
const Assignee = nullable(Type.Object({ id: Type.String(), name: Type.String() }));

/** Escalation of an unclaimed case (helpline.escalation.ts); null: not escalated. */
const Escalation = nullable(
  Type.Object({
    level: Type.Integer({
      description: '1: the supervisor on duty alerted; 2: handed over from another desk',
    }),
    supervisorAlertedAt: DateTime,
    supervisor: Assignee,
    handedOverAt: nullable(DateTime),
    fromDesk: nullable(Type.String()),
  }),
);

export const QueueItemSchema = Type.Object({
  caseId: Type.String(),
  source: Type.String(),
  status: Type.String(),
  dangerLevel: nullable(Type.String()),
  victimMinor: nullable(Type.Boolean()),
  requestType: nullable(Type.String()),
  province: nullable(Type.String()),
  receivedAt: DateTime,
  assignedTo: Assignee,
  firstResponse: FirstResponse,
  callbackWaiting: Type.Boolean(),
  awaitingReply: Type.Boolean(),
  escalation: Type.Optional(Escalation),
});

export const QueueResponse = Type.Object({
  firstResponseMinutes: Type.Integer(),
  handoverMinutes: Type.Optional(Type.Integer()),
  items: Type.Array(QueueItemSchema),
  /** Cases this desk let wait past both deadlines, handed to another desk (the last 7 days). */
  movedAway: Type.Optional(
    Type.Array(
      Type.Object({ caseId: Type.String(), receivedAt: DateTime, movedAt: DateTime, toDesk: Type.String() }),
    ),
  ),
  loads: Type.Optional(
    Type.Array(
      Type.Object({
        accountId: Type.String(),
        name: Type.String(),
        openCases: Type.Integer(),
        unanswered: Type.Integer(),
      }),
    ),
  ),
});
export const QueueQuery = Type.Object({
  view: Type.Optional(union(['unclaimed', 'whole', 'mine'] as const)),
});

export const AssignBody = Type.Object({ accountId: Uuid }, { additionalProperties: false });
export const TextBody = (limit: number) =>
  Type.Object({ text: Type.String({ minLength: 1, maxLength: limit }) }, { additionalProperties: false });
export const ReplyBody = TextBody(DESK_LIMITS.reply);
export const NoteBody = TextBody(DESK_LIMITS.note);

const Message = Type.Object({
  id: Type.String(),
  author: union(['survivor', 'staff'] as const),
  text: Type.String(),
  createdAt: DateTime,
});
export const MessageResponse = Message;
export const NoteSchema = Type.Object({
  id: Type.String(),
  author: Type.String(),
  text: Type.String(),
  createdAt: DateTime,
});

export const ClassificationBody = Type.Object(
  {
    requestType: union(REQUEST_TYPES),
    otherType: Type.Optional(Type.String({ maxLength: DESK_LIMITS.otherType })),
    forms: Type.Array(union(VIOLENCE_FORMS), { maxItems: VIOLENCE_FORMS.length, uniqueItems: true }),
    relationship: Type.Optional(nullable(union(RELATIONSHIPS))),
    victimMinor: Type.Optional(nullable(Type.Boolean())),
    childrenWitnessed: Type.Optional(nullable(Type.Boolean())),
    ageBand: Type.Optional(nullable(union(AGE_BANDS))),
    gender: Type.Optional(nullable(union(GENDERS))),
    province: Type.Optional(nullable(Province)),
    dangerLevel: Type.Optional(nullable(union(DANGER_LEVELS))),
  },
  { additionalProperties: false },
);

const ClassificationSchema = Type.Object({
  requestType: nullable(Type.String()),
  otherType: nullable(Type.String()),
  forms: Type.Array(Type.String()),
  relationship: nullable(Type.String()),
  victimMinor: nullable(Type.Boolean()),
  childrenWitnessed: nullable(Type.Boolean()),
  ageBand: nullable(Type.String()),
  gender: nullable(Type.String()),
  province: nullable(Type.String()),
  dangerLevel: nullable(Type.String()),
});

export const HotlineCallSchema = Type.Object({
  id: Type.String(),
  caseId: nullable(Type.String()),
  startedAt: DateTime,
  durationSeconds: Type.Integer(),
  callerAgeBand: nullable(Type.String()),
  callerGender: nullable(Type.String()),
  callerMinor: nullable(Type.Boolean()),
  province: nullable(Type.String()),
  category: Type.String(),
  followUpNeeded: Type.Boolean(),
  summary: nullable(Type.String()),
  registeredByMe: Type.Boolean(),
});

export const CaseResponse = Type.Object({
  id: Type.String(),
  source: Type.String(),
  status: Type.String(),
  receivedAt: DateTime,
  assignedTo: Assignee,
  firstResponse: FirstResponse,
  classification: ClassificationSchema,
  caseCode: nullable(Type.String()),
  consentBasis: nullable(Type.String()),
  contact: nullable(
    Type.Object({
      channel: Type.String(),
      windows: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
      hasCodeWord: Type.Boolean(),
      noVoicemail: Type.Boolean(),
      noSms: Type.Boolean(),
      noGuardianContact: Type.Boolean(),
    }),
  ),
  messages: Type.Array(Message),
  notes: Type.Array(NoteSchema),
  referrals: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      agency: nullable(Type.String()),
      status: Type.String(),
      outcome: nullable(Type.String()),
      createdAt: DateTime,
      updatedAt: DateTime,
    }),
  ),
  mandatoryReports: Type.Array(
    Type.Object({
      id: Type.String(),
      reportedAt: DateTime,
      channel: Type.String(),
      policeStation: Type.String(),
      reference: nullable(Type.String()),
      details: nullable(Type.String()),
    }),
  ),
  calls: Type.Array(HotlineCallSchema),
  waitingCallbacks: Type.Array(Type.Object({ id: Type.String(), createdAt: DateTime })),
  evidence: Type.Array(
    Type.Object({
      id: Type.String(),
      evidenceType: Type.String(),
      filename: Type.String(),
      incidentDate: nullable(Type.String()),
      size: Type.Integer(),
      sha256: Type.String(),
      uploadedAt: Type.String(),
    }),
  ),
  closedAt: nullable(DateTime),
  closingOutcome: nullable(Type.String()),
  closingNote: nullable(Type.String()),
});

export const HotlineCallBody = Type.Object(
  {
    startedAt: DateTime,
    durationMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    callerAgeBand: Type.Optional(nullable(union(AGE_BANDS))),
    callerGender: Type.Optional(nullable(union(GENDERS))),
    callerMinor: Type.Optional(nullable(Type.Boolean())),
    province: Type.Optional(nullable(Province)),
    category: union(REQUEST_TYPES),
    summary: Type.String({ minLength: 1, maxLength: DESK_LIMITS.summary }),
    followUpNeeded: Type.Boolean(),
    caseId: Type.Optional(Uuid),
    openCase: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const HotlineCallCreated = Type.Object({ callId: Type.String(), caseId: nullable(Type.String()) });
export const CallsResponse = Type.Object({ items: Type.Array(HotlineCallSchema) });

export const CallbackBody = Type.Object({ callbackId: Type.Optional(Uuid) }, { additionalProperties: false });
export const CallbackResponse = Type.Object({
  attemptId: Type.String(),
  codeWord: nullable(Type.String({ description: 'Ask her for it before anything about her case is said' })),
  phone: Type.String(),
  noVoicemail: Type.Boolean(),
  noSms: Type.Boolean(),
});
export const CallbackFinishBody = Type.Object(
  { attemptId: Uuid, result: union(CALLBACK_RESULTS) },
  { additionalProperties: false },
);

export const ReferralBody = Type.Object(
  {
    kind: union(REFERRAL_KINDS),
    agency: Type.Optional(Type.String({ maxLength: DESK_LIMITS.agency })),
    status: Type.Optional(union(REFERRAL_STATUSES)),
    outcome: Type.Optional(Type.String({ maxLength: DESK_LIMITS.outcome })),
  },
  { additionalProperties: false },
);
export const ReferralUpdateBody = Type.Object(
  {
    status: union(REFERRAL_STATUSES),
    outcome: Type.Optional(Type.String({ maxLength: DESK_LIMITS.outcome })),
  },
  { additionalProperties: false },
);
export const Created = Type.Object({ id: Type.String() });

export const MandatoryReportBody = Type.Object(
  {
    reportedAt: DateTime,
    channel: union(REPORT_CHANNELS),
    policeStation: Type.String({ minLength: 1, maxLength: DESK_LIMITS.station }),
    reference: Type.Optional(Type.String({ maxLength: DESK_LIMITS.reference })),
    details: Type.Optional(Type.String({ maxLength: DESK_LIMITS.details })),
  },
  { additionalProperties: false },
);

export const CloseBody = Type.Object(
  { outcome: union(CLOSING_OUTCOMES), note: Type.Optional(Type.String({ maxLength: DESK_LIMITS.outcome })) },
  { additionalProperties: false },
);

export const Ok = Type.Object({ ok: Type.Boolean() });

export const SettingsBody = Type.Object(
  {
    firstResponseMinutes: Type.Integer({ minimum: 5, maximum: 10080 }),
    provinces: Type.Optional(Type.Array(Province, { maxItems: 40, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const RosterQuery = Type.Object({
  week: Type.Optional(
    Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Any day of the week (China time)' }),
  ),
});
export const ShiftSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  name: Type.String(),
  startsAt: DateTime,
  endsAt: DateTime,
});
export const RosterResponse = Type.Object({
  weekStart: Type.String(),
  shifts: Type.Array(ShiftSchema),
  onDutyNow: Type.Array(ShiftSchema),
});
export const ShiftBody = Type.Object(
  {
    accountId: Uuid,
    date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    from: Time,
    to: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
  },
  { additionalProperties: false },
);
export const DutyHoursResponse = Type.Object({
  onDutyNow: Type.Boolean(),
  today: Type.String(),
  days: Type.Array(
    Type.Object({
      date: Type.String(),
      intervals: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
    }),
  ),
});
