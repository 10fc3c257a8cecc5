import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TasksService } from '../automation/tasks.service.js';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { UsersService } from '../users/users.service.js';
import { addDays } from './payment-plan.js';

/** The three kickoff steps of a signed contract, with the days after signing each is due. */
export const KICKOFF_STEPS = [
  { key: 'task.kickoff.meeting', days: 3 },
  { key: 'task.kickoff.consultant', days: 2 },
  { key: 'task.kickoff.delivery_plan', days: 7 },
] as const;

/** A user as the assignment rule reads them. */
export interface KickoffCandidate {
  id: number;
  role: string;
  teamId: number | null;
  active: boolean;
}

/**
 * Who does a signed contract's kickoff: the first (by id) active service user of the owner's team;
 * else the first active service user of any team; else the owner, who then hands it on.
 */
export function kickoffAssignee(ownerId: number, people: KickoffCandidate[], leavingId?: number): number {
  const owner = people.find((p) => p.id === ownerId);
  const service = people
    .filter((p) => p.active && p.role === 'service' && p.id !== leavingId)
    .sort((a, b) => a.id - b.id);
  const ofTeam =
    owner === undefined || owner.teamId === null ? undefined : service.find((p) => p.teamId === owner.teamId);
  return (ofTeam ?? service[0])?.id ?? ownerId;
}

/**
 * Who takes over a leaving user's open tasks: by the same rule, the first other active service user of
 * their team, else of any team; with none left, the admin deactivating them.
 */
export function successorOf(leavingId: number, people: KickoffCandidate[], actorId: number): number {
  const next = kickoffAssignee(leavingId, people, leavingId);
  return next === leavingId ? actorId : next;
}

/**
 * Signing a contract hands it to delivery: three kickoff tasks (启动会, 指派实施顾问, 交付计划) for the
 * person the rule above picks, made in the signing's transaction; each reader sees what to do in their own language.
 */
@Injectable()
export class ContractKickoff implements OnModuleInit {
  constructor(
    private readonly tasks: TasksService,
    private readonly users: UsersService,
    private readonly lifecycles: CustomerLifecycles,
  ) {}

  /** A leaving user's open tasks (kickoff steps) go on, to whom successorOf says, as they are deactivated. */
  onModuleInit(): void {
    this.lifecycles.register({
      entity: 'task',
      audit: { fields: {} },
      deactivate: async (m, userId, actor) => {
        await this.tasks.reassignOpen(m, userId, successorOf(userId, await this.users.everyone(), actor.id));
      },
    });
  }

  async onSigned(
    m: EntityManager,
    c: { id: number; number: string; customerName: string; ownerId: number },
    signedOn: string,
  ): Promise<number[]> {
    const people = await this.users.everyone();
    const assigneeId = kickoffAssignee(c.ownerId, people);
    return this.tasks.create(
      m,
      KICKOFF_STEPS.map((step) => ({
        assigneeId,
        dueOn: addDays(signedOn, step.days),
        kind: 'kickoff' as const,
        sourceKind: 'contract',
        sourceId: c.id,
        labelKey: step.key,
        title: `${c.number} ${c.customerName}`,
      })),
    );
  }
}
