/** The configured evidence store: files in the data directory (default) or S3-compatible object storage. */
import type { EvidenceConfig } from '../../../config.ts';
import { FsStorage } from './fs-storage.ts';
import type { EvidenceStorage } from './storage.ts';

export type { EvidenceStorage } from './storage.ts';
export { ObjectNotFoundError } from './storage.ts';
export { FsStorage } from './fs-storage.ts';

/** The AWS SDK (about 20 MiB of code) is loaded only when the S3 store is configured. */
export async function createStorage(config: EvidenceConfig): Promise<EvidenceStorage> {
  switch (config.store) {
    case 'fs':
      return new FsStorage(config.dir);
    case 's3': {
      if (!config.s3) throw new Error('ANXIN_EVIDENCE_STORE=s3 needs the ANXIN_S3_* settings');
      const { S3Storage } = await import('./s3-storage.ts');
      return new S3Storage(config.s3);
    }
  }
}
