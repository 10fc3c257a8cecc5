import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Contact } from './contact.entity.js';
import { poolOf, prepared } from '../common/sql.js';
import { type CustomerActor, conditionFor } from './customer.policy.js';

/** All SQL on contacts, the people at a customer. */
@Injectable()
export class ContactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    m: EntityManager,
    fields: Partial<Contact> & { customerId: number; name: string },
  ): Promise<number> {
    const { identifiers } = await m.insert(Contact, fields);
    return identifiers[0].id as number;
  }

  /**
   * Live contacts of live customers the actor may see, by id after `afterId`: of one customer, and
   * matching `q` (part of a name, mobile or e-mail) when given. `limit` + 1 rows tell whether more follow.
   */
  findPage(
    actor: CustomerActor,
    f: { customerId?: number; q?: string },
    afterId: number,
    limit: number,
  ): Promise<Contact[]> {
    const { sql, params } = conditionFor(actor, 'view', 'c');
    const qb = this.dataSource
      .getRepository(Contact)
      .createQueryBuilder('k')
      .innerJoin('customer', 'c', 'c.id = k.customer_id AND c.deleted_at IS NULL')
      .where(sql, params)
      .andWhere('k.id > :afterId', { afterId });
    if (f.customerId) qb.andWhere('k.customer_id = :customerId', { customerId: f.customerId });
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      qb.andWhere('(k.name ILIKE :like OR k.mobile LIKE :like OR k.email ILIKE :like)', { like });
    }
    return qb
      .orderBy('k.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** The customer of a live contact (null: no such contact). */
  async customerOf(contactId: number): Promise<number | null> {
    const row = await this.dataSource
      .getRepository(Contact)
      .findOne({ select: { customerId: true }, where: { id: contactId } });
    return row?.customerId ?? null;
  }

  /** A live contact of the customer, locked for a change. */
  lock(m: EntityManager, customerId: number, contactId: number): Promise<Contact | null> {
    return m.findOne(Contact, { where: { id: contactId, customerId }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: number, fields: Partial<Contact>): Promise<void> {
    await m.update(Contact, { id }, fields);
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(Contact, { id });
  }

  /** The customer has no primary contact any more (another is about to become it). */
  async clearPrimary(m: EntityManager, customerId: number): Promise<void> {
    await m.query('UPDATE contact SET "primary" = false WHERE customer_id = $1 AND "primary"', [customerId]);
  }

  /** Does another live contact of the customer (not `exceptId`) have this mobile? */
  async mobileTaken(
    m: EntityManager,
    customerId: number,
    mobile: string,
    exceptId: number | null,
  ): Promise<boolean> {
    const rows = await m.query<unknown[]>(
      `SELECT 1 FROM contact
        WHERE customer_id = $1 AND mobile = $2 AND deleted_at IS NULL AND ($3::int IS NULL OR id <> $3)
        LIMIT 1`,
      [customerId, mobile, exceptId],
    );
    return rows.length > 0;
  }

  /** Is this a live contact of that customer? */
  exists(m: EntityManager, customerId: number, contactId: number): Promise<boolean> {
    return m.existsBy(Contact, { id: contactId, customerId });
  }

  /** Names of contacts by id, deleted ones left out. */
  async names(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const { rows } = await poolOf(this.dataSource).query<{ id: number; name: string }>(
      prepared('SELECT id, name FROM contact WHERE id = ANY($1::int[]) AND deleted_at IS NULL', [ids]),
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Moves every contact of a merged customer to the survivor; the survivor's primary contact stays the
   * only one. Returns how many moved.
   */
  async moveAll(m: EntityManager, fromCustomerId: number, toCustomerId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      `UPDATE contact SET customer_id = $2, "primary" = "primary" AND NOT EXISTS
         (SELECT 1 FROM contact p WHERE p.customer_id = $2 AND p."primary" AND p.deleted_at IS NULL)
        WHERE customer_id = $1`,
      [fromCustomerId, toCustomerId],
    );
    return moved;
  }

  /** A contact, deleted or not: what Kehu holds on them (a PIPL request). */
  findAnyState(id: number): Promise<Contact | null> {
    return this.dataSource.getRepository(Contact).findOne({ where: { id }, withDeleted: true });
  }

  /** Every contact of a customer, deleted or not, oldest first. */
  findAllOf(customerId: number): Promise<Contact[]> {
    return this.dataSource
      .getRepository(Contact)
      .find({ where: { customerId }, withDeleted: true, order: { id: 'ASC' } });
  }

  /**
   * Erasing people: their names give way to `mask`, every way to reach them is cleared, and no rule
   * mails them again. (Their customer's search tokens follow, by the contact trigger.)
   */
  async erase(m: EntityManager, ids: number[], mask: string): Promise<void> {
    await m.query(
      `UPDATE contact SET name = $2, title = NULL, mobile = NULL, phone = NULL, email = NULL, wechat = NULL,
         birthday = NULL, mail_opt_out = true, version = version + 1, updated_at = now()
       WHERE id = ANY($1)`,
      [ids, mask],
    );
  }
}
