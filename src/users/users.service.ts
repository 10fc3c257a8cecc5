import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import type { SessionUser } from '../common/session-user.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService, unreadNotificationsSql } from '../notifications/notifications.service.js';
import type { ChangePasswordDto, TeamDto, UserDto } from './dto/user.dto.js';
import { HandOverRegistry } from './hand-over.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Locale } from '../common/roles.js';
import { Team } from './team.entity.js';
import { User } from './user.entity.js';

export interface UserView {
  id: number;
  email: string;
  name: string;
  role: User['role'];
  teamId: number | null;
  teamName: string | null;
  region: string | null;
  locale: Locale;
  active: boolean;
  lastLoginAt: Date | null;
  version: number;
}

export interface TeamView {
  id: number;
  name: string;
  managerId: number | null;
  managerName: string | null;
  members: number;
  version: number;
}

const toUserView = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  teamId: u.teamId,
  teamName: u.team?.name ?? null,
  region: u.region,
  locale: u.locale,
  active: u.active,
  lastLoginAt: u.lastLoginAt,
  version: u.version,
});

export const toSessionUser = (
  u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'teamId' | 'region' | 'locale' | 'timezone'>,
  managedTeamIds: number[] = [],
  unreadNotifications = 0,
): SessionUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  teamId: u.teamId,
  region: u.region,
  locale: u.locale,
  timezone: u.timezone,
  teamIds: [...new Set([...(u.teamId === null ? [] : [u.teamId]), ...managedTeamIds])],
  unreadNotifications,
});

const AUDITED: Extract<keyof User, string>[] = [
  'email',
  'name',
  'role',
  'teamId',
  'region',
  'locale',
  'active',
];
const PERMISSION_FIELDS = ['role', 'teamId', 'active'];

