import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, decodeHtml, visibleText } from '../helpers/client.js';
import { DashboardService } from '../../src/dashboard/dashboard.service.js';
import { apiAs } from '../helpers/api.js';
import { type DashboardData, seedDashboard } from '../helpers/dashboard-data.js';
import { createTeam, createUser } from '../helpers/factories.js';

/**
 * The dashboard on a hand-made company (test/helpers/dashboard-data.ts): October 2026 in Shanghai
 * against the 31 days before it. Every expected figure below was worked out by hand from those rows.
 */
const OCTOBER = 'period=custom&from=2026-10-01&to=2026-10-31';

let t: TestApp;
let d: DashboardData;

beforeAll(async () => {
  t = await startApp();
  d = await seedDashboard(t.db);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The card of a KPI on a page: its value, its previous value's text, its change and its link. */
function card(html: string, key: string) {
  const m = new RegExp(`<div class="kpi" data-kpi="${key}">([\\s\\S]*?)</details>\\s*</div>`).exec(html);
  if (!m) throw new Error(`no card ${key}`);
  const link = /<a class="kpi-value" href="([^"]+)"[^>]*>([^<]*)<\/a>/.exec(m[1])!;
  const prev = /<span class="kpi-prev">([\s\S]*?)<span class="kpi-change/.exec(m[1]);
  const change = /data-testid="change-[^"]+">([^<]*)</.exec(m[1])!;
  return {
    href: decodeHtml(link[1]),
    value: decodeHtml(link[2]).trim(),
    // A figure not compared while the period is under way has no value before, only why.
    previous: prev ? visibleText(prev[1]) : null,
    change: decodeHtml(change[1]).trim(),
  };
}

/** A drill-down's heading count, total and the ids of its rows. */
async function drill(c: Client, href: string) {
  const page = await c.get(href);
  expect(page.status, href).toBe(200);
  const count = Number(/data-testid="drill-count">[^\d]*(\d+)/.exec(page.text)?.[1]);
  const total = /data-testid="drill-total">([^<]*)</.exec(page.text)?.[1];
  const ids = [...page.text.matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1]));
  const refs = [...page.text.matchAll(/<tr data-id="\d+">\s*<td><a href="([^"]+)"/g)].map((m) => m[1]);
  return { count, total: total === undefined ? null : decodeHtml(total), ids, refs, text: page.text };
}

