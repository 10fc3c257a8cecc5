import type { EntityManager } from 'typeorm';
import { type Fen, splitByRatios, toNumeric, yuan } from '../common/money.js';
import { rng } from './generate.js';
import { FOLLOW_UP_TEXTS } from './names.js';

/**
 * The demo company's year behind today: customers taken on over the last twelve months (a few more
 * lately), the follow-ups of each owned customer at its tier's rhythm since then, deals won and lost
 * in every month with the moves that led there, a contract signed after each win with its payment
 * plan, payments (a few installments overdue) and invoices, and open deals expected to close last
 * month (slipped), this month and next. Months are the company's (Asia/Shanghai, UTC+8 all year).
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const SHANGHAI = 8 * HOUR;
/** Days between follow-ups a tier expects (the health score's rhythm). */
const RHYTHM = { A: 14, B: 30, C: 60 } as const;
const METHODS = ['phone', 'visit', 'email', 'wechat', 'meeting'] as const;
const OPEN_PATH = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'] as const;
const PROJECTS = [
  'ERP 升级项目',
  '年度维保合同',
  'CRM 实施',
  '数据中心扩容',
  '办公网络改造',
  '视频会议系统',
  '仓储管理系统',
  '财务共享平台',
  '安全等保咨询',
  '移动办公平台',
  '生产线 MES 改造',
  '门店收银系统',
];
const LOST = [
  ['price', '报价高出对方约 15%'],
  ['competitor', '客户最终选择了其他供应商'],
  ['no_budget', '预算被砍，项目延后到明年'],
  ['timing', null],
] as const;

/** Start of the month `back` months before the one `now` falls in, in the company's time zone. */
export function monthStart(now: Date, back: number): Date {
  const local = new Date(now.getTime() + SHANGHAI);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1) - SHANGHAI);
}

/** The company's calendar day of an instant, as YYYY-MM-DD. */
const localDay = (t: number) => new Date(t + SHANGHAI).toISOString().slice(0, 10);

interface Owned {
  id: number;
  name: string;
  ownerId: number | null;
  tier: 'A' | 'B' | 'C';
  createdAt: number;
}

export async function insertSalesHistory(
  m: EntityManager,
  nextContractNumber: () => Promise<string>,
  now = new Date(),
): Promise<void> {
  const r = rng(365_2026);
  const customers = await backdateCustomers(m, r, now);
  await insertOlderFollowUps(m, customers, r, now);
  const won = await insertClosedDeals(m, customers, r, now);
  await insertOpenDeals(m, customers, r, now);
  await insertContracts(m, won, nextContractNumber, r, now);
}

/**
 * Spreads the customers' creation over the last twelve months, more of them lately, never after a
 * customer's first follow-up; the first eight were the book the company started with, a year ago.
 */
async function backdateCustomers(m: EntityManager, r: () => number, now: Date): Promise<Owned[]> {
  const rows = await m.query<
    { id: number; name: string; ownerId: number | null; tier: 'A' | 'B' | 'C'; first: Date | null }[]
  >(
    `SELECT c.id, c.name, c.owner_id AS "ownerId", c.tier,
            least((SELECT min(happened_at) FROM follow_up f WHERE f.customer_id = c.id),
                  (SELECT min(created_at) FROM opportunity o WHERE o.customer_id = c.id),
                  (SELECT min(created_at) FROM contract k WHERE k.customer_id = c.id)) AS first
       FROM customer c WHERE c.deleted_at IS NULL ORDER BY c.id`,
  );
  // Month k back weighs 18 - k: this month about twice the oldest.
  const weights = Array.from({ length: 12 }, (_, k) => 18 - k);
  const total = weights.reduce((s, w) => s + w, 0);
  const created = rows.map((c, i) => {
    let k = 11;
    if (i >= 8) {
      let roll = r() * total;
      k = weights.findIndex((w) => (roll -= w) < 0);
    }
    const start = monthStart(now, k).getTime();
    const end = Math.min(monthStart(now, k - 1).getTime(), now.getTime());
    const at = i < 8 ? start + r() * 6 * DAY : start + r() * (end - start);
    return Math.min(at, c.first ? c.first.getTime() - 2 * HOUR : at);
  });
  await m.query(
    `UPDATE customer c SET created_at = t.at,
            owned_since = CASE WHEN c.owner_id IS NULL THEN NULL ELSE t.at END
       FROM unnest($1::int[], $2::timestamptz[]) AS t(id, at) WHERE c.id = t.id`,
    [rows.map((c) => c.id), created.map((t) => new Date(t).toISOString())],
  );
  return rows.map((c, i) => ({
    id: c.id,
    name: c.name,
    ownerId: c.ownerId,
    tier: c.tier,
    createdAt: created[i],
  }));
}

