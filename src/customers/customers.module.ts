import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { CustomerExportService } from './customer-export.service.js';
import { CustomerMergeController } from './customer-merge.controller.js';
import { CustomersController } from './customers.controller.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { CustomerMergeSteps } from './merge.js';
import { PoolSettingsController } from './pool-settings.controller.js';
import { PoolService } from './pool.service.js';
import { CustomerTimeline } from './timeline.js';

@Module({
  imports: [UsersModule],
  controllers: [CustomerMergeController, CustomersController, PoolSettingsController],
  providers: [
    CustomersService,
    CustomersRepository,
    CustomerTimeline,
    CustomerMergeSteps,
    PoolService,
    CustomerExportService,
  ],
  exports: [CustomersService, CustomerTimeline, CustomerMergeSteps],
})
export class CustomersModule {}
