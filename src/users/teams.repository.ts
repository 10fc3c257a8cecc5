import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Team } from './team.entity.js';

export interface TeamRow {
  id: number;
  name: string;
  managerId: number | null;
  managerName: string | null;
  /** Active members. */
  members: number;
  version: number;
}

/** A team as other modules name it, with its manager. */
export interface TeamName {
  id: number;
  name: string;
  managerId: number | null;
}

/** All SQL on `team`. */
@Injectable()
export class TeamsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every team (or the one with `id`) with its manager's name and how many active members it has. */
  async list(id: number | null = null): Promise<TeamRow[]> {
    const rows = await this.dataSource.query<
      {
        id: number;
        name: string;
        manager_id: number | null;
        manager_name: string | null;
        members: string;
        version: number;
      }[]
    >(
      `SELECT t.id, t.name, t.manager_id, m.name AS manager_name, t.version,
              (SELECT count(*) FROM app_user u WHERE u.team_id = t.id AND u.active) AS members
         FROM team t LEFT JOIN app_user m ON m.id = t.manager_id
        WHERE $1::int IS NULL OR t.id = $1
        ORDER BY t.name`,
      [id],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      managerId: r.manager_id,
      managerName: r.manager_name,
      members: Number(r.members),
      version: r.version,
    }));
  }

  /** Every team's id, name and manager, by name: what other modules show of teams, kept in memory by UsersService. */
  names(): Promise<TeamName[]> {
    return this.dataSource.query<TeamName[]>(
      'SELECT id, name, manager_id AS "managerId" FROM team ORDER BY name, id',
    );
  }

  /** These teams with their managers, read in `m`'s transaction. */
  withManagers(ids: number[], m: EntityManager = this.dataSource.manager): Promise<TeamName[]> {
    if (!ids.length) return Promise.resolve([]);
    return m.query<TeamName[]>('SELECT id, name, manager_id AS "managerId" FROM team WHERE id = ANY($1)', [
      ids,
    ]);
  }

  exists(m: EntityManager, id: number): Promise<boolean> {
    return m.existsBy(Team, { id });
  }

  nameTaken(m: EntityManager, name: string): Promise<boolean> {
    return m.existsBy(Team, { name });
  }

  /** Adds a team; returns its id. */
  async insert(m: EntityManager, fields: Pick<Team, 'name' | 'managerId'>): Promise<number> {
    const { identifiers } = await m.insert(Team, fields);
    return identifiers[0].id as number;
  }

  /** The team, locked until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<Team | null> {
    return m.findOne(Team, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: number, patch: Pick<Team, 'name' | 'managerId' | 'version'>) {
    await m.update(Team, { id }, patch);
  }
}
