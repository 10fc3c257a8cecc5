import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { poolOf, prepared } from '../common/sql.js';
import { BELL_MOST } from '../common/session-user.js';
import type { SessionFigure } from '../common/sessions/session-store.js';
import { Notification } from './notification.entity.js';

/** How many of `user`'s notifications are unread, up to BELL_MOST + 1: a scalar query on `user` (SQL). */
function unreadSql(user: string): string {
  return `SELECT count(*)::int FROM (SELECT 1 FROM notification WHERE user_id = ${user} AND read_at IS NULL
    LIMIT ${BELL_MOST + 1}) unread`;
}

/** The bell's number, read with each page's session (SessionFigure). */
export const UNREAD_FIGURE: SessionFigure = { name: 'unreadNotifications', sql: unreadSql('$user') };

/** All SQL on `notification`. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Notification);
  }

  async add(
    row: Pick<Notification, 'userId' | 'kind' | 'params' | 'link'>,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.insert(Notification, row);
  }

  /** A user's notifications, newest first, and how many they have. */
  findNewest(userId: number, skip: number, take: number): Promise<[Notification[], number]> {
    return this.repo.findAndCount({
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take,
    });
  }

  /** One notification, if it is `userId`'s. */
  findOwn(userId: number, id: number): Promise<Notification | null> {
    return this.repo.findOneBy({ id, userId });
  }

  async markRead(id: number): Promise<void> {
    await this.repo.update({ id }, { readAt: new Date() });
  }

  async markAllRead(userId: number): Promise<void> {
    await this.repo.update({ userId, readAt: IsNull() }, { readAt: new Date() });
  }

  /**
   * The bell's number, up to BELL_MOST + 1 (index ix_notification_unread). Read on every page with
   * the session (UNREAD_FIGURE); this is its read on its own.
   */
  async countUnread(userId: number): Promise<number> {
    const { rows } = await poolOf(this.dataSource).query<{ n: number }>(
      prepared(`SELECT (${unreadSql('$1')}) AS n`, [userId]),
    );
    return rows[0].n;
  }

  /** Erasing a person: masks what matches `jsonPattern` in notifications' parameters (their JSON text). */
  async maskParams(m: EntityManager, jsonPattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE notification SET params = regexp_replace(params::text, $1, $2, 'gi')::jsonb WHERE params::text ~* $1`,
      [jsonPattern, mask],
    )) as [unknown, number];
    return count;
  }
}
