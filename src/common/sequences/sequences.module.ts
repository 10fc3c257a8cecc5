import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NumberSequence } from './number-sequence.entity.js';
import { SequencesRepository } from './sequences.repository.js';
import { SequencesService } from './sequences.service.js';

/** Record numbers (quotes, contracts, tickets): a module that numbers its records imports this. */
@Module({
  imports: [TypeOrmModule.forFeature([NumberSequence])],
  providers: [SequencesService, SequencesRepository],
  exports: [SequencesService],
})
export class SequencesModule {}
