import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { CustomerExportService } from './customer-export.service.js';
import { CustomersController } from './customers.controller.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { PoolSettingsController } from './pool-settings.controller.js';
import { PoolService } from './pool.service.js';
import { CustomerTimeline } from './timeline.js';

@Module({
  imports: [UsersModule],
  controllers: [CustomersController, PoolSettingsController],
  providers: [CustomersService, CustomersRepository, CustomerTimeline, PoolService, CustomerExportService],
  exports: [CustomersService, CustomerTimeline],
})
export class CustomersModule {}
