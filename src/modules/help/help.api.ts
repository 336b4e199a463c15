/**
 * The help module's JSON API (in the OpenAPI document): the same operations the pages offer, for a WeChat
 * Mini Program or any other client. A thread token (from `openHelpThread`) travels in the Authorization
 * header, never in a URL. Errors come back in the Accept-Language of the request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, validationError } from '../../platform/errors.ts';
import {
  AGE_BANDS,
  CONTACT_CHANNELS,
  DA5_ITEMS,
  DIRECTORY_KINDS,
  GENDERS,
  LIMITS,
  RELATIONSHIPS,
  REQUEST_TYPES,
  VIOLENCE_FORMS,
  searchProblems,
  type CallbackInput,
  type DirectoryKind,
  type HelpRequestInput,
} from './help.model.ts';
import { THREAD_IDLE_MS, formatSecret, type HelpService, type ThreadSession } from './help.service.ts';
import { USAGE_CHANNELS, type UsageCounter } from './help.usage.ts';
import { networkOf } from './help.pages.tsx';
import { admitCallbackRequest, admitHelpRequest, PROOF_HEADER, ProofHeaders } from './help.admission.tsx';

const union = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, China time' });
const Windows = Type.Array(Type.Object({ from: Time, to: Time }, { additionalProperties: false }), {
  maxItems: LIMITS.windows,
});

const HelpRequestBody = Type.Object(
  {
    requestType: union(REQUEST_TYPES),
    otherType: Type.Optional(Type.String({ maxLength: LIMITS.otherType })),
    narrative: Type.String({ minLength: 1, maxLength: LIMITS.narrative }),
    ageBand: Type.Optional(union(AGE_BANDS)),
    gender: Type.Optional(union(GENDERS)),
    minor: Type.Optional(Type.Boolean()),
    province: Type.Optional(Type.String({ pattern: '^[0-9]{2}$' })),
    city: Type.Optional(Type.String({ maxLength: LIMITS.city })),
    forms: Type.Optional(
      Type.Array(union(VIOLENCE_FORMS), { maxItems: VIOLENCE_FORMS.length, uniqueItems: true }),
    ),
    relationship: Type.Optional(union(RELATIONSHIPS)),
    childrenWitnessed: Type.Optional(Type.Boolean()),
    contact: Type.Object(
      {
        channel: union(CONTACT_CHANNELS),
        phone: Type.Optional(Type.String({ maxLength: LIMITS.phone })),
        email: Type.Optional(Type.String({ maxLength: LIMITS.email })),
        windows: Type.Optional(Windows),
        codeWord: Type.Optional(Type.String({ maxLength: LIMITS.codeWord })),
        noVoicemail: Type.Boolean(),
        noSms: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    consentSensitive: Type.Literal(true, {
      description: 'Separate consent to processing sensitive personal information (PIPL 29)',
    }),
    guardianMayBeAbuser: Type.Optional(Type.Boolean()),
    secretKind: Type.Optional(
      Type.Union([Type.Literal('digits'), Type.Literal('words')], {
        description:
          '`words`: five simple words a child can keep instead of 12 digits (the same strength, ≥ 40 bits)',
      }),
    ),
    dangerAnswers: Type.Optional(
      Type.Array(Type.Boolean(), {
        minItems: DA5_ITEMS,
        maxItems: DA5_ITEMS,
        description: 'DA-5 answers she chose to attach',
      }),
    ),
  },
  { additionalProperties: false },
);

const CallbackBody = Type.Object(
  {
    phone: Type.String({ minLength: 1, maxLength: LIMITS.phone }),
    windows: Type.Optional(Windows),
    codeWord: Type.Optional(Type.String({ maxLength: LIMITS.codeWord })),
    noVoicemail: Type.Boolean(),
    noSms: Type.Boolean(),
    consentSensitive: Type.Literal(true),
  },
  { additionalProperties: false },
);

const Message = Type.Object({
  id: Type.String(),
  author: union(['survivor', 'staff'] as const),
  text: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    requestId: Type.String(),
  }),
});
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  413: ErrorResponse,
  423: ErrorResponse,
  429: ErrorResponse,
};
const BearerHeaders = Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 200 })) });

const api = (reason: string) => ({ access: { public: true as const, reason } });

export function helpApi(app: FastifyInstance, service: HelpService, usage: UsageCounter): void {
  async function threadFrom(request: FastifyRequest): Promise<ThreadSession> {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header)?.[1];
    const session = await service.threadSession(token);
    if (!session) throw new AppError('UNAUTHENTICATED');
    return session;
  }

  app.post(
    '/api/help/requests',
    {
      config: api(
        'anonymous help requests; admitted per network, more widely with a proof of work (help.admission.tsx)',
      ),
      schema: {
        operationId: 'createHelpRequest',
        tags: ['help'],
        summary: 'File a help request (returns the case code and the secret, shown once)',
        headers: ProofHeaders,
        body: HelpRequestBody,
        response: {
          201: Type.Object({
            caseCode: Type.String(),
            secret: Type.String({ description: 'Shown once; only its hash is stored' }),
            dangerLevel: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { secretKind, ...body } = request.body as HelpRequestInput & {
        windows?: unknown;
        secretKind?: 'digits' | 'words';
      };
      const input: HelpRequestInput = {
        ...body,
        forms: body.forms ?? [],
        contact: { ...body.contact, windows: body.contact.windows ?? [] },
        ...(secretKind === 'words' ? { wordSecret: true } : {}),
      };
      await admitHelpRequest(
        request,
        networkOf(request),
        request.headers[PROOF_HEADER] as string | undefined,
      );
      const created = await service.createHelpRequest(input, request.locale);
      return reply.status(201).send({
        caseCode: created.caseCode,
        secret: input.wordSecret ? formatSecret(created.secret, request.locale) : created.secret,
        dangerLevel: created.dangerLevel,
      });
    },
  );

  app.post(
    '/api/help/thread',
    {
      config: api('case code + secret open her thread; wrong secrets are throttled per network and code'),
      schema: {
        operationId: 'openHelpThread',
        tags: ['help'],
        summary: 'Open a thread with case code and secret (returns a short-lived thread token)',
        body: Type.Object(
          {
            caseCode: Type.String({ minLength: 1, maxLength: 20 }),
            secret: Type.String({ minLength: 1, maxLength: 80 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            token: Type.String({
              description: 'Send as `Authorization: Bearer <token>`; expires after 30 minutes without use',
            }),
            idleTimeoutSeconds: Type.Integer(),
            previousOpenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { caseCode, secret } = request.body as { caseCode: string; secret: string };
      const { token, session } = await service.openThread(caseCode, secret, networkOf(request));
      return {
        token,
        idleTimeoutSeconds: THREAD_IDLE_MS / 1000,
        previousOpenAt: session.previousOpenAt?.toISOString() ?? null,
      };
    },
  );

  app.get(
    '/api/help/thread/messages',
    {
      config: api('her thread, with the token from openHelpThread'),
      schema: {
        operationId: 'listThreadMessages',
        tags: ['help'],
        summary: 'Read the messages of a thread',
        headers: BearerHeaders,
        response: {
          200: Type.Object({
            caseCode: Type.String(),
            previousOpenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            messages: Type.Array(Message),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const session = await threadFrom(request);
      const messages = await service.listMessages(app.db, session.helpRequestId);
      reply.header('cache-control', 'no-store');
      return {
        caseCode: session.caseCode,
        previousOpenAt: session.previousOpenAt?.toISOString() ?? null,
        messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
      };
    },
  );

  app.post(
    '/api/help/thread/messages',
    {
      config: api('her message on her own thread, with the token from openHelpThread'),
      schema: {
        operationId: 'postThreadMessage',
        tags: ['help'],
        summary: 'Post a message on a thread',
        headers: BearerHeaders,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: LIMITS.message }) },
          { additionalProperties: false },
        ),
        response: { 201: Message, ...errors },
      },
    },
    async (request, reply) => {
      const session = await threadFrom(request);
      const message = await service.postSurvivorMessage(session, (request.body as { text: string }).text);
      return reply.status(201).send({ ...message, createdAt: message.createdAt.toISOString() });
    },
  );

  app.delete(
    '/api/help/thread',
    {
      config: api('ends her own thread session, with the token from openHelpThread'),
      schema: {
        operationId: 'closeHelpThread',
        tags: ['help'],
        summary:
          'Sign out of a thread: the token, and every upload grant issued with it, stop working at once',
        headers: BearerHeaders,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await threadFrom(request);
      await service.endThreadSession(
        /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(request.headers.authorization ?? '')?.[1],
      );
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/help/callbacks',
    {
      config: api(
        'anonymous call-back requests; admitted per network like help requests, more widely with a proof of work (help.admission.tsx)',
      ),
      schema: {
        operationId: 'requestCallback',
        tags: ['help'],
        summary: 'Request a call-back (tied to her thread when a thread token is sent)',
        headers: Type.Object({ ...BearerHeaders.properties, ...ProofHeaders.properties }),
        body: CallbackBody,
        response: { 201: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const session = request.headers.authorization ? await threadFrom(request) : undefined;
      const body = request.body as Omit<CallbackInput, 'windows'> & { windows?: CallbackInput['windows'] };
      await admitCallbackRequest(
        request,
        networkOf(request),
        request.headers[PROOF_HEADER] as string | undefined,
      );
      const created = await service.requestCallback(
        { ...body, windows: body.windows ?? [] },
        request.locale,
        session?.helpRequestId ?? null,
      );
      return reply.status(201).send(created);
    },
  );

  app.post(
    '/api/usage',
    {
      config: {
        ...api('anonymous usage counts; carries no identifier'),
        rateLimit: { max: 60, timeWindow: 60_000 },
      },
      schema: {
        operationId: 'recordUsage',
        tags: ['help'],
        summary:
          'Count one open of a client (flags are computed on the device; no identifier is sent or kept)',
        body: Type.Object(
          {
            channel: union(USAGE_CHANNELS),
            firstOpenToday: Type.Boolean({
              description: 'The device has not opened the client before today (counts a user of the day)',
            }),
            firstOpenEver: Type.Boolean({
              description: 'The device has never opened the client before (counts a new user)',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ accepted: Type.Boolean() }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        channel: (typeof USAGE_CHANNELS)[number];
        firstOpenToday: boolean;
        firstOpenEver: boolean;
      };
      if (body.firstOpenEver && !body.firstOpenToday) {
        throw new AppError('VALIDATION', {
          fields: [{ field: 'firstOpenToday', message: 'validation.invalid' }],
        });
      }
      await usage.record(body.channel, {
        opens: 1,
        users: body.firstOpenToday ? 1 : 0,
        new_users: body.firstOpenEver ? 1 : 0,
      });
      return reply.status(202).send({ accepted: true });
    },
  );

  app.get(
    '/api/directory',
    {
      config: api('directory of public services'),
      schema: {
        operationId: 'listDirectoryEntries',
        tags: ['help'],
        summary: 'Find services by province and type',
        querystring: Type.Object(
          {
            province: Type.Optional(Type.String({ pattern: '^[0-9]{2}$' })),
            kind: Type.Optional(union(DIRECTORY_KINDS)),
            q: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object({
                id: Type.String(),
                kind: Type.String(),
                province: Type.String(),
                city: Type.Union([Type.String(), Type.Null()]),
                name: Type.String(),
                phone: Type.Union([Type.String(), Type.Null()]),
                address: Type.Union([Type.String(), Type.Null()]),
                hours: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query as { province?: string; kind?: DirectoryKind; q?: string };
      const problems = searchProblems('q', query.q);
      if (problems.length) throw validationError(problems);
      return { entries: await service.listDirectoryEntries(query, request.locale) };
    },
  );
}
