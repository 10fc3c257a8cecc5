import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import { type ReferenceCache, ReferenceData } from '../common/reference-data.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import type { UserDto } from './dto/user.dto.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { type TeamName, TeamsRepository } from './teams.repository.js';
import type { User } from './user.entity.js';
import {
  type DirectoryRow,
  type Owner,
  type Recipient,
  type UserFields,
  UsersRepository,
} from './users.repository.js';

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

/**
 * The signed-in user as requests see them. The unread count is the notifications module's: the
 * session serializer adds it.
 */
const toSessionUser = (
  u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'teamId' | 'region' | 'locale' | 'timezone'>,
  managedTeamIds: number[] = [],
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
  unreadNotifications: 0,
});

/** What signing in learns: the account (null: none with that e-mail) and whether the password is its. */
export type CredentialCheck = { user: SessionUser; ok: boolean } | { user: null; ok: false };

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

/**
 * An admin cannot take admin rights from themselves, nor from the last active admin. `activeAdmins`
 * is counted with every active admin locked, before the target is: changes that may remove an admin
 * all lock in that order, so two admins demoting each other at once take turns instead of deadlocking.
 */
function checkNotLastAdmin(actor: SessionUser, target: User, activeAdmins: number): void {
  if (target.role !== 'admin') return;
  if (actor.id === target.id) throw ValidationFailed.field('_', 'user.cannot_lock_out_self');
  if (activeAdmins <= 1) throw ValidationFailed.field('_', 'user.last_admin');
}

const userFields = (dto: UserDto): UserFields => ({
  email: dto.email.toLowerCase(),
  name: dto.name,
  role: dto.role,
  teamId: dto.teamId,
  region: dto.region,
  locale: dto.locale,
});

/**
 * User accounts: the admin's list and form, each user's language, signing in, and the user behind a
 * session. Teams, passwords and the hand-over on leaving have services of their own.
 */
@Injectable()
export class UsersService {
  /**
   * Every user with the teams they manage, by id, in name order: what sessions, owner names and owner
   * choices read on every page, kept in memory as reference data (common/reference-data.ts).
   */
  private readonly directory: ReferenceCache<Map<number, DirectoryRow>>;