describe('the dashboard of team East’s manager, October 2026', () => {
  let c: Client;
  let html: string;
  beforeAll(async () => {
    c = await signedIn(t, d.manager, 'en');
    const page = await c.get(`/dashboard?${OCTOBER}`);
    if (page.status !== 200) throw new Error(`the dashboard answered ${page.status}`);
    html = page.text;
  });

  it.each([
    // key, this period, the period before (September)
    ['new_customers', '3', '1'], // c1, c2, c5 (01:00 on 1 October in Shanghai); c3 in September
    ['follow_ups', '3', '1'],
    ['won_deals', '2', '0'],
    ['win_rate', '66.7%', '—'], // 2 won of 3 closed
    ['avg_deal_size', '¥7,500.01', '—'], // (10,000.00 + 5,000.01) / 2 = 7,500.005
    ['pipeline_value', '¥21,234.57', '¥0.00'], // 20,000.00 + 1,234.57
    ['weighted_forecast', '¥7,617.29', '¥0.00'], // 20,000 × 35% + 1,234.57 × 50% = 7,000 + 617.285
    ['sales_cycle', '15.0 days', '—'], // 20 and 10 days
    ['signed_amount', '¥20,000.50', '¥3,000.00'],
    ['collected_amount', '¥7,000.00', '¥0.00'], // the reversed ¥500 left out
    ['collection_rate', '58.3%', '—'], // 7,000 of 12,000 due in October
    ['overdue_receivables', '¥5,000.00', '¥0.00'], // k1's second installment
    ['tickets', '3', '0'],
    ['first_response_time', '60 min', '—'], // (30 + 90) / 2
    ['resolution_time', '750 min', '—'], // (540 + 960) / 2
    ['fcr_rate', '50.0%', '—'], // t1 yes, t2 three replies
    ['sla_attainment', '50.0%', '—'], // t2 answered late
    ['complaints', '2', '0'],
    ['complaint_rate', '40.0%', '0.0%'], // 2 complaints / 5 active customers
    ['backlog', '1', '0'], // t3 at 1 November 00:00
    ['backlog_age', '6.6 days', '—'], // 25 October 10:00 → 1 November 00:00
    ['csat', '3.50', '—'], // 5 and 2
    ['nps', '33.3', '—'], // 10, 9 promoters; 6 a detractor; of 3
    ['ces', '2.00', '—'],
  ])('%s is %s (before: %s)', (key, value, previous) => {
    const k = card(html, key);
    expect(k.value).toBe(value);
    expect(k.previous).toBe(`Before: ${previous}`);
  });

  it('compares with the period before', () => {
    expect(card(html, 'new_customers').change).toBe('▲ +200.0%');
    expect(card(html, 'signed_amount').change).toBe('▲ +566.7%');
    expect(card(html, 'won_deals').change).toBe('▲ +2');
  });

  it('colours a change as news: up is good for won deals, bad for overdue money and complaints', () => {
    const tone = (key: string) =>
      new RegExp(`class="kpi-change([^"]*)" data-testid="change-${key}"`).exec(html)?.[1].trim();
    expect(tone('won_deals')).toBe('kpi-good');
    expect(tone('overdue_receivables')).toBe('kpi-bad');
    expect(tone('complaints')).toBe('kpi-bad');
    // More tickets is neither.
    expect(tone('tickets')).toBe('');
  });

  it('counts the funnel from the stage history, each deal up to its furthest stage, and converts stage to stage', () => {
    const table = /data-testid="funnel-table"[\s\S]*?<\/table>/.exec(html)![0];
    const cells = [...table.matchAll(/data-testid="funnel-(\w+)">(\d+)</g)].map((m) => [m[1], Number(m[2])]);
    // Moved in October: o1 (to won), o2 (to won, skipping needs analysis), o5 (to proposal); o4 is West's.
    expect(cells).toEqual([
      ['initial_contact', 3],
      ['needs_analysis', 3],
      ['proposal', 3],
      ['negotiation', 2],
      ['won', 2],
    ]);
    expect(visibleText(table)).toContain('Needs analysis 3 100.0%');
    expect(visibleText(table)).toContain('Proposal 3 66.7%');
    expect(visibleText(table)).toContain('Negotiation 2 100.0%');
  });

  it('ranks the team by signed amount, and never lists the other team', () => {
    const board = visibleText(/data-testid="leaderboard"[\s\S]*?<\/table>/.exec(html)![0]);
    expect(board).toMatch(/Rep1 \S+ ¥12,000\.00 ¥7,000\.00 2 2 .*Rep2 \S+ ¥8,000\.50 ¥0\.00 1 1/);
    expect(board).not.toContain('West');
    expect(html).not.toContain('西部公司');
  });

  it('splits signed money by region and industry, and tickets by channel and type', () => {
    expect(visibleText(/data-testid="regions"[\s\S]*?<\/table>/.exec(html)![0])).toContain(
      '广东省 ¥12,000.00 60.0% 北京市 ¥8,000.50 40.0%',
    );
    expect(visibleText(/data-testid="channels"[\s\S]*?<\/table>/.exec(html)![0])).toContain(
      'Channel Tickets Share E-mail 1 33.3% Phone 1 33.3% WeChat 1 33.3%',
    );
    expect(visibleText(/data-testid="types"[\s\S]*?<\/table>/.exec(html)![0])).toContain('Complaint 2 66.7%');
  });

  it('ranks customers at risk with their reasons', () => {
    const risk = /data-testid="at-risk"[\s\S]*?<\/table>/.exec(html)![0];
    const first = /<tr data-customer="(\d+)">([\s\S]*?)<\/tr>/.exec(risk)!;
    expect(Number(first[1])).toBe(d.customers.c1);
    // 90 days silent (tier A) 40, one open complaint 15, overdue 20, a deal idle since 6 October 10
    expect(visibleText(first[2])).toContain('15');
    expect(visibleText(first[2])).toContain('1 open complaint');
    expect(visibleText(first[2])).toContain('Overdue payments: ¥5,000.00');
    expect(visibleText(first[2])).toMatch(/No interaction for 90 days \(tier A: every 14 days\)/);
    expect(risk).not.toContain(`data-customer="${d.customers.c4}"`);
  });

  it('draws its charts from a JSON block, with Chart.js served by Kehu', async () => {
    const data = JSON.parse(
      /<script type="application\/json" id="dashboard-charts">([\s\S]*?)<\/script>/.exec(html)![1],
    );
    expect(data.funnel.data).toEqual([3, 3, 3, 2, 2]);
    expect(data.trends.labels).toHaveLength(12);
    expect(html).not.toMatch(/<script>(?!<)/);
    const lib = await c.get('/dashboard/chart.umd.js');
    expect(lib.status).toBe(200);
    expect(lib.text).toContain('Chart');
  });

  it('links every figure to exactly the records it counts', async () => {
    const counts: [string, number][] = [
      ['new_customers', 3],
      ['follow_ups', 3],
      ['won_deals', 2],
      ['tickets', 3],
      ['complaints', 2],
      ['backlog', 1],
    ];
    for (const [key, n] of counts) {
      const k = card(html, key);
      expect(Number(k.value)).toBe(n);
      const list = await drill(c, k.href);
      expect(list.count, key).toBe(n);
      expect(list.ids, key).toHaveLength(n);
    }
    const news = await drill(c, card(html, 'new_customers').href);
    expect(news.ids.sort()).toEqual([d.customers.c1, d.customers.c2, d.customers.c5].sort());
    expect(news.refs).toContain(`/customers/${d.customers.c1}`);
    for (const key of ['signed_amount', 'collected_amount', 'pipeline_value', 'overdue_receivables']) {
      const k = card(html, key);
      expect((await drill(c, k.href)).total, key).toBe(`Total: ${k.value}`);
    }
    const complaints = await drill(c, card(html, 'complaints').href);
    expect(complaints.ids.sort()).toEqual([d.tickets.t1, d.tickets.t3].sort());
    expect(complaints.refs).toContain(`/tickets/${d.tickets.t1}`);
    const rate = await drill(c, card(html, 'collection_rate').href);
    expect(rate.total).toBe('Total: ¥12,000.00');
    // Each installment with what fell due and what of it was collected; an overdue one with what is still owed.
    const installments = visibleText((await c.get(card(html, 'collection_rate').href)).text);
    expect(installments).toMatch(/Due\s+Collected/);
    expect(installments).toMatch(/¥6,000\.00\s+¥1,000\.00/);
    const overdue = visibleText((await c.get(card(html, 'overdue_receivables').href)).text);
    expect(overdue).toContain('Still owed');
    expect(overdue).toContain('¥5,000.00');
  });

  it('drills from a chart’s table row into the records behind it', async () => {
    const href = decodeHtml(
      /data-testid="funnel-proposal" href="([^"]+)"|href="([^"]+)" data-testid="funnel-proposal"/
        .exec(html)!
        .slice(1)
        .find(Boolean)!,
    );
    const list = await drill(c, href);
    expect(list.ids.sort()).toEqual([d.deals.o1, d.deals.o2, d.deals.o5].sort());
    const october = decodeHtml(
      /<td>2026-10<\/td><td class="num" data-label="Signed"><a href="([^"]+)"/.exec(html)![1],
    );
    expect(october).toContain('from=2026-10-01&to=2026-10-31');
    expect((await drill(c, october)).total).toBe('Total: ¥20,000.50');
    const region = decodeHtml(/<td>广东省<\/td><td class="num"><a href="([^"]+)"/.exec(html)![1]);
    expect((await drill(c, region)).ids).toEqual([d.contracts.k1]);
  });

  it('drills into the contracts of customers whose industry or province is not given', async () => {
    // March 2025, a month of its own: one contract with a customer that gave neither.
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, version)
       SELECT 'HT-UNKNOWN-1', id, name, $2, 'Unknown industry', '900.00', '2025-03-10', 'signed', 1
         FROM customer WHERE id = $1 RETURNING id`,
      [d.customers.c5, d.r1.id],
    );
    const march = (await c.get('/dashboard?period=custom&from=2025-03-01&to=2025-03-31')).text;
    for (const table of ['regions', 'industries']) {
      const row = new RegExp(
        `data-testid="${table}"[\\s\\S]*?<td>Not given</td><td class="num"><a href="([^"]+)"`,
      );
      expect((await drill(c, decodeHtml(row.exec(march)![1]))).ids).toEqual([rows[0].id]);
    }
  });

  it('refuses another team or its people, and their records stay out of its lists', async () => {
    expect((await c.get(`/dashboard?${OCTOBER}&team=${d.west}`)).status).toBe(404);
    expect((await c.get(`/dashboard?${OCTOBER}&rep=${d.r3.id}`)).status).toBe(404);
    expect((await c.get(`/dashboard/drill/signed?${OCTOBER}&rep=${d.r3.id}`)).status).toBe(404);
    const signed = await drill(c, `/dashboard/drill/signed?${OCTOBER}&owner=${d.r3.id}`);
    expect(signed.count).toBe(0);
    expect((await c.get(`/dashboard/drill/nothing?${OCTOBER}`)).status).toBe(404);
  });

  it('reads a custom range given backwards, or with a day cleared, and refuses a day that does not exist', async () => {
    const backwards = await c.get('/dashboard?period=custom&from=2026-10-31&to=2026-10-01');
    expect(card(backwards.text, 'new_customers').value).toBe('3');
    expect((await c.get('/dashboard?period=custom&from=2026-02-30&to=2026-03-01')).status).toBe(422);
    // One day cleared: the other day alone; both: this month, as if no period were chosen.
    for (const query of ['from=2026-10-01&to=', 'from=&to=2026-10-01']) {
      const oneDay = await c.get(`/dashboard?period=custom&${query}`);
      expect(oneDay.status).toBe(200);
      expect(oneDay.text).toContain('name="from" value="2026-10-01"');
      expect(oneDay.text).toContain('name="to" value="2026-10-01"');
    }
    const cleared = await c.get('/dashboard?period=custom&from=&to=');
    expect(cleared.status).toBe(200);
    expect(cleared.text).toMatch(/<option value="this_month" selected>/);
  });

  it('takes days typed over a preset’s as a custom period, and a preset chosen as that preset', async () => {
    const shown = 'shown=2026-12-01..2026-12-31';
    const typed = await c.get(`/dashboard/filter?period=this_month&from=2026-10-01&to=2026-10-31&${shown}`);
    expect(typed.status).toBe(303);
    expect(typed.location).toBe('/dashboard?period=custom&from=2026-10-01&to=2026-10-31');
    expect(card((await c.get(typed.location!)).text, 'new_customers').value).toBe('3');
    const picked = await c.get(`/dashboard/filter?period=last_month&from=2026-12-01&to=2026-12-31&${shown}`);
    expect(picked.location).toBe('/dashboard?period=last_month');
    const team = await c.get(
      `/dashboard/filter?period=custom&from=2026-10-01&to=2026-10-31&team=${d.east}&${shown}`,
    );
    expect(team.location).toBe(`/dashboard?period=custom&from=2026-10-01&to=2026-10-31&team=${d.east}`);
  });

  it('narrows to one of its people', async () => {
    const page = await c.get(`/dashboard?${OCTOBER}&rep=${d.r2.id}`);
    expect(card(page.text, 'new_customers').value).toBe('1');
    expect(card(page.text, 'signed_amount').value).toBe('¥8,000.50');
  });

  it('exports its tables to XLSX, audited', async () => {
    const res = await fetch(`${t.url}/dashboard/export?${OCTOBER}`, {
      headers: { cookie: `kehu.sid=${c.sessionId}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const summary = book.getWorksheet('Summary')!;
    const rows = new Map<string, unknown[]>();
    summary.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      rows.set(String(values[0]), values);
    });
    // numbers Excel can sum and chart, shown as the page shows them (dashboard-reading.test.ts)
    expect(rows.get('New customers')).toEqual(['New customers', 3, 1, 2]);
    expect(rows.get('Signed')?.[1]).toBe(20000.5);
    expect(rows.get('Collection rate')?.[1]).toBe(7 / 12);
    const board = book.getWorksheet('Leaderboard')!;
    expect((board.getRow(2).values as unknown[]).slice(1, 3)).toEqual([
      expect.stringContaining('Rep1'),
      12000,
    ]);
    const { rows: audit } = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'dashboard' AND action = 'export' AND actor_id = $1`,
      [d.manager.id],
    );
    expect(audit).toHaveLength(1);
  });
});

