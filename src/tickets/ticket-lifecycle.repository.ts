import { Injectable } from '@nestjs/common';
import { at } from '../common/customer-lifecycle.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  OPEN_TICKET_STATUSES,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from './ticket.options.js';

/** A ticket on a customer's timeline, with the answer of its survey if one came back. */
export interface TimelineTicketRow {
  id: number;
  number: string;
  subject: string;
  status: TicketStatus;
  type: TicketType;
  channel: TicketChannel;
  priority: TicketPriority;
  teamId: number | null;
  assigneeId: number | null;
  customerId: number;
  requesterName: string;
  requesterUnconfirmed: boolean;
  receivedAt: Date;
  resolvedAt: Date | null;
  csat: number | null;
  ces: number | null;
  surveyComment: string | null;
  surveyAnsweredAt: Date | null;
}

/** A customer's ($1) live tickets, each with its latest answered survey, as timeline rows. */
const CUSTOMER_TICKETS = `SELECT t.id, t.number, t.subject, t.status, t.type, t.channel, t.priority, t.team_id AS "teamId",
            t.assignee_id AS "assigneeId", t.customer_id AS "customerId", t.requester_name AS "requesterName",
            t.requester_unconfirmed AS "requesterUnconfirmed", t.received_at AS "receivedAt",
            t.resolved_at AS "resolvedAt", s.csat, s.ces, s.comment AS "surveyComment",
            s.answered_at AS "surveyAnsweredAt"
       FROM ticket t
       LEFT JOIN LATERAL (SELECT csat, ces, comment, answered_at FROM survey_response
                           WHERE ticket_id = t.id AND answered_at IS NOT NULL
                           ORDER BY answered_at DESC, id DESC LIMIT 1) s ON true
      WHERE t.customer_id = $1 AND t.deleted_at IS NULL`;

/** A ticket a leaving agent had open, and its team. */
export interface ReturnedTicket {
  id: number;
  number: string;
  teamId: number | null;
}

/**
 * The SQL of tickets' part in the customer lifecycle: the 360° timeline, moving a merged customer's
 * tickets and surveys, and a leaving agent's open tickets going back to their team's queue.
 */
@Injectable()
export class TicketLifecycleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The customer's ($1) tickets, newest arrival first, at most $2, each with its latest answered
   * survey: as a SELECT for its timeline (read with the other modules' entries in one statement).
   */
  readonly timelineSql = `${CUSTOMER_TICKETS}
      ORDER BY t.received_at DESC, t.id DESC
      LIMIT $2`;

  /**
   * The customer's ($1) open tickets and those that came in during the past year, for the figures at
   * the top of its 360° page (how many are open, how its surveys rated them).
   */
  readonly summarySql = `${CUSTOMER_TICKETS}
        AND (t.status IN (${OPEN_TICKET_STATUSES.map((s) => `'${s}'`).join(', ')}) OR t.received_at > now() - interval '1 year')`;

  /** The timeline's rows (JSON: times as ISO text) as ticket rows. */
  timelineRows(
    rows: (Omit<TimelineTicketRow, 'receivedAt' | 'resolvedAt' | 'surveyAnsweredAt'> & {
      receivedAt: string;
      resolvedAt: string | null;
      surveyAnsweredAt: string | null;
    })[],
  ): TimelineTicketRow[] {
    return rows.map((r) => ({
      ...r,
      receivedAt: at(r.receivedAt),
      resolvedAt: at(r.resolvedAt, 'nullable'),
      surveyAnsweredAt: at(r.surveyAnsweredAt, 'nullable'),
    }));
  }

  /** The customer's tickets, newest arrival first, each with its latest answered survey. */
  ofCustomer(customerId: number, limit: number): Promise<TimelineTicketRow[]> {
    return this.dataSource.query<TimelineTicketRow[]>(this.timelineSql, [customerId, limit]);
  }

  /** A merged customer's tickets move to the survivor (their contacts move with the customer's). */
  async moveTickets(m: EntityManager, fromCustomerId: number, toCustomerId: number): Promise<number> {
    const [, moved] = await m.query<[unknown, number]>(
      `UPDATE ticket SET customer_id = $2, version = version + 1, updated_at = now() WHERE customer_id = $1`,
      [fromCustomerId, toCustomerId],
    );
    return moved;
  }

  /** And so do the surveys its contacts were sent, answered or not (tickets' and contracts' alike). */
  async moveSurveys(m: EntityManager, fromCustomerId: number, toCustomerId: number): Promise<number> {
    const [, moved] = await m.query<[unknown, number]>(
      `UPDATE survey_response SET customer_id = $2 WHERE customer_id = $1`,
      [fromCustomerId, toCustomerId],
    );
    return moved;
  }

  /**
   * A leaving agent's tickets still being worked on lose their assignee: they wait in their team's
   * unassigned queue, where the team picks them up. Returns them with their team.
   */
  returnToTeam(m: EntityManager, userId: number): Promise<ReturnedTicket[]> {
    return m.query<ReturnedTicket[]>(
      `WITH returned AS (
         UPDATE ticket SET assignee_id = NULL, version = version + 1, updated_at = now()
          WHERE assignee_id = $1 AND status IN ('new', 'open', 'pending') AND deleted_at IS NULL
          RETURNING id, number, team_id)
       SELECT r.id, r.number, r.team_id AS "teamId" FROM returned r ORDER BY r.id`,
      [userId],
    );
  }
}
