import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module.js';
import { UsersModule } from '../users/users.module.js';
import { OpportunityStageChange } from './opportunity-stage-change.entity.js';
import { Opportunity } from './opportunity.entity.js';
import { OpportunityPolicy } from './opportunity.policy.js';
import { OpportunitiesApiController } from './opportunities.api.controller.js';
import { OpportunitiesController } from './opportunities.controller.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import { OpportunitiesService } from './opportunities.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Opportunity, OpportunityStageChange]), CustomersModule, UsersModule],
  controllers: [OpportunitiesController, OpportunitiesApiController],
  providers: [OpportunitiesService, OpportunitiesRepository, OpportunityPolicy],
  exports: [OpportunitiesService],
})
export class OpportunitiesModule {}
