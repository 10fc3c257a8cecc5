import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { decodeCursor, pageOf } from '../common/list-cursor.js';
import { poolOf, prepared } from '../common/sql.js';
import { CannedReply } from './canned-reply.entity.js';
import { QUEUE_COUNT_CAP } from './queue-count.js';
import type { SlaPolicyRow } from './sla-clock.js';
import { SlaPolicy } from './sla-policy.entity.js';
import { SurveyResponse } from './survey-response.entity.js';
import { TicketMessage } from './ticket-message.entity.js';
import { TicketRouting } from './ticket-routing.entity.js';
import { Ticket } from './ticket.entity.js';
import { OPEN_TICKET_STATUSES, type TicketStatus, type TicketType } from './ticket.options.js';
import { inlineCustomerIds } from '../customers/customers.service.js';
import { type CustomerIds, scopeCondition, type TicketScope } from './ticket.policy.js';
import type {
  DeletedTicket,
  PersonToErase,
  LowScoreSurvey,
  QueueFilters,
  TicketQueue,
  TicketQueueRow,
} from './tickets.types.js';

export const QUEUE_PAGE_SIZE = 25;
/** "Breaching soon": the running target is due within this many minutes (or already past). */
export const BREACHING_SOON_MINUTES = 120;
/** "Recently resolved": resolved within this many days. */
export const RECENTLY_RESOLVED_DAYS = 7;

/** A running ticket whose warning instants the SLA watch has still to work out: the clock's inputs. */
export interface UnplacedWarnings {
  id: number;
  receivedAt: Date;
  pausedMinutes: number;
  firstResponseTargetMinutes: number;
  resolutionTargetMinutes: number;
}

const OPEN = OPEN_TICKET_STATUSES as string[];

/** The columns of a queue's row (its team's and assignee's names are the users module's). */
const QUEUE_COLUMNS = `t.id, t.number, t.subject, t.customer_id AS "customerId", t.customer_name AS "customerName",
  t.requester_name AS "requesterName", t.channel, t.type, t.priority, t.status, t.team_id AS "teamId",
  t.assignee_id AS "assigneeId", t.received_at AS "receivedAt", t.due_at AS "dueAt", t.resolved_at AS "resolvedAt",
  (CASE WHEN t.first_responded_at IS NULL THEN t.first_response_warned_at ELSE t.resolution_warned_at END)
    IS NOT NULL AS "warned"`;

/** The queue's condition on the ticket aliased `t` (besides the scope and filters). */
function queueCondition(queue: TicketQueue, me: number, bind: (v: unknown) => string): string {
  switch (queue) {
    case 'unassigned':
      return `t.assignee_id IS NULL AND t.status = ANY(${bind(OPEN)}::text[])`;
    case 'mine':
      return `t.assignee_id = ${bind(me)}::int AND t.status = ANY(${bind(OPEN)}::text[])`;
    case 'team':
      return `t.status = ANY(${bind(OPEN)}::text[])`;
    case 'breaching':
      return `t.status IN ('new', 'open') AND t.due_at <= now() + make_interval(mins => ${BREACHING_SOON_MINUTES})`;
    case 'waiting':
      return `t.status = 'pending'`;
    case 'resolved':
      return `t.status IN ('resolved', 'closed') AND t.resolved_at >= now() - make_interval(days => ${RECENTLY_RESOLVED_DAYS})`;
  }
}

/** The filters' conditions; the tier filter is the customers of that tier (`tierCustomers`, from the customers module). */
function filterConditions(
  f: QueueFilters,
  tierCustomers: CustomerIds | null,
  bind: (v: unknown) => string,
): string[] {
  const where: string[] = [];
  if (f.type) where.push(`t.type = ${bind(f.type)}`);
  if (f.priority) where.push(`t.priority = ${bind(f.priority)}`);
  if (f.channel) where.push(`t.channel = ${bind(f.channel)}`);
  if (f.tier) {
    if (!tierCustomers) throw new Error('A tier filter needs the customers of the tier');
    where.push(`t.customer_id IN (${inlineCustomerIds(tierCustomers, bind)})`);
  }
  return where;
}

/** The sort key of a queue: the running due time (paused tickets last), or the resolution time, newest first. */
const sortKey = (queue: TicketQueue) =>
  queue === 'resolved' ? 't.resolved_at' : `COALESCE(t.due_at, 'infinity'::timestamptz)`;

/**
 * The order a capped count reads a queue's tickets in: recently resolved ones from the newest, down
 * the resolution-time index, stopping at the cap (left unordered, PostgreSQL reads the table from its
 * start, where a million tickets hold the old ones).
 */
const countOrder = (queue: TicketQueue) => (queue === 'resolved' ? ' ORDER BY t.resolved_at DESC' : '');

/** The statuses a queue lists (resolved is read another way: by resolution time). */
const QUEUE_STATUSES: Record<Exclude<TicketQueue, 'resolved'>, readonly TicketStatus[]> = {
  unassigned: ['new', 'open', 'pending'],
  mine: ['new', 'open', 'pending'],
  team: ['new', 'open', 'pending'],
  breaching: ['new', 'open'],
  waiting: ['pending'],
};

/** What else a queue asks of its tickets, besides their status. */
const queueExtra = (queue: TicketQueue): string =>
  queue === 'unassigned'
    ? ' AND t.assignee_id IS NULL'
    : queue === 'breaching'
      ? ` AND t.due_at <= now() + make_interval(mins => ${BREACHING_SOON_MINUTES})`
      : '';

/**
 * The scope's teams written into the statement (ids, checked as such), not bound as an array: a
 * bound array is planned as if it held ten teams, so PostgreSQL planned the queue afresh on every
 * page (~2 ms) rather than keep a plan made once; with the teams written out, each set of teams is a
 * statement of its own, planned once per connection.
 */