/** Follow-ups of each owned customer from its creation up to its first recent one, at its tier's rhythm. */
async function insertOlderFollowUps(m: EntityManager, customers: Owned[], r: () => number, now: Date) {
  const firsts = new Map(
    (
      await m.query<{ customerId: number; first: Date; contactId: number | null }[]>(
        `SELECT c.id AS "customerId", coalesce((SELECT min(happened_at) FROM follow_up f WHERE f.customer_id = c.id), now()) AS first,
                (SELECT id FROM contact WHERE customer_id = c.id AND "primary" LIMIT 1) AS "contactId"
           FROM customer c WHERE c.owner_id IS NOT NULL`,
      )
    ).map((f) => [f.customerId, f]),
  );
  const fu = {
    customer: [] as number[],
    contact: [] as (number | null)[],
    author: [] as number[],
    method: [] as string[],
    at: [] as string[],
    summary: [] as string[],
  };
  for (const c of customers) {
    const first = firsts.get(c.id);
    if (c.ownerId === null || !first) continue;
    const texts = FOLLOW_UP_TEXTS[/[\u4e00-\u9fff]/.test(c.name) ? 'zh' : 'en'];
    const rhythm = RHYTHM[c.tier] * DAY;
    // Working hours: 09:00 to 18:00 in the company's zone.
    let at = c.createdAt + DAY + r() * 3 * DAY;
    const until = Math.min(first.first.getTime(), now.getTime()) - 3 * DAY;
    while (at < until) {
      const day = new Date(at + SHANGHAI);
      const local = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - SHANGHAI;
      const when = local + (9 + r() * 9) * HOUR;
      const method = METHODS[Math.floor(r() * METHODS.length)];
      const list = texts.summaries[method];
      fu.customer.push(c.id);
      fu.contact.push(r() < 0.7 ? first.contactId : null);
      fu.author.push(c.ownerId);
      fu.method.push(method);
      fu.at.push(new Date(Math.max(when, c.createdAt + HOUR)).toISOString());
      fu.summary.push(list[Math.floor(r() * list.length)]);
      at += rhythm * (0.6 + r() * 0.7);
    }
  }
  await m.query(
    `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, version, created_at)
     SELECT *, 1, happened_at FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::text[])
       AS f(customer_id, contact_id, author_id, method, happened_at, summary)`,
    [fu.customer, fu.contact, fu.author, fu.method, fu.at, fu.summary],
  );
  // Customers without a recent follow-up take their latest older one as their last interaction.
  await m.query(
    `UPDATE customer c SET last_interaction_at = f.last FROM (SELECT customer_id, max(happened_at) AS last FROM follow_up GROUP BY customer_id) f
      WHERE c.id = f.customer_id AND (c.last_interaction_at IS NULL OR c.last_interaction_at < f.last)`,
  );
}

interface Deal {
  customer: Owned;
  ownerId: number;
  title: string;
  stage: (typeof OPEN_PATH)[number] | 'won' | 'lost';
  amount: number;
  created: number;
  moves: number[];
  closed: number | null;
  expected: string;
  lost: (typeof LOST)[number] | null;
}

/** Amounts a small company sees: ¥30,000 to about ¥1,200,000 to the thousand, most of them small. */
const amountOf = (r: () => number) => Math.round(30 * Math.pow(40, r() * r())) * 1000;

function pickCustomer(customers: Owned[], ownerId: number, before: number, r: () => number): Owned | null {
  const mine = customers.filter((c) => c.ownerId === ownerId && c.createdAt < before);
  return mine.length ? mine[Math.floor(r() * mine.length)] : null;
}

