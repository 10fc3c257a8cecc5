import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { RobotMessage } from './robot-message.entity.js';

export type DueRobotMessage = Pick<RobotMessage, 'id' | 'robot' | 'body' | 'attempts'>;

/** All SQL on `robot_message`. */
@Injectable()
export class RobotsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(m: EntityManager, rows: Pick<RobotMessage, 'robot' | 'event' | 'body'>[]): Promise<void> {
    if (rows.length) await m.insert(RobotMessage, rows as QueryDeepPartialEntity<RobotMessage>[]);
  }

  /**
   * Leases up to `batch` due messages for `leaseSeconds` and returns them; rows another instance
   * holds are skipped, so several may send at once without sending one twice.
   */
  async leaseDue(batch: number, leaseSeconds: number): Promise<DueRobotMessage[]> {
    const [due] = await this.dataSource.query<[DueRobotMessage[], number]>(
      `UPDATE robot_message SET next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (SELECT id FROM robot_message WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, robot, body, attempts`,
      [batch, leaseSeconds],
    );
    return due;
  }

  async record(
    id: number,
    outcome: Pick<RobotMessage, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'deliveredAt'>,
  ): Promise<void> {
    await this.dataSource.getRepository(RobotMessage).update({ id }, outcome);
  }

  /** Erasing a person: masks what matches `jsonPattern` in the group robots' messages (their JSON text). */
  async maskBodies(m: EntityManager, jsonPattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE robot_message SET body = regexp_replace(body::text, $1, $2, 'gi')::jsonb WHERE body::text ~* $1`,
      [jsonPattern, mask],
    )) as [unknown, number];
    return count;
  }
}