function teamList(teamIds: number[]): string {
  if (!teamIds.every((id) => Number.isSafeInteger(id))) throw new Error(`Not team ids: ${teamIds.join(',')}`);
  return `(VALUES ${teamIds.map((id) => `(${id})`).join(', ')})`;
}

/**
 * Where a queue's tickets are found, as index prefixes (README, "A scope is a union of index
 * scans"): one scan per team of the scope (team_id, status, due_at, id), one for the tickets of no
 * team, one for those assigned to the user (assignee_id, status, due_at, id), or for the admin one
 * per status (status, due_at, id). Null when the scope is not made of these (a sales rep's).
 */
function queueHeads(
  scope: TicketScope,
  queue: TicketQueue,
  me: number,
  bind: (v: unknown) => string,
): { lateral: string | null; cond: string }[] | null {
  if (queue === 'mine') return [{ lateral: null, cond: `t.assignee_id = ${bind(me)}::int AND ` }];
  if (scope.everyone) return [{ lateral: null, cond: '' }];
  if (scope.customerOwnerId !== null) return null;
  const heads: { lateral: string | null; cond: string }[] = [];
  if (scope.teamIds.length)
    heads.push({ lateral: `${teamList(scope.teamIds)} AS w(id)`, cond: 't.team_id = w.id AND ' });
  if (scope.noTeam) heads.push({ lateral: null, cond: 't.team_id IS NULL AND ' });
  if (scope.assigneeId !== null && queue !== 'unassigned')
    heads.push({ lateral: null, cond: `t.assignee_id = ${bind(scope.assigneeId)}::int AND ` });
  return heads;
}

/**
 * The union of a queue's index scans, each reading ids and sort keys in due order (`cursor`: only
 * after it), at most `rows` each. A running ticket always has a due time; a waiting one has none and
 * sorts last, by id.
 */
function queueScans(
  heads: { lateral: string | null; cond: string }[],
  queue: Exclude<TicketQueue, 'resolved'>,
  filters: string,
  rows: number,
  dir: 'ASC' | 'DESC',
  cursor: { value: string; id: string } | null,
): string {
  const op = dir === 'ASC' ? '>' : '<';
  const parts: string[] = [];
  for (const status of QUEUE_STATUSES[queue]) {
    const after = !cursor
      ? ''
      : status === 'pending'
        ? ` AND (COALESCE(t.due_at, 'infinity'::timestamptz), t.id) ${op} (CAST(${cursor.value} AS timestamptz), ${cursor.id}::int)`
        : ` AND (t.due_at, t.id) ${op} (CAST(${cursor.value} AS timestamptz), ${cursor.id}::int)`;
    for (const head of heads) {
      const scan = `SELECT t.id, COALESCE(t.due_at, 'infinity'::timestamptz) AS sort_key FROM ticket t
         WHERE ${head.cond}t.status = '${status}' AND t.deleted_at IS NULL${queueExtra(queue)}${filters}${after}
         ORDER BY t.due_at ${dir}, t.id ${dir} LIMIT ${rows}`;
      parts.push(
        head.lateral ? `SELECT b.* FROM ${head.lateral} CROSS JOIN LATERAL (${scan}) b` : `(${scan})`,
      );
    }
  }
  return parts.join(' UNION ALL ');
}

/** The queues of running tickets (new, open, waiting), read from the running tickets' own indexes. */
const RUNNING_QUEUES: readonly TicketQueue[] = ['unassigned', 'mine', 'team'];

/** A running ticket, as the running tickets' indexes hold them (migration AddRunningTicketQueueIndexes). */
const RUNNING = `t.status IN ('new', 'open', 'pending') AND t.deleted_at IS NULL`;

/** The running queues' sort key, as those indexes hold it: the due time, waiting tickets last. */
const RUNNING_KEY = `COALESCE(t.due_at, 'infinity'::timestamptz)`;

/**
 * Where a running queue's tickets are found, as conditions each matching one of the running
 * tickets' indexes: one per team of the scope (the teams written in, see teamList), the tickets of
 * no team, those assigned to the user (a ticket is in at most two of them: its team's and its
 * assignee's), or the admin's one. Null when the scope is not made of these (a sales rep's).
 */
function runningHeads(
  scope: TicketScope,
  queue: TicketQueue,
  me: number,
  bind: (v: unknown) => string,
): string[] | null {
  if (queue === 'mine') return [`t.assignee_id = ${bind(me)}::int`];
  if (scope.everyone) return ['true'];
  if (scope.customerOwnerId !== null) return null;
  const teams = [...new Set(scope.teamIds)];
  if (!teams.every((id) => Number.isSafeInteger(id))) throw new Error(`Not team ids: ${teams.join(',')}`);
  const heads = teams.map((id) => `t.team_id = ${id}`);
  if (scope.noTeam) heads.push('t.team_id IS NULL');
  if (scope.assigneeId !== null && queue !== 'unassigned')
    heads.push(`t.assignee_id = ${bind(scope.assigneeId)}::int`);
  return heads;
}

/**
 * A running queue's walks, one per head, each down its index in the queue's order (`cursor`: only
 * after it), at most `rows` each, reading `columns`. Merged in the same order and stopped at a page's
 * length, they read about a page of tickets in all, however many the queue holds.
 */
