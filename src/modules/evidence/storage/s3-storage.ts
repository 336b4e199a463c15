/**
 * Evidence objects in any S3-compatible store (AWS S3, MinIO, Ceph, OpenStack Swift's s3api).
 *
 * The SDK's default request/response checksums break streamed uploads on several S3-compatible servers, so
 * both are set to WHEN_REQUIRED. Streams of unknown length are sent as a single PUT when they fit in one
 * part, otherwise as a multipart upload of PART_BYTES parts; memory holds at most one part per put, and a
 * failed multipart upload is aborted so no partial object remains.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { assertSafeKey, ObjectNotFoundError, type EvidenceStorage } from './storage.ts';

/** Size of one multipart part (S3 needs at least 5 MiB for every part but the last). */
export const PART_BYTES = 8 * 1024 * 1024;

export interface S3Settings {
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

export class S3Storage implements EvidenceStorage {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    assertSafeKey(key);
    const parts = readParts(body, PART_BYTES);
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    const second = first.done ? first : await parts.next();
    if (second.done) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: firstPart,
          ContentLength: firstPart.length,
        }),
      );
      return { bytes: firstPart.length };
    }
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error('The object store returned no multipart upload id');
    const done: { ETag: string; PartNumber: number }[] = [];
    let bytes = 0;
    try {
      let partNumber = 0;
      const send = async (part: Buffer): Promise<void> => {
        partNumber += 1;
        const result = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: part,
            ContentLength: part.length,
          }),
        );
        if (!result.ETag) throw new Error('The object store returned no ETag for a part');
        done.push({ ETag: result.ETag, PartNumber: partNumber });
        bytes += part.length;
      };
      await send(firstPart);
      await send(second.value);
      for (let next = await parts.next(); !next.done; next = await parts.next()) await send(next.value);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
        }),
      );
      return { bytes };
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    return this.getRange(key, 0, undefined);
  }

  async getRange(key: string, start: number, end: number | undefined): Promise<Readable> {
    assertSafeKey(key);
    const range = start === 0 && end === undefined ? undefined : `bytes=${start}-${end ?? ''}`;
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: range } : {}) }),
      );
      if (!(result.Body instanceof Readable)) throw new Error('The object store returned no body');
      return result.Body;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
        throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    // One DELETE per object, four at a time: bulk DeleteObjects needs a Content-MD5 that several
    // S3-compatible stores insist on and the SDK no longer sends.
    for (;;) {
      const keys = await this.list(prefix, 1000);
      if (keys.length === 0) return;
      for (let i = 0; i < keys.length; i += 4)
        await Promise.all(keys.slice(i, i + 4).map((key) => this.delete(key)));
    }
  }

  async list(prefix: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.sort();
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}

/** Split a stream into buffers of exactly `size` bytes (the last may be shorter); holds one part at a time. */
async function* readParts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let rest = chunk;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
