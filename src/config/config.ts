import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvDto } from './env.dto.js';

export type LogLevel = EnvDto['LOG_LEVEL'];

/** Typed configuration. Code reads this, never process.env. */
export interface AppConfig {
  port: number;
  /** Unset: Kehu starts an embedded PostgreSQL and fills this in before the app module is built. */
  databaseUrl?: string;
  smtpUrl?: string;
  sessionSecret: string;
  baseUrl: string;
  dataDir: string;
  logLevel: LogLevel;
  sessionIdleMinutes: number;
  /** A session's absolute lifetime from sign-in, in days. */
  sessionMaxDays: number;
  mailFrom: string;
  defaultTimezone: string;
  production: boolean;
  /** Seed the demo company on first start (never in production unless SEED_DEMO=true). */
  seedDemo: boolean;
  /** Express "trust proxy": false (the default: no proxy is believed), or the proxies to believe. */
  trustProxy: string | number | false;
  importMaxBytes: number;
  /** Rows an import takes at most (below the header). */
  importMaxRows: number;
  /** Requests one API token may make per minute. */
  apiRatePerMinute: number;
  /** The built-in SMTP listener for inbound mail; undefined when INBOUND_SMTP_PORT is not set. */
  inboundSmtp?: InboundSmtpConfig;
}

export interface InboundSmtpConfig {
  port: number;
  host: string;
  /** Recipient addresses accepted at RCPT, lower-cased. */
  addresses: string[];
  maxBytes: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const dto = plainToInstance(EnvDto, present, { exposeDefaultValues: true });
  const problems = validateSync(dto, { forbidUnknownValues: false, stopAtFirstError: true }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg.replace(`${e.property} `, '')}`),
  );
  const production = dto.NODE_ENV === 'production';
  if (production && !dto.SESSION_SECRET) problems.push('SESSION_SECRET: is required in production');
  if (production && !dto.DATABASE_URL) problems.push('DATABASE_URL: is required in production');
  if (dto.INBOUND_SMTP_PORT !== undefined && !dto.INBOUND_SMTP_ADDRESSES)
    problems.push('INBOUND_SMTP_ADDRESSES: is required when INBOUND_SMTP_PORT is set');
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(dto.DATA_DIR);
  return {
    port: dto.PORT,
    databaseUrl: dto.DATABASE_URL,
    smtpUrl: dto.SMTP_URL,
    sessionSecret: dto.SESSION_SECRET ?? localSessionSecret(dataDir),
    baseUrl: (dto.BASE_URL ?? `http://localhost:${dto.PORT}`).replace(/\/$/, ''),
    dataDir,
    logLevel: dto.LOG_LEVEL,
    sessionIdleMinutes: dto.SESSION_IDLE_MINUTES,
    sessionMaxDays: dto.SESSION_MAX_DAYS,
    mailFrom: dto.MAIL_FROM,
    defaultTimezone: dto.DEFAULT_TIMEZONE,
    production,
    seedDemo: dto.SEED_DEMO ? dto.SEED_DEMO === 'true' : !production,
    trustProxy: trustedProxies(dto.TRUST_PROXY),
    importMaxBytes: dto.IMPORT_MAX_MB * 1024 * 1024,
    importMaxRows: dto.IMPORT_MAX_ROWS,
    apiRatePerMinute: dto.API_RATE_PER_MINUTE,
    inboundSmtp:
      dto.INBOUND_SMTP_PORT === undefined
        ? undefined
        : {
            port: dto.INBOUND_SMTP_PORT,
            host: dto.INBOUND_SMTP_HOST,
            addresses: (dto.INBOUND_SMTP_ADDRESSES ?? '')
              .split(',')
              .map((a) => a.trim().toLowerCase())
              .filter((a) => a !== ''),
            maxBytes: dto.INBOUND_SMTP_MAX_BYTES,
          },
  };
}

/**
 * TRUST_PROXY as Express takes it: `none` (or empty) believes no X-Forwarded-For, a number trusts that
 * many hops, anything else is Express's list of addresses, subnets and names (`loopback`, `10.0.0.0/8`).
 * `true` (trust every hop) is refused: it lets any client choose its own address.
 */
function trustedProxies(value: string): string | number | false {
  const v = value.trim();
  if (v === '' || v === 'none' || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true')
    throw new ConfigError(['TRUST_PROXY: true would believe any client; name the proxy instead']);
  return v;
}

/** Outside production a secret is generated once and kept under DATA_DIR, so sessions survive restarts. */
function localSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
