/**
 * The tus protocol spoken by hand for the scale-out test, so each step can be sent to a chosen process:
 * create, send a part, send a part and cut the connection half-way, ask for the offset (HEAD), and resume.
 */
import http from 'node:http';
import { GRANT_HEADER } from '../../src/modules/evidence/grant.ts';
import { CLIENT_ADDRESS_HEADER, PIN_BACKEND_HEADER } from './processes.ts';
import type { Client } from './scale-out-fixtures.ts';

const TUS = { 'tus-resumable': '1.0.0' };
const b64 = (value: string): string => Buffer.from(value).toString('base64');

export class TusSteps {
  constructor(
    private readonly call: Client,
    private readonly proxyUrl: string,
    private readonly clientAddress: string,
    private readonly grant: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...TUS, [GRANT_HEADER]: this.grant, ...extra };
  }

  /** POST (creation): answers the upload's path. */
  async create(on: number, size: number, metadata: Record<string, string>): Promise<string> {
    const res = await this.call('/api/evidence/uploads', {
      on,
      method: 'POST',
      headers: this.headers({ 'upload-length': String(size), 'upload-metadata': Object.entries(metadata).map(([k, v]) => `${k} ${b64(v)}`).join(',') }),
    });
    const location = res.headers.get('location');
    if (res.status !== 201 || !location) throw new Error(`tus create answered ${res.status}: ${await res.text()}`);
    return new URL(location, this.proxyUrl).pathname;
  }

  /** HEAD: the offset the server has stored. */
  async offset(on: number, path: string): Promise<number> {
    const res = await this.call(path, { on, method: 'HEAD', headers: this.headers() });
    if (res.status !== 200) throw new Error(`tus HEAD answered ${res.status}`);
    return Number(res.headers.get('upload-offset'));
  }

  /** PATCH `bytes` at `offset`; answers the response (204 with Upload-Offset, and the evidence id on the last). */
  async patch(on: number, path: string, offset: number, bytes: Uint8Array): Promise<Response> {
    return this.call(path, {
      on,
      method: 'PATCH',
      headers: this.headers({ 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: bytes,
    });
  }

  /**
   * A PATCH announcing `bytes` whose connection is cut after `sendFirst` of them have been written (a phone
   * losing its network mid-upload). Resolves once the connection is gone.
   */
  async patchCut(on: number, path: string, offset: number, bytes: Buffer, sendFirst: number): Promise<void> {
    const req = http.request(new URL(path, this.proxyUrl), {
      method: 'PATCH',
      headers: this.headers({
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(bytes.length),
        [PIN_BACKEND_HEADER]: String(on),
        [CLIENT_ADDRESS_HEADER]: this.clientAddress,
      }),
    });
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => req.write(bytes.subarray(0, sendFirst), () => resolve()));
    // Give the proxy and the server a moment to take in what was written, then drop the connection.
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();
    await closed;
  }
}
