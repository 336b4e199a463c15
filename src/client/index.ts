/**
 * The typed API client: `openapi-fetch` over the types openapi-typescript generates from /api/openapi.json
 * (`npm run api:client` writes schema.d.ts; CI fails when it is stale). Used by the tests, the staff console
 * and the Mini Program, and by integrators' TypeScript code (docs/systems-api.md).
 *
 *   const api = createAnxinClient({ baseUrl: 'https://anxin.example', headers: { authorization: `Bearer ${token}` } });
 *   const { data, error } = await api.GET('/api/orders/docket');
 */
import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { paths, components, operations } from './schema.d.ts';

export function createAnxinClient(options: ClientOptions = {}) {
  return createClient<paths>(options);
}

export type AnxinClient = ReturnType<typeof createAnxinClient>;
