/**
 * Export bundles for a court, and their offline verification.
 *
 * A bundle is a ZIP with: `README.txt` (how to check it, in Chinese and English), `manifest.json` (every file's
 * name, size, SHA-256, type, times and full custody chain), `manifest.sig` (Ed25519 signature over the exact
 * bytes of manifest.json, base64), `public-key.pem` (the platform's public key) and the decrypted originals
 * under `files/`. Files are stored without compression (evidence media is already compressed; a judge's
 * tool can read them directly) and streamed, so memory stays flat whatever the size.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { Db } from '../../db/database.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { translate } from '../../platform/i18n/catalog.ts';
import { appendCustody, readCustody, verifyChain, type CustodyEntry } from './custody.ts';
import { assertChecked, isUuid, type EvidenceService } from './evidence.service.ts';
import { fingerprintOf, platformSigningKey, signBytes, verifyBytes } from './signing.ts';

export const BUNDLE_FORMAT = 'anxin-evidence-bundle/1';
const META_FILES = ['README.txt', 'manifest.json', 'manifest.sig', 'public-key.pem'] as const;

export interface ManifestFile {
  path: string;
  evidenceId: string;
  filename: string;
  size: number;
  sha256: string;
  mediaType: string;
  evidenceType: string;
  evidenceTypeLabel: { 'zh-CN': string; en: string };
  incidentDate: string | null;
  description: string;
  uploadedBy: string;
  uploadedAt: string;
  custody: CustodyEntry[];
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  exportedBy: string;
  publicKeyFingerprint: string;
  hashAlgorithm: 'SHA-256';
  signatureAlgorithm: 'Ed25519';
  files: ManifestFile[];
}

/** A file name safe in any ZIP tool and file system, keeping Chinese characters. */
export function safeName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '_')
    .replace(/^\.+/, '_')
    .trim()
    .slice(0, 120);
  return cleaned || 'file';
}

export async function exportBundle(
  db: Db,
  keyring: Keyring,
  service: EvidenceService,
  input: { evidenceIds: string[]; actor: string; reason?: string },
): Promise<{ stream: Readable; manifest: Manifest; filename: string }> {
  const ids = [...new Set(input.evidenceIds)].filter(isUuid);
  const rows = ids.length
    ? await db.selectFrom('evidence_item').selectAll().where('id', 'in', ids).orderBy('uploaded_at').execute()
    : [];
  if (rows.length === 0 || rows.length !== ids.length) throw new Error('Some evidence items do not exist');
  for (const row of rows) assertChecked(row.scan_state);
  const key = platformSigningKey(keyring);
  const createdAt = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      await appendCustody(trx, {
        evidenceId: row.id,
        action: 'export',
        actor: input.actor,
        details: { bundleCreatedAt: createdAt, ...(input.reason ? { reason: input.reason } : {}) },
      });
    }
  });
  const files: ManifestFile[] = [];
  for (const [index, row] of rows.entries()) {
    const item = await service.getItem(row.id);
    if (!item) throw new Error('An evidence item disappeared during export');
    const base = safeName(item.filename).replace(/\.[^.]*$/, '');
    files.push({
      path: `files/${String(index + 1).padStart(3, '0')}-${base}.${item.extension}`,
      evidenceId: item.id,
      filename: item.filename,
      size: item.size,
      sha256: item.sha256,
      mediaType: item.mediaType,
      evidenceType: item.evidenceType,
      evidenceTypeLabel: {
        'zh-CN': translate('zh-CN', `evidence.type.${item.evidenceType}`),
        en: translate('en', `evidence.type.${item.evidenceType}`),
      },
      incidentDate: item.incidentDate,
      description: item.description,
      uploadedBy: item.uploadedBy,
      uploadedAt: item.uploadedAt,
      custody: await readCustody(db, item.id),
    });
  }
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    createdAt,
    exportedBy: input.actor,
    publicKeyFingerprint: key.fingerprint,
    hashAlgorithm: 'SHA-256',
    signatureAlgorithm: 'Ed25519',
    files,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  const zip = new yazl.ZipFile();
  const mtime = new Date(createdAt);
  zip.addBuffer(Buffer.from(readme(key.fingerprint), 'utf8'), 'README.txt', { mtime, compress: true });
  zip.addBuffer(manifestBytes, 'manifest.json', { mtime, compress: true });
  zip.addBuffer(Buffer.from(signBytes(key, manifestBytes).toString('base64') + '\n'), 'manifest.sig', {
    mtime,
    compress: false,
  });
  zip.addBuffer(Buffer.from(key.publicKeyPem), 'public-key.pem', { mtime, compress: false });
  for (const [index, file] of files.entries()) {
    const row = rows[index];
    if (!row) continue;
    zip.addReadStreamLazy(
      file.path,
      { mtime: new Date(file.uploadedAt), compress: false, size: file.size },
      (callback) => {
        service.readItem(row.id).then(
          (plain) => {
            // Check every byte against the recorded hash on the way out: a bundle never carries a silently wrong file.
            const check = hashCheck(file.sha256, file.size);
            plain.on('error', (error) => check.destroy(error));
            callback(null, plain.pipe(check));
          },
          (error: unknown) => callback(error, undefined as never),
        );
      },
    );
  }
  zip.end();
  const day = createdAt.slice(0, 10);
  return { stream: zip.outputStream as Readable, manifest, filename: `anxin-evidence-${day}.zip` };
}

