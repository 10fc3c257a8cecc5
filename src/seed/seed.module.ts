import { TypeOrmModule } from '@nestjs/typeorm';
import { SeedRun } from './seed-run.entity.js';
import { Module } from '@nestjs/common';
import { SequencesModule } from '../common/sequences/sequences.module.js';
import { SeedService } from './seed.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([SeedRun]), SequencesModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
