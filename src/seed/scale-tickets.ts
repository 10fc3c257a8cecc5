import type { DataSource } from 'typeorm';
import { hashPassword } from '../users/password.js';
import { DEMO_PASSWORD } from './seed.service.js';

/** Service teams and agents a company with a million tickets has: four teams of ten. */
const TEAMS = 4;
const AGENTS_PER_TEAM = 10;

/**
 * Tickets at scale, for the benchmark: adds tickets until the table holds `total`, received over the
 * last three years at an even rate, so that, as at a real help desk, nearly all are closed and the
 * open ones (new, open, waiting on the customer) are those of the last days. Each has its request as
 * the first message. Agents of four generated service teams (agent-T-N@scale.kehu, the demo password)
 * and the demo's service agents share them; about half the new tickets are still unassigned.
 * Due times are plain offsets from arrival (the business calendar plays no part in a benchmark's
 * data). Written in SQL with generate_series: a million tickets take about a minute.
 */
export async function seedScaleTickets(db: DataSource, total: number): Promise<number> {
  const [{ n }] = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ticket`);
  if (n >= total) return n;
  const agents = await scaleAgents(db);
  await db.transaction(async (m) => {
    const [{ last }] = await m.query<{ last: number }[]>(
      `SELECT coalesce(max(last), 0)::int AS last FROM number_sequence WHERE name = 'ticket'`,
    );
    const add = total - n;
    // Row i (1 … add) arrived i × span / add before now: the newest first, at an even rate.
    await m.query(
      `WITH agents AS (
         SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id, u.team_id FROM app_user u WHERE u.id = ANY($1::int[])
       ), customers AS (
         SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.id, c.name FROM customer c WHERE c.deleted_at IS NULL
       ), counts AS (
         SELECT (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM customers) AS customers
       ), rows AS (
         SELECT i, now() - (i * interval '1095 days' / $3) AS received_at,
                (ARRAY['portal','email','phone','wechat','visit','walk_in'])[1 + (i * 7) % 6] AS channel,
                (ARRAY['consultation','technical','billing','complaint'])[1 + (i * 13) % 4] AS type,
                (ARRAY['low','normal','normal','normal','high','urgent'])[1 + (i * 5) % 6] AS priority
           FROM generate_series(1, $3::int) AS i
       ), placed AS (
         SELECT r.*,
                CASE WHEN r.received_at > now() - interval '2 days' THEN (ARRAY['new','open','open','pending'])[1 + r.i % 4]
                     WHEN r.received_at > now() - interval '9 days' THEN (ARRAY['open','pending','resolved','resolved'])[1 + r.i % 4]
                     ELSE 'closed' END AS status,
                a.id AS agent_id, a.team_id, cu.id AS customer_id, cu.name AS customer_name
           FROM rows r CROSS JOIN counts
           JOIN agents a ON a.k = (r.i * 31) % counts.agents
           JOIN customers cu ON cu.k = (r.i * 7919) % counts.customers
       )
       INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject,
              team_id, assignee_id, received_at, first_response_target_minutes, resolution_target_minutes,
              first_response_due_at, resolution_due_at, due_at, paused_at, first_responded_at,
              first_response_minutes, resolved_at, resolution_minutes, closed_at, public_reply_count,
              tracking_token, created_at, updated_at, version)
       SELECT 'T-' || lpad(($2 + i)::text, 6, '0'), customer_id, customer_name, channel, type, priority, status,
              (ARRAY['发票抬头开错了，需要重开','系统登录不上，提示密码错误','合同付款节点咨询','上门服务迟到投诉','数据导出格式不对','报表数字和财务对不上'])[1 + i % 6],
              team_id, CASE WHEN status = 'new' AND (i / 4) % 2 = 1 THEN NULL ELSE agent_id END, received_at,
              240, 1350, received_at + interval '4 hours', received_at + interval '3 days',
              CASE WHEN status IN ('new') THEN received_at + interval '4 hours'
                   WHEN status = 'open' THEN received_at + interval '3 days' END,
              CASE WHEN status = 'pending' THEN received_at + interval '3 hours' END,
              CASE WHEN status <> 'new' THEN received_at + interval '1 hour' END,
              CASE WHEN status <> 'new' THEN 60 END,
              CASE WHEN status IN ('resolved', 'closed') THEN received_at + interval '1 day' END,
              CASE WHEN status IN ('resolved', 'closed') THEN 450 END,
              CASE WHEN status = 'closed' THEN received_at + interval '8 days' END,
              CASE WHEN status = 'new' THEN 0 ELSE 1 END,
              md5('scale-ticket-' || ($2 + i)) || md5(($2 + i)::text),
              received_at, received_at, 1
         FROM placed`,
      [agents, last, add],
    );
    await m.query(
      `INSERT INTO ticket_message (ticket_id, author_name, from_customer, body, created_at)
       SELECT t.id, t.requester_name, true, t.subject || '，麻烦尽快处理，谢谢。', t.received_at
         FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM ticket_message tm WHERE tm.ticket_id = t.id)`,
    );
    await m.query(
      `INSERT INTO number_sequence (name, year, last) VALUES ('ticket', 0, $1)
       ON CONFLICT (name, year) DO UPDATE SET last = excluded.last`,
      [last + add],
    );
  });
  await db.query('ANALYZE ticket');
  await db.query('ANALYZE ticket_message');
  return total;
}

/** The ids of every active service agent, after adding the generated teams and agents once. */
async function scaleAgents(db: DataSource): Promise<number[]> {
  const hash = await hashPassword(DEMO_PASSWORD);
  for (let t = 1; t <= TEAMS; t++) {
    const [team] = await db.query<{ id: number }[]>(
      `INSERT INTO team (name, version) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`,
      [`服务${t}组`],
    );
    for (let a = 1; a <= AGENTS_PER_TEAM; a++)
      await db.query(
        `INSERT INTO app_user (email, name, role, team_id, password_hash, version)
         VALUES ($1, $2, 'service', $3, $4, 1) ON CONFLICT DO NOTHING`,
        [`agent-${t}-${a}@scale.kehu`, `客服 ${t}-${a}`, team.id, hash],
      );
  }
  const rows = await db.query<{ id: number }[]>(
    `SELECT id FROM app_user WHERE role = 'service' AND active AND team_id IS NOT NULL ORDER BY id`,
  );
  return rows.map((r) => r.id);
}
