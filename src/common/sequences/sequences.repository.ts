import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The SQL of number_sequence. */
@Injectable()
export class SequencesRepository {
  /**
   * Counts `name`'s numbering for `year` one up and returns the new number (1 for the year's first),
   * in `m`'s transaction. The row stays locked until that transaction ends: a parallel caller waits,
   * then counts on from the committed value, or from the old one if this transaction rolled back.
   */
  async increment(m: EntityManager, name: string, year: number): Promise<number> {
    const rows: { last: number }[] = await m.query(
      `INSERT INTO number_sequence (name, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (name, year) DO UPDATE SET last = number_sequence.last + 1
       RETURNING last`,
      [name, year],
    );
    return rows[0].last;
  }
}
