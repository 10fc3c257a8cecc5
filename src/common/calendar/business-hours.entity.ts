import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * The company's working week: one row (id 1). Each weekday, Monday first, opens and closes at a
 * minute after local midnight (null both: the day is off); an optional lunch break is taken out of
 * every working day. The zone is the company's (DEFAULT_TIMEZONE).
 */
@Entity()
@Check('ck_business_hours_single', `"id" = 1`)
@Check('ck_business_hours_week', `cardinality("opens") = 7 AND cardinality("closes") = 7`)
@Check(
  'ck_business_hours_lunch',
  `("lunch_starts" IS NULL) = ("lunch_ends" IS NULL) AND ("lunch_starts" IS NULL OR ("lunch_starts" >= 0 AND "lunch_starts" < "lunch_ends" AND "lunch_ends" <= 1440))`,
)
export class BusinessHours {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  /** Minutes after midnight each weekday opens, Monday first; null: off. */
  @Column({ type: 'smallint', array: true })
  opens: (number | null)[];

  /** Minutes after midnight each weekday closes (up to 1440), Monday first; null: off. */
  @Column({ type: 'smallint', array: true })
  closes: (number | null)[];

  @Column({ type: 'smallint', nullable: true })
  lunchStarts: number | null;

  @Column({ type: 'smallint', nullable: true })
  lunchEnds: number | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
