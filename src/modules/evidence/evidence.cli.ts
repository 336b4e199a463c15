/**
 * `anxin evidence <verify|public-key|check-custody>`:
 * - `verify <bundle.zip> [--public-key key.pem] [--json]` checks an export bundle offline (no database, no
 *   network): signature, every file's SHA-256 and size, custody chains, and any missing or added file.
 *   Exit 0 when everything matches, 1 otherwise.
 * - `public-key` prints the platform's signing key (PEM) and its fingerprint, to publish for courts.
 * - `check-custody` verifies every custody chain in the database.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolveMasterKey, type Config } from '../../config.ts';
import { openDatabase } from '../../db/open.ts';
import { Keyring } from '../../platform/crypto.ts';
import './backup-source.ts';
import { verifyBundle } from './bundle.ts';
import { verifyAllCustody } from './custody.ts';
import { platformSigningKey } from './signing.ts';

export const evidenceCommand = {
  summary: 'Evidence vault: verify an export bundle offline, print the signing key, check custody logs',
  usage:
    'anxin evidence verify <bundle.zip> [--public-key key.pem] [--json] | anxin evidence public-key | anxin evidence check-custody',
  async run(args: string[], config: Config): Promise<number> {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'verify':
        return verifyCommand(rest);
      case 'public-key': {
        parseArgs({ args: rest, options: {}, allowPositionals: false });
        const key = platformSigningKey(new Keyring(await resolveMasterKey(config)));
        process.stdout.write(key.publicKeyPem);
        process.stdout.write(`Fingerprint (SHA-256): ${key.fingerprint}\n`);
        return 0;
      }
      case 'check-custody': {
        parseArgs({ args: rest, options: {}, allowPositionals: false });
        const database = await openDatabase(config, () => undefined);
        try {
          const result = await verifyAllCustody(database.db);
          for (const b of result.broken)
            process.stdout.write(`BROKEN  item ${b.evidenceId}, entry ${b.seq}: ${b.problem}\n`);
          process.stdout.write(
            `${result.items} items, ${result.entries} custody entries, ${result.broken.length} broken chains\n`,
          );
          return result.broken.length === 0 ? 0 : 1;
        } finally {
          await database.close();
        }
      }
      case undefined:
      default:
        process.stderr.write(`Usage: ${evidenceCommand.usage}\n`);
        return 64;
    }
  },
};

async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'public-key': { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [zipPath] = positionals;
  if (!zipPath || positionals.length > 1) {
    process.stderr.write(`Usage: ${evidenceCommand.usage}\n`);
    return 64;
  }
  const publicKeyPem = values['public-key'] ? await readFile(values['public-key'], 'utf8') : undefined;
  let report;
  try {
    report = await verifyBundle(zipPath, { publicKeyPem });
  } catch (error) {
    process.stdout.write(`FAILED  ${zipPath} cannot be read as a bundle: ${(error as Error).message}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return report.ok ? 0 : 1;
  }
  const out: string[] = [];
  out.push(
    `Signature of manifest.json: ${report.signature}${report.publicKeyFingerprint ? ` (key ${report.publicKeyFingerprint})` : ''}`,
  );
  if (report.keyPinned === null)
    out.push(
      'Note: no --public-key given; compare the key fingerprint above with the one the platform publishes.',
    );
  for (const file of report.files)
    out.push(
      `${file.status === 'ok' ? 'OK     ' : file.status === 'missing' ? 'MISSING' : 'CHANGED'}  ${file.path}`,
    );
  for (const name of report.added) out.push(`ADDED    ${name}`);
  for (const c of report.custody)
    if (!c.ok) out.push(`CUSTODY  ${c.path}: ${c.problem ?? 'the log does not match the file'}`);
  for (const problem of report.problems) out.push(`PROBLEM  ${problem}`);
  out.push(
    report.ok
      ? `VERIFIED: ${report.files.length} files match the signed manifest.`
      : 'FAILED: the bundle does not match its signed manifest.',
  );
  process.stdout.write(out.join('\n') + '\n');
  return report.ok ? 0 : 1;
}
