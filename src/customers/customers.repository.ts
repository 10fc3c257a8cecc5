import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { RecordScope } from '../auth/record-scope.js';
import type { SessionUser } from '../auth/session-user.js';
import { FollowUp } from '../follow-ups/follow-up.entity.js';
import { Contact } from './contact.entity.js';
import { Customer } from './customer.entity.js';

export interface CustomerFilter {
  q?: string;
  status?: string;
  tier?: string;
  ownerId?: number;
  page: number;
  perPage: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** All TypeORM for customers and their contacts. Every read is narrowed by RecordScope. */
@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findPage(user: SessionUser, f: CustomerFilter): Promise<[Customer[], number]> {
    const qb = this.dataSource
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.owner', 'owner');
    RecordScope.customers(qb, user, 'c');
    if (f.q) {
      const like = `%${likeEscape(f.q)}%`;
      qb.andWhere(
        `(c.name ILIKE :like OR c.uscc = upper(:q) OR EXISTS (SELECT 1 FROM contact ct WHERE ct.customer_id = c.id
           AND ct.deleted_at IS NULL AND (ct.name ILIKE :like OR ct.mobile = :q OR ct.phone = :q OR ct.email ILIKE :like)))`,
        { like, q: f.q },
      );
    }
    if (f.status) qb.andWhere('c.status = :status', { status: f.status });
    if (f.tier) qb.andWhere('c.tier = :tier', { tier: f.tier });
    if (f.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: f.ownerId });
    return qb
      .orderBy('c.updated_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .skip((f.page - 1) * f.perPage)
      .take(f.perPage)
      .getManyAndCount();
  }

  /** A customer the user may see, with owner and live contacts; null otherwise. */
  findVisible(
    user: SessionUser,
    id: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Customer | null> {
    const qb = m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.owner', 'owner')
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL')
      .where('c.id = :id', { id })
      .orderBy('contact.primary', 'DESC')
      .addOrderBy('contact.id', 'ASC');
    return RecordScope.customers(qb, user, 'c').getOne();
  }

  /** Locks the row for a change; the caller has already checked visibility in the same transaction. */
  lock(m: EntityManager, id: number): Promise<Customer | null> {
    return m.findOne(Customer, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  recentFollowUps(customerId: number): Promise<FollowUp[]> {
    return this.dataSource.getRepository(FollowUp).find({
      where: { customerId },
      relations: { author: true, contact: true },
      order: { happenedAt: 'DESC' },
      take: 50,
    });
  }

  findContact(m: EntityManager, customerId: number, contactId: number): Promise<Contact | null> {
    return m.findOne(Contact, { where: { id: contactId, customerId }, lock: { mode: 'pessimistic_write' } });
  }
}
