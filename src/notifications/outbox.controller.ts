import { Controller, Get, Param, ParseIntPipe, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { pageParam } from '../common/pagination.js';
import { MailService } from './mail.service.js';

/** /admin/outbox: every mail Kehu sent or is waiting to send, with the last error. */
@Controller('admin/outbox')
@Roles('admin')
export class OutboxController {
  constructor(private readonly mail: MailService) {}

  @Get()
  @Render('admin/outbox')
  async index(@Query('page') page: string) {
    return { title: 'nav.outbox', page: await this.mail.list(pageParam(page)) };
  }

  @Get(':id')
  @Render('admin/outbox-mail')
  async show(@Param('id', ParseIntPipe) id: number) {
    return { title: 'nav.outbox', mail: await this.mail.get(id) };
  }

  @Post(':id/retry')
  @Redirect()
  async retry(@Param('id', ParseIntPipe) id: number, @Req() req: Request) {
    await this.mail.retry(id);
    flash(req, 'outbox.retried');
    return seeOther('/admin/outbox');
  }
}