function runningScans(
  heads: string[],
  queue: TicketQueue,
  filters: string,
  rows: number,
  dir: 'ASC' | 'DESC',
  cursor: { value: string; id: string } | null,
  columns: string,
): string {
  const unassigned = queue === 'unassigned' ? ' AND t.assignee_id IS NULL' : '';
  const after = cursor
    ? ` AND (${RUNNING_KEY}, t.id) ${dir === 'ASC' ? '>' : '<'} (CAST(${cursor.value} AS timestamptz), ${cursor.id}::int)`
    : '';
  return heads
    .map(
      (head) => `(SELECT ${columns} FROM ticket t WHERE ${head} AND ${RUNNING}${unassigned}${filters}${after}
         ORDER BY ${RUNNING_KEY} ${dir}, t.id ${dir} LIMIT ${rows})`,
    )
    .join(' UNION ALL ');
}

/**
 * The breaching-soon count, up to the cap: the scope's teams, the tickets of no team, then the
 * user's own outside those (so no ticket is read twice), read one after the other down the
 * (team or assignee, status, due time) indexes and stopped at the cap, most often within the first.
 */
function breachingCount(scope: TicketScope, bind: (v: unknown) => string): string | null {
  const parts: string[] = [];
  if (scope.everyone) parts.push('true');
  else {
    if (scope.customerOwnerId !== null) return null;
    const teams = [...new Set(scope.teamIds)];
    if (!teams.every((id) => Number.isSafeInteger(id))) throw new Error(`Not team ids: ${teams.join(',')}`);
    const seen: string[] = [];
    if (teams.length) seen.push(`t.team_id IN (${teams.join(', ')})`);
    if (scope.noTeam) seen.push('t.team_id IS NULL');
    parts.push(...seen);
    if (scope.assigneeId !== null)
      parts.push(
        `t.assignee_id = ${bind(scope.assigneeId)}::int${seen.length ? ` AND NOT coalesce(${seen.join(' OR ')}, false)` : ''}`,
      );
  }
  if (!parts.length) return '0';
  const cap = QUEUE_COUNT_CAP + 1;
  const scans = parts.map(
    (cond) => `(SELECT 1 FROM ticket t WHERE ${cond} AND t.status IN ('new', 'open') AND t.deleted_at IS NULL
       AND t.due_at <= now() + make_interval(mins => ${BREACHING_SOON_MINUTES}) LIMIT ${cap})`,
  );
  return `(SELECT count(*)::int FROM (SELECT 1 FROM (${scans.join(' UNION ALL ')}) u LIMIT ${cap}) s)`;
}

/** The queues whose counts the kept totals hold, besides mine: their condition on a totals row `k`. */
const KEPT_QUEUES: Partial<Record<TicketQueue, string>> = {
  unassigned: 'k.assignee_id IS NULL',
  team: 'true',
  waiting: "k.status = 'pending'",
};

/**
 * A queue's count from the totals the database keeps per team, assignee and status (migration
 * KeepTicketQueueTotals): a sum of a few rows instead of reading the queue's tickets. Null for a
 * queue they do not hold (breaching soon, recently resolved: they depend on the time of asking) and
 * for a scope of a rep's customers, which they do not know. "No team" and "unassigned" read as NULL
 * again, so that the scope's condition reads the totals as it reads tickets.
 */
function keptCount(
  scope: TicketScope,
  queue: TicketQueue,
  me: number,
  bind: (v: unknown) => string,
): string | null {
  const condition =
    queue === 'mine'
      ? `k.assignee_id = ${bind(me)}::int`
      : KEPT_QUEUES[queue] && (scope.everyone || scope.customerOwnerId === null)
        ? `${KEPT_QUEUES[queue]} AND ${scopeCondition(scope, 'k', bind)}`
        : null;
  return (
    condition &&
    `SELECT coalesce(sum(k.count), 0)::int AS n FROM (SELECT nullif(team_id, 0) AS team_id,
       nullif(assignee_id, 0) AS assignee_id, status, count FROM ticket_queue_total) k WHERE ${condition}`
  );
}

/**
 * The statement of the queues' tab counts, one column each (`tab0`, `tab1`… in the order of
 * `queues`), up to QUEUE_COUNT_CAP + 1 or more (the caller caps them): unassigned, mine, my team and
 * waiting in one pass over the kept totals (a few rows per team, agent and status), breaching soon
 * and recently resolved, which depend on the time of asking, from the tickets' indexes up to the cap
 * (see breachingCount; recently resolved walks the resolution-time index from the newest). A scope of
 * a rep's customers, which the totals do not know, reads tickets for every queue.
 */
function tabCounts(
  scope: TicketScope,
  me: number,
  queues: readonly TicketQueue[],
  bind: (v: unknown) => string,
): string {
  const kept: string[] = [];
  const counted: string[] = [];
  const repScope = !scope.everyone && scope.customerOwnerId !== null;
  for (const [i, q] of queues.entries()) {
    const keptIn =
      q === 'mine'
        ? `k.assignee_id = ${bind(me)}::int`
        : KEPT_QUEUES[q] && !repScope
          ? `${KEPT_QUEUES[q]} AND ${scopeCondition(scope, 'k', bind)}`
          : null;
    if (keptIn) {
      kept.push(`coalesce(sum(k.count) FILTER (WHERE ${keptIn}), 0)::int AS tab${i}`);
      continue;
    }
    const count =
      (q === 'breaching' ? breachingCount(scope, bind) : null) ??
      `(SELECT count(*)::int FROM (SELECT 1 FROM ticket t WHERE t.deleted_at IS NULL AND ${scopeCondition(scope, 't', bind)}
         AND ${queueCondition(q, me, bind)}${countOrder(q)} LIMIT ${QUEUE_COUNT_CAP + 1}) s${i})`;
    counted.push(`${count} AS tab${i}`);
  }
  if (!kept.length) return `SELECT ${counted.join(', ')}`;
  return `SELECT kept.*${counted.map((c) => `, ${c}`).join('')} FROM (SELECT ${kept.join(', ')} FROM (SELECT nullif(team_id, 0) AS team_id,
       nullif(assignee_id, 0) AS assignee_id, status, count FROM ticket_queue_total) k) kept`;
}

