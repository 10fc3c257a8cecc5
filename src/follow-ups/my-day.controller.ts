import { Controller, Get, Render } from '@nestjs/common';
import { CurrentUser } from '../common/decorators.js';
import type { SessionUser } from '../common/session-user.js';
import { FollowUpsService } from './follow-ups.service.js';

/** `/`: my day. */
@Controller()
export class MyDayController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  @Render('home/index')
  async index(@CurrentUser() user: SessionUser) {
    return {
      title: 'nav.my_day',
      day: await this.followUps.myDay(user),
      canLog: this.followUps.mayLog(user),
    };
  }
}