describe('the dashboard of others', () => {
  it('shows a new team’s manager zeros and dashes, not errors, in both languages', async () => {
    const team = await createTeam(t.db);
    const boss = await createUser(t.db, { role: 'manager', teamId: team });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [team, boss.id]);
    for (const lang of ['en', 'zh-CN'] as const) {
      const c = await signedIn(t, boss, lang);
      const page = await c.get('/dashboard?period=this_quarter');
      expect(page.status).toBe(200);
      expect(card(page.text, 'new_customers').value).toBe('0');
      expect(card(page.text, 'win_rate').value).toBe('—');
      expect(card(page.text, 'signed_amount').value).toBe('¥0.00');
      expect(visibleText(page.text)).toContain(
        lang === 'en' ? 'No customer shows a sign of risk.' : '暂无客户出现风险信号。',
      );
    }
  });

  it('shows a manager whose team is a service desk its service alone, and a sales team its sales first', async () => {
    const desk = await createTeam(t.db);
    const lead = await createUser(t.db, { role: 'manager', teamId: desk });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [desk, lead.id]);
    await createUser(t.db, { role: 'service', teamId: desk });
    const order = (html: string) => [html.indexOf('id="h-service"'), html.indexOf('id="h-sales"')];
    // The desk sells nothing and owns no customers: no screen of zeros for them.
    const deskPage = (await (await signedIn(t, lead, 'en')).get('/dashboard')).text;
    expect(deskPage).toContain('id="h-service"');
    expect(deskPage).not.toContain('id="h-sales"');
    expect(deskPage).not.toContain('data-kpi="signed_amount"');
    expect(deskPage).not.toContain('id="h-customers"');
    const [eastService, eastSales] = order(
      (await (await signedIn(t, d.manager, 'en')).get('/dashboard')).text,
    );
    expect(eastSales).toBeGreaterThan(0);
    expect(eastSales).toBeLessThan(eastService);
  });

  it('shows a rep their own figures only, whatever the filter says', async () => {
    const c = await signedIn(t, d.r1, 'zh-CN');
    const page = await c.get(`/dashboard?${OCTOBER}&team=${d.west}&rep=${d.r2.id}`);
    expect(page.status).toBe(200);
    expect(card(page.text, 'new_customers').value).toBe('2'); // c1, c5
    expect(card(page.text, 'signed_amount').value).toBe('¥12,000.00');
    expect(card(page.text, 'tickets').value).toBe('2'); // t1, t3: about their customer
    expect(page.text).toContain('新增客户');
    expect(page.text).not.toContain('id="f-team"');
  });

  it('shows a service agent the tickets assigned to them, and no sales', async () => {
    const c = await signedIn(t, d.s1, 'en');
    const page = await c.get(`/dashboard?${OCTOBER}`);
    expect(card(page.text, 'tickets').value).toBe('2'); // t1, t2
    expect(page.text).not.toContain('data-kpi="signed_amount"');
  });

  it('shows the admin everyone, and a team when asked', async () => {
    const c = await signedIn(t, d.admin, 'en');
    const all = await c.get(`/dashboard?${OCTOBER}`);
    expect(card(all.text, 'new_customers').value).toBe('4');
    expect(card(all.text, 'signed_amount').value).toBe('¥70,000.50');
    expect(card(all.text, 'complaints').value).toBe('3');
    const west = await c.get(`/dashboard?${OCTOBER}&team=${d.west}`);
    expect(card(west.text, 'signed_amount').value).toBe('¥50,000.00');
    expect(card(west.text, 'collected_amount').value).toBe('¥20,000.00');
    expect(card(west.text, 'csat').value).toBe('1.00');
  });
});

