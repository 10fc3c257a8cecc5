import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * SQL on `session` beyond what the session store itself does (see session-store.ts): the table is
 * connect-pg-simple's, with the passport user id inside the `sess` JSON.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async deleteForUser(m: EntityManager, userId: number, keepSid: string): Promise<void> {
    await m.query(`DELETE FROM session WHERE sess->'passport'->>'user' = $1 AND sid <> $2`, [
      String(userId),
      keepSid,
    ]);
  }

  async deleteExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM session WHERE expire < now()`);
  }
}
