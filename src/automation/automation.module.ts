import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobLocksRepository } from './job-locks.repository.js';
import { JobsService } from './jobs.service.js';
import { Task } from './task.entity.js';
import { TasksController } from './tasks.controller.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Task])],
  controllers: [TasksController],
  providers: [JobsService, JobLocksRepository, TasksService, TasksRepository],
  exports: [JobsService, TasksService],
})
export class AutomationModule {}