/** A queue's row as the statement reads it: the names of its assignee and team come from the directory afterwards. */
export type QueuePageRow = Omit<TicketQueueRow, 'assigneeName' | 'teamName' | 'overdue'>;

/** All SQL on tickets, their messages, SLA policies, routing, canned replies and surveys. */
@Injectable()
export class TicketsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  // ---- Tickets ----

  async insert(m: EntityManager, fields: Partial<Ticket>): Promise<number> {
    const { identifiers } = await m.insert(Ticket, fields);
    return identifiers[0].id as number;
  }

  findLive(id: number, m?: EntityManager): Promise<Ticket | null> {
    return this.m(m).findOne(Ticket, { where: { id } });
  }

  /** A live ticket, locked for a change until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<Ticket | null> {
    return m.findOne(Ticket, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByNumber(number: string, m?: EntityManager): Promise<Ticket | null> {
    return this.m(m).findOne(Ticket, { where: { number } });
  }

  findByToken(token: string, m?: EntityManager): Promise<Ticket | null> {
    return this.m(m).findOne(Ticket, { where: { trackingToken: token } });
  }

  /** Saves changed fields; the version moves on. */
  async update(m: EntityManager, id: number, fields: Partial<Ticket>): Promise<void> {
    await m.update(Ticket, { id }, fields);
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(Ticket, { id });
  }

  /** Undeletes a deleted ticket; its number, or null when there is no deleted ticket of this id. */
  async restore(m: EntityManager, id: number): Promise<string | null> {
    const [rows] = await m.query<[{ number: string }[], number]>(
      `UPDATE ticket SET deleted_at = NULL, version = version + 1, updated_at = now()
        WHERE id = $1 AND deleted_at IS NOT NULL RETURNING number`,
      [id],
    );
    return rows[0]?.number ?? null;
  }

  /** The last deleted tickets, last deleted first (merged ones are closed, not deleted: not among them). */
  async findDeleted(limit: number): Promise<DeletedTicket[]> {
    return this.dataSource.query(
      `SELECT id, number, subject, status, customer_id AS "customerId", customer_name AS "customerName",
              deleted_at AS "deletedAt"
         FROM ticket WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }

  /** The numbers of these tickets by id. */
  async numbersOf(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.query<{ id: number; number: string }[]>(
      'SELECT id, number FROM ticket WHERE id = ANY($1)',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.number]));
  }

  /** A customer's latest tickets, newest first. */
  async ofCustomer(customerId: number, limit: number): Promise<Ticket[]> {
    return this.dataSource.getRepository(Ticket).find({
      where: { customerId },
      order: { receivedAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  // ---- Messages ----

  async insertMessage(m: EntityManager, fields: Partial<TicketMessage>): Promise<number> {
    const { identifiers } = await m.insert(TicketMessage, fields);
    return identifiers[0].id as number;
  }

  /** The ticket a mail with this Message-ID already joined, if any. */
  async ticketOfMail(mailMessageId: string): Promise<Ticket | null> {
    const msg = await this.dataSource.getRepository(TicketMessage).findOne({ where: { mailMessageId } });
    return msg ? this.findLive(msg.ticketId) : null;
  }

  /** Whether a mail with this Message-ID joined any conversation (of a deleted ticket too). */
  async hasMail(mailMessageId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(TicketMessage).count({ where: { mailMessageId } })) > 0;
  }

  /** The ticket a message belongs to. */
  async ticketOfMessage(id: number): Promise<number | null> {
    const msg = await this.dataSource.getRepository(TicketMessage).findOne({ where: { id } });
    return msg?.ticketId ?? null;
  }

  /** The conversation, oldest first; without internal notes unless asked. */
  messages(ticketId: number, withInternal: boolean, m?: EntityManager): Promise<TicketMessage[]> {
    return this.m(m).find(TicketMessage, {
      where: withInternal ? { ticketId } : { ticketId, internal: false },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Moves a duplicate's conversation to the ticket it is merged into; returns how many messages moved. */
  async moveMessages(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE ticket_message SET ticket_id = $2 WHERE ticket_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  // ---- Assignment ----

  /** The assignee and team of a ticket (read in `m`'s transaction when given). */
  async assigneeAndTeam(
    ticketId: number,
    m?: EntityManager,
  ): Promise<{ assigneeId: number | null; teamId: number | null } | null> {
    const [row] = await this.m(m).query<{ assigneeId: number | null; teamId: number | null }[]>(
      'SELECT assignee_id AS "assigneeId", team_id AS "teamId" FROM ticket WHERE id = $1',
      [ticketId],
    );
    return row ?? null;
  }

  /**
   * Assignments to one team wait for each other from here until the transaction ends, so two tickets
   * arriving together do not both go to the same agent (see leastLoaded).
   */
  async lockTeamAssignment(m: EntityManager, teamId: number): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', ['ticket-assignment', teamId]);
  }

  /** Of these agents, the one with the fewest open tickets (ties: the lowest id), or null when there are none. */
  async leastLoaded(m: EntityManager, agentIds: number[]): Promise<number | null> {
    if (!agentIds.length) return null;
    const rows = await m.query<{ id: number }[]>(
      `SELECT a.id FROM unnest($1::int[]) AS a(id)
        ORDER BY (SELECT count(*) FROM ticket t
                   WHERE t.assignee_id = a.id AND t.status = ANY($2) AND t.deleted_at IS NULL), a.id
        LIMIT 1`,
      [agentIds, OPEN],
    );
    return rows[0]?.id ?? null;
  }

  // ---- Queues ----

  /**
   * A page of a queue with its capped count, in one statement: the tickets of the scope in the
   * queue, filtered, by running due time (resolved: newest resolution first), `size` + 1 rows. With
   * `tabs`, the same statement counts those queues too, as queueCounts does (`counts`, in their order),
   * and an unfiltered page takes its own count from its tab.
   */
  async findQueuePage(
    scope: TicketScope,
    queue: TicketQueue,
    me: number,
    f: QueueFilters,
    tierCustomers: CustomerIds | null,
    cursor: { after?: string; before?: string },
    size = QUEUE_PAGE_SIZE,
    tabs: readonly TicketQueue[] = [],
  ): Promise<{
    rows: QueuePageRow[];
    next: string | null;
    prev: string | null;
    total: number;
    capped: boolean;
    counts: number[];
  }> {
    const values: unknown[] = [];
    const bind = (v: unknown) => `$${values.push(v)}`;
    const key = sortKey(queue);
    const newestFirst = queue === 'resolved';
    const back = !cursor.after && !!cursor.before;
    const given = cursor.after ?? cursor.before;
    // A due time, or 'infinity' for the tickets without one (waiting on the customer), sorted last.
    const at = given ? decodeCursor(given, 'timestamptz') : null;
    // Forward on an ascending queue reads ASC; reading back flips it.
    const asc = newestFirst === back;
    const dir = asc ? 'ASC' : 'DESC';
    const filtered = !!(f.type || f.priority || f.channel || f.tier);
    const tabbed = tabs.indexOf(queue);
    const ownTab = !filtered && tabbed >= 0 ? `SELECT tabs.counts[${tabbed + 1}] AS n FROM tabs` : null;
    const running = RUNNING_QUEUES.includes(queue) ? runningHeads(scope, queue, me, bind) : null;
    const heads = running || queue === 'resolved' ? null : queueHeads(scope, queue, me, bind);
    let page: string;
    let counted: string;
    if (running) {
      // The queue's walks merged in order, a ticket in two of them (its team's and its assignee's) once.
      const filters = filterConditions(f, tierCustomers, bind)
        .map((c) => ` AND ${c}`)
        .join('');
      const from = at ? { value: bind(at[0]), id: bind(at[1]) } : null;
      const columns = `${QUEUE_COLUMNS}, ${RUNNING_KEY} AS sort_key`;
      page = running.length
        ? `SELECT DISTINCT ON (u.sort_key, u.id) u.*, (u.sort_key)::text AS "cursorValue"
             FROM (${runningScans(running, queue, filters, size + 1, dir, from, columns)}) u
            ORDER BY u.sort_key ${dir}, u.id ${dir} LIMIT ${size + 1}`
        : `SELECT ${columns}, NULL::text AS "cursorValue" FROM ticket t WHERE false`;
      // Unfiltered, the page counts its queue as its tab does, from the kept totals.
      counted =
        ownTab ??
        (filtered ? null : keptCount(scope, queue, me, bind)) ??
        (running.length
          ? `SELECT count(*)::int AS n FROM (SELECT DISTINCT id FROM (${runningScans(running, queue, filters, QUEUE_COUNT_CAP + 1, 'ASC', null, 't.id')}) u LIMIT ${QUEUE_COUNT_CAP + 1}) s`
          : 'SELECT 0 AS n');
    } else if (heads && queue !== 'resolved') {
      const filters = filterConditions(f, tierCustomers, bind)
        .map((c) => ` AND ${c}`)
        .join('');
      const from = at ? { value: bind(at[0]), id: bind(at[1]) } : null;
      const top = heads.length
        ? `SELECT id, sort_key FROM (${queueScans(heads, queue, filters, size + 1, dir, from)}) u
            GROUP BY id, sort_key ORDER BY sort_key ${dir}, id ${dir} LIMIT ${size + 1}`
        : 'SELECT NULL::int AS id, NULL::timestamptz AS sort_key WHERE false';
      page = `SELECT l.* FROM (${top}) top CROSS JOIN LATERAL (
          SELECT ${QUEUE_COLUMNS}, top.sort_key, (top.sort_key)::text AS "cursorValue" FROM ticket t WHERE t.id = top.id) l`;
      // Unfiltered, the page counts its queue as its tab does, from the kept totals.
      counted =
        ownTab ??
        (filtered ? null : keptCount(scope, queue, me, bind)) ??
        (heads.length
          ? `SELECT count(*)::int AS n FROM (SELECT DISTINCT id FROM (${queueScans(heads, queue, filters, QUEUE_COUNT_CAP + 1, 'ASC', null)}) u LIMIT ${QUEUE_COUNT_CAP + 1}) s`
          : 'SELECT 0 AS n');
    } else {
      const where = [
        't.deleted_at IS NULL',
        scopeCondition(scope, 't', bind),
        queueCondition(queue, me, bind),
        ...filterConditions(f, tierCustomers, bind),
      ].join(' AND ');
      const after = at
        ? ` AND (${key}, t.id) ${asc ? '>' : '<'} (CAST(${bind(at[0])} AS timestamptz), ${bind(at[1])}::int)`
        : '';
      page = `SELECT ${QUEUE_COLUMNS}, ${key} AS sort_key, (${key})::text AS "cursorValue"
          FROM ticket t WHERE ${where}${after} ORDER BY ${key} ${dir}, t.id ${dir} LIMIT ${size + 1}`;
      counted =
        ownTab ??
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM ticket t WHERE ${where}${countOrder(queue)} LIMIT ${QUEUE_COUNT_CAP + 1}) s`;
    }
    const tabsCte = tabs.length
      ? `tabs AS (SELECT ARRAY[${tabs.map((_q, i) => `c.tab${i}`).join(', ')}] AS counts FROM (${tabCounts(scope, me, tabs, bind)}) c), `
      : '';
    const text = `WITH ${tabsCte}page AS (${page}),
        counted AS (${counted})
      SELECT counted.n AS total, ${tabs.length ? 'tabs.counts' : 'NULL::int[]'} AS "tabCounts", page.*
        FROM counted${tabs.length ? ' CROSS JOIN tabs' : ''} LEFT JOIN page ON true
       ORDER BY page.sort_key ${dir}, page.id ${dir}`;
    type Row = QueuePageRow & {
      total: number;
      tabCounts: number[] | null;
      cursorValue: string;
      sort_key: unknown;
    };
    const found = (await poolOf(this.dataSource).query<Row>(prepared(text, values))).rows;
    const { rows, ...paging } = pageOf(
      found.map((r) => ({ ...r, id: r.id ?? null })) as (Row & { id: number | null })[],
      size,
      back,
      at !== null,
      QUEUE_COUNT_CAP,
    );
    return {
      rows: rows.map(({ total: _t, tabCounts: _n, cursorValue: _c, sort_key: _k, ...r }) => r),
      ...paging,
      counts: (found[0]?.tabCounts ?? []).map((n) => Math.min(n, QUEUE_COUNT_CAP + 1)),
    };
  }

  /**
   * The count of each queue for the scope, up to QUEUE_COUNT_CAP + 1 (past the cap, its tab says "99+").
   * Unassigned, mine, my team and waiting sum the totals the database keeps per team, assignee and
   * status (migration KeepTicketQueueTotals), a few rows;
   * breaching soon and recently resolved, which depend on the time of asking, read their tickets'
   * indexes up to the cap. A scope of a rep's customers has no kept totals and reads tickets too.
   */
  async queueCounts(scope: TicketScope, me: number, queues: readonly TicketQueue[]): Promise<number[]> {
    const values: unknown[] = [];
    const bind = (v: unknown) => `$${values.push(v)}`;
    const {
      rows: [row],
    } = await poolOf(this.dataSource).query<Record<string, number>>(
      prepared(tabCounts(scope, me, queues, bind), values),
    );
    return queues.map((_q, i) => Math.min(row[`tab${i}`], QUEUE_COUNT_CAP + 1));
  }

  /** Live, open tickets of these ids the scope holds (for a bulk assignment), locked. */
  lockMany(m: EntityManager, ids: number[]): Promise<Ticket[]> {
    return m
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.id = ANY(:ids)', { ids })
      .orderBy('t.id')
      .getMany();
  }

  // ---- SLA policies and routing ----

  async policies(m?: EntityManager): Promise<SlaPolicyRow[]> {
    const rows = await this.m(m).find(SlaPolicy, { order: { id: 'ASC' } });
    return rows.map((r) => ({
      priority: r.priority,
      tier: r.tier,
      firstResponseMinutes: r.firstResponseMinutes,
      resolutionMinutes: r.resolutionMinutes,
    }));
  }

  /** The policies become exactly these rows (in the caller's transaction). */
  async replacePolicies(m: EntityManager, rows: SlaPolicyRow[]): Promise<void> {
    await m.query('DELETE FROM sla_policy');
    await m.insert(
      SlaPolicy,
      rows.map((r) => ({ ...r })),
    );
  }

  async routes(m?: EntityManager): Promise<{ type: TicketType; teamId: number }[]> {
    const rows = await this.m(m).find(TicketRouting, { order: { type: 'ASC' } });
    return rows.map((r) => ({ type: r.type, teamId: r.teamId }));
  }

  async routeOf(type: TicketType, m?: EntityManager): Promise<number | null> {
    return (await this.m(m).findOne(TicketRouting, { where: { type } }))?.teamId ?? null;
  }

  async replaceRoutes(m: EntityManager, routes: { type: TicketType; teamId: number }[]): Promise<void> {
    await m.query('DELETE FROM ticket_routing');
    if (routes.length) await m.insert(TicketRouting, routes);
  }

  // ---- Canned replies ----

  /** Canned replies of these teams and those for every team, by title; all when `teamIds` is null. */
  cannedReplies(teamIds: number[] | null): Promise<CannedReply[]> {
    const qb = this.dataSource.getRepository(CannedReply).createQueryBuilder('c');
    if (teamIds) qb.where('(c.team_id IS NULL OR c.team_id = ANY(:teamIds))', { teamIds });
    return qb.orderBy('c.title').addOrderBy('c.id').getMany();
  }

  lockCannedReply(m: EntityManager, id: number): Promise<CannedReply | null> {
    return m.findOne(CannedReply, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async insertCannedReply(m: EntityManager, fields: Partial<CannedReply>): Promise<number> {
    const { identifiers } = await m.insert(CannedReply, fields);
    return identifiers[0].id as number;
  }

  async updateCannedReply(m: EntityManager, id: number, fields: Partial<CannedReply>): Promise<void> {
    await m.update(CannedReply, { id }, fields);
  }

  async deleteCannedReply(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(CannedReply, { id });
  }

  // ---- Surveys ----

  async insertSurvey(m: EntityManager, fields: Partial<SurveyResponse>): Promise<number> {
    const { identifiers } = await m.insert(SurveyResponse, fields);
    return identifiers[0].id as number;
  }

  findSurvey(token: string, m?: EntityManager): Promise<SurveyResponse | null> {
    return this.m(m).findOne(SurveyResponse, { where: { token } });
  }

  lockSurvey(m: EntityManager, token: string): Promise<SurveyResponse | null> {
    return m.findOne(SurveyResponse, { where: { token }, lock: { mode: 'pessimistic_write' } });
  }

  async answerSurvey(m: EntityManager, id: number, fields: Partial<SurveyResponse>): Promise<void> {
    await m.update(SurveyResponse, { id }, fields);
  }

  /** The ticket's latest survey. */
  surveyOfTicket(ticketId: number): Promise<SurveyResponse | null> {
    return this.dataSource
      .getRepository(SurveyResponse)
      .findOne({ where: { ticketId }, order: { sentAt: 'DESC', id: 'DESC' } });
  }

  // ---- Jobs ----

  /** Closes tickets resolved more than `days` days ago; answers their ids. */
  async closeResolvedBefore(days: number, limit = 1000): Promise<number[]> {
    const [rows] = await this.dataSource.query<[{ id: number }[], number]>(
      `UPDATE ticket SET status = 'closed', closed_at = now(), version = version + 1, updated_at = now()
        WHERE id IN (SELECT id FROM ticket WHERE status = 'resolved' AND deleted_at IS NULL
                       AND resolved_at < now() - make_interval(days => $1) ORDER BY id LIMIT $2
                       FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [days, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Running tickets without their warning instants (written before they were kept, or by hand), by id. */
  unplacedWarnings(limit: number): Promise<UnplacedWarnings[]> {
    return this.dataSource.query(
      `SELECT id, received_at AS "receivedAt", paused_minutes AS "pausedMinutes",
              first_response_target_minutes AS "firstResponseTargetMinutes",
              resolution_target_minutes AS "resolutionTargetMinutes"
         FROM ticket
        WHERE status IN ('new', 'open') AND deleted_at IS NULL
          AND (first_response_warning_due_at IS NULL OR resolution_warning_due_at IS NULL)
        ORDER BY id LIMIT $1`,
      [limit],
    );
  }

  /** Stores worked-out warning instants, where a ticket still has none (a change meanwhile set its own). */
  async placeWarnings(
    rows: { id: number; firstResponseWarningDueAt: Date; resolutionWarningDueAt: Date }[],
  ): Promise<void> {
    if (!rows.length) return;
    await this.dataSource.query(
      `UPDATE ticket t SET first_response_warning_due_at = coalesce(t.first_response_warning_due_at, w.fr),
              resolution_warning_due_at = coalesce(t.resolution_warning_due_at, w.res)
         FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS w(id, fr, res)
        WHERE t.id = w.id`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.firstResponseWarningDueAt),
        rows.map((r) => r.resolutionWarningDueAt),
      ],
    );
  }

  /**
   * Marks the first-response warning (at `now`) of running, unanswered tickets whose warning instant
   * has come, in one statement: whoever's statement marks a ticket tells about it, so with several app
   * instances each warning goes out once. Answers the ids marked.
   */
  async markFirstResponseWarnings(m: EntityManager, now: Date, limit = 500): Promise<number[]> {
    const [rows] = await m.query<[{ id: number }[], number]>(
      `UPDATE ticket SET first_response_warned_at = $2
        WHERE id IN (SELECT id FROM ticket WHERE status IN ('new', 'open') AND deleted_at IS NULL
                       AND first_responded_at IS NULL AND first_response_warned_at IS NULL
                       AND first_response_warning_due_at <= $2
                       ORDER BY first_response_warning_due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, now],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  /** Marks the resolution warning of running tickets whose warning instant has come; answers the ids. */
  async markResolutionWarnings(m: EntityManager, now: Date, limit = 500): Promise<number[]> {
    const [rows] = await m.query<[{ id: number }[], number]>(
      `UPDATE ticket SET resolution_warned_at = $2
        WHERE id IN (SELECT id FROM ticket WHERE status IN ('new', 'open') AND deleted_at IS NULL
                       AND resolution_warned_at IS NULL AND resolution_warning_due_at <= $2
                       ORDER BY resolution_warning_due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, now],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  /**
   * Marks the first-response breach (at `now`) of running, unanswered tickets past their
   * first-response due time, in one statement (see markFirstResponseWarnings); answers the ids marked. The warning is
   * marked with it when it never went out: a breach says all a warning would.
   */
  async markFirstResponseBreaches(m: EntityManager, now: Date, limit = 500): Promise<number[]> {
    const [rows] = await m.query<[{ id: number }[], number]>(
      `UPDATE ticket SET first_response_breached_at = $2,
              first_response_warned_at = COALESCE(first_response_warned_at, $2)
        WHERE id IN (SELECT id FROM ticket WHERE status IN ('new', 'open') AND deleted_at IS NULL
                       AND first_responded_at IS NULL AND first_response_breached_at IS NULL
                       AND first_response_due_at <= $2 ORDER BY first_response_due_at, id LIMIT $1
                       FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, now],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  /** Marks the resolution breach of running tickets past their resolution due time; answers the ids. */
  async markResolutionBreaches(m: EntityManager, now: Date, limit = 500): Promise<number[]> {
    const [rows] = await m.query<[{ id: number }[], number]>(
      `UPDATE ticket SET resolution_breached_at = $2,
              resolution_warned_at = COALESCE(resolution_warned_at, $2)
        WHERE id IN (SELECT id FROM ticket WHERE status IN ('new', 'open') AND deleted_at IS NULL
                       AND resolution_breached_at IS NULL AND resolution_due_at <= $2
                       ORDER BY resolution_due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, now],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  // ---- Surveys the automation rules read ----

  /** Answered surveys with a satisfaction score below `below`, answered since `since`, oldest first. */
  lowScoreSurveys(since: Date, below: number): Promise<LowScoreSurvey[]> {
    return this.dataSource.query<LowScoreSurvey[]>(
      `SELECT id, kind, customer_id AS "customerId", ticket_id AS "ticketId", contract_id AS "contractId",
              csat, comment, answered_at AS "answeredAt"
         FROM survey_response
        WHERE answered_at >= $1 AND csat < $2
        ORDER BY answered_at, id`,
      [since, below],
    );
  }

  /** Which of these contacts were sent any survey since `since`. */
  async contactsSurveyedSince(contactIds: number[], since: Date): Promise<Set<number>> {
    if (!contactIds.length) return new Set();
    const rows = await this.dataSource.query<{ id: number }[]>(
      `SELECT DISTINCT contact_id AS id FROM survey_response WHERE contact_id = ANY($1) AND sent_at >= $2`,
      [contactIds, since],
    );
    return new Set(rows.map((r) => r.id));
  }

  // A person's tickets (a PIPL request): those of their customer with one of their contacts (all of a
  // person-customer's when `contactIds` is null), and any ticket they asked with their e-mail or mobile.
  private personCondition = `(t.customer_id = $1 AND ($2::int[] IS NULL OR t.contact_id = ANY($2)))
    OR t.contact_id = ANY(coalesce($2, '{}')) OR lower(t.requester_email) = ANY($3) OR t.requester_mobile = ANY($4)`;

  /** A person's tickets, deleted or not, oldest first (see personCondition). */
  findOfPerson(
    customerId: number,
    contactIds: number[] | null,
    emails: string[],
    mobiles: string[],
    m: EntityManager = this.dataSource.manager,
  ): Promise<Ticket[]> {
    return m.query(
      `SELECT t.id, t.number, t.subject, t.requester_name AS "requesterName", t.requester_email AS "requesterEmail",
         t.requester_mobile AS "requesterMobile", t.channel, t.type, t.status, t.received_at AS "receivedAt",
         t.resolved_at AS "resolvedAt"
       FROM ticket t WHERE ${this.personCondition} ORDER BY t.received_at, t.id`,
      [customerId, contactIds, emails, mobiles],
    );
  }

  /** The messages of some tickets, oldest first. */
  findMessagesOf(ticketIds: number[]): Promise<TicketMessage[]> {
    return this.dataSource.getRepository(TicketMessage).find({
      where: { ticketId: In(ticketIds) },
      order: { ticketId: 'ASC', createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** A person's surveys: their customer's (one of the contacts' only, when given) and any sent to their e-mail. */
  findSurveysOfPerson(
    customerId: number,
    contactIds: number[] | null,
    emails: string[],
  ): Promise<SurveyResponse[]> {
    return this.dataSource
      .getRepository(SurveyResponse)
      .createQueryBuilder('s')
      .where(
        `(s.customer_id = :customerId AND (CAST(:contactIds AS int[]) IS NULL OR s.contact_id = ANY(:contactIds)))
         OR lower(s.sent_to) = ANY(:emails)`,
        { customerId, contactIds, emails },
      )
      .orderBy('s.sent_at', 'ASC')
      .getMany();
  }

  /**
   * Erases a person's part of the service desk in the erasure's transaction: the requester fields of
   * their tickets, their own messages (body, quote, name, mail id: answers those messages' ids, whose
   * files go too), their survey invitations' addresses and comments; whatever matches `pattern` in the
   * subjects and the agents' messages of those tickets and their customer's. Scores, times and counts stay.
   */
  async erasePerson(
    m: EntityManager,
    who: PersonToErase,
  ): Promise<{ tickets: number; messageIds: number[]; surveys: number }> {
    const ids = (
      (await m.query(`SELECT t.id FROM ticket t WHERE ${this.personCondition}`, [
        who.customerId,
        who.contactIds,
        who.emails,
        who.mobiles,
      ])) as { id: number }[]
    ).map((r) => r.id);
    await m.query(
      `UPDATE ticket SET requester_name = $2, requester_email = NULL, requester_mobile = NULL, version = version + 1, updated_at = now()
       WHERE id = ANY($1)`,
      [ids, who.mask],
    );
    const messages = (await m.query(
      `UPDATE ticket_message SET body = $2, quoted = NULL, author_name = $2, mail_message_id = NULL
       WHERE ticket_id = ANY($1) AND from_customer RETURNING id`,
      [ids, who.mask],
    )) as [{ id: number }[], number];
    if (who.pattern) {
      await m.query(
        `UPDATE ticket SET subject = regexp_replace(subject, $3, $4, 'gi'), version = version + 1, updated_at = now()
         WHERE (id = ANY($1) OR customer_id = $2) AND subject ~* $3`,
        [ids, who.customerId, who.pattern, who.mask],
      );
      await m.query(
        `UPDATE ticket_message SET body = regexp_replace(body, $3, $4, 'gi'), quoted = regexp_replace(quoted, $3, $4, 'gi')
         WHERE ticket_id IN (SELECT id FROM ticket WHERE id = ANY($1) OR customer_id = $2)
           AND concat_ws(' ', body, quoted) ~* $3`,
        [ids, who.customerId, who.pattern, who.mask],
      );
    }
    const [, surveys] = (await m.query(
      `UPDATE survey_response SET sent_to = $4, comment = CASE WHEN comment IS NULL THEN NULL ELSE $4 END
       WHERE (customer_id = $1 AND ($2::int[] IS NULL OR contact_id = ANY($2))) OR lower(sent_to) = ANY($3)`,
      [who.customerId, who.contactIds, who.emails, who.mask],
    )) as [unknown, number];
    return { tickets: ids.length, messageIds: messages[0].map((r) => r.id), surveys };
  }
}
