/** Small HTTP helpers shared by the crash test's writers and checks (the public API, as a phone would call it). */
import { randomBytes, randomInt } from 'node:crypto';

export const randomNetwork = (): string => `198.51.100.${randomInt(1, 254)}`;

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function send(
  base: string,
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(base + url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
}

export const post = (
  base: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> => send(base, 'POST', url, body, headers);

export interface Survivor {
  caseCode: string;
  secret: string;
  network: string;
}

/** File a help request; undefined unless the server acknowledged it (201). */
export async function fileHelpRequest(base: string): Promise<(Survivor & { marker: string }) | undefined> {
  const network = randomNetwork();
  const marker = randomBytes(6).toString('hex');
  const created = await post(
    base,
    '/api/help/requests',
    {
      requestType: 'domestic_violence',
      narrative: `crash-test ${marker}`,
      contact: { channel: 'in_app', noVoicemail: true, noSms: true },
      consentSensitive: true,
    },
    { 'x-forwarded-for': network },
  );
  if (created.status !== 201) return undefined;
  const { caseCode, secret } = (await created.json()) as { caseCode: string; secret: string };
  return { caseCode, secret, network, marker };
}

/** Her thread token (case code + secret), or the status when the thread did not open. */
export async function openThread(base: string, s: Survivor): Promise<{ token: string } | { status: number }> {
  const opened = await post(
    base,
    '/api/help/thread',
    { caseCode: s.caseCode, secret: s.secret },
    { 'x-forwarded-for': s.network },
  );
  if (opened.status !== 200) return { status: opened.status };
  return (await opened.json()) as { token: string };
}

export const bearer = (token: string, s: Survivor): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'x-forwarded-for': s.network,
});
