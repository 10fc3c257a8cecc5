import { Controller, Param, Post, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, RefusalGoesTo } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { TasksService } from './tasks.service.js';

/** Marking a task done from My day (a form with its CSRF token); back to My day. */
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post(':id/done')
  @RefusalGoesTo('/')
  @Redirect()
  async done(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.tasks.markDone(user, id);
    flash(req, 'task.marked_done');
    return seeOther('/');
  }
}
