import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { NotAllowed, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { SettingsService } from '../common/settings/settings.service.js';
import type { CustomerFacts } from '../customers/customers.service.js';
import { UsersService } from '../users/users.service.js';
import type { SlaPolicyRow } from './sla-clock.js';
import type { Ticket } from './ticket.entity.js';
import { TICKET_PRIORITIES, TICKET_TYPES, type TicketType } from './ticket.options.js';
import { TicketPolicy } from './ticket.policy.js';
import { TicketsRepository } from './tickets.repository.js';
import type {
  CannedReplyInput,
  CannedReplyView,
  RoutingInput,
  SlaPoliciesInput,
  TicketSettingsView,
} from './tickets.types.js';

/** The settings key of the ticket rules an admin sets (auto-close days). */
export const TICKET_SETTINGS_KEY = 'tickets';
export const TICKET_SETTINGS_DEFAULTS = { autoCloseDays: 7 };

/**
 * What an admin sets for tickets: the type-to-team routing, the SLA policies per priority (and tier),
 * the days after which resolved tickets close; and the canned replies (常用回复) a team's manager keeps.
 */
@Injectable()
export class TicketSettings {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: TicketsRepository,
    private readonly policy: TicketPolicy,
    private readonly audit: AuditService,
    private readonly store: SettingsService,
    private readonly users: UsersService,
  ) {}

  /** Days after which a resolved ticket closes. */
  async autoCloseDays(): Promise<number> {
    return (await this.store.get(TICKET_SETTINGS_KEY, TICKET_SETTINGS_DEFAULTS)).value.autoCloseDays;
  }

  async view(user: SessionUser): Promise<TicketSettingsView> {
    this.policy.assertAdmin(user);
    const [routes, policies, canned, teams, stored] = await Promise.all([
      this.repo.routes(),
      this.repo.policies(),
      this.repo.cannedReplies(null),
      this.users.serviceTeamChoices(),
      this.store.get(TICKET_SETTINGS_KEY, TICKET_SETTINGS_DEFAULTS),
    ]);
    return {
      routing: TICKET_TYPES.map((type) => ({
        type,
        teamId: routes.find((r) => r.type === type)?.teamId ?? null,
      })),
      policies,
      cannedReplies: canned.map((c) => ({
        id: c.id,
        teamId: c.teamId,
        title: c.title,
        body: c.body,
        version: c.version,
      })),
      teams,
      autoCloseDays: stored.value.autoCloseDays,
    };
  }

  async saveRouting(user: SessionUser, input: RoutingInput): Promise<void> {
    this.policy.assertAdmin(user);
    const teams = new Set((await this.users.teamChoices()).map((x) => x.id));
    const routes: { type: TicketType; teamId: number }[] = [];
    for (const type of TICKET_TYPES) {
      const raw = input.routes?.[type];
      if (raw === undefined || raw === null || (raw as unknown) === '') continue;
      const teamId = Number(raw);
      if (!teams.has(teamId)) throw ValidationFailed.field(`routes.${type}`, 'validation.invalid');
      routes.push({ type, teamId });
    }
    let autoCloseDays: number | undefined;
    if (input.autoCloseDays !== undefined) {
      autoCloseDays = Number(input.autoCloseDays);
      if (!Number.isInteger(autoCloseDays) || autoCloseDays < 1 || autoCloseDays > 365)
        throw ValidationFailed.field('autoCloseDays', 'validation.invalid');
    }
    const before = await this.repo.routes();
    await this.dataSource.transaction(async (m) => {
      await this.repo.replaceRoutes(m, routes);
      await this.audit.record(
        {
          action: 'update',
          entity: 'ticket_routing',
          diff: { routing: { from: before, to: routes } },
        },
        m,
      );
    });
    if (autoCloseDays !== undefined) {
      const stored = await this.store.get(TICKET_SETTINGS_KEY, TICKET_SETTINGS_DEFAULTS);
      if (stored.value.autoCloseDays !== autoCloseDays)
        await this.store.set(
          TICKET_SETTINGS_KEY,
          { autoCloseDays },
          stored.version,
          TICKET_SETTINGS_DEFAULTS,
        );
    }
  }

  async saveSlaPolicies(user: SessionUser, input: SlaPoliciesInput): Promise<void> {
    this.policy.assertAdmin(user);
    const rows: SlaPolicyRow[] = [];
    const seen = new Set<string>();
    (input.policies ?? []).forEach((p, i) => {
      const row: SlaPolicyRow = {
        priority: p.priority,
        tier: p.tier || null,
        firstResponseMinutes: Number(p.firstResponseMinutes),
        resolutionMinutes: Number(p.resolutionMinutes),
      };
      const key = `${row.priority}/${row.tier ?? ''}`;
      if (
        !TICKET_PRIORITIES.includes(row.priority) ||
        (row.tier !== null && !['A', 'B', 'C'].includes(row.tier))
      )
        throw ValidationFailed.field(`policies.${i}.priority`, 'validation.invalid');
      if (!Number.isInteger(row.firstResponseMinutes) || row.firstResponseMinutes < 1)
        throw ValidationFailed.field(`policies.${i}.firstResponseMinutes`, 'validation.invalid');
      if (!Number.isInteger(row.resolutionMinutes) || row.resolutionMinutes < row.firstResponseMinutes)
        throw ValidationFailed.field(
          `policies.${i}.resolutionMinutes`,
          'tickets.error.resolution_before_response',
        );
      if (seen.has(key)) throw ValidationFailed.field(`policies.${i}.priority`, 'tickets.error.policy_twice');
      seen.add(key);
      rows.push(row);
    });
    for (const priority of TICKET_PRIORITIES)
      if (!rows.some((r) => r.priority === priority && r.tier === null))
        throw ValidationFailed.field('policies', 'tickets.error.policy_missing', { priority });
    const before = await this.repo.policies();
    await this.dataSource.transaction(async (m) => {
      await this.repo.replacePolicies(m, rows);
      await this.audit.record(
        { action: 'update', entity: 'sla_policy', diff: { policies: { from: before, to: rows } } },
        m,
      );
    });
  }

  async saveCannedReply(user: SessionUser, input: CannedReplyInput): Promise<number> {
    const teamId =
      input.teamId === null || input.teamId === undefined || (input.teamId as unknown) === ''
        ? null
        : Number(input.teamId);
    if (!this.policy.mayKeepCannedReplies(user, teamId)) throw new NotAllowed();
    const title = (input.title ?? '').trim();
    const body = (input.body ?? '').trim();
    if (!title) throw ValidationFailed.field('title', 'validation.required');
    if (!body) throw ValidationFailed.field('body', 'validation.required');
    return this.dataSource.transaction(async (m) => {
      if (input.id === undefined || input.id === null) {
        const id = await this.repo.insertCannedReply(m, { teamId, title, body });
        await this.audit.record(
          {
            action: 'create',
            entity: 'canned_reply',
            entityId: id,
            diff: { title: { to: title }, teamId: { to: teamId } },
          },
          m,
        );
        return id;
      }
      const row = await this.repo.lockCannedReply(m, Number(input.id));
      if (!row || !this.policy.mayKeepCannedReplies(user, row.teamId)) throw new NotFound();
      if (input.version === undefined) throw ValidationFailed.field('_', 'validation.versionMissing');
      if (Number(input.version) !== row.version) throw new StaleVersion();
      await this.repo.updateCannedReply(m, row.id, { teamId, title, body });
      await this.audit.record(
        {
          action: 'update',
          entity: 'canned_reply',
          entityId: row.id,
          diff: { title: { from: row.title, to: title }, body: { from: row.body, to: body } },
        },
        m,
      );
      return row.id;
    });
  }

  async deleteCannedReply(user: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lockCannedReply(m, id);
      if (!row || !this.policy.mayKeepCannedReplies(user, row.teamId)) throw new NotFound();
      await this.repo.deleteCannedReply(m, id);
      await this.audit.record(
        { action: 'delete', entity: 'canned_reply', entityId: id, diff: { title: { from: row.title } } },
        m,
      );
    });
  }

  /** The canned replies an agent may use (their team's and everyone's), unfilled. */
  async cannedReplies(user: SessionUser): Promise<CannedReplyView[]> {
    this.policy.assertAgent(user);
    const rows = await this.repo.cannedReplies(user.role === 'admin' ? null : user.teamIds);
    return rows.map((c) => ({
      id: c.id,
      teamId: c.teamId,
      title: c.title,
      body: c.body,
      version: c.version,
    }));
  }

  /** The canned replies the ticket's team may use, `{customer}` and `{contact}` filled. */
  async cannedRepliesFor(t: Ticket, facts: CustomerFacts | undefined): Promise<CannedReplyView[]> {
    const rows = await this.repo.cannedReplies(t.teamId === null ? [] : [t.teamId]);
    return rows.map((r) => ({
      id: r.id,
      teamId: r.teamId,
      title: r.title,
      body: r.body.replaceAll('{customer}', facts?.name ?? '').replaceAll('{contact}', t.requesterName),
      version: r.version,
    }));
  }
}
