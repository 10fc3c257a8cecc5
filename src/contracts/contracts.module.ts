import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module.js';
import { AttachmentsModule } from '../common/attachments/attachments.module.js';
import { SequencesModule } from '../common/sequences/sequences.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { OpportunitiesModule } from '../opportunities/opportunities.module.js';
import { UsersModule } from '../users/users.module.js';
import { ContractLine } from './contract-line.entity.js';
import { ContractUploadMiddleware } from './contract-upload.middleware.js';
import { Contract } from './contract.entity.js';
import { ContractPolicy } from './contract.policy.js';
import { ContractsApiController } from './contracts.api.controller.js';
import { ContractsController } from './contracts.controller.js';
import { ContractsRepository } from './contracts.repository.js';
import { ContractsService } from './contracts.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Contract, ContractLine]),
    ApprovalsModule,
    AttachmentsModule,
    SequencesModule,
    CustomersModule,
    OpportunitiesModule,
    UsersModule,
  ],
  controllers: [ContractsController, ContractsApiController],
  providers: [ContractsService, ContractsRepository, ContractPolicy],
  exports: [ContractsService],
})
export class ContractsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ContractUploadMiddleware)
      .forRoutes(
        { path: 'contracts/:id/sign', method: RequestMethod.POST },
        { path: 'contracts/:id/attachments', method: RequestMethod.POST },
      );
  }
}