describe('a team and a person chosen together', () => {
  const teamName = async (id: number) =>
    (await t.db.query<{ name: string }>('SELECT name FROM team WHERE id = $1', [id])).rows[0].name;
  const userName = async (id: number) =>
    (await t.db.query<{ name: string }>('SELECT name FROM app_user WHERE id = $1', [id])).rows[0].name;

  it('narrows to the person when they are of the team, and says so', async () => {
    const c = await signedIn(t, d.admin, 'en');
    const r2 = await userName(d.r2.id);
    const page = await c.get(`/dashboard?${OCTOBER}&team=${d.east}&rep=${d.r2.id}`);
    expect(page.status).toBe(200);
    expect(card(page.text, 'signed_amount').value).toBe('¥8,000.50');
    expect(visibleText(page.text)).toContain(`${r2} (team ${await teamName(d.east)}) only · Figures for`);
    const team = await c.get(`/dashboard?${OCTOBER}&team=${d.west}`);
    expect(visibleText(team.text)).toContain(`Team ${await teamName(d.west)} only · Figures for`);
  });

  it('refuses a person of another team, on the page, its drill-downs, its export and the API, in each language', async () => {
    const contradictory = `${OCTOBER}&team=${d.west}&rep=${d.r2.id}`;
    const west = await teamName(d.west);
    const r2 = await userName(d.r2.id);
    const en = await signedIn(t, d.admin, 'en');
    const page = await en.get(`/dashboard?${contradictory}`);
    expect(page.status).toBe(422);
    expect(visibleText(page.text)).toContain(
      `${r2} is not in team ${west}. Choose one of team ${west}'s people, or All teams to see ${r2}'s figures.`,
    );
    expect(page.text).not.toContain('data-kpi="signed_amount"');
    // The two ways on: the team's figures, or the person's.
    const ways = (html: string) =>
      [...html.matchAll(/<a class="button primary" href="([^"]+)" data-testid="error-link">([^<]+)</g)].map(
        (m) => [decodeHtml(m[1]), decodeHtml(m[2])],
      );
    expect(ways(page.text)).toEqual([
      [`/dashboard?${OCTOBER}&team=${d.west}`, `Show team ${west}`],
      [`/dashboard?${OCTOBER}&rep=${d.r2.id}`, `Show ${r2}`],
    ]);
    const drill = await en.get(
      `/dashboard/drill/signed?${contradictory}&dim1=${encodeURIComponent('广东省')}`,
    );
    expect(drill.status).toBe(422);
    expect(visibleText(drill.text)).toContain(`${r2} is not in team ${west}.`);
    expect(ways(drill.text)[1]).toEqual([
      `/dashboard/drill/signed?${OCTOBER}&rep=${d.r2.id}&dim1=${encodeURIComponent('广东省')}`,
      `Show ${r2}`,
    ]);
    const file = await fetch(`${t.url}/dashboard/export?${contradictory}`, {
      headers: { cookie: `kehu.sid=${en.sessionId}` },
    });
    expect(file.status).toBe(422);
    const zh = await signedIn(t, d.manager, 'zh-CN');
    const outOfReach = await zh.get(`/dashboard?${OCTOBER}&team=${d.east}&rep=${d.r3.id}`);
    expect(outOfReach.status).toBe(404); // West's rep is outside this manager's reach whatever the team says
    const admin = await signedIn(t, d.admin, 'zh-CN');
    const zhPage = await admin.get(`/dashboard?${contradictory}`);
    expect(zhPage.status).toBe(422);
    expect(visibleText(zhPage.text)).toContain(`${r2}不在${west}团队。`);
    const api = await apiAs(t, d.admin);
    const reply = await api.get(`/api/v1/kpis?from=2026-10-01&to=2026-10-31&team=${d.west}&rep=${d.r2.id}`);
    expect(reply.status).toBe(422);
    expect(reply.body.message).toContain(`is not in team ${west}`);
  });

  it('offers with a team chosen only that team’s people', async () => {
    const c = await signedIn(t, d.admin, 'en');
    const rep = (html: string) => /<select id="f-rep"[\s\S]*?<\/select>/.exec(html)![0];
    const offered = (html: string) =>
      [...rep(html).matchAll(/<optgroup label="[^"]*" data-team="(\d+)"( hidden disabled)?>/g)]
        .filter((m) => !m[2])
        .map((m) => Number(m[1]));
    const all = await c.get(`/dashboard?${OCTOBER}`);
    expect(offered(all.text)).toEqual(expect.arrayContaining([d.east, d.west]));
    const west = await c.get(`/dashboard?${OCTOBER}&team=${d.west}`);
    expect(offered(west.text)).toEqual([d.west]);
    expect(rep(west.text)).toContain(`value="${d.r3.id}"`);
  });
});

