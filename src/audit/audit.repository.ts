import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
}

/** All SQL on `audit_entry`: append and read, nothing else (a trigger refuses the rest). */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async append(
    entry: Omit<AuditEntry, 'id' | 'at'>,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.save(AuditEntry, m.create(AuditEntry, entry), { reload: false });
  }

  /** The newest entries matching `filter`, and how many match in all. */
  findNewest(filter: AuditFilter, skip: number, take: number): Promise<[AuditEntry[], number]> {
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC');
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    return qb.skip(skip).take(take).getManyAndCount();
  }

  /** The newest entries of one record with one of `actions`, newest first. */
  findOfRecord(entity: string, entityId: string, actions: string[], take: number): Promise<AuditEntry[]> {
    return this.dataSource
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where('a.entity = :entity AND a.entity_id = :entityId AND a.action = ANY(:actions)', {
        entity,
        entityId,
        actions,
      })
      .orderBy('a.id', 'DESC')
      .take(take)
      .getMany();
  }
}
