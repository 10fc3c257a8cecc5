import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { SessionUser } from '../common/session-user.js';
import { NotFound } from '../common/errors.js';
import { safeReturnTo } from '../common/flash.js';
import { type Page, toPage } from '../common/pagination.js';
import { Notification } from './notification.entity.js';

/**
 * SQL for the number of unread notifications of the user whose id is `userId` (a column or a
 * parameter), for the query that loads a session's user: the bell costs no query of its own.
 */
export const unreadNotificationsSql = (userId: string): string =>
  `(SELECT count(*)::int FROM notification n WHERE n.user_id = ${userId} AND n.read_at IS NULL)`;

/** In-app notifications: the bell's unread count and the list behind it. */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async notify(
    userId: number,
    kind: string,
    params: Record<string, string | number> = {},
    link: string | null = null,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.insert(Notification, { userId, kind, params, link });
  }

  async list(user: SessionUser, page: number): Promise<Page<Notification>> {
    const perPage = 30;
    const [rows, total] = await this.dataSource.getRepository(Notification).findAndCount({
      where: { userId: user.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * perPage,
      take: perPage,
    });
    return toPage(rows, total, page, perPage);
  }

  /** Marks one of the user's notifications read and returns where it points. */
  async open(user: SessionUser, id: number): Promise<string> {
    const repo = this.dataSource.getRepository(Notification);
    const n = await repo.findOneBy({ id, userId: user.id });
    if (!n) throw new NotFound();
    if (!n.readAt) await repo.update({ id }, { readAt: new Date() });
    return safeReturnTo(n.link, '/notifications');
  }

  async markAllRead(user: SessionUser): Promise<void> {
    await this.dataSource
      .getRepository(Notification)
      .update({ userId: user.id, readAt: IsNull() }, { readAt: new Date() });
  }
}