async function insertDeals(m: EntityManager, deals: Deal[]): Promise<number[]> {
  if (!deals.length) return [];
  const probability = {
    initial_contact: 10,
    needs_analysis: 25,
    proposal: 50,
    negotiation: 75,
    won: 100,
    lost: 0,
  };
  const iso = (t: number) => new Date(t).toISOString();
  const rows = await m.query<{ id: number }[]>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, next_step,
       source, lost_reason, lost_note, closed_at, last_activity_at, created_at, updated_at, version)
     SELECT customer_id, owner_id, title, stage, amount, probability, expected, next_step, source, lost_reason, lost_note,
            closed_at, last_at, created_at, last_at, version
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::numeric[], $6::smallint[], $7::date[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::int[])
         WITH ORDINALITY AS t(customer_id, owner_id, title, stage, amount, probability, expected, next_step, source,
              lost_reason, lost_note, closed_at, last_at, created_at, version, n)
      ORDER BY n RETURNING id`,
    [
      deals.map((d) => d.customer.id),
      deals.map((d) => d.ownerId),
      deals.map((d) => d.title),
      deals.map((d) => d.stage),
      deals.map((d) => d.amount),
      deals.map((d) => probability[d.stage]),
      deals.map((d) => d.expected),
      deals.map((d, i) =>
        d.closed === null
          ? ['安排技术交流', '发送方案书', '约采购部谈价格', '确认预算审批进度'][i % 4]
          : null,
      ),
      deals.map(
        (_, i) => ['referral', 'existing_customer', 'exhibition', 'website', 'partner', 'tender'][i % 6],
      ),
      deals.map((d) => d.lost?.[0] ?? null),
      deals.map((d) => d.lost?.[1] ?? null),
      deals.map((d) => (d.closed === null ? null : iso(d.closed))),
      deals.map((d) => iso(d.moves[d.moves.length - 1])),
      deals.map((d) => iso(d.created)),
      deals.map((d) => d.moves.length),
    ],
  );
  const h = {
    deal: [] as number[],
    from: [] as (string | null)[],
    to: [] as string[],
    by: [] as number[],
    at: [] as string[],
  };
  deals.forEach((d, i) => {
    const path: string[] =
      d.stage === 'won' || d.stage === 'lost'
        ? [...OPEN_PATH.slice(0, d.moves.length - 1), d.stage]
        : OPEN_PATH.slice(0, d.moves.length);
    path.forEach((to, k) => {
      h.deal.push(rows[i].id);
      h.from.push(k === 0 ? null : path[k - 1]);
      h.to.push(to);
      h.by.push(d.ownerId);
      h.at.push(iso(d.moves[k]));
    });
  });
  await m.query(
    `INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])`,
    [h.deal, h.from, h.to, h.by, h.at],
  );
  return rows.map((x) => x.id);
}

/** Moves from `created` to `last`, evenly apart with some play, `count` of them. */
function movesBetween(created: number, last: number, count: number, r: () => number): number[] {
  const step = (last - created) / Math.max(1, count - 1);
  return Array.from({ length: count }, (_, k) =>
    k === 0 ? created : k === count - 1 ? last : created + step * k + (r() - 0.5) * step * 0.5,
  );
}

const titleOf = (c: Owned, r: () => number) =>
  `${c.name.replace(/(股份)?有限(责任)?公司$/, '').replace(/ (Co\., Ltd\.|Ltd\.|Inc\.|Group)$/, '')} ${PROJECTS[Math.floor(r() * PROJECTS.length)]}`;

/** Two deals won and one lost per owner in each of the twelve months; returns the won ones. */
async function insertClosedDeals(m: EntityManager, customers: Owned[], r: () => number, now: Date) {
  const owners = [...new Set(customers.map((c) => c.ownerId).filter((x) => x !== null))];
  const deals: Deal[] = [];
  for (let k = 11; k >= 0; k--) {
    const start = monthStart(now, k).getTime();
    const end = Math.min(monthStart(now, k - 1).getTime(), now.getTime() - HOUR);
    if (end <= start) continue;
    for (const ownerId of owners)
      for (const stage of ['won', 'won', 'lost'] as const) {
        // The oldest month's deals close in its second half, on the customers the year began with.
        const closed = k === 11 ? start + (0.5 + r() * 0.5) * (end - start) : start + r() * (end - start);
        const customer = pickCustomer(customers, ownerId, closed - 7 * DAY, r);
        if (!customer) continue;
        const created = Math.max(customer.createdAt + DAY, closed - (20 + r() * 70) * DAY);
        const reached = stage === 'won' ? 3 + Math.floor(r() * 2) : 1 + Math.floor(r() * 4);
        const moves = movesBetween(created, closed, reached + 1, r);
        deals.push({
          customer,
          ownerId,
          title: titleOf(customer, r),
          stage,
          amount: amountOf(r),
          created,
          moves,
          closed,
          expected: localDay(closed + Math.floor(r() * 10 - 5) * DAY),
          lost: stage === 'lost' ? LOST[Math.floor(r() * LOST.length)] : null,
        });
      }
  }
  const ids = await insertDeals(m, deals);
  return deals.flatMap((d, i) => (d.stage === 'won' ? [{ ...d, id: ids[i] }] : []));
}

/** Per owner: one deal slipped past last month's expected close, two closing this month, one next month. */
async function insertOpenDeals(m: EntityManager, customers: Owned[], r: () => number, now: Date) {
  const owners = [...new Set(customers.map((c) => c.ownerId).filter((x) => x !== null))];
  const today = localDay(now.getTime());
  const lastOfMonth = localDay(monthStart(now, -1).getTime() - DAY);
  const deals: Deal[] = [];
  for (const ownerId of owners)
    for (const [stage, when] of [
      ['negotiation', 'last'],
      ['negotiation', 'this'],
      ['proposal', 'this'],
      ['proposal', 'next'],
    ] as const) {
      const customer = pickCustomer(customers, ownerId, now.getTime() - 14 * DAY, r);
      if (!customer) continue;
      const created = Math.max(customer.createdAt + DAY, now.getTime() - (25 + r() * 60) * DAY);
      const last = now.getTime() - (1 + r() * 6) * DAY;
      const thisMonth = monthStart(now, 0).getTime();
      const span = Date.parse(`${lastOfMonth}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`);
      const expected =
        when === 'last'
          ? localDay(thisMonth - (1 + Math.floor(r() * 10)) * DAY)
          : when === 'this'
            ? localDay(Date.parse(`${today}T12:00:00Z`) + Math.floor(r() * (span / DAY + 1)) * DAY)
            : localDay(monthStart(now, -1).getTime() + (5 + Math.floor(r() * 20)) * DAY);
      deals.push({
        customer,
        ownerId,
        title: titleOf(customer, r),
        stage,
        amount: amountOf(r),
        created,
        moves: movesBetween(created, Math.max(created + HOUR, last), OPEN_PATH.indexOf(stage) + 1, r),
        closed: null,
        expected,
        lost: null,
      });
    }
  await insertDeals(m, deals);
}

/**
 * A contract signed a few days after each win (signed, or completed once its delivery installments are
 * in and half a year has passed), a payment plan of 30% on signing, 60% on delivery and 10% retention
 * a year on; installments due by today paid a few days either side of their date, except every sixth
 * contract's delivery installment (overdue) and every ninth paid half; an invoice for each payment.
 */
async function insertContracts(
  m: EntityManager,
  won: (Deal & { id: number })[],
  nextNumber: () => Promise<string>,
  r: () => number,
  now: Date,
) {
  const today = localDay(now.getTime());
  const plus = (day: string, n: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
  const min = (a: string, b: string) => (a < b ? a : b);
  // A contract is drawn up within a day of the win and signed over the next days: wins of the last
  // day have none yet.
  const settled = won.filter((d) => d.closed! < now.getTime() - DAY).sort((a, b) => a.closed! - b.closed!);
  for (const [i, d] of settled.entries()) {
    const createdAt = new Date(Math.min(d.closed! + (2 + r() * 20) * HOUR, now.getTime() - 6 * HOUR));
    const signedOn = min(localDay(createdAt.getTime() + Math.floor(r() * 6) * DAY), today);
    const dues = [plus(signedOn, 10), plus(signedOn, 25), plus(signedOn, 365)];
    const overdue = i % 6 === 5;
    const half = i % 9 === 4;
    const parts = splitByRatios(yuan(d.amount), [30, 60, 10]);
    const paid = parts.map((p, k): Fen =>
      dues[k] > today || (k === 1 && overdue) ? (0 as Fen) : k === 1 && half ? (Math.floor(p / 2) as Fen) : p,
    );
    const completed = paid[0] === parts[0] && paid[1] === parts[1] && plus(signedOn, 180) < today;
    const [c] = await m.query<{ id: number }[]>(
      `INSERT INTO contract (number, customer_id, customer_name, opportunity_id, owner_id, title, amount, status,
         signed_on, start_on, end_on, payment_terms, our_signatory_name, our_signatory_title,
         customer_signatory_name, customer_signatory_title, approval_rounds, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '签约后 10 日内支付 30%，到货验收后支付 60%，质保期满支付 10%',
         '王磊', '销售总监', '李总', '总经理', 1, $12, $12, 1)
       RETURNING id`,
      [
        await nextNumber(),
        d.customer.id,
        d.customer.name,
        d.id,
        d.ownerId,
        d.title,
        d.amount,
        completed ? 'completed' : 'signed',
        signedOn,
        plus(signedOn, 7),
        plus(signedOn, 372),
        createdAt,
      ],
    );
    await m.query(
      `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total) VALUES ($1, 1, $2, '项', 1, $3, $3)`,
      [c.id, d.title, d.amount],
    );
    await m.query('INSERT INTO payment_plan (contract_id, version) VALUES ($1, 1)', [c.id]);
    const installments = await m.query<{ id: number }[]>(
      `INSERT INTO payment_installment (contract_id, position, due_on, amount, collected, note)
       SELECT $1, n, due, amount, collected, note FROM unnest($2::date[], $3::numeric[], $4::numeric[], $5::text[])
         WITH ORDINALITY AS t(due, amount, collected, note, n) ORDER BY n RETURNING id`,
      [
        c.id,
        dues,
        parts.map((p) => toNumeric(p)),
        paid.map((p) => toNumeric(p)),
        ['首付款 30%', '到货验收 60%', '质保金 10%'],
      ],
    );
    for (const [k, amount] of paid.entries()) {
      if (!amount) continue;
      const receivedOn = min(today, [plus(dues[k], Math.floor(r() * 8) - 4), signedOn].sort()[1]);
      const [payment] = await m.query<{ id: number }[]>(
        `INSERT INTO payment (contract_id, received_on, amount, method, reference, recorded_by_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, least(now(), ($2::date + time '10:00') AT TIME ZONE 'Asia/Shanghai')) RETURNING id`,
        [
          c.id,
          receivedOn,
          toNumeric(amount),
          k === 1 ? 'acceptance_bill' : 'bank_transfer',
          k === 1 ? `银承 ${c.id}0${k}` : `招商银行 ${receivedOn.replace(/-/g, '')}-${c.id}`,
          d.ownerId,
        ],
      );
      await m.query(
        'INSERT INTO payment_allocation (payment_id, installment_id, amount) VALUES ($1, $2, $3)',
        [payment.id, installments[k].id, toNumeric(amount)],
      );
      await m.query(
        `INSERT INTO invoice (contract_id, number, issued_on, amount, type, tax_rate, recorded_by_id)
         VALUES ($1, $2, $3, $4, 'vat_special', 13, $5)`,
        [c.id, `0440022${String(c.id).padStart(4, '0')}${k}`, receivedOn, toNumeric(amount), d.ownerId],
      );
    }
  }
}

/** A customer who wrote in was a customer by then: its creation moves before its first ticket. */
export async function customersBeforeTheirTickets(m: EntityManager): Promise<void> {
  await m.query(
    `UPDATE customer c SET created_at = t.first - interval '2 hours',
            owned_since = CASE WHEN c.owner_id IS NULL THEN NULL ELSE t.first - interval '2 hours' END
       FROM (SELECT customer_id, min(received_at) AS first FROM ticket GROUP BY customer_id) t
      WHERE c.id = t.customer_id AND c.created_at > t.first - interval '2 hours'`,
  );
}

/**
 * A customer who signed a contract became a paying customer (成交客户) on signing, as
 * ContractsService.sign makes it: leads and prospects with a signed or completed contract are active.
 */
export async function customersActiveOnceSigned(m: EntityManager): Promise<void> {
  await m.query(
    `UPDATE customer c SET status = 'active'
      WHERE c.status IN ('lead', 'prospect')
        AND EXISTS (SELECT 1 FROM contract k WHERE k.customer_id = c.id AND k.status IN ('signed', 'completed')
                       AND k.deleted_at IS NULL)`,
  );
}
