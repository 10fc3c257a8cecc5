import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity.js';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
}

/**
 * All SQL on `audit_entry`: append and read; besides, an erasure masks a person's values in the details
 * (the trigger refuses every other change).
 */
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

  /**
   * The newest entries of one `entity` record (id $1, an integer) with one of `actions`, newest first,
   * at most $2, as a SELECT for a customer's timeline: columns at, action, actorId, diff.
   */
  ofRecordSql(entity: string, actions: string[]): string {
    const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
    return `SELECT a.at, a.action, a.actor_id AS "actorId", a.diff FROM audit_entry a
             WHERE a.entity = ${literal(entity)} AND a.entity_id = $1::int::text
               AND a.action IN (${actions.map(literal).join(', ')})
             ORDER BY a.id DESC LIMIT $2`;
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

  /**
   * Entries whose details' JSON text matches `pattern` (a regular expression, any case; '' matches
   * none), or about one of `records`, oldest first.
   */
  findNaming(pattern: string, records: { entity: string; entityId: string }[]): Promise<AuditEntry[]> {
    return this.dataSource
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where(
        `(:pattern <> '' AND a.diff::text ~* :pattern)
         OR (a.entity, a.entity_id) IN (SELECT * FROM unnest(CAST(:entities AS text[]), CAST(:ids AS text[])))`,
        { pattern, entities: records.map((r) => r.entity), ids: records.map((r) => r.entityId) },
      )
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /** Entries whose details' JSON text matches `pattern` (a regular expression, any case), oldest first. */
  findMatching(pattern: string, m: EntityManager): Promise<AuditEntry[]> {
    return m
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where('a.diff::text ~* :pattern', { pattern })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /**
   * Replaces the details of the given entries, inside an erasure's transaction `m`: the transaction
   * declares itself an erasure first, which is the only way past the append-only trigger.
   */
  async maskDetails(m: EntityManager, entries: { id: string; diff: AuditEntry['diff'] }[]): Promise<void> {
    if (!entries.length) return;
    await m.query(`SELECT set_config('kehu.erasure', 'on', true)`);
    for (const e of entries)
      await m.query(`UPDATE audit_entry SET diff = $2::jsonb WHERE id = $1`, [e.id, JSON.stringify(e.diff)]);
    await m.query(`SELECT set_config('kehu.erasure', 'off', true)`);
  }
}
