/**
 * Where encrypted evidence bytes live. Every driver stores opaque ciphertext only: encryption happens before
 * `put` and decryption after `get` (see docs/evidence-vault.md). A `put` either stores the whole object
 * durably or leaves nothing behind.
 */
import type { Readable } from 'node:stream';

export interface EvidenceStorage {
  readonly kind: 'fs' | 's3';
  /** Store an object from a stream of unknown length; resolves once it is durable. */
  put(key: string, body: Readable): Promise<{ bytes: number }>;
  /** Read an object as a stream; rejects with `ObjectNotFoundError` when it does not exist. */
  get(key: string): Promise<Readable>;
  /**
   * Read bytes `start` … `end` (inclusive; to the object's end when `end` is undefined) of an object;
   * rejects with `ObjectNotFoundError` when it does not exist. Used by range reads, which decrypt only the
   * frames they need.
   */
  getRange(key: string, start: number, end: number | undefined): Promise<Readable>;
  /** Remove an object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Remove every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Keys under a prefix (housekeeping and tests). */
  list(prefix: string): Promise<string[]>;
  /** Check the store can be reached (readiness, start-up). */
  check(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored object ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Keys are built from ids only (no names, nothing personal): `uploads/<id>/<n>-<rand>`, `items/<id>/...`. */
export function assertSafeKey(key: string): void {
  if (!/^[a-z]+(\/[A-Za-z0-9._-]+)+$/.test(key) || key.includes('..'))
    throw new Error(`Unsafe object key ${key}`);
}