/** Users and teams: the admin's pages, each user's own account, and the session's user. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly handOver: HandOverRegistry,
  ) {}

  /**
   * The user behind a session, with the teams they manage and their unread notifications, in one
   * query (it runs on every request); null once deactivated, which ends every session of theirs.
   */
  async findForSession(id: number): Promise<SessionUser | null> {
    const [row] = await this.dataSource.query<
      (Pick<User, 'id' | 'email' | 'name' | 'role' | 'region' | 'locale' | 'timezone'> & {
        team_id: number | null;
        managed_team_ids: number[];
        unread_notifications: number;
      })[]
    >(
      `SELECT u.id, u.email, u.name, u.role, u.team_id, u.region, u.locale, u.timezone,
              ARRAY(SELECT t.id FROM team t WHERE t.manager_id = u.id ORDER BY t.id) AS managed_team_ids,
              ${unreadNotificationsSql('u.id')} AS unread_notifications
         FROM app_user u WHERE u.id = $1 AND u.active`,
      [id],
    );
    if (!row) return null;
    const { team_id: teamId, managed_team_ids: managed, unread_notifications: unread, ...fields } = row;
    return toSessionUser({ ...fields, teamId }, managed, unread);
  }

  /** The active user with this e-mail and their password hash, for signing in. */
  findWithHash(email: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email AND u.active', { email: email.trim().toLowerCase() })
      .getOne();
  }

  async list(): Promise<UserView[]> {
    const users = await this.dataSource
      .getRepository(User)
      .find({ relations: { team: true }, order: { active: 'DESC', name: 'ASC' } });
    return users.map(toUserView);
  }

  /**
   * Active sales reps and managers who may own customers (of these teams, or all when teamIds is null),
   * plus `alsoId` whoever it is, so a form never silently drops the current owner.
   */
  async assignableOwners(
    teamIds: number[] | null,
    alsoId: number | null,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ id: number; name: string }[]> {
    return m.query<{ id: number; name: string }[]>(
      `SELECT id, name FROM app_user
        WHERE (active AND role IN ('sales', 'manager') AND ($1::int[] IS NULL OR team_id = ANY($1))) OR id = $2
        ORDER BY name`,
      [teamIds, alsoId],
    );
  }

  async get(id: number): Promise<UserView> {
    const u = await this.dataSource.getRepository(User).findOne({ where: { id }, relations: { team: true } });
    if (!u) throw new NotFound();
    return toUserView(u);
  }

  async create(dto: UserDto): Promise<UserView> {
    if (!dto.password) throw ValidationFailed.field('password', 'validation.required');
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (m) => {
      await this.checkEmailFree(m, dto.email);
      await this.checkTeam(m, dto.teamId);
      const fields = this.userFields(dto);
      const { identifiers } = await m.insert(User, { ...fields, passwordHash });
      const id = identifiers[0].id as number;
      await this.audit.record(
        { action: 'create', entity: 'user', entityId: id, diff: diffOf<User>(null, fields, AUDITED) },
        m,
      );
      return toUserView((await m.findOne(User, { where: { id }, relations: { team: true } }))!);
    });
  }

  async update(actor: SessionUser, id: number, dto: UserDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockUser(m, id, editedVersion(dto.version));
      const after = this.userFields(dto);
      if (after.email !== before.email) await this.checkEmailFree(m, after.email);
      await this.checkTeam(m, after.teamId);
      if (after.role !== 'admin') await this.checkNotLastAdmin(m, actor, before);
      await m.update(User, { id }, { ...after, version: before.version + 1 });
      await this.auditChange(m, before, after);
    });
  }

  async activate(actor: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockUser(m, id);
      if (before.active) return;
      await m.update(User, { id }, { active: true, version: before.version + 1 });
      await this.auditChange(m, before, { active: true });
    });
  }

  /** What a user owns, per kind of record, for the hand-over choice when deactivating them. */
  async holdings(id: number): Promise<{ labelKey: string; count: number }[]> {
    return Promise.all(
      this.handOver.steps.map(async (s) => ({ labelKey: s.labelKey, count: await s.count(id) })),
    );
  }

  /**
   * Deactivates a user (signed out at once) and, in the same transaction, hands everything they own
   * to another active user or to the public pool. The history stays with the records.
   */
  async deactivate(actor: SessionUser, id: number, handOverTo: string | null): Promise<void> {
    const owned = (await this.holdings(id)).reduce((sum, h) => sum + h.count, 0);
    if (owned > 0 && !handOverTo) throw ValidationFailed.field('handOverTo', 'hand_over.required');
    const toId = handOverTo && handOverTo !== 'pool' ? Number(handOverTo) : null;
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockUser(m, id);
      if (!before.active) return;
      await this.checkNotLastAdmin(m, actor, before);
      if (toId !== null) {
        const target = await m.findOneBy(User, { id: toId, active: true });
        if (
          !target ||
          toId === id ||
          (target.role !== 'sales' && target.role !== 'manager' && target.role !== 'admin')
        ) {
          throw ValidationFailed.field('handOverTo', 'validation.invalid');
        }
      }
      await m.update(User, { id }, { active: false, version: before.version + 1 });
      await this.endSessions(m, id);
      await this.auditChange(m, before, { active: false });
      const moved: Record<string, { to: number }> = {};
      for (const step of this.handOver.steps) moved[step.labelKey] = { to: await step.move(m, id, toId) };
      if (owned > 0) {
        await this.audit.record(
          {
            action: 'hand_over',
            entity: 'user',
            entityId: id,
            diff: { ...moved, handOverTo: { to: handOverTo } },
          },
          m,
        );
        if (toId !== null)
          await this.notifications.notify(
            toId,
            'handed_over',
            { name: before.name, count: owned },
            '/customers?owner=me',
            m,
          );
      }
    });
  }

  /** Who may receive a leaving user's records: active sales reps, managers and admins but them. */
  async handOverTargets(exceptId: number): Promise<{ id: number; name: string }[]> {
    return this.dataSource.query<{ id: number; name: string }[]>(
      `SELECT id, name FROM app_user WHERE active AND role IN ('sales', 'manager', 'admin') AND id <> $1 ORDER BY name`,
      [exceptId],
    );
  }

  /** An admin sets a new password; the user is told in the app and by mail. */
  async resetPassword(id: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (m) => {
      const user = await this.lockUser(m, id);
      await m.update(User, { id }, { passwordHash });
      await this.endSessions(m, id);
      await this.audit.record({ action: 'password_reset', entity: 'user', entityId: id }, m);
      await this.notifications.notify(id, 'password_reset', {}, '/account', m);
      await this.mail.enqueue(
        { to: user.email, template: 'password-reset', locale: user.locale, params: { name: user.name } },
        m,
      );
    });
    await this.mail.kickQuietly();
  }

  /** Changes the user's own password; their other sessions end, the current one (`keepSessionId`) stays. */
  async changeOwnPassword(user: SessionUser, dto: ChangePasswordDto, keepSessionId: string): Promise<void> {
    if (dto.newPassword !== dto.confirmPassword)
      throw ValidationFailed.field('confirmPassword', 'validation.passwordMismatch');
    const current = await this.findWithHash(user.email);
    if (!current || !(await verifyPassword(current.passwordHash, dto.currentPassword))) {
      throw ValidationFailed.field('currentPassword', 'account.wrong_password');
    }
    const passwordHash = await hashPassword(dto.newPassword);
    await this.dataSource.transaction(async (m) => {
      await m.query('UPDATE app_user SET password_hash = $2 WHERE id = $1', [user.id, passwordHash]);
      await this.endSessions(m, user.id, keepSessionId);
      await this.audit.record({ action: 'password_change', entity: 'user', entityId: user.id }, m);
    });
  }

  /** Plain SQL, so a language switch does not bump the row version and stale an admin's open edit form. */
  async setLocale(user: SessionUser, locale: Locale): Promise<void> {
    if (user.locale === locale) return;
    await this.dataSource.transaction(async (m) => {
      await m.query('UPDATE app_user SET locale = $2 WHERE id = $1', [user.id, locale]);
      const diff = { locale: { from: user.locale, to: locale } };
      await this.audit.record({ action: 'update', entity: 'user', entityId: user.id, diff }, m);
    });
  }

  /** Signs the user out everywhere (but in `keepSessionId`). */
  private async endSessions(m: EntityManager, userId: number, keepSessionId = ''): Promise<void> {
    await m.query(`DELETE FROM session WHERE sess->'passport'->>'user' = $1 AND sid <> $2`, [
      String(userId),
      keepSessionId,
    ]);
  }

  // Teams

  async listTeams(): Promise<TeamView[]> {
    const rows = await this.dataSource.query<
      {
        id: number;
        name: string;
        manager_id: number | null;
        manager_name: string | null;
        members: string;
        version: number;
      }[]
    >(`SELECT t.id, t.name, t.manager_id, m.name AS manager_name, t.version,
              (SELECT count(*) FROM app_user u WHERE u.team_id = t.id AND u.active) AS members
         FROM team t LEFT JOIN app_user m ON m.id = t.manager_id ORDER BY t.name`);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      managerId: r.manager_id,
      managerName: r.manager_name,
      members: Number(r.members),
      version: r.version,
    }));
  }

  async getTeam(id: number): Promise<TeamView> {
    const team = (await this.listTeams()).find((t) => t.id === id);
    if (!team) throw new NotFound();
    return team;
  }

  /** Active managers and admins who may lead a team, plus `alsoId` (the current manager) whoever it is. */
  async listManagers(alsoId: number | null = null): Promise<{ id: number; name: string }[]> {
    return this.dataSource.query<{ id: number; name: string }[]>(
      `SELECT id, name FROM app_user WHERE (active AND role IN ('manager', 'admin')) OR id = $1 ORDER BY name`,
      [alsoId],
    );
  }

  async createTeam(dto: TeamDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.checkTeamName(m, dto.name);
      await this.checkManager(m, dto.managerId);
      const { identifiers } = await m.insert(Team, { name: dto.name, managerId: dto.managerId });
      await this.audit.record(
        {
          action: 'create',
          entity: 'team',
          entityId: identifiers[0].id as number,
          diff: { name: { to: dto.name }, managerId: { to: dto.managerId } },
        },
        m,
      );
    });
  }

  async updateTeam(id: number, dto: TeamDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await m.findOne(Team, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw new NotFound();
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      if (dto.name !== before.name) await this.checkTeamName(m, dto.name);
      await this.checkManager(m, dto.managerId);
      await m.update(Team, { id }, { name: dto.name, managerId: dto.managerId, version: before.version + 1 });
      const diff = diffOf<Team>(before, { name: dto.name, managerId: dto.managerId }, ['name', 'managerId']);
      await this.audit.record({ action: 'permission', entity: 'team', entityId: id, diff }, m);
    });
  }

  // Rules

  private userFields(dto: UserDto) {
    return {
      email: dto.email.toLowerCase(),
      name: dto.name,
      role: dto.role,
      teamId: dto.teamId,
      region: dto.region,
      locale: dto.locale,
    };
  }

  private async lockUser(m: EntityManager, id: number, version?: number): Promise<User> {
    const user = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw new NotFound();
    if (version !== undefined && version !== user.version) throw new StaleVersion();
    return user;
  }

  private async auditChange(m: EntityManager, before: User, after: Partial<User>): Promise<void> {
    const diff = diffOf<User>(
      before,
      after,
      AUDITED.filter((f) => f in after),
    );
    if (!Object.keys(diff).length) return;
    const permission = Object.keys(diff).some((f) => PERMISSION_FIELDS.includes(f));
    await this.audit.record(
      { action: permission ? 'permission' : 'update', entity: 'user', entityId: before.id, diff },
      m,
    );
  }

  private async checkEmailFree(m: EntityManager, email: string): Promise<void> {
    if (await m.existsBy(User, { email: email.toLowerCase() }))
      throw ValidationFailed.field('email', 'validation.emailTaken');
  }

  private async checkTeam(m: EntityManager, teamId: number | null): Promise<void> {
    if (teamId !== null && !(await m.existsBy(Team, { id: teamId })))
      throw ValidationFailed.field('teamId', 'validation.invalid');
  }

  private async checkTeamName(m: EntityManager, name: string): Promise<void> {
    if (await m.existsBy(Team, { name })) throw ValidationFailed.field('name', 'validation.teamTaken');
  }

  private async checkManager(m: EntityManager, managerId: number | null): Promise<void> {
    if (managerId === null) return;
    const user = await m.findOneBy(User, { id: managerId, active: true });
    if (!user || (user.role !== 'manager' && user.role !== 'admin'))
      throw ValidationFailed.field('managerId', 'validation.invalid');
  }

  /** An admin cannot take admin rights from themselves, nor from the last active admin. */
  private async checkNotLastAdmin(m: EntityManager, actor: SessionUser, target: User): Promise<void> {
    if (target.role !== 'admin') return;
    if (actor.id === target.id) throw ValidationFailed.field('_', 'user.cannot_lock_out_self');
    // Locking every active admin makes two admins demoting each other at once take turns.
    const admins = await m.query<unknown[]>(
      `SELECT id FROM app_user WHERE role = 'admin' AND active FOR UPDATE`,
    );
    if (admins.length <= 1) throw ValidationFailed.field('_', 'user.last_admin');
  }
}
