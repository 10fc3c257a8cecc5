import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { CustomerExportService } from './customer-export.service.js';
import { CustomerMergeController } from './customer-merge.controller.js';
import { CustomersController } from './customers.controller.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { CustomerImportController } from './import/customer-import.controller.js';
import { CustomerImportRepository } from './import/customer-import.repository.js';
import { CustomerImportService } from './import/customer-import.service.js';
import { UploadMiddleware } from './import/upload.middleware.js';
import { CustomerMergeSteps } from './merge.js';
import { PoolSettingsController } from './pool-settings.controller.js';
import { PoolService } from './pool.service.js';
import { CustomerTimeline } from './timeline.js';

@Module({
  imports: [UsersModule],
  // The import and merge pages come before /customers/:id, which would otherwise claim their paths.
  controllers: [
    CustomerImportController,
    CustomerMergeController,
    CustomersController,
    PoolSettingsController,
  ],
  providers: [
    CustomersService,
    CustomersRepository,
    CustomerTimeline,
    CustomerMergeSteps,
    PoolService,
    CustomerExportService,
    CustomerImportService,
    CustomerImportRepository,
  ],
  exports: [CustomersService, CustomerTimeline, CustomerMergeSteps],
})
export class CustomersModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UploadMiddleware).forRoutes({ path: 'customers/import', method: RequestMethod.POST });
  }
}
