/**
 * The API of sign-in for systems: an organisation admin lists the scopes a system of their organisation may
 * hold, registers a client (its secret is answered once), lists and revokes clients; a system trades its id
 * and secret for an access token at `POST /api/oauth/token` (OAuth 2.0 client credentials, RFC 6749 §4.4).
 * Guide for integrators: docs/systems-api.md.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../../platform/access-guard.ts';
import { auditActorFrom } from '../../platform/audit.ts';
import { systemScopes, SCOPES } from '../../platform/access-policy.ts';
import {
  issueSystemToken,
  listSystemClients,
  registerSystemClient,
  revokeSystemClient,
  SYSTEM_TOKEN_SECONDS,
} from './system-clients.ts';

const Uuid = Type.String({ format: 'uuid' });
const ClientView = Type.Object({
  id: Uuid,
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const TokenRequest = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ description: 'Must be client_credentials' })),
    scope: Type.Optional(
      Type.String({
        description: 'Space-separated scopes (actions); all of the client’s scopes when absent',
      }),
    ),
    client_id: Type.Optional(
      Type.String({ description: 'With client_secret, when not sent as HTTP Basic authentication' }),
    ),
    client_secret: Type.Optional(Type.String()),
  },
  { description: 'application/x-www-form-urlencoded (RFC 6749) or JSON' },
);
const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds' }),
  scope: Type.String(),
});
const OAuthError = Type.Object(
  {
    error: Type.Union([
      Type.Literal('invalid_request'),
      Type.Literal('invalid_client'),
      Type.Literal('unsupported_grant_type'),
      Type.Literal('invalid_scope'),
    ]),
    error_description: Type.String(),
  },
  { description: 'RFC 6749 §5.2 error' },
);

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1: each part form-urlencoded) and/or the body. */
function clientCredentials(
  request: FastifyRequest,
  body: { client_id?: string; client_secret?: string },
): { id: string; secret: string; basic: boolean } | 'both' | undefined {
  const basic = /^Basic ([A-Za-z0-9+/=]{1,600})$/i.exec(request.headers.authorization ?? '')?.[1];
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic && inBody) return 'both';
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    try {
      return {
        id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
        basic: true,
      };
    } catch {
      return undefined;
    }
  }
  if (body.client_id !== undefined && body.client_secret !== undefined)
    return { id: body.client_id, secret: body.client_secret, basic: false };
  return undefined;
}

