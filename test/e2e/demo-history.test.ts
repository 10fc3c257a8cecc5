import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { DashboardService } from '../../src/dashboard/dashboard.service.js';
import { DEMO_PASSWORD, SeedService } from '../../src/seed/seed.service.js';

/**
 * The demo company's year behind today: every one of the last twelve months (in the company's zone)
 * has new customers, follow-ups, won deals, signed contracts, payments, tickets and answered surveys,
 * its records in the order they can happen, and the manager's dashboard shows figures for this month
 * and the last.
 */
let t: TestApp;
let seeded = false;

beforeAll(async () => {
  t = await startApp();
  seeded = await t.app.get(SeedService).seedDemoOnce();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('demo history', () => {
  it('seeds the year once: a second start adds nothing', async () => {
    expect(seeded).toBe(true);
    const count = async () =>
      (
        await t.db.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM customer) + (SELECT count(*) FROM follow_up) + (SELECT count(*) FROM ticket) AS n`,
        )
      ).rows[0].n;
    const before = await count();
    expect(await t.app.get(SeedService).seedDemoOnce()).toBe(false);
    expect(await count()).toBe(before);
  });

  it('has every kind of record in each of the eleven months before this one', async () => {
    // This month may have only begun, and the month a year ago only ended: the eleven between are whole.
    const { rows } = await t.db.query<Record<string, number | string>>(
      `WITH months AS (
         SELECT (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - k * interval '1 month') AS local, k
           FROM generate_series(1, 11) k),
       bounds AS (
         SELECT k, to_char(local, 'YYYY-MM') AS month, local::date AS first_day, (local + interval '1 month')::date AS next_day,
                local AT TIME ZONE 'Asia/Shanghai' AS starts, (local + interval '1 month') AT TIME ZONE 'Asia/Shanghai' AS ends
           FROM months)
       SELECT b.month,
         (SELECT count(*) FROM customer WHERE created_at >= b.starts AND created_at < b.ends)::int AS customers,
         (SELECT count(*) FROM follow_up WHERE happened_at >= b.starts AND happened_at < b.ends)::int AS follow_ups,
         (SELECT count(*) FROM opportunity WHERE stage = 'won' AND closed_at >= b.starts AND closed_at < b.ends)::int AS won,
         (SELECT count(*) FROM opportunity WHERE stage = 'lost' AND closed_at >= b.starts AND closed_at < b.ends)::int AS lost,
         (SELECT count(*) FROM contract WHERE signed_on >= b.first_day AND signed_on < b.next_day)::int AS contracts,
         (SELECT count(*) FROM payment WHERE received_on >= b.first_day AND received_on < b.next_day)::int AS payments,
         (SELECT count(*) FROM ticket WHERE received_at >= b.starts AND received_at < b.ends)::int AS tickets,
         (SELECT count(*) FROM survey_response WHERE csat IS NOT NULL AND answered_at >= b.starts AND answered_at < b.ends)::int AS surveys
       FROM bounds b ORDER BY b.k DESC`,
    );
    expect(rows).toHaveLength(11);
    for (const { month, ...counts } of rows)
      for (const [key, n] of Object.entries(counts)) expect(n, `${key} in ${month}`).toBeGreaterThan(0);
    // More customers taken on lately than a year ago.
    const half = (from: number, to: number) =>
      rows.slice(from, to).reduce((s, r) => s + Number(r.customers), 0);
    expect(half(6, 11)).toBeGreaterThan(half(0, 5));
    // Tickets of the past that ran late, and NPS answers.
    const [extra] = (
      await t.db.query(
        `SELECT (SELECT count(*) FROM ticket WHERE status = 'closed' AND resolution_breached_at IS NOT NULL
                   AND received_at < now() - interval '60 days')::int AS breached,
                (SELECT count(*) FROM ticket WHERE status = 'closed' AND (first_response_minutes IS NULL OR resolution_minutes IS NULL))::int AS unmeasured,
                (SELECT count(*) FROM survey_response WHERE nps IS NOT NULL)::int AS nps`,
      )
    ).rows;
    expect(extra.breached).toBeGreaterThan(0);
    expect(extra.unmeasured).toBe(0);
    expect(extra.nps).toBeGreaterThan(0);
  });

  it('has open deals expected to close this month, last month (slipped) and next month', async () => {
    const [row] = (
      await t.db.query(
        `WITH m AS (SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date AS first_day)
         SELECT count(*) FILTER (WHERE expected_close_date >= first_day AND expected_close_date < first_day + interval '1 month')::int AS this_month,
                count(*) FILTER (WHERE expected_close_date < first_day AND expected_close_date >= first_day - interval '1 month')::int AS last_month,
                count(*) FILTER (WHERE expected_close_date >= first_day + interval '1 month' AND expected_close_date < first_day + interval '2 months')::int AS next_month
           FROM opportunity, m WHERE stage NOT IN ('won', 'lost')`,
      )
    ).rows;
    expect(row.this_month).toBeGreaterThan(0);
    expect(row.last_month).toBeGreaterThan(0);
    expect(row.next_month).toBeGreaterThan(0);
  });

  it('keeps every record after what it follows, and nothing in the future', async () => {
    const [row] = (
      await t.db.query(
        `SELECT
           (SELECT count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id WHERE f.happened_at < c.created_at)::int AS follow_up_before_customer,
           (SELECT count(*) FROM follow_up WHERE happened_at > now())::int AS future_follow_ups,
           (SELECT count(*) FROM customer WHERE created_at > now())::int AS future_customers,
           (SELECT count(*) FROM opportunity o JOIN customer c ON c.id = o.customer_id WHERE o.created_at < c.created_at)::int AS deal_before_customer,
           (SELECT count(*) FROM opportunity_stage_change h JOIN opportunity o ON o.id = h.opportunity_id
             WHERE h.at < o.created_at - interval '1 second' OR h.at > coalesce(o.closed_at, now()) + interval '1 second')::int AS move_outside_deal,
           (SELECT count(*) FROM opportunity WHERE closed_at > now())::int AS future_closing,
           (SELECT count(*) FROM opportunity o WHERE o.closed_at IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM opportunity_stage_change h WHERE h.opportunity_id = o.id AND h.to_stage = o.stage
                 AND h.at BETWEEN o.closed_at - interval '1 second' AND o.closed_at + interval '1 second'))::int AS closed_elsewhen,
           (SELECT count(*) FROM contract k JOIN opportunity o ON o.id = k.opportunity_id
             WHERE k.signed_on < (o.closed_at AT TIME ZONE 'Asia/Shanghai')::date)::int AS signed_before_win,
           (SELECT count(*) FROM contract WHERE signed_on > (now() AT TIME ZONE 'Asia/Shanghai')::date)::int AS signed_later,
           (SELECT count(*) FROM payment p JOIN contract k ON k.id = p.contract_id
             WHERE p.received_on < k.signed_on OR p.received_on > (now() AT TIME ZONE 'Asia/Shanghai')::date)::int AS payment_outside,
           (SELECT count(*) FROM payment_installment i JOIN contract k ON k.id = i.contract_id
             WHERE k.status IN ('signed', 'completed') AND i.collected < i.amount AND i.due_on < current_date)::int AS overdue,
           (SELECT count(DISTINCT c.id) FROM customer c JOIN contract k ON k.customer_id = c.id
             WHERE k.status IN ('signed', 'completed') AND c.status IN ('lead', 'prospect'))::int AS signed_but_not_customer,
           (SELECT count(*) FROM ticket t JOIN customer c ON c.id = t.customer_id WHERE t.received_at < c.created_at)::int AS ticket_before_customer,
           (SELECT count(*) FROM ticket WHERE first_responded_at < received_at OR resolved_at < first_responded_at OR closed_at < resolved_at)::int AS ticket_disorder,
           (SELECT count(*) FROM survey_response s JOIN ticket t ON t.id = s.ticket_id WHERE s.answered_at < t.resolved_at OR s.answered_at > now())::int AS survey_disorder`,
      )
    ).rows;
    expect(row).toEqual({
      follow_up_before_customer: 0,
      future_follow_ups: 0,
      future_customers: 0,
      deal_before_customer: 0,
      move_outside_deal: 0,
      future_closing: 0,
      closed_elsewhen: 0,
      signed_before_win: 0,
      signed_later: 0,
      payment_outside: 0,
      overdue: row.overdue,
      signed_but_not_customer: 0,
      ticket_before_customer: 0,
      ticket_disorder: 0,
      survey_disorder: 0,
    });
    expect(row.overdue).toBeGreaterThan(0);
  });

  it("shows the manager's dashboard figures for the last thirty days and the thirty before", async () => {
    const dashboard = t.app.get(DashboardService);
    const {
      rows: [manager],
    } = await t.db.query<{ id: number }>(`SELECT id FROM app_user WHERE email = 'manager@demo.kehu'`);
    const scope = await dashboard.scopeOfUser(manager.id);
    // Days in Shanghai (UTC+8, no daylight saving). Thirty-day spans rather than calendar months: on
    // the first morning of a month, "this month" has rightly next to nothing in it yet.
    const day = (daysAgo: number) =>
      new Date(Date.now() + 8 * 3_600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
    for (const [from, to] of [
      [day(29), day(0)],
      [day(59), day(30)],
    ]) {
      const k = await dashboard.kpis(scope, dashboard.period('custom', new Date(), { from, to }));
      for (const key of [
        'new_customers',
        'follow_ups',
        'won_deals',
        'signed_amount',
        'collected_amount',
        'tickets',
        'csat',
      ] as const)
        expect(k[key], `${key} ${from}–${to}`).toBeGreaterThan(0);
    }
    // Open deals are expected to close this month and next: the pipeline of this month has a value.
    expect(await dashboard.kpi('pipeline_value', scope, dashboard.period('this_month'))).toBeGreaterThan(0);
    // As the page shows it: twelve months of trend, each with something signed, collected, received and rated.
    const c = new Client(t.url);
    await c.login('manager@demo.kehu', DEMO_PASSWORD);
    const page = await c.get('/dashboard?period=this_month');
    expect(page.status).toBe(200);
    const table = /<table class="table compact stacked" data-testid="trends">([\s\S]*?)<\/table>/.exec(
      page.text,
    )![1];
    const months = [...table.matchAll(/<tr>(<td[\s\S]*?)<\/tr>/g)].map((m) =>
      [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => visibleText(cell[1])),
    );
    expect(months).toHaveLength(12);
    // Every month before this one (which may have only begun).
    for (const [month, signed, collected, tickets, csat] of months.slice(0, -1)) {
      expect(signed, `signed ${month}`).not.toBe('¥0.00');
      expect(collected, `collected ${month}`).not.toBe('¥0.00');
      expect(Number(tickets), `tickets ${month}`).toBeGreaterThan(0);
      expect(csat, `CSAT ${month}`).not.toBe('—');
    }
  });
});
