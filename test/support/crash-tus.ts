/**
 * A bare tus 1.0.0 client on fetch for the crash test: every request is one call, so the test knows exactly
 * what the server acknowledged (a 201 creation, a 204 PATCH with its Upload-Offset, the last PATCH's
 * Anxin-Evidence-Id / Anxin-Evidence-Sha256) and can resume an upload after the server was killed.
 */
import { GRANT_HEADER } from '../../src/modules/evidence/grant.ts';

const TIMEOUT_MS = 15_000;

function headers(grant: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'tus-resumable': '1.0.0', [GRANT_HEADER]: grant, ...extra };
}

const b64 = (value: string): string => Buffer.from(value).toString('base64');

/** POST: answers the upload's path (each server life has its own port), or the status of a refusal. */
export async function tusCreate(
  base: string,
  grant: string,
  size: number,
  metadata: Record<string, string>,
): Promise<{ url: string } | { status: number }> {
  const res = await fetch(`${base}/api/evidence/uploads`, {
    method: 'POST',
    headers: headers(grant, {
      'upload-length': String(size),
      'upload-metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(','),
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  return res.status === 201 && location ? { url: new URL(location, base).pathname } : { status: res.status };
}

/** HEAD: the stored offset (200), or the status (404/410 when the server does not know the upload). */
export async function tusOffset(
  base: string,
  url: string,
  grant: string,
): Promise<{ status: number; offset?: number }> {
  const res = await fetch(base + url, {
    method: 'HEAD',
    headers: headers(grant),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const offset = res.headers.get('upload-offset');
  return { status: res.status, ...(res.status === 200 && offset !== null ? { offset: Number(offset) } : {}) };
}

export interface PatchAnswer {
  status: number;
  offset?: number;
  evidenceId?: string;
  sha256?: string;
}

/** PATCH one chunk at `offset`; a 204 acknowledges everything up to the answered Upload-Offset. */
export async function tusPatch(
  base: string,
  url: string,
  grant: string,
  offset: number,
  chunk: Buffer,
): Promise<PatchAnswer> {
  const res = await fetch(base + url, {
    method: 'PATCH',
    headers: headers(grant, {
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    }),
    body: Uint8Array.from(chunk),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.arrayBuffer();
  const answered = res.headers.get('upload-offset');
  return {
    status: res.status,
    ...(answered !== null ? { offset: Number(answered) } : {}),
    ...(res.headers.get('anxin-evidence-id')
      ? { evidenceId: res.headers.get('anxin-evidence-id') ?? '' }
      : {}),
    ...(res.headers.get('anxin-evidence-sha256')
      ? { sha256: res.headers.get('anxin-evidence-sha256') ?? '' }
      : {}),
  };
}
