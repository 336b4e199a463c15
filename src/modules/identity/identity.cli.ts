/** `anxin audit verify`: walk the audit hash chain and name the first broken link (exit 1 when broken). */
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { describeVerification, verifyAuditChain } from './audit.ts';

export async function auditCommand(args: string[], db: () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  if (positionals[0] !== 'verify' || positionals.length !== 1) {
    process.stderr.write('Usage: anxin audit verify\n');
    return 64;
  }
  const database = await db();
  try {
    const result = await verifyAuditChain(database.db);
    (result.ok ? process.stdout : process.stderr).write(describeVerification(result) + '\n');
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}
