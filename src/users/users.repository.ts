import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Locale } from '../common/roles.js';
import { User } from './user.entity.js';

/** A user as sessions, lists and owner choices need them, with the ids of the teams they manage. */
export type DirectoryRow = Pick<
  User,
  'id' | 'email' | 'name' | 'role' | 'teamId' | 'region' | 'locale' | 'timezone' | 'active' | 'awaySince'
> & {
  managedTeamIds: number[];
};

export interface Choice {
  id: number;
  name: string;
}

/** Someone who may own customers; the import finds them by e-mail as well as by name. */
export interface Owner extends Choice {
  email: string;
}

/** Someone Kehu writes to: where, in which language, and in which zone their dates are. */
export type Recipient = Pick<User, 'id' | 'email' | 'name' | 'locale' | 'timezone'>;

/** The columns of the user form. */
export type UserFields = Pick<User, 'email' | 'name' | 'role' | 'teamId' | 'region' | 'locale'>;

/** All SQL on `app_user`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every user, active or not, with the teams they manage: the directory UsersService keeps in memory. */
  async directory(): Promise<DirectoryRow[]> {
    const rows = await this.dataSource.query<
      (Omit<DirectoryRow, 'teamId' | 'managedTeamIds' | 'awaySince'> & {
        team_id: number | null;
        away_since: Date | null;
        managed_team_ids: number[];
      })[]
    >(
      `SELECT u.id, u.email, u.name, u.role, u.team_id, u.region, u.locale, u.timezone, u.active, u.away_since,
              ARRAY(SELECT t.id FROM team t WHERE t.manager_id = u.id ORDER BY t.id) AS managed_team_ids
         FROM app_user u ORDER BY u.name, u.id`,
    );
    return rows.map(
      ({ team_id: teamId, managed_team_ids: managedTeamIds, away_since: awaySince, ...fields }) => ({
        ...fields,
        teamId,
        awaySince,
        managedTeamIds,
      }),
    );
  }

  /** The active user with this (lower-case) e-mail, password hash included. */
  findWithHash(email: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email AND u.active', { email })
      .getOne();
  }

  /** Everyone with their team, active first, by name. */
  listWithTeams(): Promise<User[]> {
    return this.dataSource
      .getRepository(User)
      .find({ relations: { team: true }, order: { active: 'DESC', name: 'ASC' } });
  }

  findWithTeam(id: number, m: EntityManager = this.dataSource.manager): Promise<User | null> {
    return m.findOne(User, { where: { id }, relations: { team: true } });
  }

  /** The user, locked until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<User | null> {
    return m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  emailTaken(m: EntityManager, email: string): Promise<boolean> {
    return m.existsBy(User, { email });
  }

  /** Adds a user; returns their id. */
  async insert(m: EntityManager, fields: UserFields & Pick<User, 'passwordHash'>): Promise<number> {
    const { identifiers } = await m.insert(User, fields);
    return identifiers[0].id as number;
  }

  /** Changes the user's row; the version goes up (to `patch.version`, when given). */
  async update(m: EntityManager, id: number, patch: Partial<UserFields & Pick<User, 'active' | 'version'>>) {
    await m.update(User, { id }, patch);
  }

  // Plain SQL below: these changes are the user's own, not the admin form's, so they leave the row
  // version alone and do not stale an admin's open edit form.

  async setPasswordHash(
    id: number,
    passwordHash: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await m.query('UPDATE app_user SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  }

  async setLocale(m: EntityManager, id: number, locale: Locale): Promise<void> {
    await m.query('UPDATE app_user SET locale = $2 WHERE id = $1', [id, locale]);
  }

  /** The ids of users who opted out of the weekly digest. */
  async digestOptOuts(): Promise<Set<number>> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      'SELECT id FROM app_user WHERE digest_opt_out',
    );
    return new Set(rows.map((r) => r.id));
  }

  async setDigestOptOut(m: EntityManager, id: number, out: boolean): Promise<void> {
    await m.query('UPDATE app_user SET digest_opt_out = $2 WHERE id = $1', [id, out]);
  }

  async setLastLogin(m: EntityManager, id: number): Promise<void> {
    await m.query('UPDATE app_user SET last_login_at = now() WHERE id = $1', [id]);
  }

  /** How many active admins there are, each locked (in id order) until the transaction ends. */
  async lockActiveAdmins(m: EntityManager): Promise<number> {
    const admins = await m.query<unknown[]>(
      `SELECT id FROM app_user WHERE role = 'admin' AND active ORDER BY id FOR UPDATE`,
    );
    return admins.length;
  }

  /** The first active admin by id, read in `m`'s transaction: who answers for what has nobody else. */
  async firstActiveAdminId(m: EntityManager = this.dataSource.manager): Promise<number | null> {
    const [row] = await m.query<{ id: number }[]>(
      `SELECT id FROM app_user WHERE role = 'admin' AND active ORDER BY id LIMIT 1`,
    );
    return row?.id ?? null;
  }

  /** The team's active service agents who are not away, by id, read in `m`'s transaction. */
  async presentAgents(m: EntityManager, teamId: number): Promise<number[]> {
    const rows = await m.query<{ id: number }[]>(
      `SELECT id FROM app_user WHERE team_id = $1 AND role = 'service' AND active AND away_since IS NULL ORDER BY id`,
      [teamId],
    );
    return rows.map((r) => r.id);
  }

  /** The team's active service agents and managers and its manager, by name, the away ones marked. */
  teamAgents(teamId: number): Promise<{ id: number; name: string; away: boolean }[]> {
    return this.dataSource.query(
      `SELECT u.id, u.name, u.away_since IS NOT NULL AS away FROM app_user u
        WHERE u.active AND u.role IN ('service', 'manager')
          AND (u.team_id = $1 OR u.id = (SELECT manager_id FROM team WHERE id = $1))
        ORDER BY u.name, u.id`,
      [teamId],
    );
  }

  /** Marks the user away (since now, unless already) or back. */
  async setAway(id: number, away: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE app_user SET away_since = CASE WHEN $2 THEN COALESCE(away_since, now()) ELSE NULL END WHERE id = $1`,
      [id, away],
    );
  }

  /**
   * Active sales reps and managers who may own customers (of these teams, or all when teamIds is
   * null), plus `alsoId` whoever it is.
   */
  assignableOwners(
    teamIds: number[] | null,
    alsoId: number | null,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Owner[]> {
    return m.query<Owner[]>(
      `SELECT id, name, email FROM app_user
        WHERE (active AND role IN ('sales', 'manager') AND ($1::int[] IS NULL OR team_id = ANY($1))) OR id = $2
        ORDER BY name`,
      [teamIds, alsoId],
    );
  }

  /** Who may receive a leaving user's records: active sales reps, managers and admins but them. */
  handOverTargets(exceptId: number, m: EntityManager = this.dataSource.manager): Promise<Choice[]> {
    return m.query<Choice[]>(
      `SELECT id, name FROM app_user WHERE active AND role IN ('sales', 'manager', 'admin') AND id <> $1 ORDER BY name`,
      [exceptId],
    );
  }

  /** Active managers and admins, who may lead a team, plus `alsoId` whoever it is. */
  teamManagers(alsoId: number | null, m: EntityManager = this.dataSource.manager): Promise<Choice[]> {
    return m.query<Choice[]>(
      `SELECT id, name FROM app_user WHERE (active AND role IN ('manager', 'admin')) OR id = $1 ORDER BY name`,
      [alsoId],
    );
  }
}
