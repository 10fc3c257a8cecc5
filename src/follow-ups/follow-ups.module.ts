import { Module } from '@nestjs/common';
import { FollowUpsService } from './follow-ups.service.js';
import { MyDayController } from './my-day.controller.js';

@Module({ controllers: [MyDayController], providers: [FollowUpsService], exports: [FollowUpsService] })
export class FollowUpsModule {}
