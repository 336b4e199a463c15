/**
 * Helpers for the scale-out test, which talks to real server processes over HTTP (through the proxy of
 * `processes.ts`): a fixture writer on the same database and master key as the servers (so the identity
 * fixtures can create organisations and staff), a small HTTP client that pins each request to a backend, and
 * the staff sign-in and a survivor's help request done through the public pages and API.
 */
import { totpCode } from '../../src/modules/identity/totp.ts';
import { connectDatabase } from '../../src/db/database.ts';
import { Keyring } from '../../src/platform/crypto.ts';
import { csrfFrom, type StaffFixture } from './identity-fixtures.ts';
import { CLIENT_ADDRESS_HEADER, PIN_BACKEND_HEADER } from './processes.ts';
import type { TestApp } from './test-app.ts';

/**
 * The database and keyring the identity fixtures write with (`makeOrganisation`, `makeStaff` use only these
 * two members of a TestApp), opened on the servers' database with the servers' master key.
 */
export function fixtureWriter(
  databaseUrl: string,
  masterKey: string,
): { t: TestApp; close(): Promise<void> } {
  const handle = connectDatabase(databaseUrl, { max: 2 });
  const keyring = new Keyring(Buffer.from(masterKey, 'base64'));
  return { t: { db: handle.db, keyring } as unknown as TestApp, close: () => handle.close() };
}

export interface Call {
  /** Which process must serve the request (index of the proxy's backend); round-robin when absent. */
  on?: number;
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  body?: Uint8Array;
}

export interface Client {
  (path: string, call?: Call): Promise<Response>;
  /** The client address the proxy gives the servers for this client's requests. */
  address: string;
  proxyUrl: string;
}

/** Requests through the proxy, pinned to a backend, from a client address of their own, never following redirects. */
export function client(proxyUrl: string, clientAddress: string): Client {
  const send = (path: string, call: Call = {}): Promise<Response> => {
    const headers: Record<string, string> = { [CLIENT_ADDRESS_HEADER]: clientAddress, ...call.headers };
    if (call.on !== undefined) headers[PIN_BACKEND_HEADER] = String(call.on);
    // A copy: fetch's types take only a Uint8Array over a plain ArrayBuffer.
    let body: string | Uint8Array<ArrayBuffer> | undefined = call.body && new Uint8Array(call.body);
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    }
    return fetch(`${proxyUrl}${path}`, {
      method: call.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
  };
  return Object.assign(send, { address: clientAddress, proxyUrl });
}

function sessionCookieOf(response: Response): string {
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('anxin_session=') && !c.startsWith('anxin_session=;'));
  if (!cookie) throw new Error(`no session cookie (status ${response.status})`);
  return cookie.split(';')[0] ?? '';
}

export interface HttpSession {
  cookie: string;
  csrf: string;
}

/** Sign in through the real pages: the password step on one process, the TOTP step on another. */
export async function signInOverHttp(
  call: Client,
  staff: StaffFixture,
  steps: { passwordOn: number; totpOn: number },
): Promise<HttpSession> {
  const first = await call('/staff/sign-in', {
    on: steps.passwordOn,
    form: { email: staff.email, password: staff.password },
  });
  if (first.status !== 303) throw new Error(`password step answered ${first.status}`);
  const pending = sessionCookieOf(first);
  const page = await call('/staff/sign-in/verify', { on: steps.totpOn, headers: { cookie: pending } });
  if (page.status !== 200) throw new Error(`verify page answered ${page.status}`);
  const second = await call('/staff/sign-in/verify', {
    on: steps.totpOn,
    headers: { cookie: pending },
    form: { _csrf: csrfFrom(await page.text()), code: totpCode(staff.totpSecret, Date.now()) },
  });
  if (second.status !== 303) throw new Error(`TOTP step answered ${second.status}`);
  const cookie = sessionCookieOf(second);
  const session = await call('/api/staff/session', { on: steps.passwordOn, headers: { cookie } });
  if (session.status !== 200) throw new Error(`session answered ${session.status}`);
  return { cookie, csrf: ((await session.json()) as { csrfToken: string }).csrfToken };
}

export function staffHeaders(session: HttpSession): Record<string, string> {
  return { cookie: session.cookie, 'x-csrf-token': session.csrf };
}

/** A help request filed through the public API; answers the case code and the secret she is shown once. */
export async function fileHelpRequest(
  call: Client,
  on: number,
): Promise<{ caseCode: string; secret: string }> {
  const res = await call('/api/help/requests', {
    on,
    json: {
      requestType: 'domestic_violence',
      narrative: '他昨晚又打了我。',
      forms: ['physical'],
      contact: { channel: 'in_app', noVoicemail: true, noSms: true },
      consentSensitive: true,
    },
  });
  if (res.status !== 201) throw new Error(`help request answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { caseCode: string; secret: string };
}

/** Open her thread with case code and secret (the thread token for `Authorization: Bearer`). */
export async function openThread(
  call: Client,
  on: number,
  caseCode: string,
  secret: string,
): Promise<string> {
  const res = await call('/api/help/thread', { on, json: { caseCode, secret } });
  if (res.status !== 200) throw new Error(`opening the thread answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Her journal entry (an incident), which answers an upload grant for attaching files with tus. */
export async function journalEntry(
  call: Client,
  on: number,
  bearer: Record<string, string>,
  description: string,
): Promise<{ id: string; grant: string }> {
  const res = await call('/api/help/thread/journal', {
    on,
    headers: bearer,
    json: { incidentDate: '2026-11-02', evidenceType: 'audio_visual', description },
  });
  if (res.status !== 201) throw new Error(`journal entry answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { id: string; upload: { token: string } };
  return { id: body.id, grant: body.upload.token };
}
