import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { REFERENCE_VERSION_SQL } from '../../common/reference-data.js';
import { poolOf } from '../../common/sql.js';
import { ApiToken } from './api-token.entity.js';

/** What a request's token lookup learns, in one statement. */
export interface TokenUse {
  id: number;
  userId: number;
  /** Requests counted in the current minute, this one included. */
  windowCount: number;
  windowStart: Date;
  /** The token's last use before this one, and from where. */
  previousUseAt: Date | null;
  previousIp: string | null;
  referenceVersion: number;
}

/** A token as lists show it (never its hash). */
export type ApiTokenRow = Pick<
  ApiToken,
  'id' | 'userId' | 'name' | 'prefix' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'lastUsedIp' | 'revokedAt'
>;

const LISTED = {
  id: true,
  userId: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
} as const;

/** All SQL on api_token. */
@Injectable()
export class ApiTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    fields: Pick<ApiToken, 'userId' | 'name' | 'prefix' | 'tokenHash' | 'expiresAt'>,
    m: EntityManager,
  ) {
    const saved = await m.getRepository(ApiToken).insert(fields);
    return saved.identifiers[0].id as number;
  }

  listOf(userId: number): Promise<ApiTokenRow[]> {
    return this.dataSource.getRepository(ApiToken).find({
      select: LISTED,
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /** Every token not revoked, newest first, for the admin. */
  listLive(limit: number): Promise<ApiTokenRow[]> {
    return this.dataSource.getRepository(ApiToken).find({
      select: LISTED,
      where: { revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  /** Revokes a live token (of `userId`, when given); answers whether one was. */
  async revoke(id: number, by: number, userId: number | null, m: EntityManager): Promise<ApiTokenRow | null> {
    const rows = await m.query<[ApiTokenRow[], number]>(
      `UPDATE api_token SET revoked_at = now(), revoked_by_id = $2
        WHERE id = $1 AND revoked_at IS NULL AND ($3::int IS NULL OR user_id = $3)
        RETURNING id, user_id AS "userId", name, prefix`,
      [id, by, userId],
    );
    return rows[0][0] ?? null;
  }

  /**
   * The live token with this hash, of an active user, counted as used now from `ip`: its rate limit
   * window moves on after a minute. One statement, so every app instance counts the same requests and
   * a deactivated user's or revoked token is refused at once. Null: no such live token.
   */
  async use(tokenHash: string, ip: string | null): Promise<TokenUse | null> {
    const { rows } = await poolOf(this.dataSource).query<TokenUse & { referenceVersion: string }>(
      `WITH found AS (
         SELECT t.id, t.last_used_at, t.last_used_ip FROM api_token t JOIN app_user u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active
            AND (t.expires_at IS NULL OR t.expires_at > now())
          FOR UPDATE OF t)
       UPDATE api_token t SET last_used_at = now(), last_used_ip = $2,
         window_start = CASE WHEN t.window_start IS NULL OR t.window_start <= now() - interval '1 minute'
                             THEN now() ELSE t.window_start END,
         window_count = CASE WHEN t.window_start IS NULL OR t.window_start <= now() - interval '1 minute'
                             THEN 1 ELSE t.window_count + 1 END
         FROM found WHERE t.id = found.id
       RETURNING t.id, t.user_id AS "userId", t.window_count AS "windowCount", t.window_start AS "windowStart",
         found.last_used_at AS "previousUseAt", found.last_used_ip AS "previousIp",
         (${REFERENCE_VERSION_SQL}) AS "referenceVersion"`,
      [tokenHash, ip],
    );
    const row = rows[0];
    return row ? { ...row, referenceVersion: Number(row.referenceVersion) } : null;
  }

  /** A token with this hash that exists but may not be used (revoked, expired, its user deactivated). */
  async findRefused(tokenHash: string): Promise<{ id: number; userId: number } | null> {
    const { rows } = await poolOf(this.dataSource).query<{ id: number; userId: number }>(
      `SELECT id, user_id AS "userId" FROM api_token WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }
}
