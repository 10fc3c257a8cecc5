import { Global, Module } from '@nestjs/common';
import { JobLocksRepository } from './job-locks.repository.js';
import { JobsService } from './jobs.service.js';

@Global()
@Module({ providers: [JobsService, JobLocksRepository], exports: [JobsService] })
export class AutomationModule {}