function hashCheck(expected: string, size: number): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      callback(
        actual === expected && bytes === size
          ? null
          : new Error('A stored file does not match its recorded SHA-256'),
      );
    },
  });
}

function readme(fingerprint: string): string {
  return [
    '安心（Anxin）证据包 — 核验说明',
    '',
    '本压缩包中的 files/ 目录是当事人上传的原始文件，逐字节未经改动。manifest.json 列出每个文件的名称、大小、',
    'SHA-256 哈希值、类型、上传时间和完整的保管记录（每条记录都包含前一条记录的哈希，形成哈希链）。',
    'manifest.sig 是平台用 Ed25519 私钥对 manifest.json 的签名，public-key.pem 是对应的公钥。',
    '',
    '核验方法：',
    '  1. 运行 `anxin evidence verify <本文件.zip> --public-key <平台公布的公钥.pem>`：检查签名、每个文件的哈希和保管记录，',
    '     并指出被修改、缺失或多出的文件。',
    '  2. 不使用本软件也可以核验：用任意 SHA-256 工具（如 `sha256sum`、Windows 的 `certutil -hashfile 文件 SHA256`）',
    '     计算 files/ 中每个文件的哈希，与 manifest.json 中的 sha256 对比；用 OpenSSL 核验签名：',
    '     `base64 -d manifest.sig > manifest.sig.bin && openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig.bin`',
    `  3. 公钥指纹（SHA-256）：${fingerprint}。请与平台公布的指纹核对，确认公钥未被替换。`,
    '',
    'Anxin evidence bundle — how to verify',
    '',
    'files/ holds the original files exactly as uploaded. manifest.json lists each file’s name, size, SHA-256, type,',
    'upload time and full custody log (each entry carries the hash of the previous one: a hash chain).',
    'manifest.sig is the platform’s Ed25519 signature over manifest.json; public-key.pem is the matching public key.',
    '',
    '  1. Run `anxin evidence verify <this.zip> --public-key <published-key.pem>`: it checks the signature, every',
    '     file’s hash and the custody chains, and names any changed, missing or added file.',
    '  2. Without this software: compute SHA-256 of each file under files/ (`sha256sum`, or',
    '     `certutil -hashfile FILE SHA256` on Windows) and compare with manifest.json; check the signature with OpenSSL:',
    '     `base64 -d manifest.sig > manifest.sig.bin && openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig.bin`',
    `  3. Public key fingerprint (SHA-256): ${fingerprint}. Compare it with the one the platform publishes.`,
    '',
  ].join('\n');
}

export interface VerifyReport {
  ok: boolean;
  signature: 'valid' | 'invalid' | 'missing';
  publicKeyFingerprint: string | null;
  /** True when a pinned key was given and the bundle's key is that key. */
  keyPinned: boolean | null;
  files: {
    path: string;
    status: 'ok' | 'changed' | 'missing';
    expectedSha256: string;
    actualSha256?: string;
  }[];
  added: string[];
  custody: { path: string; ok: boolean; problem?: string }[];
  problems: string[];
}

