import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The locks that keep a job running once at a time across app instances: PostgreSQL session advisory
 * locks, each held on a connection of its own for as long as the work runs. A server that stops (even
 * killed) loses its connections, and with them its locks, so no lock outlives the run that took it.
 */
@Injectable()
export class JobLocksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` while holding the lock `key`; answers false, without running it, when another holds it. */
  async runAlone(key: string, work: () => Promise<void>): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as {
        locked: boolean;
      }[];
      if (!rows[0].locked) return false;
      try {
        await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
      return true;
    } finally {
      await runner.release();
    }
  }

  /** Runs `work` holding the lock `key`, waiting first for any instance that holds it. */
  async runInTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Whether any instance holds the lock `key` now (taken and given back at once when free). */
  async isHeld(key: string): Promise<boolean> {
    const [{ free }] = await this.dataSource.query<{ free: boolean }[]>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AND pg_advisory_unlock(hashtext($1)) AS free',
      [key],
    );
    return !free;
  }
}
