import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import type { TeamDto } from './dto/user.dto.js';
import type { Team } from './team.entity.js';
import { type TeamRow, TeamsRepository } from './teams.repository.js';
import { type Choice, UsersRepository } from './users.repository.js';

export type TeamView = TeamRow;

/** Teams and who manages each: the admin's teams pages. */
@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly teams: TeamsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<TeamView[]> {
    return this.teams.list();
  }

  async get(id: number): Promise<TeamView> {
    const [team] = await this.teams.list(id);
    if (!team) throw new NotFound();
    return team;
  }

  /** Active managers and admins who may lead a team, plus `alsoId` (the current manager) whoever it is. */
  managers(alsoId: number | null = null): Promise<Choice[]> {
    return this.users.teamManagers(alsoId);
  }

  async create(dto: TeamDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.checkName(m, dto.name);
      await this.checkManager(m, dto.managerId);
      const id = await this.teams.insert(m, { name: dto.name, managerId: dto.managerId });
      await this.audit.record(
        {
          action: 'create',
          entity: 'team',
          entityId: id,
          diff: { name: { to: dto.name }, managerId: { to: dto.managerId } },
        },
        m,
      );
    });
  }

  async update(id: number, dto: TeamDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.teams.lock(m, id);
      if (!before) throw new NotFound();
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      if (dto.name !== before.name) await this.checkName(m, dto.name);
      await this.checkManager(m, dto.managerId);
      const after = { name: dto.name, managerId: dto.managerId };
      await this.teams.update(m, id, { ...after, version: before.version + 1 });
      const diff = diffOf<Team>(before, after, ['name', 'managerId']);
      await this.audit.record({ action: 'permission', entity: 'team', entityId: id, diff }, m);
    });
  }

  private async checkName(m: EntityManager, name: string): Promise<void> {
    if (await this.teams.nameTaken(m, name)) throw ValidationFailed.field('name', 'validation.teamTaken');
  }

  /** A team's manager is one of those who may lead a team (the list the form offers). */
  private async checkManager(m: EntityManager, managerId: number | null): Promise<void> {
    if (managerId === null) return;
    const candidates = await this.users.teamManagers(null, m);
    if (!candidates.some((c) => c.id === managerId))
      throw ValidationFailed.field('managerId', 'validation.invalid');
  }
}
