import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { formatNumber, SEQUENCES, type SequenceKind, yearIn } from './sequence-formats.js';
import { SequencesRepository } from './sequences.repository.js';

export { type SequenceKind } from './sequence-formats.js';

/**
 * Gapless numbers for records (BJ-2026-0001, HT-2026-0001, T-000001), counted in the database.
 *
 * A number is taken inside the transaction that creates its record: two records never get the same
 * number, and a record that is not created after all (its transaction rolls back) gives its number
 * back. The price is that creations of one kind wait for each other from taking the number to their
 * commit, so take it late in the transaction, after the checks that may refuse the record.
 */
@Injectable()
export class SequencesService {
  constructor(
    private readonly repository: SequencesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The next number of `kind`, in `m`'s transaction; yearly numberings count in the company's year
   * (DEFAULT_TIMEZONE) of `at`, so the first record after midnight on New Year's Eve in Shanghai is
   * number 1 of the new year.
   */
  async next(m: EntityManager, kind: SequenceKind, at: Date = new Date()): Promise<string> {
    // Outside a transaction the number would be spent even when the record is never saved: a gap.
    if (!m.queryRunner?.isTransactionActive)
      throw new Error('SequencesService.next must run inside the transaction that saves the record');
    const year = SEQUENCES[kind].yearly ? yearIn(at, this.config.defaultTimezone) : 0;
    return formatNumber(kind, year, await this.repository.increment(m, kind, year));
  }
}
