/**
 * Builds the Fastify app from its dependencies without listening, so tests can call `inject()` on the real
 * app. Order: platform plugins (security, parsing, limits, docs, errors), then the feature modules.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { enforceAccessDeclarations, type RegisteredRoute } from './platform/access.ts';
import { registerOriginCheck } from './platform/csrf.ts';
import type { Keyring } from './platform/crypto.ts';
import type { JobRunner } from './platform/jobs.ts';
import { AppError } from './platform/errors.ts';
import { registerErrorHandling } from './platform/http-errors.tsx';
import { registerRequestLocale, rewriteLocaleUrl } from './platform/i18n/request-locale.ts';
import { loggerOptions } from './platform/logger.ts';
import { registerControlCharacterGuard } from './platform/request-guards.ts';
import { registerApiNoStore } from './platform/api-caching.ts';
import { registerBodyParsers } from './platform/body-parsers.ts';
import { registerDraining } from './platform/draining.ts';
import { registerBodyIdleTimeout, serverTimeoutOptions } from './platform/request-timeouts.ts';
import { staticSecurityHeaders } from './platform/security-headers.ts';
import { platformRoutes } from './platform/platform.routes.tsx';
import { ProofOfWork } from './platform/proof-of-work.ts';
import { neverGloballyLimited, RateLimiter } from './platform/rate-limit.ts';
import { AssetRegistry } from './platform/render/assets.ts';
import { installAllModules } from './modules/index.ts';

export interface AppDependencies {
  config: Config;
  db: Db;
  keyring: Keyring;
  /**
   * A pool whose commits do not wait for the disk, for rate-limit counters (one write per request: waiting
   * for fsync there halves intake throughput). Defaults to `db`.
   */
  counterDb?: Db;
  /** Background work; modules register their job handlers on it while the app is built. */
  jobs: JobRunner;
  /** Where logs go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    keyring: Keyring;
    jobs: JobRunner;
    rateLimiter: RateLimiter;
    proofOfWork: ProofOfWork;
  }
}

export const RATE_LIMIT_SWEEP = 'platform.rate-limit-sweep';

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    genReqId: () => randomUUID(),
    rewriteUrl: rewriteLocaleUrl,
    // Trust exactly as many proxy hops as configured, so X-Forwarded-For cannot be forged from outside.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Late requests while stopping get our own 503 (platform/draining.ts), in her language with Retry-After.
    return503OnClosing: false,
    ...serverTimeoutOptions(config.timeouts),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: {
      customOptions: { removeAdditional: 'all', coerceTypes: 'array', allErrors: true, useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routeRegistry: RegisteredRoute[] = [];
  app.decorate('config', config);
  app.decorate('db', deps.db);
  app.decorate('keyring', deps.keyring);
  app.decorate('jobs', deps.jobs);
  app.decorate('routeRegistry', routeRegistry);
  app.decorate('assets', new AssetRegistry());
  // Rate-limit keys are HMACs under a key derived from (not equal to) the master key.
  const rateLimiter = new RateLimiter(deps.counterDb ?? deps.db, deps.keyring.deriveKey('rate-limit'));
  app.decorate('rateLimiter', rateLimiter);
  const proofOfWork = new ProofOfWork(
    deps.counterDb ?? deps.db,
    deps.keyring.deriveKey('proof-of-work'),
    config.proofOfWorkBits,
  );
  app.decorate('proofOfWork', proofOfWork);
  deps.jobs.handle(RATE_LIMIT_SWEEP, async () => {
    await rateLimiter.sweep();
    await proofOfWork.sweep();
  });

  const https = config.publicUrl.startsWith('https://');
  const securityHeaders = {
    ...staticSecurityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          mediaSrc: ["'self'", 'blob:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
    }),
    'permissions-policy': 'geolocation=(), microphone=(), camera=(), payment=(), usb=(), interest-cohort=()',
  };
  // First of all hooks, so even a response refused by a later hook carries them.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });

  registerBodyIdleTimeout(app, config.timeouts.bodyIdleMs);
  enforceAccessDeclarations(app, routeRegistry);
  registerRequestLocale(app);
  registerDraining(app);
  registerApiNoStore(app);
  registerOriginCheck(app);
  registerControlCharacterGuard(app);

  // Brotli quality 4: nearly the size of the slow maximum (11) at a fraction of the CPU per page.
  await app.register(compress, {
    global: true,
    threshold: 512,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  // JSON and forms: text that is not UTF-8 is refused naming the field (not stored as U+FFFD).
  registerBodyParsers(app, { formBytes: 256 * 1024 });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    store: rateLimiter.fastifyStore(),
    // Pages and quick exit are never refused: one client behind a carrier-grade NAT address must not take them
    // from everyone else behind it.
    allowList: neverGloballyLimited,
    // The database being down must not also take down static knowledge pages and quick exit.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', { params: { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) } }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Anxin API',
        version: '0.1.0',
        description: 'The JSON API of Anxin (安心): survivor portal, NGO desk and protection-order one-stop.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'anxin_session',
            description: 'Staff session (identity module)',
          },
          systemToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A system client’s access token from POST /api/oauth/token (client credentials); the requirement lists the scope (action) the operation needs. See docs/systems-api.md',
          },
        },
      },
    },
  });
  registerErrorHandling(app);

  platformRoutes(app);
  // The modules' messages and policy rows first, then their routes and services, in order.
  for (const module of installAllModules()) await module.register(app);
  return app;
}