describe('GET /api/v1/kpis', () => {
  it('answers the same KPIs to a manager’s token, money exact, within their scope', async () => {
    const api = await apiAs(t, d.manager);
    const reply = await api.get('/api/v1/kpis?from=2026-10-01&to=2026-10-31');
    expect(reply.status).toBe(200);
    expect(reply.body.period).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    // A whole month is set against the whole month before.
    expect(reply.body.previous).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    expect(reply.body.kpis).toMatchObject({
      new_customers: 3,
      signed_amount: '20000.50',
      avg_deal_size: '7500.01',
      weighted_forecast: '7617.29',
      collection_rate: 7 / 12,
      complaints: 2,
      backlog: 1,
    });
    expect(reply.body.kpis.nps).toBeCloseTo(100 / 3, 10);
    expect(reply.body.kpis.win_rate).toBeCloseTo(2 / 3, 10);
    expect(reply.body.previousKpis).toMatchObject({
      new_customers: 1,
      signed_amount: '3000.00',
      win_rate: null,
    });
    expect((await api.get(`/api/v1/kpis?from=2026-10-01&to=2026-10-31&team=${d.west}`)).status).toBe(404);
    expect((await api.get('/api/v1/kpis?from=2026-10-01')).status).toBe(422);
  });

  it('answers a rep of the other team their own', async () => {
    const api = await apiAs(t, d.r3);
    const reply = await api.get('/api/v1/kpis?from=2026-10-01&to=2026-10-31');
    expect(reply.body.kpis).toMatchObject({
      new_customers: 1,
      signed_amount: '50000.00',
      collected_amount: '20000.00',
    });
  });
});

