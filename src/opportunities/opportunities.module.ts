import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SequencesModule } from '../common/sequences/sequences.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { UsersModule } from '../users/users.module.js';
import { OpportunityStageChange } from './opportunity-stage-change.entity.js';
import { Opportunity } from './opportunity.entity.js';
import { OpportunityPolicy } from './opportunity.policy.js';
import { OpportunitiesApiController } from './opportunities.api.controller.js';
import { OpportunitiesController } from './opportunities.controller.js';
import { OpportunitiesRepository } from './opportunities.repository.js';
import { OpportunitiesService } from './opportunities.service.js';
import { QuoteLine } from './quotes/quote-line.entity.js';
import { Quote } from './quotes/quote.entity.js';
import { QuotePolicy } from './quotes/quote.policy.js';
import { QuotesApiController } from './quotes/quotes.api.controller.js';
import { QuotesController } from './quotes/quotes.controller.js';
import { QuotesRepository } from './quotes/quotes.repository.js';
import { QuotesService } from './quotes/quotes.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Opportunity, OpportunityStageChange, Quote, QuoteLine]),
    ApprovalsModule,
    CustomersModule,
    UsersModule,
    SequencesModule,
  ],
  controllers: [OpportunitiesController, OpportunitiesApiController, QuotesController, QuotesApiController],
  providers: [
    OpportunitiesService,
    OpportunitiesRepository,
    OpportunityPolicy,
    QuotesService,
    QuotesRepository,
    QuotePolicy,
  ],
  exports: [OpportunitiesService, QuotesService],
})
export class OpportunitiesModule {}
