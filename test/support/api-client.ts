/**
 * The generated API client (src/client) for app tests: openapi-fetch with a `fetch` that hands each request
 * to the app's `inject()`, so tests go through the same typed client as integrators, without a listening port.
 */
import type { FastifyInstance } from 'fastify';
import { createAnxinClient, type AnxinClient } from '../../src/client/index.ts';

export function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const res = await app.inject({
      method: request.method as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      ...(body ? { payload: body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : [value])
        if (v !== undefined) headers.append(name, String(v));
    }
    const empty = res.statusCode === 204 || res.statusCode === 304 || res.rawPayload.length === 0;
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers });
  };
}

/** A typed client for the app, with headers sent on every request (a bearer token, a session cookie). */
export function apiClient(app: FastifyInstance, headers: Record<string, string> = {}): AnxinClient {
  return createAnxinClient({ baseUrl: 'http://anxin.test', fetch: injectFetch(app), headers });
}
