import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { BusinessHours } from './business-hours.entity.js';
import { CalendarException, type ExceptionKind } from './calendar-exception.entity.js';

/** All SQL on `business_hours` and `calendar_exception`. */
@Injectable()
export class CalendarRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The working week (the migration seeds its one row). */
  async findHours(): Promise<BusinessHours> {
    return this.dataSource.getRepository(BusinessHours).findOneByOrFail({ id: 1 });
  }

  /** Every exception, by day: a few dozen rows a year, kept in memory by BusinessCalendarService. */
  findExceptions(): Promise<CalendarException[]> {
    return this.dataSource.getRepository(CalendarException).find({ order: { day: 'ASC' } });
  }

  /** The exceptions of one calendar year, by day. */
  findExceptionsOfYear(year: number): Promise<CalendarException[]> {
    return this.dataSource
      .getRepository(CalendarException)
      .createQueryBuilder('e')
      .where('e.day >= :first AND e.day <= :last', { first: `${year}-01-01`, last: `${year}-12-31` })
      .orderBy('e.day', 'ASC')
      .getMany();
  }

  /** The years that hold at least one exception. */
  async exceptionYears(): Promise<number[]> {
    const rows = await this.dataSource.query<{ year: number }[]>(
      `SELECT DISTINCT extract(year FROM "day")::int AS "year" FROM "calendar_exception" ORDER BY 1`,
    );
    return rows.map((r) => r.year);
  }

  /** The working week, locked until the transaction ends. */
  lockHours(m: EntityManager): Promise<BusinessHours> {
    return m.findOneOrFail(BusinessHours, { where: { id: 1 }, lock: { mode: 'pessimistic_write' } });
  }

  async saveHours(
    m: EntityManager,
    hours: Pick<BusinessHours, 'opens' | 'closes' | 'lunchStarts' | 'lunchEnds'>,
  ): Promise<void> {
    await m.update(BusinessHours, { id: 1 }, hours);
  }

  /** Adds an exception unless its day has one already; answers the new row's id, or null. */
  async insertException(
    m: EntityManager,
    row: { day: string; kind: ExceptionKind; name: string },
  ): Promise<number | null> {
    const rows = await m.query<{ id: number }[]>(
      `INSERT INTO "calendar_exception" ("day", "kind", "name") VALUES ($1, $2, $3)
       ON CONFLICT ("day") DO NOTHING RETURNING "id"`,
      [row.day, row.kind, row.name],
    );
    return rows[0]?.id ?? null;
  }

  /** The exception listed on a day, if any. */
  findExceptionOn(m: EntityManager, day: string): Promise<CalendarException | null> {
    return m.findOne(CalendarException, { where: { day } });
  }

  /** Deletes an exception; answers the row as it was, or null when there was none. */
  async deleteException(m: EntityManager, id: number): Promise<CalendarException | null> {
    const row = await m.findOne(CalendarException, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (row) await m.delete(CalendarException, { id });
    return row;
  }
}
