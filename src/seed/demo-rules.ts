import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * What the automation rules would have done in the demo company's recent past, so a fresh start shows
 * them: a VIP customer nobody called for months with its care task now overdue (and the owner's alert),
 * a quarterly NPS survey answered by a primary contact, a low score on it followed by its care task, and
 * a birthday greeting; each with its rule_firing row (so the rules do not fire again for it) and its
 * audit entry, on the customer's timeline.
 */
export async function insertDemoRuleFirings(
  m: EntityManager,
  owners: number[],
  now = new Date(),
): Promise<number> {
  let fired = 0;
  const firing = async (
    rule: string,
    subjectKind: string,
    subjectId: number,
    period: string,
    customerId: number,
    at: Date,
    details: Record<string, string | number | null>,
  ) => {
    await m.query(
      `INSERT INTO rule_firing (rule, subject_kind, subject_id, period, customer_id, details, fired_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [rule, subjectKind, subjectId, period, customerId, JSON.stringify(details), at],
    );
    await m.query(
      `INSERT INTO audit_entry (action, entity, entity_id, diff, at) VALUES ('rule_fired', 'customer', $1, $2, $3)`,
      [String(customerId), JSON.stringify({ rule: { to: rule }, period: { to: period } }), at],
    );
    fired++;
  };

  // 1. A VIP customer quiet for four months: the care task made ten days ago is overdue.
  const [vip] = await m.query<{ id: number; name: string; owner_id: number }[]>(
    `SELECT id, name, owner_id FROM customer
      WHERE vip AND owner_id = ANY($1) AND deleted_at IS NULL AND status = 'active' ORDER BY id LIMIT 1`,
    [owners],
  );
  if (vip) {
    // At 04:00 UTC: the same calendar day in UTC and in China, as the rule names the quiet spell.
    const last = new Date(`${day(new Date(now.getTime() - 120 * DAY))}T04:00:00Z`);
    const firedAt = new Date(now.getTime() - 10 * DAY);
    await m.query('UPDATE customer SET last_interaction_at = $2 WHERE id = $1', [vip.id, last]);
    await m.query(
      `INSERT INTO task (assignee_id, due_on, status, kind, source_kind, source_id, label_key, title, created_at, version)
       VALUES ($1, $2, 'open', 'care', 'customer', $3, 'task.rule.vip_idle', $4, $5, 1)`,
      [vip.owner_id, day(new Date(firedAt.getTime() + 3 * DAY)), vip.id, vip.name, firedAt],
    );
    await m.query(
      `INSERT INTO notification (user_id, kind, params, link, created_at) VALUES ($1, 'rule_vip_idle', $2, $3, $4)`,
      [vip.owner_id, JSON.stringify({ customer: vip.name, days: 90 }), `/customers/${vip.id}`, firedAt],
    );
    await firing('vip_idle', 'customer', vip.id, day(last), vip.id, firedAt, { days: 90, since: day(last) });
  }

  // 4. The quarter's NPS survey, answered by two primary contacts: a promoter, and a detractor whose
  // low score (2. the care rule) gave the owner a care task.
  const contacts = await m.query<
    {
      id: number;
      name: string;
      email: string;
      customer_id: number;
      customer: string;
      owner_id: number | null;
    }[]
  >(
    `SELECT c.id, c.name, c.email, c.customer_id, cu.name AS customer, cu.owner_id FROM contact c
       JOIN customer cu ON cu.id = c.customer_id
      WHERE c."primary" AND c.email IS NOT NULL AND cu.status = 'active' AND cu.owner_id = ANY($1)
        AND cu.deleted_at IS NULL AND c.deleted_at IS NULL
      ORDER BY c.id LIMIT 2`,
    [owners],
  );
  const sentAt = new Date(now.getTime() - 12 * DAY);
  const quarter = (d: Date) => `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  for (const [i, c] of contacts.entries()) {
    const answeredAt = new Date(sentAt.getTime() + (i + 1) * DAY);
    const score = i === 0 ? 9 : 4;
    const comment = i === 0 ? '响应很快，值得推荐。' : '交付延期两次，希望改进。';
    await m.query(
      `INSERT INTO survey_response (kind, customer_id, contact_id, sent_to, token, sent_at, expires_at, answered_at, nps, comment, locale)
       VALUES ('nps', $1, $2, $3, $4, $5, $6, $7, $8, $9, 'zh-CN')`,
      [
        c.customer_id,
        c.id,
        c.email,
        randomBytes(32).toString('base64url'),
        sentAt,
        new Date(sentAt.getTime() + 14 * DAY),
        answeredAt,
        score,
        comment,
      ],
    );
    await firing('nps', 'contact', c.id, quarter(sentAt), c.customer_id, sentAt, {
      contact: c.name,
      note: null,
    });
    if (score < 7 && c.owner_id !== null) {
      await m.query(
        `INSERT INTO task (assignee_id, due_on, status, kind, source_kind, source_id, label_key, title, created_at, version)
         VALUES ($1, $2, 'open', 'care', 'customer', $3, 'task.rule.low_csat', $4, $5, 1)`,
        [c.owner_id, day(new Date(answeredAt.getTime() + 3 * DAY)), c.customer_id, c.customer, answeredAt],
      );
    }
  }

  // 5. A birthday greeting sent last week.
  const [born] = await m.query<{ id: number; name: string; customer_id: number }[]>(
    `SELECT c.id, c.name, c.customer_id FROM contact c JOIN customer cu ON cu.id = c.customer_id
      WHERE cu.vip AND cu.owner_id = ANY($1) AND c.email IS NOT NULL AND c.deleted_at IS NULL
      ORDER BY c.id DESC LIMIT 1`,
    [owners],
  );
  if (born) {
    const at = new Date(now.getTime() - 6 * DAY);
    await m.query('UPDATE contact SET birthday = $2 WHERE id = $1', [born.id, `1982-${day(at).slice(5)}`]);
    await firing('birthday', 'contact', born.id, day(at).slice(0, 4), born.customer_id, at, {
      contact: born.name,
      note: null,
    });
  }
  return fired;
}
