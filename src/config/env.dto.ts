import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';

function isTimeZone(value: unknown): boolean {
  try {
    return (
      typeof value === 'string' &&
      new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone !== ''
    );
  } catch {
    return false;
  }
}

/** The environment Kehu reads, validated once at start. Names match the variables. */
export class EnvDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  SESSION_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'must be an absolute http(s) URL' })
  BASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR: string = '.data';

  @IsOptional()
  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(7 * 24 * 60)
  SESSION_IDLE_MINUTES: number = 120;

  @IsOptional()
  @IsString()
  @MinLength(3)
  MAIL_FROM: string = 'Kehu <no-reply@kehu.local>';

  @IsOptional()
  @ValidateBy(
    { name: 'timeZone', validator: { validate: isTimeZone } },
    { message: 'must be an IANA zone such as Asia/Shanghai' },
  )
  DEFAULT_TIMEZONE: string = 'Asia/Shanghai';

  /** Largest spreadsheet a user may upload, in megabytes. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2048)
  IMPORT_MAX_MB: number = 50;

  /** Most rows an import takes (below the header); a larger file is refused at upload. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  IMPORT_MAX_ROWS: number = 200_000;

  /** Requests one API token may make per minute; more answer 429 with Retry-After. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_PER_MINUTE: number = 300;

  /** A session ends this many days after its sign-in, however busy it is. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  SESSION_MAX_DAYS: number = 7;

  /** Seed the demo company into a database never seeded; on by default, except in production. */
  @IsOptional()
  @IsIn(['true', 'false'])
  SEED_DEMO?: 'true' | 'false';

  /**
   * Which proxies' X-Forwarded-For to believe (Express "trust proxy": addresses, subnets, `loopback`,
   * a hop count). None by default: anyone able to reach Kehu could otherwise choose the address that
   * login throttling counts and the audit log records. `none` says so explicitly.
   */
  @IsOptional()
  @IsString()
  TRUST_PROXY: string = 'none';

  /** Port of the built-in SMTP listener that turns inbound mail into tickets; off unless set. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  INBOUND_SMTP_PORT?: number;

  /** Address the inbound listener binds to. */
  @IsOptional()
  @IsIP(undefined, { message: 'must be an IP address such as 0.0.0.0' })
  INBOUND_SMTP_HOST: string = '0.0.0.0';

  /** Recipient addresses the inbound listener accepts, comma-separated (support@example.com,help@example.com). */
  @IsOptional()
  @Matches(/^\s*[^\s@,]+@[^\s@,]+\s*(,\s*[^\s@,]+@[^\s@,]+\s*)*,?\s*$/, {
    message: 'must be comma-separated e-mail addresses',
  })
  INBOUND_SMTP_ADDRESSES?: string;

  /** Largest inbound mail the listener takes, in bytes; a larger one is refused with 552. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  INBOUND_SMTP_MAX_BYTES: number = 25 * 1024 * 1024;

  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';
}
