import { TypeOrmModule } from '@nestjs/typeorm';
import { SeedRun } from './seed-run.entity.js';
import { Module } from '@nestjs/common';
import { SeedService } from './seed.service.js';

@Module({ imports: [TypeOrmModule.forFeature([SeedRun])], providers: [SeedService], exports: [SeedService] })
export class SeedModule {}