/** Check a bundle offline: signature, every file's size and SHA-256, custody chains, extra files. */
export async function verifyBundle(
  zipPath: string,
  options: { publicKeyPem?: string } = {},
): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    signature: 'missing',
    publicKeyFingerprint: null,
    keyPinned: null,
    files: [],
    added: [],
    custody: [],
    problems: [],
  };
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const meta = new Map<string, Buffer>();
  const actual = new Map<string, { sha256: string; size: number } | { error: string }>();
  const seen = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const work = async (): Promise<void> => {
          if (name.endsWith('/')) return;
          if (seen.has(name)) {
            report.problems.push(`${name}: appears more than once in the bundle`);
            report.added.push(name);
            return;
          }
          seen.add(name);
          let stream: Readable;
          try {
            stream = await zip.openReadStreamPromise(entry);
          } catch (error) {
            actual.set(name, { error: (error as Error).message });
            return;
          }
          if ((META_FILES as readonly string[]).includes(name)) {
            if (entry.uncompressedSize > 50 * 1024 * 1024) throw new Error(`${name} is implausibly large`);
            const chunks: Buffer[] = [];
            for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
            meta.set(name, Buffer.concat(chunks));
            return;
          }
          const hash = createHash('sha256');
          let size = 0;
          try {
            for await (const chunk of stream as AsyncIterable<Buffer>) {
              hash.update(chunk);
              size += chunk.length;
            }
            actual.set(name, { sha256: hash.digest('hex'), size });
          } catch (error) {
            actual.set(name, { error: (error as Error).message });
          }
        };
        work().then(
          () => zip.readEntry(),
          (error: unknown) => reject(error as Error),
        );
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }

  const manifestBytes = meta.get('manifest.json');
  const signature = meta.get('manifest.sig');
  const publicKey = meta.get('public-key.pem')?.toString('utf8');
  if (!manifestBytes) {
    report.problems.push('manifest.json is missing');
    return report;
  }
  if (publicKey) {
    try {
      report.publicKeyFingerprint = fingerprintOf(publicKey);
    } catch {
      report.problems.push('public-key.pem is not a valid public key');
    }
  } else report.problems.push('public-key.pem is missing');
  const trustedKey = options.publicKeyPem ?? publicKey;
  if (options.publicKeyPem) {
    report.keyPinned =
      publicKey !== undefined && report.publicKeyFingerprint === safeFingerprint(options.publicKeyPem);
    if (!report.keyPinned) report.problems.push('public-key.pem is not the pinned platform key');
  }
  if (!signature) report.problems.push('manifest.sig is missing');
  else if (trustedKey) {
    report.signature = verifyBytes(
      trustedKey,
      manifestBytes,
      Buffer.from(signature.toString('utf8').trim(), 'base64'),
    )
      ? 'valid'
      : 'invalid';
    if (report.signature === 'invalid')
      report.problems.push(
        'manifest.json: the signature does not match (the manifest was changed or signed by another key)',
      );
  }

  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) throw new Error('format');
  } catch {
    report.problems.push('manifest.json is not a valid Anxin manifest');
    return report;
  }
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const got = actual.get(file.path);
    if (!got) {
      report.files.push({ path: file.path, status: 'missing', expectedSha256: file.sha256 });
      report.problems.push(`${file.path}: missing from the bundle`);
    } else if ('error' in got || got.sha256 !== file.sha256 || got.size !== file.size) {
      report.files.push({
        path: file.path,
        status: 'changed',
        expectedSha256: file.sha256,
        ...('sha256' in got ? { actualSha256: got.sha256 } : {}),
      });
      report.problems.push(`${file.path}: changed (its SHA-256 or size differs from the manifest)`);
    } else {
      report.files.push({
        path: file.path,
        status: 'ok',
        expectedSha256: file.sha256,
        actualSha256: got.sha256,
      });
    }
    const chain = verifyChain(file.custody ?? []);
    const uploadEntry = file.custody?.[0];
    const firstMatches = uploadEntry?.action === 'upload' && uploadEntry.details.sha256 === file.sha256;
    if (!chain.ok) report.problems.push(`${file.path}: custody entry ${chain.seq} ${chain.problem}`);
    else if (!firstMatches)
      report.problems.push(`${file.path}: the custody log does not begin with this file's upload`);
    report.custody.push({
      path: file.path,
      ok: chain.ok && firstMatches,
      ...(chain.ok ? {} : { problem: chain.problem }),
    });
  }
  for (const name of actual.keys()) {
    if (!listed.has(name)) {
      report.added.push(name);
      report.problems.push(`${name}: not listed in the manifest (added)`);
    }
  }
  report.ok = report.problems.length === 0 && report.signature === 'valid';
  return report;
}

function safeFingerprint(pem: string): string | null {
  try {
    return fingerprintOf(pem);
  } catch {
    return null;
  }
}
