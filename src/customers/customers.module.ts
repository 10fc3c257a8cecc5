import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { CustomersController } from './customers.controller.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { CustomerTimeline } from './timeline.js';

@Module({
  imports: [UsersModule],
  controllers: [CustomersController],
  providers: [CustomersService, CustomersRepository, CustomerTimeline],
  exports: [CustomersService, CustomerTimeline],
})
export class CustomersModule {}
