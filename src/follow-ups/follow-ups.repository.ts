import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { FollowUp, type FollowUpMethod } from './follow-up.entity.js';

/** The open next step of a customer: the one its latest follow-up set. */
export interface NextStep {
  customerId: number;
  nextAction: string | null;
  nextFollowUpAt: Date;
}

/** All SQL on follow-ups. */
@Injectable()
export class FollowUpsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, fields: Partial<FollowUp>): Promise<number> {
    const { identifiers } = await m.insert(FollowUp, fields);
    return identifiers[0].id as number;
  }

  /** A customer's latest live follow-ups, newest first. */
  latestOf(
    customerId: number,
    limit: number,
  ): Promise<
    {
      happenedAt: Date;
      method: FollowUpMethod;
      authorId: number;
      contactId: number | null;
      summary: string;
      promises: string | null;
      nextAction: string | null;
      nextFollowUpAt: Date | null;
    }[]
  > {
    return this.dataSource.getRepository(FollowUp).find({
      select: {
        happenedAt: true,
        method: true,
        authorId: true,
        contactId: true,
        summary: true,
        promises: true,
        nextAction: true,
        nextFollowUpAt: true,
      },
      where: { customerId },
      order: { happenedAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  /**
   * The open next steps due before `before`: for each customer (of `customerIds`, or all), the date
   * set by its latest follow-up. Ordered by due time, then customer, so equal times keep one order.
   */
  async nextStepsDue(before: Date, customerIds: number[] | null): Promise<NextStep[]> {
    const rows = await this.dataSource.query<
      { customer_id: number; next_action: string | null; next_follow_up_at: Date }[]
    >(
      `SELECT customer_id, next_action, next_follow_up_at FROM (
         SELECT DISTINCT ON (f.customer_id) f.customer_id, f.next_action, f.next_follow_up_at
           FROM follow_up f
          WHERE f.deleted_at IS NULL AND ($2::int[] IS NULL OR f.customer_id = ANY($2))
          ORDER BY f.customer_id, f.happened_at DESC, f.id DESC) latest
        WHERE next_follow_up_at IS NOT NULL AND next_follow_up_at < $1
        ORDER BY next_follow_up_at, customer_id`,
      [before, customerIds],
    );
    return rows.map((r) => ({
      customerId: r.customer_id,
      nextAction: r.next_action,
      nextFollowUpAt: r.next_follow_up_at,
    }));
  }

  /** Moves a merged customer's follow-ups to the survivor; returns how many. */
  async moveToCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE follow_up SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }
}