describe('DashboardService, as the weekly digest and the alert rules read it', () => {
  it('gives a manager’s KPIs by their id, for a period and the one before', async () => {
    const dashboard = t.app.get(DashboardService);
    const scope = await dashboard.scopeOfUser(d.manager.id);
    const october = dashboard.period('custom', new Date(), { from: '2026-10-01', to: '2026-10-31' });
    const kpis = await dashboard.kpis(scope, october);
    expect(kpis).toMatchObject({ new_customers: 3, signed_amount: 2_000_050, complaints: 2, backlog: 1 });
    expect(await dashboard.kpi('complaint_rate', scope, october)).toBe(0.4);
    expect(await dashboard.kpi('sla_attainment', scope, october)).toBe(0.5);
    const before = dashboard.previous(october);
    expect([before.from, before.to]).toEqual(['2026-09-01', '2026-09-30']);
    expect((await dashboard.kpis(scope, before)).signed_amount).toBe(300_000);
    const week = dashboard.period('this_week', new Date('2026-11-29T17:00:00Z'));
    expect([week.from, week.to]).toEqual(['2026-11-30', '2026-12-06']);
  });
});

describe('the customers at risk of a team with thousands of silent customers', () => {
  it('are the lowest health scores of them all, however recently the worst was heard from', async () => {
    const team = await createTeam(t.db, `Crowded ${Date.now()}`);
    const manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Crowded boss' });
    const rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Crowded rep' });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [team, manager.id]);
    // 2,100 tier C customers silent for 200 days (30 off: score 70), and one heard from yesterday with
    // two open complaints (30 off) and a CSAT of 1 last week (15 off): score 55, the worst of them.
    await t.db.query(
      `INSERT INTO customer (kind, name, name_key, owner_id, status, tier, last_interaction_at, version, created_at)
       SELECT 'company', 'Silent ' || g, 'silent ' || g, $1, 'active', 'C', now() - interval '200 days', 1,
              now() - interval '300 days'
         FROM generate_series(1, 2100) g`,
      [rep.id],
    );
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO customer (kind, name, name_key, owner_id, status, tier, last_interaction_at, version)
       VALUES ('company', 'Heard from yesterday', 'heard from yesterday', $1, 'active', 'C', now() - interval '1 day', 1)
       RETURNING id`,
      [rep.id],
    );
    const unhappy = rows[0].id;
    for (const n of [1, 2])
      await t.db.query(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, tracking_token, version)
         VALUES ('T-crowded-' || $1::int || '-' || $2::int, $1::int, 'Requester', 'phone', 'complaint', 'normal', 'open',
                 'Still broken', $3, now() - interval '2 days', 120, 1440, now(), now() + interval '1 day',
                 'tok-crowded-' || $1::int || '-' || $2::int, 1)`,
        [unhappy, n, team],
      );
    await t.db.query(
      `INSERT INTO survey_response (kind, customer_id, sent_to, token, sent_at, expires_at, answered_at, nps, csat)
       VALUES ('nps', $1, 'a@example.com', 'tok-crowded-csat-' || $1::int, now() - interval '8 days', now() + interval '20 days',
               now() - interval '7 days', 2, 1)`,
      [unhappy],
    );

    const c = await signedIn(t, manager, 'en');
    const page = await c.get('/dashboard');
    const risk = /data-testid="at-risk"[\s\S]*?<\/table>/.exec(page.text)![0];
    const shown = [...risk.matchAll(/<tr data-customer="(\d+)">/g)].map((m) => Number(m[1]));
    expect(shown[0]).toBe(unhappy);
    expect(shown).toHaveLength(20);
    expect(visibleText(/<tr data-customer="\d+">([\s\S]*?)<\/tr>/.exec(risk)![1])).toContain('55');
  });
});

