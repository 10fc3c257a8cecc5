import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { FollowUp } from './follow-up.entity.js';

/** All SQL on follow-ups. */
@Injectable()
export class FollowUpsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, fields: Partial<FollowUp>): Promise<number> {
    const { identifiers } = await m.insert(FollowUp, fields);
    return identifiers[0].id as number;
  }

  /**
   * Live follow-ups by id after `afterId`, of the customers in `visible` (a subquery of their ids, from
   * the customers module) and matching the filters; `limit` + 1 rows tell whether more follow.
   */
  findPage(
    visible: { sql: string; params: Record<string, unknown> },
    f: { customerId?: number; authorId?: number; since?: Date; until?: Date },
    afterId: number,
    limit: number,
  ): Promise<FollowUp[]> {
    const qb = this.dataSource
      .getRepository(FollowUp)
      .createQueryBuilder('f')
      .where(`f.customer_id IN (${visible.sql})`, visible.params)
      .andWhere('f.id > :afterId', { afterId });
    if (f.customerId) qb.andWhere('f.customer_id = :customerId', { customerId: f.customerId });
    if (f.authorId) qb.andWhere('f.author_id = :authorId', { authorId: f.authorId });
    if (f.since) qb.andWhere('f.happened_at >= :since', { since: f.since });
    if (f.until) qb.andWhere('f.happened_at < :until', { until: f.until });
    return qb
      .orderBy('f.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** A follow-up as the caller's transaction sees it (one it has just logged). */
  findIn(m: EntityManager, id: number): Promise<FollowUp | null> {
    return m.findOne(FollowUp, { where: { id } });
  }

  /** A live follow-up, for its edit form. */
  findLive(id: number): Promise<FollowUp | null> {
    return this.dataSource.getRepository(FollowUp).findOne({ where: { id } });
  }

  /** A live follow-up, locked for a change until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<FollowUp | null> {
    return m.findOne(FollowUp, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Saves corrected fields; the version moves on. */
  async update(m: EntityManager, id: number, fields: Partial<FollowUp>): Promise<void> {
    await m.update(FollowUp, { id }, fields);
  }

  /**
   * The customer's latest live follow-up (by when it happened, then as logged): when it happened and
   * the next step it set, which is the customer's open next step. Null when none is left.
   */
  async latest(
    m: EntityManager,
    customerId: number,
  ): Promise<Pick<FollowUp, 'happenedAt' | 'nextAction' | 'nextFollowUpAt'> | null> {
    const [row] = await m.query<
      { happened_at: Date; next_action: string | null; next_follow_up_at: Date | null }[]
    >(
      `SELECT happened_at, next_action, next_follow_up_at FROM follow_up
        WHERE customer_id = $1 AND deleted_at IS NULL ORDER BY happened_at DESC, id DESC LIMIT 1`,
      [customerId],
    );
    return row
      ? { happenedAt: row.happened_at, nextAction: row.next_action, nextFollowUpAt: row.next_follow_up_at }
      : null;
  }

  /** Whether a live follow-up logged against the deal happened after `at`. */
  async laterOnDeal(m: EntityManager, opportunityId: number, at: Date): Promise<boolean> {
    const rows = await m.query<unknown[]>(
      `SELECT 1 FROM follow_up WHERE opportunity_id = $1 AND deleted_at IS NULL AND happened_at > $2 LIMIT 1`,
      [opportunityId, at],
    );
    return rows.length > 0;
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(FollowUp, { id });
  }

  /**
   * A customer's ($1) latest live follow-ups, newest first, at most $2, as a SELECT for its timeline
   * (read with the other modules' entries in one statement).
   */
  readonly timelineSql = `SELECT f.id, f.happened_at AS "happenedAt", f.method, f.author_id AS "authorId",
           f.contact_id AS "contactId", f.summary, f.promises, f.next_action AS "nextAction",
           f.next_follow_up_at AS "nextFollowUpAt", f.location, f.created_at AS "createdAt"
      FROM follow_up f
     WHERE f.customer_id = $1 AND f.deleted_at IS NULL
     ORDER BY f.happened_at DESC, f.id DESC LIMIT $2`;

  /** The live follow-ups logged against a deal, newest first. */
  ofOpportunity(opportunityId: number, limit: number): Promise<FollowUp[]> {
    return this.dataSource.getRepository(FollowUp).find({
      where: { opportunityId },
      order: { happenedAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  /** Moves a merged customer's follow-ups to the survivor; returns how many. */
  async moveToCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE follow_up SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /**
   * A person's follow-ups (a PIPL request), deleted or not, oldest first: every one of the customer when
   * `contactIds` is null (a person-customer), else those with one of the contacts or whose text matches
   * `pattern` (a regular expression).
   */
  findOfPerson(customerId: number, contactIds: number[] | null, pattern: string): Promise<FollowUp[]> {
    const qb = this.dataSource
      .getRepository(FollowUp)
      .createQueryBuilder('f')
      .withDeleted()
      .where('f.customer_id = :customerId', { customerId });
    if (contactIds)
      qb.andWhere(
        `(f.contact_id = ANY(:contactIds) OR concat_ws(' ', f.summary, f.promises, f.next_action, f.location) ~* :pattern)`,
        { contactIds, pattern: pattern || '$^' },
      );
    return qb.orderBy('f.happened_at', 'ASC').addOrderBy('f.id', 'ASC').getMany();
  }

  /** Masks whatever matches `pattern` in the text of the customer's follow-ups; answers how many changed. */
  async maskOfCustomer(m: EntityManager, customerId: number, pattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE follow_up SET summary = regexp_replace(summary, $2, $3, 'gi'), promises = regexp_replace(promises, $2, $3, 'gi'),
         next_action = regexp_replace(next_action, $2, $3, 'gi'), location = regexp_replace(location, $2, $3, 'gi'),
         version = version + 1, updated_at = now()
       WHERE customer_id = $1 AND concat_ws(' ', summary, promises, next_action, location) ~* $2`,
      [customerId, pattern, mask],
    )) as [unknown, number];
    return count;
  }
}
