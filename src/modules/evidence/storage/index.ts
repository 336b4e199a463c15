/** The configured evidence store: files in the data directory (default) or S3-compatible object storage. */
import type { EvidenceConfig } from '../../../config.ts';
import { FsStorage } from './fs-storage.ts';
import { S3Storage } from './s3-storage.ts';
import type { EvidenceStorage } from './storage.ts';

export type { EvidenceStorage } from './storage.ts';
export { ObjectNotFoundError } from './storage.ts';
export { FsStorage } from './fs-storage.ts';
export { S3Storage } from './s3-storage.ts';

export function createStorage(config: EvidenceConfig): EvidenceStorage {
  switch (config.store) {
    case 'fs':
      return new FsStorage(config.dir);
    case 's3':
      if (!config.s3) throw new Error('ANXIN_EVIDENCE_STORE=s3 needs the ANXIN_S3_* settings');
      return new S3Storage(config.s3);
  }
}
