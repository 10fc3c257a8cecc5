import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SessionUser } from '../common/session-user.js';
import type { Locale } from '../i18n/locales.js';
import { NotFound } from '../common/errors.js';
import { safeReturnTo } from '../common/flash.js';
import { type Page, toPage } from '../common/pagination.js';
import type { Notification } from './notification.entity.js';
import { NotificationsRepository, UNREAD_FIGURE } from './notifications.repository.js';
import { type SessionFigure, sessionFigure } from '../common/sessions/session-store.js';
import type { RobotEvent } from './robots/robot-format.js';
import { type RobotNotice, RobotsService } from './robots/robots.service.js';

/** A notification as the list shows it. */
export interface NotificationView {
  id: number;
  /** Selects the message `notification.<kind>`. */
  kind: string;
  params: Record<string, string | number>;
  read: boolean;
  createdAt: Date;
}

export const toNotificationView = (n: Notification): NotificationView => ({
  id: n.id,
  kind: n.kind,
  params: n.params,
  read: n.readAt !== null,
  createdAt: n.createdAt,
});

/**
 * How a kind of notification's stored params read in a language: a module that stores keys and raw
 * values (a KPI and its fraction) turns them into text when the list is shown, in its reader's language
 * (`createdAt`: when the notification was made, for params an older Kehu stored without their time).
 */
export type NotificationParamsReader = (
  locale: Locale,
  params: Record<string, string | number>,
  createdAt: Date,
) => Record<string, string | number>;

/** In-app notifications (the bell's unread count and the list behind it) and the group robots. */
@Injectable()
export class NotificationsService {
  private readonly readers = new Map<string, NotificationParamsReader>();

  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly robots: RobotsService,
  ) {}

  /**
   * Tells the company's group robots (WeCom, DingTalk) of `event`, in the company's language, when a
   * robot is set and the admin chose that event; nothing otherwise. In the caller's transaction if
   * given (sent once it commits), never holding up the caller.
   */
  toRobots(event: RobotEvent, notice: RobotNotice, m?: EntityManager): Promise<void> {
    return this.robots.send(event, notice, m);
  }

  /** Whether some robot is set and takes `event` (to skip work whose only reader is a robot). */
  robotsTake(event: RobotEvent): Promise<boolean> {
    return this.robots.take(event);
  }

  /** The language of the robots' messages, for figures a caller formats before `toRobots`. */
  robotLocale(): Promise<Locale> {
    return this.robots.locale();
  }

  /** Declares how notifications of `kind` read their stored params when shown (once, at start). */
  readParams(kind: string, reader: NotificationParamsReader): void {
    this.readers.set(kind, reader);
  }

  /** Tells `userId` something (`notification.<kind>` with `params`), in the caller's transaction if given. */
  async notify(
    userId: number,
    kind: string,
    params: Record<string, string | number> = {},
    link: string | null = null,
    m?: EntityManager,
  ): Promise<void> {
    await this.notifications.add({ userId, kind, params, link }, m);
  }

  /** How many of the user's notifications are unread, up to BELL_MOST + 1: the bell on every page. */
  unreadCount(userId: number): Promise<number> {
    const read = sessionFigure(UNREAD_FIGURE.name, userId);
    return typeof read === 'number' ? Promise.resolve(read) : this.notifications.countUnread(userId);
  }

  /** The bell's count as a figure the session store reads with each session (see unreadCount). */
  readonly bellFigure: SessionFigure = UNREAD_FIGURE;

  async list(user: SessionUser, page: number): Promise<Page<NotificationView>> {
    const perPage = 30;
    const [rows, total] = await this.notifications.findNewest(user.id, (page - 1) * perPage, perPage);
    const views = rows.map(toNotificationView).map((n) => {
      const reader = this.readers.get(n.kind);
      return reader ? { ...n, params: reader(user.locale, n.params, n.createdAt) } : n;
    });
    return toPage(views, total, page, perPage);
  }

  /** Marks one of the user's notifications read and returns where it points. */
  async open(user: SessionUser, id: number): Promise<string> {
    const n = await this.notifications.findOwn(user.id, id);
    if (!n) throw new NotFound();
    if (!n.readAt) await this.notifications.markRead(id);
    return safeReturnTo(n.link, '/notifications');
  }

  async markAllRead(user: SessionUser): Promise<void> {
    await this.notifications.markAllRead(user.id);
  }

  /**
   * Erasing a person, in the erasure's transaction: what names them (`jsonPattern`, over JSON text) is
   * masked in users' notifications and the group robots' messages.
   */
  async erasePerson(m: EntityManager, who: { jsonPattern: string; mask: string }): Promise<number> {
    if (!who.jsonPattern) return 0;
    return (
      (await this.notifications.maskParams(m, who.jsonPattern, who.mask)) +
      (await this.robots.erasePerson(m, who))
    );
  }
}
