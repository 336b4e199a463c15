import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DecryptionError, FRAME_BYTES, Keyring, randomSecretBytes } from '../../src/platform/crypto.ts';

const keyring = new Keyring(randomBytes(32));

async function run(stream: NodeJS.ReadWriteStream, input: Buffer, chunk = 7_001): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  await pipeline(
    Readable.from(pieces),
    stream,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('field envelope encryption', () => {
  it('round-trips text and hides it', () => {
    const sealed = keyring.sealText('她的新地址：北京市朝阳区', 'help_request.contact:42');
    expect(sealed.toString('utf8')).not.toContain('北京');
    expect(keyring.openText(sealed, 'help_request.contact:42')).toBe('她的新地址：北京市朝阳区');
  });

  it('uses a fresh data key each time', () => {
    expect(keyring.sealText('same', 'c').equals(keyring.sealText('same', 'c'))).toBe(false);
  });

  it('refuses a value moved to another record, a changed byte, or another master key', () => {
    const sealed = keyring.sealText('code word: 月亮', 'help_request.code_word:1');
    expect(() => keyring.openText(sealed, 'help_request.code_word:2')).toThrow(DecryptionError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => keyring.openText(tampered, 'help_request.code_word:1')).toThrow(DecryptionError);
    expect(() => new Keyring(randomBytes(32)).openText(sealed, 'help_request.code_word:1')).toThrow(
      /different master key/,
    );
  });

  it('derives distinct purpose keys deterministically', () => {
    expect(keyring.deriveKey('a').equals(keyring.deriveKey('a'))).toBe(true);
    expect(keyring.deriveKey('a').equals(keyring.deriveKey('b'))).toBe(false);
  });
});

describe('file stream encryption', () => {
  for (const size of [0, 1, FRAME_BYTES - 1, FRAME_BYTES, FRAME_BYTES + 1, 3 * FRAME_BYTES + 12_345]) {
    it(`round-trips ${size} bytes`, async () => {
      const input = randomBytes(size);
      const encrypted = await run(keyring.encryptStream('evidence:1'), input);
      expect(encrypted.includes(input.subarray(0, Math.min(32, size))) && size >= 32).toBe(false);
      const decrypted = await run(keyring.decryptStream('evidence:1'), encrypted, 5_003);
      expect(decrypted.equals(input)).toBe(true);
    });
  }

  it('detects truncation at a frame boundary, reordering and a wrong context', async () => {
    const input = randomBytes(3 * FRAME_BYTES + 10);
    const encrypted = await run(keyring.encryptStream('evidence:9'), input);
    const header = 4 + 1 + 4 + 60;
    const frame = 4 + 12 + 16 + FRAME_BYTES;
    const truncated = encrypted.subarray(0, header + 2 * frame);
    await expect(run(keyring.decryptStream('evidence:9'), truncated)).rejects.toThrow(DecryptionError);
    const swapped = Buffer.concat([
      encrypted.subarray(0, header),
      encrypted.subarray(header + frame, header + 2 * frame),
      encrypted.subarray(header, header + frame),
      encrypted.subarray(header + 2 * frame),
    ]);
    await expect(run(keyring.decryptStream('evidence:9'), swapped)).rejects.toThrow(DecryptionError);
    await expect(run(keyring.decryptStream('evidence:10'), encrypted)).rejects.toThrow(DecryptionError);
  });
});

describe('random bytes from the pool', () => {
  it('never hands out the same bytes twice, across many refills, and larger requests go straight to the source', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i += 1) seen.add(randomSecretBytes(i % 2 ? 12 : 44).toString('hex'));
    expect(seen.size).toBe(5_000);
    const big = randomSecretBytes(10_000);
    expect(big.length).toBe(10_000);
    expect(new Set(big).size).toBeGreaterThan(200);
  });

  it('returns bytes the pool cannot change later', () => {
    const first = randomSecretBytes(32);
    const copy = Buffer.from(first);
    for (let i = 0; i < 300; i += 1) randomSecretBytes(32);
    expect(first.equals(copy)).toBe(true);
    expect(first.equals(Buffer.alloc(32))).toBe(false);
  });
});
