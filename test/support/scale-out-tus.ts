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
      headers: this.headers({
        'upload-length': String(size),
        'upload-metadata': Object.entries(metadata)
          .map(([k, v]) => `${k} ${b64(v)}`)
          .join(','),
      }),
    });
    const location = res.headers.get('location');
    if (res.status !== 201 || !location)
      throw new Error(`tus create answered ${res.status}: ${await res.text()}`);
    return new URL(location, this.call.proxyUrl).pathname;
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
      headers: this.headers({
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      }),
      body: bytes,
    });
  }

  /**
   * Resume as a tus client does: ask for the offset, send the rest from there; a 409 (the offset moved
   * meanwhile, e.g. another process stored the bytes of a cut request after the HEAD) means ask again.
   * Answers the last PATCH's response and every status seen on the way.
   */
  async resume(
    on: number,
    path: string,
    file: Buffer,
  ): Promise<{ response: Response; offsets: number[]; statuses: number[] }> {
    const offsets: number[] = [];
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const offset = await this.offset(on, path);
      offsets.push(offset);
      const response = await this.patch(on, path, offset, file.subarray(offset));
      statuses.push(response.status);
      if (response.status !== 409) return { response, offsets, statuses };
      await response.arrayBuffer();
    }
    throw new Error(`upload not resumed: ${statuses.join(', ')}`);
  }

  /**
   * A PATCH (chunked, so no length is promised) of which the first `sendFirst` bytes are written, then
   * nothing: the phone's network goes silent mid-upload, and the connection stays open. Later `cut()` drops
   * the connection, or `end()` ends the body there and answers the server's status (as for a body cut short).
   * Resolves once the written bytes have had a moment to reach the server.
   */
  async patchPartly(
    on: number,
    path: string,
    offset: number,
    bytes: Buffer,
    sendFirst: number,
  ): Promise<{ cut(): Promise<void>; end(): Promise<number> }> {
    const req = http.request(new URL(path, this.call.proxyUrl), {
      method: 'PATCH',
      headers: this.headers({
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        [PIN_BACKEND_HEADER]: String(on),
        [CLIENT_ADDRESS_HEADER]: this.call.address,
      }),
    });
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    answered.catch(() => undefined);
    await new Promise<void>((resolve) => req.write(bytes.subarray(0, sendFirst), () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    return {
      cut: async () => {
        req.destroy();
        await closed;
      },
      end: async () => {
        req.end();
        return answered;
      },
    };
  }
}
