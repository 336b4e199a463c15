/** Pure parts of the evidence vault: grants, the custody hash chain, text detection, clamd replies, settings. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../src/config.ts';
import { CLAMD_BINARY, loadConfig } from '../../src/config.ts';
import {
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  verifyChain,
  type CustodyEntry,
} from '../../src/modules/evidence/custody.ts';
import {
  detectText,
  formatBytes,
  isEvidenceType,
  EVIDENCE_TYPES,
} from '../../src/modules/evidence/evidence.types.ts';
import { evidenceEn, evidenceZh } from '../../src/modules/evidence/evidence.messages.ts';
import { signGrant, verifyGrant } from '../../src/modules/evidence/grant.ts';
import { parseVerdict, ScannerUnavailableError } from '../../src/modules/evidence/scanner.ts';
import { safeName } from '../../src/modules/evidence/bundle.ts';
import { platformSigningKey, signBytes, verifyBytes } from '../../src/modules/evidence/signing.ts';
import { Keyring } from '../../src/platform/crypto.ts';

const key = randomBytes(32);

describe('upload grants', () => {
  it('round-trip, and refuse a forged, altered or expired grant', () => {
    const token = signGrant(key, { ownerRef: 'help-case:1', uploadedBy: 'survivor', journalEntryId: 'j1' });
    expect(verifyGrant(key, token)).toMatchObject({
      ownerRef: 'help-case:1',
      uploadedBy: 'survivor',
      journalEntryId: 'j1',
    });
    expect(verifyGrant(randomBytes(32), token)).toBeUndefined();
    const [payload, mac] = token.split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), o: 'help-case:2' }),
    ).toString('base64url');
    expect(verifyGrant(key, `${altered}.${mac}`)).toBeUndefined();
    const expired = signGrant(key, {
      ownerRef: 'a',
      uploadedBy: 'b',
      journalEntryId: null,
      expiresAt: Date.now() - 1,
    });
    expect(verifyGrant(key, expired)).toBeUndefined();
    for (const junk of [undefined, null, '', 'x', 'a.b.c', 'x'.repeat(5000)])
      expect(verifyGrant(key, junk)).toBeUndefined();
  });
});

describe('custody hash chain', () => {
  const chain = (n: number): CustodyEntry[] => {
    const out: CustodyEntry[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const e = {
        evidenceId: 'e1',
        seq,
        action: seq === 1 ? 'upload' : 'view',
        actor: `staff:${seq}`,
        at: new Date(seq * 1000).toISOString(),
        details: { b: 1, a: [seq] },
        prevHash: prev,
      } as const;
      const full = { ...e, details: { ...e.details }, hash: entryHash({ ...e, details: { ...e.details } }) };
      out.push(full);
      prev = full.hash;
    }
    return out;
  };

  it('verifies an intact chain and names the first changed, removed or reordered entry', () => {
    const entries = chain(4);
    expect(verifyChain(entries)).toEqual({ ok: true });
    expect(
      verifyChain(entries.map((e, i) => (i === 2 ? { ...e, details: { b: 2, a: [3] } } : e))),
    ).toMatchObject({ ok: false, seq: 3 });
    expect(verifyChain([entries[0]!, entries[2]!, entries[3]!])).toMatchObject({ ok: false, seq: 3 });
    expect(verifyChain([entries[1]!, entries[0]!])).toMatchObject({ ok: false });
    // Re-hashing a changed entry still breaks the link to the next one.
    const forged = { ...entries[1]!, actor: 'staff:x' };
    forged.hash = entryHash(forged);
    expect(verifyChain([entries[0]!, forged, entries[2]!, entries[3]!])).toMatchObject({ ok: false, seq: 3 });
  });

  it('hashes canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe('file identification helpers', () => {
  it('recognises chat exports as text in UTF-8, UTF-16 with BOM and GB18030, and refuses binary', () => {
    expect(detectText(Buffer.from('2024-05-01 22:13 他：你敢走试试\n'))).toBe(true);
    expect(detectText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('聊天记录', 'utf16le')]))).toBe(
      true,
    );
    expect(detectText(Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0a]))).toBe(true); // 你好 in GB18030
    expect(detectText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]))).toBe(false);
    expect(detectText(Buffer.alloc(0))).toBe(false);
    expect(detectText(randomBytes(4096))).toBe(false);
  });

  it('formats sizes and safe file names', () => {
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(safeName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(safeName('伤情照片 1.jpg')).toBe('伤情照片 1.jpg');
    expect(safeName('a\u0000b:c')).toBe('a_b_c');
  });

  it('names every SPC 6 evidence type in both languages', () => {
    for (const type of EVIDENCE_TYPES) {
      expect(isEvidenceType(type)).toBe(true);
      expect(evidenceZh[`evidence.type.${type}`]).toBeTruthy();
      expect(evidenceEn[`evidence.type.${type}`]).toBeTruthy();
    }
    expect(isEvidenceType('selfie')).toBe(false);
  });
});

describe('clamd replies', () => {
  it('parses clean, found and errors', () => {
    expect(parseVerdict('stream: OK')).toEqual({ clean: true });
    expect(parseVerdict('stream: Anxin.Test.EICAR.UNOFFICIAL FOUND')).toEqual({
      clean: false,
      signature: 'Anxin.Test.EICAR.UNOFFICIAL',
    });
    expect(() => parseVerdict('INSTREAM size limit exceeded. ERROR')).toThrow(ScannerUnavailableError);
    expect(() => parseVerdict('')).toThrow(ScannerUnavailableError);
  });
});

describe('platform signing key', () => {
  it('is derived from the master key: stable, distinct per master key, and verifies its signatures', () => {
    const master = randomBytes(32);
    const a = platformSigningKey(new Keyring(master));
    const b = platformSigningKey(new Keyring(master));
    const other = platformSigningKey(new Keyring(randomBytes(32)));
    expect(a.publicKeyPem).toBe(b.publicKeyPem);
    expect(a.fingerprint).not.toBe(other.fingerprint);
    const data = Buffer.from('{"manifest":1}');
    const signature = signBytes(a, data);
    expect(verifyBytes(a.publicKeyPem, data, signature)).toBe(true);
    expect(verifyBytes(other.publicKeyPem, data, signature)).toBe(false);
    expect(verifyBytes(a.publicKeyPem, Buffer.from('{"manifest":2}'), signature)).toBe(false);
  });
});

describe('evidence settings', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.setting);
    }
  };

  it('defaults to encrypted files in the data directory and its own clamd there where clamd is installed (else Debian’s socket)', () => {
    const config = loadConfig({ NODE_ENV: 'test', ANXIN_DATA_DIR: '/srv/anxin' });
    expect(config.evidence).toMatchObject({ store: 'fs', dir: '/srv/anxin/evidence' });
    expect(config.evidence.clamd).toEqual(
      existsSync(CLAMD_BINARY)
        ? {
            kind: 'embedded',
            dir: '/srv/anxin/clamd',
            path: '/srv/anxin/clamd/clamd.sock',
            databaseDir: '/var/lib/clamav',
          }
        : { kind: 'unix', path: '/run/clamav/clamd.ctl' },
    );
    expect(config.evidence.maxFileBytes).toBe(2000 * 1024 * 1024);
    expect(loadConfig({ NODE_ENV: 'test', ANXIN_CLAMD: 'tcp://clamd.internal:3310' }).evidence.clamd).toEqual(
      { kind: 'tcp', host: 'clamd.internal', port: 3310 },
    );
  });

  it('names each bad setting', () => {
    expect(problems({ ANXIN_EVIDENCE_STORE: 'ftp' })).toEqual(['ANXIN_EVIDENCE_STORE']);
    expect(problems({ ANXIN_EVIDENCE_STORE: 's3' })).toEqual(['ANXIN_S3_BUCKET']);
    expect(
      problems({ ANXIN_EVIDENCE_STORE: 's3', ANXIN_S3_BUCKET: 'evidence', ANXIN_S3_ACCESS_KEY_ID: 'k' }),
    ).toEqual(['ANXIN_S3_SECRET_ACCESS_KEY']);
    expect(
      problems({ ANXIN_EVIDENCE_STORE: 's3', ANXIN_S3_BUCKET: 'evidence', ANXIN_S3_ENDPOINT: 'minio:9000' }),
    ).toEqual(['ANXIN_S3_ENDPOINT']);
    expect(problems({ ANXIN_EVIDENCE_MAX_FILE_MB: '5000' })).toEqual(['ANXIN_EVIDENCE_MAX_FILE_MB']);
    expect(problems({ ANXIN_EVIDENCE_MAX_FILE_MB: '100', ANXIN_EVIDENCE_MAX_OWNER_MB: '50' })).toEqual([
      'ANXIN_EVIDENCE_MAX_OWNER_MB',
    ]);
    expect(problems({ ANXIN_CLAMD: 'clamd.example' })).toEqual(['ANXIN_CLAMD']);
    expect(problems({ NODE_ENV: 'production', ANXIN_CLAMD: 'none' })).toContain('ANXIN_CLAMD');
    expect(problems({ NODE_ENV: 'production', ANXIN_CLAMD: 'embedded' })).toContain('ANXIN_CLAMD');
    expect(problems({ ANXIN_CLAMD: 'off' })).toEqual(['ANXIN_CLAMD']);
    expect(loadConfig({ NODE_ENV: 'test', ANXIN_CLAMD: 'tcp://127.0.0.1:3310' }).evidence.clamd).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 3310,
    });
    const s3 = loadConfig({
      NODE_ENV: 'test',
      ANXIN_EVIDENCE_STORE: 's3',
      ANXIN_S3_BUCKET: 'evidence',
      ANXIN_S3_ENDPOINT: 'http://127.0.0.1:9000/',
    });
    expect(s3.evidence.s3).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'evidence',
      region: 'us-east-1',
    });
  });
});
