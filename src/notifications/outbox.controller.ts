import { Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { pageParam } from '../common/pagination.js';
import { OutboxService } from './outbox.service.js';

/** /admin/outbox: every mail Kehu sent or is waiting to send, with the last error. */
@Controller('admin/outbox')
@Roles('admin')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Render('admin/outbox')
  async index(@Query('page') page: string) {
    return { title: 'nav.outbox', page: await this.outbox.list(pageParam(page)) };
  }

  @Get(':id')
  @Render('admin/outbox-mail')
  async show(@Param('id', IdPipe) id: number) {
    return { title: 'nav.outbox', mail: await this.outbox.get(id) };
  }

  @Post(':id/retry')
  @Redirect()
  async retry(@Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.outbox.retry(id);
    flash(req, 'outbox.retried');
    return seeOther('/admin/outbox');
  }
}
