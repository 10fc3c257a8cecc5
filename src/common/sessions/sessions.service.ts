import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { SessionsRepository } from './sessions.repository.js';

/**
 * The signed-in sessions, as HTTP infrastructure every module may use (like the CSRF check): ending a
 * user's sessions when they are deactivated or their password changes, and forgetting expired ones.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsRepository,
  ) {}

  /**
   * Signs `userId` out everywhere but in `keepSid` (the session making the change, if it is theirs),
   * in the caller's transaction `m` when given: the sign-out commits with the change that caused it.
   */
  async endFor(userId: number, keepSid = '', m: EntityManager = this.dataSource.manager): Promise<void> {
    await this.sessions.deleteForUser(m, userId, keepSid);
  }

  /** Forgets expired sessions; the store never reads them anyway. */
  async prune(): Promise<void> {
    await this.sessions.deleteExpired();
  }
}
