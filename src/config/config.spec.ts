import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = { SESSION_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp/kehu-config-spec' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      port: 3000,
      baseUrl: 'http://localhost:3000',
      logLevel: 'log',
      defaultTimezone: 'Asia/Shanghai',
      production: false,
    });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('names every bad variable', () => {
    const bad = () =>
      loadConfig({
        ...base,
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        SMTP_URL: 'http://mail',
        LOG_LEVEL: 'loud',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /PORT: [\s\S]*DATABASE_URL: must be a postgres:\/\/ URL[\s\S]*SMTP_URL: [\s\S]*LOG_LEVEL: /,
    );
  });

  it('requires a session secret and a database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*SESSION_SECRET/,
    );
  });

  it('refuses a short session secret', () => {
    expect(() => loadConfig({ ...base, SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });
});

describe('demo data', () => {
  it('is seeded by default, but not in production unless asked for', () => {
    expect(loadConfig(base).seedDemo).toBe(true);
    const prod = { ...base, NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/kehu' };
    expect(loadConfig(prod).seedDemo).toBe(false);
    expect(loadConfig({ ...prod, SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ ...base, SEED_DEMO: 'false' }).seedDemo).toBe(false);
  });

  it('accepts any IANA time zone and refuses others', () => {
    expect(loadConfig({ ...base, DEFAULT_TIMEZONE: 'America/Argentina/Buenos_Aires' }).defaultTimezone).toBe(
      'America/Argentina/Buenos_Aires',
    );
    expect(loadConfig({ ...base, DEFAULT_TIMEZONE: 'UTC' }).defaultTimezone).toBe('UTC');
    expect(() => loadConfig({ ...base, DEFAULT_TIMEZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIMEZONE/);
  });
});

describe('security settings', () => {
  it('believes no proxy unless TRUST_PROXY names one', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'none' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  });

  it('limits imports to 200,000 rows and sessions to 7 days unless told otherwise', () => {
    expect(loadConfig(base)).toMatchObject({ importMaxRows: 200_000, sessionMaxDays: 7 });
    expect(loadConfig({ ...base, IMPORT_MAX_ROWS: '5000', SESSION_MAX_DAYS: '1' })).toMatchObject({
      importMaxRows: 5000,
      sessionMaxDays: 1,
    });
    expect(() => loadConfig({ ...base, IMPORT_MAX_ROWS: '0' })).toThrow(/IMPORT_MAX_ROWS/);
  });
});

describe('inbound mail listener', () => {
  it('is off unless INBOUND_SMTP_PORT is set', () => {
    expect(loadConfig(base).inboundSmtp).toBeUndefined();
    expect(loadConfig({ ...base, INBOUND_SMTP_ADDRESSES: 'support@demo.kehu' }).inboundSmtp).toBeUndefined();
  });

  it('listens on every address with a 25 MB limit by default and accepts the listed recipients', () => {
    const c = loadConfig({
      ...base,
      INBOUND_SMTP_PORT: '2525',
      INBOUND_SMTP_ADDRESSES: ' Support@Demo.kehu, help@demo.kehu ,',
    });
    expect(c.inboundSmtp).toEqual({
      port: 2525,
      host: '0.0.0.0',
      addresses: ['support@demo.kehu', 'help@demo.kehu'],
      maxBytes: 25 * 1024 * 1024,
    });
    expect(
      loadConfig({
        ...base,
        INBOUND_SMTP_PORT: '25',
        INBOUND_SMTP_ADDRESSES: 'support@demo.kehu',
        INBOUND_SMTP_HOST: '127.0.0.1',
        INBOUND_SMTP_MAX_BYTES: '1048576',
      }).inboundSmtp,
    ).toMatchObject({ host: '127.0.0.1', maxBytes: 1_048_576 });
  });

  it('requires the accepted addresses once a port is set', () => {
    expect(() => loadConfig({ ...base, INBOUND_SMTP_PORT: '2525' })).toThrow(
      /INBOUND_SMTP_ADDRESSES: is required when INBOUND_SMTP_PORT is set/,
    );
  });

  it('names every bad inbound variable', () => {
    const bad = () =>
      loadConfig({
        ...base,
        INBOUND_SMTP_PORT: 'smtp',
        INBOUND_SMTP_HOST: 'everywhere',
        INBOUND_SMTP_ADDRESSES: 'support, help@demo.kehu',
        INBOUND_SMTP_MAX_BYTES: '-1',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /INBOUND_SMTP_PORT: [\s\S]*INBOUND_SMTP_HOST: must be an IP address[\s\S]*INBOUND_SMTP_ADDRESSES: must be comma-separated e-mail addresses[\s\S]*INBOUND_SMTP_MAX_BYTES: /,
    );
  });
});