describe('a month under way', () => {
  it('is compared with as many first days of the month before as have begun of it', async () => {
    const team = await createTeam(t.db, `Under way ${Date.now()}`);
    const manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Under way boss' });
    const rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Under way rep' });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [team, manager.id]);
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO customer (kind, name, name_key, owner_id, status, tier, version)
       VALUES ('company', 'Under way customer', 'under way customer', $1, 'active', 'B', 1) RETURNING id`,
      [rep.id],
    );
    // Today in Shanghai, the first and the last day of the month before: a follow-up logged on each.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const [y, m, dayOfMonth] = today.split('-').map(Number);
    const firstBefore = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
    const lastBefore = new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
    for (const day of [firstBefore, lastBefore])
      await t.db.query(
        `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version)
         VALUES ($1, $2, 'phone', ($3 || ' 10:00')::timestamp AT TIME ZONE 'Asia/Shanghai', 'Called', 1)`,
        [rows[0].id, rep.id, day],
      );
    const c = await signedIn(t, manager, 'en');
    const page = await c.get('/dashboard?period=this_month');
    // The month before's last day counts only once this month has come as far.
    const upTo =
      dayOfMonth >= Number(lastBefore.slice(8))
        ? lastBefore
        : `${firstBefore.slice(0, 8)}${String(dayOfMonth).padStart(2, '0')}`;
    expect(visibleText(page.text)).toContain(
      `each against the same days of the period before (${upTo === firstBefore ? firstBefore : `${firstBefore} – ${upTo}`});`,
    );
    expect(card(page.text, 'follow_ups').previous).toBe(`Before: ${upTo === lastBefore ? 2 : 1}`);
    // Deals expected to close and installments falling due in the rest of the month are not set
    // against a few days of the month before.
    for (const key of ['pipeline_value', 'weighted_forecast', 'collection_rate'])
      expect(card(page.text, key)).toMatchObject({
        previous: null,
        change: 'Counts the rest of the period: compared once it is over.',
      });
    expect(card(page.text, 'signed_amount').previous).toMatch(/^Before: /);
  });
});

describe('a service desk’s complaint rate', () => {
  it('counts its complaints against every active customer, as its team owns none', async () => {
    const desk = await createTeam(t.db, `Desk ${Date.now()}`);
    const lead = await createUser(t.db, { role: 'manager', teamId: desk, name: 'Desk lead' });
    const agent = await createUser(t.db, { role: 'service', teamId: desk, name: 'Desk agent' });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [desk, lead.id]);
    for (const [n, type] of [
      [1, 'complaint'],
      [2, 'complaint'],
      [3, 'consultation'],
    ] as const)
      await t.db.query(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, tracking_token, version)
         VALUES ('T-desk-' || $1::int, $2, 'Requester', 'phone', $3, 'normal', 'open', 'Desk ticket', $4, $5,
                 '2026-06-15 10:00+08', 120, 1440, '2026-06-15 12:00+08', '2026-06-16 10:00+08', 'tok-desk-' || $1::int, 1)`,
        [n, d.customers.c2, type, desk, agent.id],
      );
    const dashboard = t.app.get(DashboardService);
    const june = dashboard.period('custom', new Date(), { from: '2026-06-01', to: '2026-06-30' });
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customer WHERE status = 'active' AND deleted_at IS NULL AND merged_into_id IS NULL`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await dashboard.kpi('complaint_rate', await dashboard.scopeOfUser(lead.id), june)).toBeCloseTo(
      2 / rows[0].n,
      12,
    );
    // A sales manager's team still counts against the customers it owns (East: c1, c2, c3, c5, c6…).
    const east = await dashboard.scopeOfUser(d.manager.id);
    const { rows: owned } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customer WHERE status = 'active' AND deleted_at IS NULL AND merged_into_id IS NULL
          AND owner_id = ANY($1::int[])`,
      [east.userIds],
    );
    const october = dashboard.period('custom', new Date(), { from: '2026-10-01', to: '2026-10-31' });
    expect(await dashboard.kpi('complaint_rate', east, october)).toBeCloseTo(2 / owned[0].n, 12);
  });
});
