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
// ---- payments (回款), invoices (开票), kickoff ----
import { ContractKickoff } from './contract-kickoff.js';
import { Invoice } from './invoice.entity.js';
import { PaymentAllocation } from './payment-allocation.entity.js';
import { PaymentInstallment } from './payment-installment.entity.js';
import { PaymentPlan } from './payment-plan.entity.js';
import { Payment } from './payment.entity.js';
import { PaymentsApiController } from './payments.api.controller.js';
import { PaymentsController } from './payments.controller.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import { ContractRenewalReminder } from './renewal-reminder.entity.js';
// ---- end payments ----

@Module({
  imports: [
    TypeOrmModule.forFeature([
      Contract,
      ContractLine,
      // payments
      PaymentPlan,
      PaymentInstallment,
      Payment,
      PaymentAllocation,
      Invoice,
      ContractRenewalReminder,
    ]),
    ApprovalsModule,
    AttachmentsModule,
    SequencesModule,
    CustomersModule,
    OpportunitiesModule,
    UsersModule,
  ],
  // PaymentsController first: its /contracts/receivables comes before the contracts' /contracts/:id.
  controllers: [PaymentsController, ContractsController, ContractsApiController, PaymentsApiController],
  providers: [
    ContractsService,
    ContractsRepository,
    ContractPolicy,
    // payments
    PaymentsService,
    PaymentsRepository,
    ContractKickoff,
  ],
  exports: [ContractsService, PaymentsService],
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
