import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Setting } from './setting.entity.js';

/** All SQL on `setting`. */
@Injectable()
export class SettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every stored setting (a handful of rows, kept in memory by SettingsService). */
  findAll(): Promise<Setting[]> {
    return this.dataSource.getRepository(Setting).find();
  }

  /** The stored row, locked until the transaction ends (null: never saved). */
  findForUpdate(m: EntityManager, key: string): Promise<Setting | null> {
    return m.findOne(Setting, { where: { key }, lock: { mode: 'pessimistic_write' } });
  }

  /** Stores `value` under `key`; `exists` says whether a row is there to update. */
  async save(m: EntityManager, key: string, value: object, exists: boolean): Promise<void> {
    if (exists) await m.update(Setting, { key }, { value });
    else await m.insert(Setting, { key, value });
  }
}
