import { Injectable } from '@nestjs/common';
import type { SessionUser } from '../common/session-user.js';
import { QUEUE_COUNT_CAP, queueCountText } from './queue-count.js';
import { TicketPolicy } from './ticket.policy.js';
import { TicketsService } from './tickets.service.js';
import type { TicketQueue, TicketQueueRow } from './tickets.types.js';

/** How many of an agent's tickets My day lists; the queue has the rest. */
export const MY_DAY_TICKETS = 8;

export interface MyDayTickets {
  rows: TicketQueueRow[];
  /** How many open tickets are assigned to the agent in all (capped as the queue caps it). */
  total: number;
  /** That count as the "mine" tab shows it: "99+" past the cap. */
  count: string | number;
  /** The agent has more than are listed: a link to the queue follows. */
  more: boolean;
}

/** The queues of a manager's team that My day counts: what needs someone, what is about to breach. */
const TEAM_DAY_QUEUES = [
  'unassigned',
  'breaching',
  'team',
  'waiting',
] as const satisfies readonly TicketQueue[];

export interface TeamDayQueue {
  queue: TicketQueue;
  /** As its tab shows it: "99+" past the cap. */
  count: string | number;
  /** Something in it wants attention now (a ticket nobody holds, one about to breach). */
  urgent: boolean;
}

/**
 * My day's "my tickets" for whoever works tickets: the open tickets assigned to them, due soonest
 * first (the "mine" queue's order: those waiting on the customer last). Null for users who do not
 * work tickets or have none assigned, so the section is not shown to them.
 */
@Injectable()
export class MyDayTicketsService {
  constructor(
    private readonly tickets: TicketsService,
    private readonly policy: TicketPolicy,
  ) {}

  async myDay(user: SessionUser): Promise<MyDayTickets | null> {
    if (!this.policy.isAgent(user)) return null;
    const page = await this.tickets.queue(user, 'mine', {}, {});
    if (!page.rows.length) return null;
    const rows = page.rows.slice(0, MY_DAY_TICKETS);
    return {
      rows,
      total: page.total,
      // A capped page counted past the cap: the tab's "99+".
      count: queueCountText(page.capped ? QUEUE_COUNT_CAP + 1 : page.total),
      more: page.total > rows.length,
    };
  }

  /**
   * A team manager's queues on My day, each counted and linked, so the lead sees their desk at a
   * glance; null for anyone else, and while the team holds no open ticket.
   */
  async teamDay(user: SessionUser): Promise<TeamDayQueue[] | null> {
    if (!this.policy.leadsTeamQueues(user)) return null;
    const counts = await this.tickets.queueCounts(user);
    if (!counts.team) return null;
    return TEAM_DAY_QUEUES.map((queue) => ({
      queue,
      count: queueCountText(counts[queue]),
      urgent: (queue === 'unassigned' || queue === 'breaching') && counts[queue] > 0,
    }));
  }
}