  /** Every team's name and manager, in name order: what queues and record pages show of teams. */
  private readonly teamDirectory: ReferenceCache<TeamName[]>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly teams: TeamsRepository,
    private readonly audit: AuditService,
    reference: ReferenceData,
  ) {
    this.directory = reference.cache(async () => new Map((await users.directory()).map((u) => [u.id, u])));
    this.teamDirectory = reference.cache(() => teams.names());
  }

  /**
   * The user behind a session, with the teams they manage; null once deactivated, which ends every
   * session of theirs. `unreadNotifications` is 0 here.
   */
  async findForSession(id: number): Promise<SessionUser | null> {
    const row = (await this.directory.get()).get(id);
    return row?.active ? toSessionUser(row, row.managedTeamIds) : null;
  }

  /**
   * Checks a password for signing in. An unknown e-mail costs the same work as a wrong password, so
   * timing does not tell whether an account exists.
   */
  async checkPassword(email: string, password: string): Promise<CredentialCheck> {
    const user = await this.users.findWithHash(email.trim().toLowerCase());
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    // A hash made at an older cost is made again while the password is at hand; the password is the
    // same, so neither the row version nor the audit log changes.
    if (user && ok && needsRehash(user.passwordHash))
      await this.users.setPasswordHash(user.id, await hashPassword(password));
    return user ? { user: toSessionUser(user), ok } : { user: null, ok: false };
  }

  /** Notes a sign-in, in the caller's transaction; the row version stays (see UsersRepository). */
  async recordLogin(id: number, m: EntityManager): Promise<void> {
    await this.users.setLastLogin(m, id);
  }

  async list(): Promise<UserView[]> {
    return (await this.users.listWithTeams()).map(toUserView);
  }

  async get(id: number): Promise<UserView> {
    const u = await this.users.findWithTeam(id);
    if (!u) throw new NotFound();
    return toUserView(u);
  }

  /**
   * Active sales reps and managers who may own customers (of these teams, or all when teamIds is null),
   * plus `alsoId` whoever it is, so a form never silently drops the current owner. In a transaction
   * (`m`), read from it; otherwise from the directory.
   */
  async assignableOwners(
    teamIds: number[] | null,
    alsoId: number | null,
    m?: EntityManager,
  ): Promise<Owner[]> {
    if (m) return this.users.assignableOwners(teamIds, alsoId, m);
    const owners: Owner[] = [];
    for (const u of (await this.directory.get()).values()) {
      const mayOwn =
        u.active &&
        (u.role === 'sales' || u.role === 'manager') &&
        (teamIds === null || (u.teamId !== null && teamIds.includes(u.teamId)));
      if (mayOwn || u.id === alsoId) owners.push({ id: u.id, name: u.name, email: u.email });
    }
    return owners;
  }

  /** The names of these users by id, whoever they are (deactivated ones too), for lists that show owners. */
  namesOf(ids: number[]): Promise<Map<number, string>> {
    return this.pick(ids, (u) => u.name);
  }

  /** The e-mail addresses of these users by id, whoever they are (an export's owner column). */
  emailsOf(ids: number[]): Promise<Map<number, string>> {
    return this.pick(ids, (u) => u.email);
  }

  private async pick(ids: number[], field: (u: DirectoryRow) => string): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const directory = await this.directory.get();
    const found = new Map<number, string>();
    for (const id of ids) {
      const u = directory.get(id);
      if (u) found.set(id, field(u));
    }
    return found;
  }

  /**
   * Every active user, with what a mail to them needs, by id: whom a company-wide mailing (the
   * morning digest) may reach. From the directory in memory.
   */
  async activeRecipients(): Promise<Recipient[]> {
    const active: Recipient[] = [];
    for (const u of (await this.directory.get()).values())
      if (u.active)
        active.push({ id: u.id, email: u.email, name: u.name, locale: u.locale, timezone: u.timezone });
    return active.sort((a, b) => a.id - b.id);
  }

  /**
   * The active manager of a user's team, with what a mail to them needs; null when the team has none,
   * the user has no team, or they manage it themselves.
   */
  async managerOf(userId: number): Promise<Recipient | null> {
    const directory = await this.directory.get();
    const teamId = directory.get(userId)?.teamId ?? null;
    if (teamId === null) return null;
    for (const u of directory.values())
      if (u.active && u.id !== userId && u.managedTeamIds.includes(teamId))
        return { id: u.id, email: u.email, name: u.name, locale: u.locale, timezone: u.timezone };
    return null;
  }

  /**
   * Every user, active or not, with their role, team and the teams they manage: for rules that pick
   * people by their place (who approves a contract). From the directory in memory.
   */
  async everyone(): Promise<DirectoryRow[]> {
    return [...(await this.directory.get()).values()];
  }

  /** The teams of these users (null: in none), from the directory in memory. */
  async teamIdsOf(userIds: number[]): Promise<Map<number, number | null>> {
    const directory = await this.directory.get();
    return new Map(userIds.map((id) => [id, directory.get(id)?.teamId ?? null]));
  }

  /** The ids of everyone in these teams, active or not: a manager's records are theirs. */
  async teamMemberIds(teamIds: number[]): Promise<number[]> {
    if (!teamIds.length) return [];
    const ids: number[] = [];
    for (const u of (await this.directory.get()).values())
      if (u.teamId !== null && teamIds.includes(u.teamId)) ids.push(u.id);
    return ids.sort((a, b) => a - b);
  }

  // ---- Teams and agents, for the modules that route work to them (tickets) ----

  /** Every team by name (id and name), from memory. */
  async teamChoices(): Promise<{ id: number; name: string }[]> {
    return (await this.teamDirectory.get()).map(({ id, name }) => ({ id, name }));
  }

  /** The teams with an active service agent, which tickets can be given to, from memory. */
  async serviceTeamChoices(): Promise<{ id: number; name: string }[]> {
    const staffed = new Set(
      (await this.everyone()).filter((u) => u.active && u.role === 'service').map((u) => u.teamId),
    );
    return (await this.teamChoices()).filter((t) => staffed.has(t.id));
  }

  /** The names of these teams by id, from memory. */
  async teamNamesOf(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const wanted = new Set(ids);
    return new Map(
      (await this.teamDirectory.get()).filter((t) => wanted.has(t.id)).map((t) => [t.id, t.name]),
    );
  }

  /** These teams with their names and managers, read in `m`'s transaction (a write that tells managers). */
  teamsWithManagers(ids: number[], m?: EntityManager): Promise<TeamName[]> {
    return this.teams.withManagers([...new Set(ids)], m);
  }

  /** The team's manager, if it has one, read in `m`'s transaction when given. */
  async teamManagerId(teamId: number, m?: EntityManager): Promise<number | null> {
    return (await this.teams.withManagers([teamId], m))[0]?.managerId ?? null;
  }

  /** The first active admin by id (who answers for what has nobody else), read in `m`'s transaction when given. */
  firstActiveAdminId(m?: EntityManager): Promise<number | null> {
    return this.users.firstActiveAdminId(m);
  }

  /** The team's active service agents who are not away, by id, read in the caller's transaction. */
  presentAgents(m: EntityManager, teamId: number): Promise<number[]> {
    return this.users.presentAgents(m, teamId);
  }

  /** Whom work of the team may be given to: its active service agents and managers and its manager, the away ones marked. */
  teamAgents(teamId: number): Promise<{ id: number; name: string; away: boolean }[]> {
    return this.users.teamAgents(teamId);
  }

  /** Since when the user is away (new work is not given to them), or null. From the directory in memory. */
  async awaySince(userId: number): Promise<Date | null> {
    return (await this.directory.get()).get(userId)?.awaySince ?? null;
  }

  /** Marks the user away (since now, unless already) or back. */
  setAway(userId: number, away: boolean): Promise<void> {
    return this.users.setAway(userId, away);
  }

  async create(dto: UserDto): Promise<UserView> {
    if (!dto.password) throw ValidationFailed.field('password', 'validation.required');
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (m) => {
      const fields = userFields(dto);
      await this.checkEmailFree(m, fields.email);
      await this.checkTeam(m, fields.teamId);
      const id = await this.users.insert(m, { ...fields, passwordHash });
      await this.audit.record(
        { action: 'create', entity: 'user', entityId: id, diff: diffOf<User>(null, fields, AUDITED) },
        m,
      );
      return toUserView((await this.users.findWithTeam(id, m))!);
    });
  }

  async update(actor: SessionUser, id: number, dto: UserDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const version = editedVersion(dto.version);
      const activeAdmins = await this.users.lockActiveAdmins(m);
      const before = await this.lock(m, id, version);
      const after = userFields(dto);
      if (after.email !== before.email) await this.checkEmailFree(m, after.email);
      await this.checkTeam(m, after.teamId);
      if (after.role !== 'admin') checkNotLastAdmin(actor, before, activeAdmins);
      await this.users.update(m, id, { ...after, version: before.version + 1 });
      await this.auditChange(m, before, after);
    });
  }

  async activate(actor: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction((m) => this.setActive(m, actor, id, true));
  }

  /**
   * Activates or deactivates a user in the caller's transaction; never the last active admin.
   * Returns the user as they were, or null when they already were so.
   */
  async setActive(
    m: EntityManager,
    actor: SessionUser,
    id: number,
    active: boolean,
  ): Promise<Pick<User, 'id' | 'name'> | null> {
    const activeAdmins = active ? 0 : await this.users.lockActiveAdmins(m);
    const before = await this.lock(m, id);
    if (before.active === active) return null;
    if (!active) checkNotLastAdmin(actor, before, activeAdmins);
    await this.users.update(m, id, { active, version: before.version + 1 });
    await this.auditChange(m, before, { active });
    return { id: before.id, name: before.name };
  }

  /** The user's language; no version change, so a switch does not stale an admin's open edit form. */
  async setLocale(user: SessionUser, locale: Locale): Promise<void> {
    if (user.locale === locale) return;
    await this.dataSource.transaction(async (m) => {
      await this.users.setLocale(m, user.id, locale);
      const diff = { locale: { from: user.locale, to: locale } };
      await this.audit.record({ action: 'update', entity: 'user', entityId: user.id, diff }, m);
    });
  }

  /** Whether the user receives the weekly KPI digest (managers choose on their account page). */
  async digestOptOut(userId: number): Promise<boolean> {
    return (await this.users.digestOptOuts()).has(userId);
  }

  /** The ids of users who opted out of the weekly digest, read from the database as the digest goes out. */
  digestOptOuts(): Promise<Set<number>> {
    return this.users.digestOptOuts();
  }

  /** The user's choice about the weekly digest; audited, no version change (like the language). */
  async setDigestOptOut(user: SessionUser, out: boolean): Promise<void> {
    const before = await this.digestOptOut(user.id);
    if (before === out) return;
    await this.dataSource.transaction(async (m) => {
      await this.users.setDigestOptOut(m, user.id, out);
      const diff = { digestOptOut: { from: before, to: out } };
      await this.audit.record({ action: 'update', entity: 'user', entityId: user.id, diff }, m);
    });
  }

  private async lock(m: EntityManager, id: number, version?: number): Promise<User> {
    const user = await this.users.lock(m, id);
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
    if (await this.users.emailTaken(m, email)) throw ValidationFailed.field('email', 'validation.emailTaken');
  }

  private async checkTeam(m: EntityManager, teamId: number | null): Promise<void> {
    if (teamId !== null && !(await this.teams.exists(m, teamId)))
      throw ValidationFailed.field('teamId', 'validation.invalid');
  }
}
