import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { ApprovalApprover } from './approval-approver.entity.js';
import { ApprovalRound } from './approval-round.entity.js';
import { ApprovalStep } from './approval-step.entity.js';
import { ApprovalsNavMiddleware } from './approvals-nav.middleware.js';
import { ApprovalsController } from './approvals.controller.js';
import { ApprovalPolicy } from './approvals.policy.js';
import { ApprovalsRepository } from './approvals.repository.js';
import { ApprovalsService } from './approvals.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ApprovalRound, ApprovalStep, ApprovalApprover]), UsersModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsService, ApprovalsRepository, ApprovalPolicy, ApprovalsNavMiddleware],
  exports: [ApprovalsService],
})
export class ApprovalsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApprovalsNavMiddleware).exclude('healthz', 'readyz').forRoutes('{*path}');
  }
}
