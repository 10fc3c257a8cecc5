import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last number handed out by one numbering (quotes, contracts, tickets) in one year; `year` is 0
 * for a numbering that never starts again. A row is created by the year's first number.
 */
@Entity()
@Check('ck_number_sequence_last', '"last" > 0')
export class NumberSequence {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @PrimaryColumn({ type: 'integer' })
  year: number;

  @Column({ type: 'integer' })
  last: number;
}
