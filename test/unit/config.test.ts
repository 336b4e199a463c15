import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const key = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      embeddedPgPort: 54329,
      demoData: true,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('names the setting in every problem, all at once', () => {
    try {
      loadConfig({ PORT: 'eighty', ANXIN_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const settings = (error as ConfigError).problems.map((p) => p.setting);
      expect(settings).toEqual(['PORT', 'DATABASE_URL', 'ANXIN_LOG_LEVEL']);
      expect((error as Error).message).toContain(
        'PORT: must be a whole number from 0 to 65535 (got "eighty")',
      );
    }
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'secret-password-here' })).toThrow(
      /DATABASE_URL: must be a postgres/,
    );
    try {
      loadConfig({ DATABASE_URL: 'secret-password-here' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-password-here');
    }
  });

  it('requires a 32-byte master key and an external database in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/anxin', ANXIN_DEMO_DATA: 'false' }),
    ).toThrow(/ANXIN_MASTER_KEY: is required in production/);
    expect(() => loadConfig({ ANXIN_MASTER_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /ANXIN_MASTER_KEY: must decode to exactly 32 bytes/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', ANXIN_MASTER_KEY: key, ANXIN_DEMO_DATA: 'false' }),
    ).toThrow(/DATABASE_URL: is required in production/);
    const prod = loadConfig({
      NODE_ENV: 'production',
      ANXIN_MASTER_KEY: key,
      DATABASE_URL: 'postgres://db/anxin',
    });
    expect(prod.demoData).toBe(false);
  });

  it('refuses demo data in production and port 5432 for the embedded server', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        ANXIN_MASTER_KEY: key,
        DATABASE_URL: 'postgres://db/a',
        ANXIN_DEMO_DATA: 'true',
      }),
    ).toThrow(/ANXIN_DEMO_DATA/);
    expect(() => loadConfig({ ANXIN_EMBEDDED_PG_PORT: '5432' })).toThrow(/ANXIN_EMBEDDED_PG_PORT/);
  });
});
