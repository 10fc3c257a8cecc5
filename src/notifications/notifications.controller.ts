import { Controller, Get, Param, Post, Query, Redirect, Render } from '@nestjs/common';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser } from '../common/decorators.js';
import { seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { pageParam } from '../common/pagination.js';
import { NotificationsService } from './notifications.service.js';

/** /notifications: the list behind the bell. */
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Render('notifications/index')
  async index(@CurrentUser() user: SessionUser, @Query('page') page: string) {
    return { title: 'nav.notifications', page: await this.notifications.list(user, pageParam(page)) };
  }

  @Post(':id/open')
  @Redirect()
  async open(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return seeOther(await this.notifications.open(user, id));
  }

  @Post('read-all')
  @Redirect()
  async readAll(@CurrentUser() user: SessionUser) {
    await this.notifications.markAllRead(user);
    return seeOther('/notifications');
  }
}
