/**
 * Routes the platform itself owns: health and readiness, static assets, quick exit, and the API document
 * (`/api/openapi.json`) with its browsable page (`/api/docs`, server-rendered: no third-party UI bundle).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pingDatabase } from '../db/database.ts';
import { notFound } from './errors.ts';
import { sendPage } from './render/page.tsx';
import type { RegisteredRoute } from './access.ts';

declare module 'fastify' {
  interface FastifyInstance {
    routeRegistry: RegisteredRoute[];
    /** Parts that report in /readyz `details` without deciding readiness (e.g. the malware scanner). */
    readiness: Map<string, () => Record<string, unknown>>;
  }
}

const HealthBody = Type.Object({ status: Type.String() });
const ReadyBody = Type.Object({
  status: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))),
});

export function platformRoutes(app: FastifyInstance): void {
  let databaseUp = true;
  app.decorate('readiness', new Map<string, () => Record<string, unknown>>());

  app.get(
    '/healthz',
    {
      config: {
        access: { public: true, reason: 'liveness probe for process supervisors' },
        rateLimit: false,
      },
      schema: {
        operationId: 'getHealth',
        tags: ['platform'],
        summary: 'The process is up',
        response: { 200: HealthBody },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: { public: true, reason: 'readiness probe for load balancers' }, rateLimit: false },
      schema: {
        operationId: 'getReadiness',
        tags: ['platform'],
        summary: 'The database is reachable (details: other parts, e.g. whether the malware scanner answers)',
        response: { 200: ReadyBody, 503: ReadyBody },
      },
    },
    async (request, reply) => {
      const up = await pingDatabase(app.db);
      if (up !== databaseUp) {
        databaseUp = up;
        if (up) request.log.info('database reachable again; ready');
        else request.log.error('database unreachable: /readyz answers 503 until it returns');
      }
      const details = Object.fromEntries([...app.readiness].map(([name, report]) => [name, report()]));
      return reply.status(up ? 200 : 503).send({ status: up ? 'ready' : 'database unavailable', details });
    },
  );

  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    {
      config: {
        access: { public: true, reason: 'stylesheets and scripts for every page' },
        rateLimit: false,
      },
      compress: false,
      schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) },
    },
    async (request, reply) => {
      const asset = app.assets.byUrl(request.params.file);
      if (!asset) throw notFound();
      const accepted = String(request.headers['accept-encoding'] ?? '');
      reply
        .header('content-type', asset.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', asset.etag)
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      if (/\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(asset.brotli);
      if (/\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.raw);
    },
  );

  app.get(
    '/exit',
    {
      config: {
        access: { public: true, reason: 'quick exit must work for anyone, at once' },
        rateLimit: false,
      },
      schema: { hide: true },
    },
    async (_request, reply) => {
      // Clear everything this site left in the browser: cookies, storage and cache (works without JavaScript).
      reply.header('clear-site-data', '"cache", "cookies", "storage"').header('cache-control', 'no-store');
      return reply.redirect(app.config.quickExitUrl, 303);
    },
  );

  app.get(
    '/api/openapi.json',
    {
      config: {
        access: { public: true, reason: 'the API contract is public; operations enforce their own rules' },
      },
      schema: { hide: true },
    },
    async (_request, reply) => reply.header('cache-control', 'no-cache').send(app.swagger()),
  );

  app.get(
    '/api/docs',
    {
      config: { access: { public: true, reason: 'browsable view of the public API contract' } },
      schema: { hide: true },
    },
    async (request, reply) => {
      const spec = app.swagger() as {
        paths?: Record<
          string,
          Record<string, { operationId?: string; summary?: string; security?: unknown[] }>
        >;
      };
      const operations = Object.entries(spec.paths ?? {}).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), ...op })),
      );
      return sendPage(request, reply, {
        survivor: false,
        title: request.t('api.docs.title'),
        body: (
          <>
            <h1>{request.t('api.docs.title')}</h1>
            <p class="lead">{request.t('api.docs.lead')}</p>
            <p>
              <a class="button secondary" href="/api/openapi.json">
                {request.t('api.docs.download')}
              </a>
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">{request.t('api.docs.operation')}</th>
                  <th scope="col">{request.t('api.docs.method')}</th>
                  <th scope="col">{request.t('api.docs.path')}</th>
                  <th scope="col">{request.t('api.docs.summary')}</th>
                  <th scope="col">{request.t('api.docs.security')}</th>
                </tr>
              </thead>
              <tbody>
                {operations.map((op) => (
                  <tr>
                    <td>
                      <code>{op.operationId ?? ''}</code>
                    </td>
                    <td>{op.method}</td>
                    <td>
                      <code>{op.path}</code>
                    </td>
                    <td>{op.summary ?? ''}</td>
                    <td>
                      {op.security && op.security.length === 0
                        ? request.t('api.docs.public')
                        : request.t('api.docs.signedIn')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ),
      });
    },
  );
}
