import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { FollowUpsService } from './follow-ups.service.js';
import { MyDayController } from './my-day.controller.js';

@Module({
  imports: [CustomersModule],
  controllers: [MyDayController, FollowUpsController],
  providers: [FollowUpsService],
  exports: [FollowUpsService],
})
export class FollowUpsModule {}