export function systemClientRoutes(app: FastifyInstance): void {
  const manage = { access: { action: 'identity.systemClient.manage' } };

  app.get(
    '/api/system-clients/scopes',
    {
      config: manage,
      schema: {
        operationId: 'listSystemScopes',
        tags: ['systems'],
        summary:
          'The scopes (access-policy actions) a system of the caller’s organisation may be given, each with the records it reaches',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ scope: Type.String(), reach: Type.Union(SCOPES.map((s) => Type.Literal(s))) }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      return {
        items: Object.entries(systemScopes(staff.organisationKind)).map(([scope, reach]) => ({
          scope,
          reach,
        })),
      };
    },
  );

  app.get(
    '/api/system-clients',
    {
      config: manage,
      schema: {
        operationId: 'listSystemClients',
        tags: ['systems'],
        summary: 'The system clients of the caller’s organisation (all, for the platform admin)',
        response: { 200: Type.Object({ items: Type.Array(ClientView) }) },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      return {
        items: await listSystemClients(
          app.db,
          request.access?.scope === 'all' ? undefined : staff.organisationId,
        ),
      };
    },
  );

  app.post(
    '/api/system-clients',
    {
      config: manage,
      schema: {
        operationId: 'registerSystemClient',
        tags: ['systems'],
        summary:
          'Register a system of the caller’s organisation; the secret is answered once and never again',
        body: Type.Object({
          name: Type.String({ maxLength: 100 }),
          scopes: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
        }),
        response: {
          201: Type.Object({
            clientId: Uuid,
            clientSecret: Type.String(),
            scopes: Type.Array(Type.String()),
            tokenUrl: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      const staff = requireStaff(request);
      const body = request.body as { name: string; scopes: string[] };
      const created = await registerSystemClient(app.db, app.systemClientKeys, {
        organisationId: staff.organisationId,
        organisationKind: staff.organisationKind,
        name: body.name,
        scopes: body.scopes,
        createdBy: staff.accountId,
        audit: auditActorFrom(request),
      });
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({
          clientId: created.id,
          clientSecret: created.secret,
          scopes: created.scopes,
          tokenUrl: `${app.config.publicUrl}/api/oauth/token`,
        });
    },
  );

  app.post(
    '/api/system-clients/:id/revoke',
    {
      config: { access: { action: 'identity.systemClient.manage', record: 'system_client' } },
      schema: {
        operationId: 'revokeSystemClient',
        tags: ['systems'],
        summary: 'Revoke a system client: its tokens are refused from the next request on',
        params: Type.Object({ id: Uuid }),
        body: Type.Optional(Type.Object({})),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (request) => {
      const staff = requireStaff(request);
      await revokeSystemClient(
        app.db,
        (request.params as { id: string }).id,
        staff.accountId,
        auditActorFrom(request),
      );
      return { ok: true };
    },
  );

  app.post(
    '/api/oauth/token',
    {
      config: {
        access: {
          public: true,
          reason: 'OAuth 2.0 token endpoint: the system client authenticates here with its id and secret',
        },
      },
      schema: {
        operationId: 'issueSystemToken',
        tags: ['systems'],
        summary: 'Client credentials grant (RFC 6749 §4.4): a short-lived bearer token for a system client',
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthError, 401: OAuthError },
      },
      // A body that is not a token request (not an object, not JSON or form, not UTF-8) is refused in OAuth's own
      // error format (RFC 6749 §5.2), which is what this route's 400 answer is declared as.
      errorHandler: (error, request, reply) => {
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        if (![400, 413, 415].includes(status)) throw error;
        void reply
          .status(400)
          .header('cache-control', 'no-store')
          .send({ error: 'invalid_request', error_description: request.t('identity.oauth.invalidRequest') });
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as {
        grant_type?: string;
        scope?: string;
        client_id?: string;
        client_secret?: string;
      };
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const refuse = (
        status: 400 | 401,
        error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
        key: Parameters<FastifyRequest['t']>[0],
      ) => reply.status(status).send({ error, error_description: request.t(key) });
      const credentials = clientCredentials(request, body);
      if (credentials === 'both' || body.grant_type === undefined)
        return refuse(400, 'invalid_request', 'identity.oauth.invalidRequest');
      if (body.grant_type !== 'client_credentials')
        return refuse(400, 'unsupported_grant_type', 'identity.oauth.unsupportedGrant');
      if (!credentials) {
        reply.header('www-authenticate', 'Basic realm="anxin", charset="UTF-8"');
        return refuse(401, 'invalid_client', 'identity.oauth.invalidClient');
      }
      const outcome = await issueSystemToken(app.db, app.systemClientKeys, {
        clientId: credentials.id,
        secret: credentials.secret,
        scope: body.scope,
        ip: request.ip || null,
        userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
      });
      if (!outcome.ok && outcome.error === 'invalid_scope')
        return refuse(400, 'invalid_scope', 'identity.oauth.invalidScope');
      if (!outcome.ok) {
        if (credentials.basic) reply.header('www-authenticate', 'Basic realm="anxin", charset="UTF-8"');
        return refuse(401, 'invalid_client', 'identity.oauth.invalidClient');
      }
      return {
        access_token: outcome.accessToken,
        token_type: 'Bearer' as const,
        expires_in: SYSTEM_TOKEN_SECONDS,
        scope: outcome.scope,
      };
    },
  );
}
