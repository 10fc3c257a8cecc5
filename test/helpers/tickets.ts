import { randomBytes } from 'node:crypto';
import type pg from 'pg';

let counter = 0;

/**
 * A ticket written straight into the table, as a test sets the scene: open, due in two hours and not
 * yet warned unless told otherwise. Returns its id, number and tracking token.
 */
export async function createTicket(
  db: pg.Pool,
  fields: {
    customerId: number;
    teamId?: number | null;
    assigneeId?: number | null;
    subject?: string;
    status?: string;
    priority?: string;
    type?: string;
    channel?: string;
    receivedAt?: Date;
    dueAt?: Date | null;
    requesterEmail?: string | null;
    /** The SLA clock has sent its 80% first-response warning. */
    warned?: boolean;
  },
): Promise<{ id: number; number: string; token: string }> {
  const number = `T-9${String(process.pid % 1000).padStart(3, '0')}${String(++counter).padStart(3, '0')}`;
  const token = randomBytes(24).toString('base64url');
  const received = fields.receivedAt ?? new Date();
  const due = fields.dueAt === undefined ? new Date(received.getTime() + 2 * 3_600_000) : fields.dueAt;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO ticket (number, customer_id, requester_name, requester_email, channel, type, priority, status,
       subject, team_id, assignee_id, received_at, first_response_target_minutes, resolution_target_minutes,
       first_response_due_at, resolution_due_at, due_at, tracking_token, resolved_at, first_response_warned_at, version)
     VALUES ($1, $2, '李娜', $3, $4, $5, $6, $7, $8, $9, $10, $11, 120, 1350, $14, $14::timestamptz + interval '1 day',
       $12, $13, CASE WHEN $7 IN ('resolved', 'closed') THEN now() END, CASE WHEN $15 THEN now() END, 1)
     RETURNING id`,
    [
      number,
      fields.customerId,
      fields.requesterEmail ?? 'li.na@yunfan.cn',
      fields.channel ?? 'portal',
      fields.type ?? 'technical',
      fields.priority ?? 'normal',
      fields.status ?? 'open',
      fields.subject ?? `打印机无法连接 ${counter}`,
      fields.teamId ?? null,
      fields.assigneeId ?? null,
      received,
      due,
      token,
      due ?? new Date(received.getTime() + 2 * 3_600_000),
      fields.warned ?? false,
    ],
  );
  await db.query(
    `INSERT INTO ticket_message (ticket_id, author_name, from_customer, body) VALUES ($1, '李娜', true, '打印机从昨天开始无法连接。')`,
    [rows[0].id],
  );
  return { id: rows[0].id, number, token };
}

/** A survey invitation for a resolved ticket; expired or answered when told. */
export async function createSurvey(
  db: pg.Pool,
  ticket: { id: number; customerId: number },
  fields: { expiresAt?: Date; answered?: boolean } = {},
): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO survey_response (kind, ticket_id, customer_id, sent_to, token, sent_at, expires_at, answered_at, csat)
     VALUES ('ticket', $1, $2, 'li.na@yunfan.cn', $3, now(), $4, $5, $6)`,
    [
      ticket.id,
      ticket.customerId,
      token,
      fields.expiresAt ?? new Date(Date.now() + 14 * 86_400_000),
      fields.answered ? new Date() : null,
      fields.answered ? 4 : null,
    ],
  );
  return token;
}
