/**
 * Every route declares who may call it in its route config (`config.access`); a route without a
 * declaration cannot be registered (deny by default). The declaration also produces the operation's
 * OpenAPI `security` requirement, so the document and the enforcement cannot drift apart.
 *
 * - `{ public: true, reason }` — anyone, signed in or not (survivor pages, health checks). The reason is
 *   required so that a public route is always a decision someone wrote down.
 * - `{ action }` — a staff action from the access policy (access-policy.ts); evaluated by one function
 *   before the handler runs.
 * - `body` — ids the body names (`{ field: { record, action? } }`): each present value is located as that record
 *   type and checked against the actor's scope for `action` (default: the route's), once the body is valid.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { defaultErrorResponses } from './error-responses.ts';
import type { RouteAccess } from './route-access.ts';

export type { BodyRecord, RouteAccess } from './route-access.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /**
     * On a page route that changes state: the operationId of its twin in the JSON API, which calls the same
     * use case (a page can do nothing the API cannot; test/app/api-parity.test.ts checks every such route).
     */
    operation?: string;
  }
}

export class MissingAccessRuleError extends Error {
  constructor(method: string | string[], url: string) {
    super(`Route ${String(method)} ${url} declares no access rule (config.access): every route must`);
    this.name = 'MissingAccessRuleError';
  }
}

/** Registered routes and their rules, for the access-matrix test and the API docs page. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
  /** The API twin of a page route (`config.operation`). */
  operation?: string;
}

export function enforceAccessDeclarations(app: FastifyInstance, registry: RegisteredRoute[]): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    if (!access) throw new MissingAccessRuleError(route.method, route.url);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      registry.push({ method, url: route.url, access, operation: route.config?.operation });
    // `x-` keys are copied into the operation by @fastify/swagger: the access rule is readable in the document.
    const schema: Record<string, unknown> = { ...route.schema };
    if ('public' in access) {
      Object.assign(schema, { security: [], 'x-public-reason': access.reason });
    } else {
      // A staff session, or a system client's bearer token holding the action as a scope.
      Object.assign(schema, {
        security: [{ session: [] }, { systemToken: [access.action] }],
        'x-access-action': access.action,
      });
    }
    if (route.url.startsWith('/api/') && !schema.hide) {
      schema.response = {
        ...(schema.response as Record<string, unknown> | undefined),
        ...defaultErrorResponses(methods, access, schema),
      };
    }
    route.schema = schema;
  });
}
