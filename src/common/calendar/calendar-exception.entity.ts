import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const EXCEPTION_KINDS = ['holiday', 'workday'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/**
 * A dated exception to the working week: a holiday (a day off, named: 春节, 国庆节…) or a make-up
 * workday (调休: a weekend day that is worked, named after the holiday it belongs to). One per day.
 */
@Entity()
@Index('uq_calendar_exception_day', ['day'], { unique: true })
@Check('ck_calendar_exception_kind', `"kind" IN ('holiday', 'workday')`)
@Check('ck_calendar_exception_name', `length("name") BETWEEN 1 AND 50`)
export class CalendarException {
  @PrimaryGeneratedColumn()
  id: number;

  /** The local day in the company's zone (YYYY-MM-DD). */
  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'text' })
  kind: ExceptionKind;

  @Column({ type: 'text' })
  name: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
