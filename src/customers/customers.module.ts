import { CustomerCareRepository } from './customer-care.repository.js';
import { CustomerCareService } from './customer-care.service.js';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { Contact } from './contact.entity.js';
import { ContactsApiController } from './contacts.api.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';
import { CustomerExportService } from './customer-export.service.js';
import { CustomerMergeController } from './customer-merge.controller.js';
import { CustomerMergeService } from './customer-merge.service.js';
import { Customer } from './customer.entity.js';
import { CustomerPolicy } from './customer.policy.js';
import { CustomersApiController } from './customers.api.controller.js';
import { CustomersController } from './customers.controller.js';
import { CustomersLifecycle } from './customers.lifecycle.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { CustomerImportController } from './import/customer-import.controller.js';
import { CustomerImport, CustomerImportRow } from './import/customer-import.entity.js';
import { CustomerImportRepository } from './import/customer-import.repository.js';
import { CustomerImportService } from './import/customer-import.service.js';
import { UploadMiddleware } from './import/upload.middleware.js';
import { PoolRepository } from './pool.repository.js';
import { PoolService } from './pool.service.js';
import { RecycleBinService } from './recycle-bin.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Customer, Contact, CustomerImport, CustomerImportRow]), UsersModule],
  // The import and merge pages come before /customers/:id, which would otherwise claim their paths.
  controllers: [
    CustomerImportController,
    CustomerMergeController,
    CustomersController,
    CustomersApiController,
    ContactsApiController,
  ],
  providers: [
    CustomerPolicy,
    CustomersService,
    CustomerCareService,
    CustomerCareRepository,
    CustomersRepository,
    ContactsService,
    ContactsRepository,
    CustomerMergeService,
    RecycleBinService,
    PoolService,
    PoolRepository,
    CustomersLifecycle,
    CustomerExportService,
    CustomerImportService,
    CustomerImportRepository,
  ],
  exports: [CustomersService, ContactsService, CustomerCareService, CustomerPolicy],
})
export class CustomersModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UploadMiddleware).forRoutes({ path: 'customers/import', method: RequestMethod.POST });
  }
}
