import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { addBusinessMinutes, type BusinessCalendar } from '../common/calendar/business-time.js';
import { formatNumber } from '../common/sequences/sequence-formats.js';
import {
  raisedPriority,
  TICKET_CHANNELS,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../tickets/ticket.options.js';
import { warningsDue } from '../tickets/sla-clock.js';
import { loadCalendar, REQUESTS } from './demo-tickets.js';

/**
 * A service desk's years of tickets for the benchmarks (README, How it scales): most closed long ago,
 * a few percent still open, new, waiting on the customer or recently resolved, spread over the routed
 * teams and their agents by type, each with the customer's request as its first message. Arrival
 * times and due times sit on the business calendar as the service computes them; the numbers are
 * taken from the ticket numbering in one step per batch, as a run of consecutive numbers.
 */

const DAY = 86_400_000;

interface Customer {
  id: number;
  tier: 'A' | 'B' | 'C';
  vip: boolean;
  contactId: number | null;
  name: string;
  email: string | null;
  mobile: string | null;
}

export interface ScaleContext {
  calendar: BusinessCalendar;
  targets: Map<TicketPriority, { fr: number; res: number }>;
  /** Type → its team and the team's agents (none: the tickets wait unassigned). */
  routes: Map<TicketType, { teamId: number; agents: number[] }>;
  customers: Customer[];
}

/** What the service desk looks like, read once before generating. */
export async function scaleContext(m: EntityManager, zone: string): Promise<ScaleContext> {
  const calendar = await loadCalendar(m, zone);
  const policies = await m.query<{ priority: TicketPriority; fr: number; res: number }[]>(
    `SELECT priority, first_response_minutes AS fr, resolution_minutes AS res FROM sla_policy WHERE tier IS NULL`,
  );
  const routes = await m.query<{ type: TicketType; teamId: number; agents: number[] | null }[]>(
    `SELECT r.type, r.team_id AS "teamId",
            (SELECT array_agg(u.id ORDER BY u.id) FROM app_user u
              WHERE u.team_id = r.team_id AND u.active AND u.role = 'service') AS agents
       FROM ticket_routing r`,
  );
  const customers = await m.query<Customer[]>(
    `SELECT c.id, c.tier, c.vip, ct.id AS "contactId", coalesce(ct.name, c.name) AS name, ct.email, ct.mobile
       FROM customer c
       LEFT JOIN LATERAL (SELECT id, name, email, mobile FROM contact WHERE customer_id = c.id
                           ORDER BY "primary" DESC, id LIMIT 1) ct ON true
      WHERE c.deleted_at IS NULL ORDER BY c.id`,
  );
  return {
    calendar,
    targets: new Map(policies.map((p) => [p.priority, { fr: p.fr, res: p.res }])),
    routes: new Map(routes.map((r) => [r.type, { teamId: r.teamId, agents: r.agents ?? [] }])),
    customers,
  };
}

/** Status by share of the whole: a desk's history is mostly closed tickets. */
const STATUS_SHARES: [TicketStatus, number][] = [
  ['closed', 0.97],
  ['resolved', 0.012],
  ['open', 0.008],
  ['new', 0.004],
  ['pending', 0.006],
];
const PRIORITY_SHARES: [TicketPriority, number][] = [
  ['low', 0.2],
  ['normal', 0.6],
  ['high', 0.15],
  ['urgent', 0.05],
];

function pick<T>(shares: [T, number][], x: number): T {
  let sum = 0;
  for (const [v, share] of shares) {
    sum += share;
    if (x < sum) return v;
  }
  return shares[shares.length - 1][0];
}

/**
 * Inserts `count` generated tickets numbered from `firstNumber`, with their first messages, in `m`'s
 * transaction. `r` is the random source; `now` the moment the history ends.
 */
export async function insertScaleTickets(
  m: EntityManager,
  ctx: ScaleContext,
  count: number,
  firstNumber: number,
  r: () => number,
  now: Date,
): Promise<void> {
  const c: Record<string, unknown[]> = {};
  const col = (name: string, v: unknown) => (c[name] ??= []).push(v);
  // Ids drawn first, so each request message names its ticket.
  const ids = (
    await m.query<{ id: number }[]>(
      `SELECT nextval('ticket_id_seq')::int AS id FROM generate_series(1, $1)`,
      [count],
    )
  ).map((x) => x.id);
  const at = (start: Date, minutes: number) =>
    addBusinessMinutes(start, Math.max(0, Math.round(minutes)), ctx.calendar);
  for (let i = 0; i < count; i++) {
    const customer = ctx.customers[Math.floor(r() * ctx.customers.length)];
    const type = TICKET_TYPES[Math.floor(r() * TICKET_TYPES.length)];
    const asked = pick(PRIORITY_SHARES, r());
    const priority = customer.vip || customer.tier === 'A' ? raisedPriority(asked) : asked;
    const { fr, res } = ctx.targets.get(priority) ?? { fr: 240, res: 1350 };
    const status = pick(STATUS_SHARES, r());
    const route = ctx.routes.get(type);
    const agents = route?.agents ?? [];
    const assigneeId =
      agents.length && !(status === 'new' && r() < 0.3) ? agents[Math.floor(r() * agents.length)] : null;
    // Closed tickets over the last two years, the others over the last weeks (resolved and open ones
    // up to about their resolution target ago): in working hours when that is already past, else as sent.
    const daysAgo =
      status === 'closed'
        ? 7 + r() * 720
        : status === 'new'
          ? r() * 2
          : r() * Math.max(2, (res / 450) * (status === 'resolved' ? 2.5 : 1.5));
    const sent = new Date(now.getTime() - Math.floor(daysAgo * DAY));
    const opening = addBusinessMinutes(sent, 0, ctx.calendar);
    const receivedAt = opening <= now ? opening : sent;
    const firstResponseDueAt = at(receivedAt, fr);
    const resolutionDueAt = at(receivedAt, res);
    const warnings = warningsDue(
      { receivedAt, pausedMinutes: 0, firstResponseTargetMinutes: fr, resolutionTargetMinutes: res },
      ctx.calendar,
    );
    // What already happened happened by now (a recent arrival was answered and resolved quickly).
    const past = (d: Date) =>
      d > now ? new Date(Math.max(receivedAt.getTime(), now.getTime() - 60_000)) : d;
    const responded = status !== 'new';
    const firstRespondedAt = responded ? past(at(receivedAt, fr * (0.2 + r()))) : null;
    const resolvedAt =
      status === 'resolved' || status === 'closed' ? past(at(receivedAt, res * (0.3 + r() * 0.9))) : null;
    const closedAt =
      status === 'closed' && resolvedAt ? past(new Date(resolvedAt.getTime() + 7 * DAY)) : null;
    const pausedAt = status === 'pending' && firstRespondedAt ? firstRespondedAt : null;
    // The SLA watch ran all along: a warning (at 80% of a target) or breach that came before the
    // answer, the resolution or now was told when it came. A waiting ticket's resolution clock is paused.
    const running = status === 'new' || status === 'open';
    const respondedBy = firstRespondedAt ?? now;
    const resolvedBy = resolvedAt ?? (running ? now : null);
    const passed = (d: Date, by: Date | null) => (by && by > d ? d.toISOString() : null);
    const dueAt = status === 'new' ? firstResponseDueAt : status === 'open' ? resolutionDueAt : null;
    const request = REQUESTS[Math.floor(r() * REQUESTS.length)];
    col('id', ids[i]);
    col('number', formatNumber('ticket', 0, firstNumber + i));
    col('customer', customer.id);
    col('contact', customer.contactId);
    col('name', customer.name);
    col('email', customer.email);
    col('mobile', customer.mobile);
    col('channel', TICKET_CHANNELS[Math.floor(r() * TICKET_CHANNELS.length)]);
    col('type', type);
    col('priority', priority);
    col('status', status);
    col('subject', request.subject);
    col('ask', request.ask);
    col('team', route?.teamId ?? null);
    col('assignee', assigneeId);
    col('received', receivedAt.toISOString());
    col('fr', fr);
    col('res', res);
    col('frDue', firstResponseDueAt.toISOString());
    col('resDue', resolutionDueAt.toISOString());
    col('due', dueAt?.toISOString() ?? null);
    col('paused', pausedAt?.toISOString() ?? null);
    col('responded', firstRespondedAt?.toISOString() ?? null);
    col('resolved', resolvedAt?.toISOString() ?? null);
    col('closed', closedAt?.toISOString() ?? null);
    col('frWarning', warnings.firstResponseWarningDueAt.toISOString());
    col('resWarning', warnings.resolutionWarningDueAt.toISOString());
    col('frWarned', passed(warnings.firstResponseWarningDueAt, respondedBy));
    col('frBreached', passed(firstResponseDueAt, respondedBy));
    col('resWarned', passed(warnings.resolutionWarningDueAt, resolvedBy));
    col('resBreached', passed(resolutionDueAt, resolvedBy));
    col('replies', responded ? 1 + Math.floor(r() * 3) : 0);
    col('token', randomBytes(18).toString('base64url'));
  }
  await m.query(
    `INSERT INTO ticket (id, number, customer_id, contact_id, requester_name, requester_email, requester_mobile,
       channel, type, priority, status, subject, team_id, assignee_id, received_at,
       first_response_target_minutes, resolution_target_minutes, first_response_due_at, resolution_due_at,
       due_at, paused_at, first_responded_at, resolved_at, closed_at, first_response_warned_at,
       first_response_breached_at, resolution_warned_at, resolution_breached_at, public_reply_count,
       tracking_token, first_response_warning_due_at, resolution_warning_due_at, created_at, updated_at, version)
     SELECT t.*, t.received_at, coalesce(t.closed_at, t.resolved_at, t.first_responded_at, t.received_at), 1
       FROM unnest($30::int[], $1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::int[], $14::timestamptz[],
                   $15::int[], $16::int[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[],
                   $20::timestamptz[], $21::timestamptz[], $22::timestamptz[], $23::timestamptz[],
                   $24::timestamptz[], $25::timestamptz[], $26::timestamptz[], $27::timestamptz[],
                   $28::int[], $29::text[], $31::timestamptz[], $32::timestamptz[])
         AS t(id, number, customer_id, contact_id, requester_name, requester_email, requester_mobile, channel, type,
              priority, status, subject, team_id, assignee_id, received_at, first_response_target_minutes,
              resolution_target_minutes, first_response_due_at, resolution_due_at, due_at, paused_at,
              first_responded_at, resolved_at, closed_at, first_response_warned_at, first_response_breached_at,
              resolution_warned_at, resolution_breached_at, public_reply_count, tracking_token,
              first_response_warning_due_at, resolution_warning_due_at)`,
    [
      c.number,
      c.customer,
      c.contact,
      c.name,
      c.email,
      c.mobile,
      c.channel,
      c.type,
      c.priority,
      c.status,
      c.subject,
      c.team,
      c.assignee,
      c.received,
      c.fr,
      c.res,
      c.frDue,
      c.resDue,
      c.due,
      c.paused,
      c.responded,
      c.resolved,
      c.closed,
      c.frWarned,
      c.frBreached,
      c.resWarned,
      c.resBreached,
      c.replies,
      c.token,
      c.id,
      c.frWarning,
      c.resWarning,
    ],
  );
  // Each ticket's request, as the customer wrote it (or the agent noted it), when it came in.
  await m.query(
    `INSERT INTO ticket_message (ticket_id, author_name, from_customer, body, created_at)
     SELECT t.id, t.requester_name, true, a.body, t.received_at
       FROM unnest($1::int[], $2::text[]) AS a(id, body) JOIN ticket t ON t.id = a.id`,
    [ids, c.ask],
  );
}
