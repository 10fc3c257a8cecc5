/**
 * A ticket's fixed vocabularies, in the order forms and filters list them. Labels live in the i18n
 * files under `tickets.channel.*`, `tickets.type.*`, `tickets.priority.*` and `tickets.status.*`.
 */

/** Where the request came in: the portal form, an e-mail to the support address, or logged by an agent. */
export const TICKET_CHANNELS = ['portal', 'email', 'phone', 'wechat', 'visit', 'walk_in', 'web'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

/** The channels an agent logs by hand; portal and e-mail tickets open themselves. */
export const AGENT_CHANNELS: readonly TicketChannel[] = ['phone', 'wechat', 'visit', 'walk_in'];
/** The channels a ticket logged through the API comes in by: an agent's, or `web` for one an integration took in. */
export const API_CHANNELS: readonly TicketChannel[] = [...AGENT_CHANNELS, 'web'];

export const TICKET_TYPES = ['consultation', 'technical', 'billing', 'complaint'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** Lowest first: raising a priority one level is the next entry, and urgent stays urgent. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/**
 * new: nobody has answered yet; open: an agent is on it; pending: waiting on the customer (the SLA
 * clock stops); resolved: answered, the customer may still reopen it by replying; closed: final.
 */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a ticket is still someone's work: counted for an agent's load and in the queues. */
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending'];

/** One level up, or the same when already urgent. */
export function raisedPriority(p: TicketPriority): TicketPriority {
  return TICKET_PRIORITIES[Math.min(TICKET_PRIORITIES.indexOf(p) + 1, TICKET_PRIORITIES.length - 1)];
}

/** The kinds of survey Kehu sends: after a resolved ticket (CSAT + CES), a completed contract, or NPS. */
export const SURVEY_KINDS = ['ticket', 'contract', 'nps'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/**
 * The webhook events of tickets and their surveys; `data` is the ticket as the API returns it
 * (survey.answered: the survey's answer with its ticket's id and number).
 */
export const TICKET_EVENTS = [
  'ticket.created',
  'ticket.assigned',
  'ticket.resolved',
  'ticket.reopened',
  'sla.warning',
  'sla.breached',
  'survey.answered',
] as const;
export type TicketEvent = (typeof TICKET_EVENTS)[number];
