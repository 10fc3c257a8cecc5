import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { DomainError, NotFound } from '../../common/errors.js';
import { enterReferenceVersion } from '../../common/reference-data.js';
import { type AuditRecord } from '../../common/audit-trail.js';
import { requestContext } from '../../common/request-context.js';
import type { SessionUser } from '../../common/session-user.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { UsersService } from '../../users/users.service.js';
import { type ApiTokenRow, ApiTokensRepository } from './api-tokens.repository.js';
import type { ApiTokenDto } from './dto/api-token.dto.js';

/** Every token starts so: secret scanners and people can tell a Kehu token when they see one. */
export const TOKEN_PREFIX = 'kehu_';

/** A token's use is audited again after this long without one, or from another address (like a new login). */
const AUDIT_AGAIN_AFTER_MS = 60 * 60_000;

/** No valid token: missing, unknown, revoked, expired, or its user deactivated. */
export class ApiUnauthorized extends DomainError {
  constructor() {
    super(401, 'api.unauthorized');
  }
}

/** The token made more requests this minute than it may; `retryAfter` seconds until the next minute. */
export class ApiRateLimited extends DomainError {
  constructor(readonly retryAfter: number) {
    super(429, 'error.too_many');
  }
}

export interface ApiTokenView {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  expired: boolean;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  ownerName?: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const toView = (t: ApiTokenRow, now = Date.now()): ApiTokenView => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  expired: t.expiresAt !== null && t.expiresAt.getTime() <= now,
  lastUsedAt: t.lastUsedAt,
  lastUsedIp: t.lastUsedIp,
});

/**
 * Personal API tokens: made by a user under My account (shown once, kept as a hash), revoked by their
 * owner or an admin; and the check of a request's bearer token, which acts as its user with exactly
 * their rights, counts it against the token's rate limit, and audits its use like a sign-in.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: ApiTokensRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /** Makes a token for the user; the answer holds the token itself, which is never shown again. */
  async create(user: SessionUser, dto: ApiTokenDto): Promise<{ id: number; token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = dto.expiresInDays ? new Date(Date.now() + dto.expiresInDays * 86_400_000) : null;
    return this.dataSource.transaction(async (m) => {
      const id = await this.tokens.insert(
        {
          userId: user.id,
          name: dto.name,
          prefix: token.slice(0, TOKEN_PREFIX.length + 4),
          tokenHash: hashOf(token),
          expiresAt,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'api_token_create',
          entity: 'api_token',
          entityId: id,
          diff: { name: { to: dto.name }, expiresAt: { to: expiresAt?.toISOString() ?? null } },
        },
        m,
      );
      return { id, token };
    });
  }

  /** The user's own live tokens (revoked ones are gone from the list). */
  async listOwn(user: SessionUser): Promise<ApiTokenView[]> {
    return (await this.tokens.listOf(user.id)).map((t) => toView(t));
  }

  /** Every live token with its owner's name, for the admin. */
  async listAll(): Promise<ApiTokenView[]> {
    const rows = await this.tokens.listLive(500);
    const names = await this.users.namesOf([...new Set(rows.map((r) => r.userId))]);
    return rows.map((t) => ({ ...toView(t), ownerName: names.get(t.userId) ?? '' }));
  }

  /** Revokes one of the user's own tokens; another's answers 404. */
  revokeOwn(user: SessionUser, id: number): Promise<string> {
    return this.revoke(user, id, user.id);
  }

  /** An admin revokes anyone's token (the route is the admin's). */
  revokeAny(admin: SessionUser, id: number): Promise<string> {
    return this.revoke(admin, id, null);
  }

  private async revoke(by: SessionUser, id: number, ownerId: number | null): Promise<string> {
    return this.dataSource.transaction(async (m) => {
      const revoked = await this.tokens.revoke(id, by.id, ownerId, m);
      if (!revoked) throw new NotFound();
      await this.audit.record(
        {
          action: 'api_token_revoke',
          entity: 'api_token',
          entityId: id,
          diff: { name: { from: revoked.name }, userId: { from: revoked.userId } },
        },
        m,
      );
      return revoked.name;
    });
  }

  /**
   * The user a bearer token acts for, as current as the users directory at this moment (a
   * deactivated user's tokens stop at once). Refused: ApiUnauthorized; past the rate limit:
   * ApiRateLimited. The first use, and the first after an hour or from another address, is audited
   * as `api_token_used`; a revoked or expired token's use as `api_token_refused`.
   */
  async authenticate(
    token: string,
    ip: string | null,
  ): Promise<{ user: SessionUser; tokenId: number; referenceVersion: number }> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200 || token.includes('\0'))
      throw new ApiUnauthorized();
    const hash = hashOf(token);
    const use = await this.tokens.use(hash, ip);
    if (!use) {
      const refused = await this.tokens.findRefused(hash);
      if (refused)
        await this.auditFrom(ip, {
          action: 'api_token_refused',
          entity: 'api_token',
          entityId: refused.id,
          diff: { userId: { to: refused.userId } },
          actor: null,
        });
      throw new ApiUnauthorized();
    }
    // Users are reference data: read as current as the version this statement saw.
    enterReferenceVersion(use.referenceVersion);
    const user = await this.users.findForSession(use.userId);
    if (!user) throw new ApiUnauthorized();
    const quiet =
      use.previousUseAt !== null &&
      use.previousIp === ip &&
      Date.now() - use.previousUseAt.getTime() < AUDIT_AGAIN_AFTER_MS;
    if (!quiet)
      await this.auditFrom(ip, {
        action: 'api_token_used',
        entity: 'api_token',
        entityId: use.id,
        actor: user,
      });
    if (use.windowCount > this.config.apiRatePerMinute) {
      const retryAfter = Math.max(1, Math.ceil((use.windowStart.getTime() + 60_000 - Date.now()) / 1000));
      throw new ApiRateLimited(retryAfter);
    }
    return { user, tokenId: use.id, referenceVersion: use.referenceVersion };
  }

  /** An audit entry for a request that has no context yet (its token is being checked): its address. */
  private auditFrom(ip: string | null, entry: AuditRecord): Promise<void> {
    return requestContext.run({ requestId: randomUUID(), ip, locale: 'en' }, () => this.audit.record(entry));
  }

  /** Requests a token may make per minute. */
  get ratePerMinute(): number {
    return this.config.apiRatePerMinute;
  }
}
