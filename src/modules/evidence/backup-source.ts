/**
 * The evidence store as a source of the platform backup (`anxin backup` / `anxin restore`): objects are copied
 * byte for byte — they are already encrypted under data keys wrapped by the master key.
 */
import { backupFileSourceFactories, type BackupFileSource } from '../../platform/backup.ts';
import type { Config } from '../../config.ts';
import { createStorage } from './storage/index.ts';

export function evidenceBackupSource(config: Config): BackupFileSource {
  const opened = createStorage(config.evidence);
  return {
    name: 'evidence',
    async *list() {
      for (const key of await (await opened).list('')) yield { key };
    },
    read: async (key) => (await opened).get(key),
    write: async (key, body) => {
      await (await opened).put(key, body);
    },
  };
}

if (!backupFileSourceFactories.includes(evidenceBackupSource))
  backupFileSourceFactories.push(evidenceBackupSource);
