import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, decodeHtml, visibleText } from '../helpers/client.js';
import { type DashboardData, seedDashboard, sh } from '../helpers/dashboard-data.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * How the dashboard reads to the people who use it, on the hand-made company of
 * test/helpers/dashboard-data.ts (October 2026 in Shanghai): its workbook holds numbers Excel can
 * sum and chart, and only what the user's page shows; the trend chart gives CSAT its own axis and
 * leaves out money a service agent does not see; SLA attainment drills into tickets marked met or
 * missed; English counts read "1 record", "2 records"; every card explains itself.
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

async function workbook(user: UserRow, lang: 'en' | 'zh-CN' = 'en') {
  const c = await signedIn(t, user, lang);
  const res = await fetch(`${t.url}/dashboard/export?${OCTOBER}`, {
    headers: { cookie: `kehu.sid=${c.sessionId}` },
  });
  expect(res.status).toBe(200);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  return book;
}

/** A sheet's rows by their first cell, each the cells after it. */
function rowsOf(sheet: ExcelJS.Worksheet): Map<string, ExcelJS.Cell[]> {
  const rows = new Map<string, ExcelJS.Cell[]>();
  sheet.eachRow((row) => {
    const cells: ExcelJS.Cell[] = [];
    for (let i = 2; i <= sheet.columnCount; i++) cells.push(row.getCell(i));
    rows.set(String(row.getCell(1).value), cells);
  });
  return rows;
}

const number = (cell: ExcelJS.Cell) => {
  expect(cell.type, `${cell.address} is a number`).toBe(ExcelJS.ValueType.Number);
  return cell.value as number;
};

describe('the dashboard workbook', () => {
  it('writes money, rates, shares and times as numbers in their formats, money to the fen', async () => {
    const book = await workbook(d.manager);
    const summary = rowsOf(book.getWorksheet('Summary')!);

    const signed = summary.get('Signed')!;
    expect(number(signed[0])).toBe(20000.5);
    expect(signed[0].numFmt).toContain('"¥"#,##0.00');
    expect(number(signed[1])).toBe(3000);
    // ▲ +566.7%: (20,000.50 − 3,000.00) ÷ 3,000.00, shown with its arrow
    expect(number(signed[2])).toBeCloseTo(17000.5 / 3000, 10);
    expect(signed[2].numFmt).toContain('0.0%');
    expect(signed[2].numFmt).toContain('▲');

    expect(number(summary.get('Average deal size')![0])).toBe(7500.01);
    expect(number(summary.get('Weighted forecast')![0])).toBe(7617.29);

    const rate = summary.get('Collection rate')![0];
    expect(number(rate)).toBeCloseTo(7 / 12, 12);
    expect(rate.numFmt).toBe('0.0%');
    // nothing to measure the month before: an empty cell, not a dash Excel would count as text
    expect(summary.get('Win rate')![1].value).toBeNull();

    const resolution = summary.get('Resolution time')![0];
    expect(number(resolution)).toBe(750);
    expect(resolution.numFmt).toContain('min');
    const cycle = summary.get('Sales cycle')![0];
    expect(number(cycle)).toBe(15);
    expect(cycle.numFmt).toContain('days');
    expect(number(summary.get('Backlog age')![0])).toBeCloseTo(6.583, 2);
    expect(number(summary.get('CSAT')![0])).toBe(3.5);
    expect(number(summary.get('New customers')![0])).toBe(3);

    const board = book.getWorksheet('Leaderboard')!;
    expect(String(board.getRow(2).getCell(1).value)).toContain('Rep1');
    expect(number(board.getRow(2).getCell(2))).toBe(12000);
    expect(number(board.getRow(2).getCell(3))).toBe(7000);
    expect(board.getRow(2).getCell(3).numFmt).toContain('"¥"');

    const regions = rowsOf(book.getWorksheet('Regions')!);
    expect(number(regions.get('广东省')![0])).toBe(12000);
    expect(number(regions.get('广东省')![2])).toBeCloseTo(1_200_000 / 2_000_050, 12); // 60.0%
    expect(regions.get('广东省')![2].numFmt).toBe('0.0%');

    const funnel = rowsOf(book.getWorksheet('Funnel')!);
    expect(number(funnel.get('Proposal')![1])).toBeCloseTo(2 / 3, 12);

    const channels = rowsOf(book.getWorksheet('Channels')!);
    expect(number(channels.get('Phone')![1])).toBeCloseTo(1 / 3, 12);

    const trends = rowsOf(book.getWorksheet('Trends')!);
    expect(trends.get('Month')!.map((c) => c.value)).toEqual(['Signed', 'Collected', 'Tickets', 'CSAT']);
    expect(number(trends.get('2026-10')![0])).toBe(20000.5);
    expect(number(trends.get('2026-10')![3])).toBe(3.5);

    const top = book.getWorksheet('Top customers')!;
    expect(number(top.getRow(2).getCell(2))).toBe(12000);
  });

  it('writes the units in the user’s language', async () => {
    const book = await workbook(d.manager, 'zh-CN');
    const summary = rowsOf(book.worksheets[0]);
    expect(summary.get('解决时长')?.[0].numFmt ?? '').toContain('分钟');
  });

  it('holds for a service agent only what their page shows: no money, no sales', async () => {
    const book = await workbook(d.s1);
    const names = book.worksheets.map((s) => s.name);
    expect(names).not.toContain('Leaderboard');
    expect(names).not.toContain('Funnel');
    const trends = rowsOf(book.getWorksheet('Trends')!);
    expect(trends.get('Month')!.map((c) => c.value)).toEqual(['Tickets', 'CSAT']);
    expect(number(trends.get('2026-10')![0])).toBe(2); // t1, t2
    const summary = rowsOf(book.getWorksheet('Summary')!);
    expect(summary.has('Signed')).toBe(false);
    expect(summary.has('Collected')).toBe(false);
    for (const sheet of book.worksheets)
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(String(cell.numFmt ?? ''), `${sheet.name}!${cell.address}`).not.toContain('¥');
          expect(String(cell.value), `${sheet.name}!${cell.address}`).not.toContain('¥');
        }),
      );
  });
});

/** The page's chart data block. */
function charts(html: string) {
  return JSON.parse(
    /<script type="application\/json" id="dashboard-charts">([\s\S]*?)<\/script>/.exec(html)![1],
  );
}

describe('the trend chart’s data', () => {
  it('titles each axis, CSAT’s included, for a manager', async () => {
    const c = await signedIn(t, d.manager, 'en');
    const html = (await c.get(`/dashboard?${OCTOBER}`)).text;
    const trends = charts(html).trends;
    expect(trends.axes).toEqual({ money: 'Amount (¥)', tickets: 'Tickets', csat: 'CSAT (1–5)' });
    expect(trends.signed).toHaveLength(12);
    expect(trends.csat[11]).toBe(3.5);
    expect(html).not.toMatch(/<script>(?!<)/);
  });

  it('leaves out the money series a service agent’s page does not show', async () => {
    const c = await signedIn(t, d.s1, 'zh-CN');
    const trends = charts((await c.get(`/dashboard?${OCTOBER}`)).text).trends;
    expect(trends.signed).toBeUndefined();
    expect(trends.collected).toBeUndefined();
    expect(Object.keys(trends.names).sort()).toEqual(['csat', 'tickets']);
    expect(trends.axes).toEqual({ tickets: '工单数', csat: '满意度（1–5）' });
  });
});

/** A KPI card's link. */
const cardHref = (html: string, key: string) =>
  decodeHtml(
    new RegExp(`<div class="kpi" data-kpi="${key}">[\\s\\S]*?<a class="kpi-value" href="([^"]+)"`).exec(
      html,
    )![1],
  );

/** The rows of a drill-down: id → the text of its row. */
function drillRows(html: string): Map<number, string> {
  return new Map(
    [...html.matchAll(/<tr data-id="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => [Number(m[1]), visibleText(m[2])]),
  );
}

describe('the drill-down from SLA attainment', () => {
  let c: Client;
  let html: string;
  beforeEach(async () => {
    c = await signedIn(t, d.manager, 'en');
    html = (await c.get(`/dashboard?${OCTOBER}`)).text;
  });

  it('marks each resolved ticket met or missed, and lets one list either', async () => {
    const page = await c.get(cardHref(html, 'sla_attainment'));
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('Tickets resolved, against their SLA');
    // t1 answered and resolved in time; t2 answered late (both resolved at first contact or not alike)
    const rows = drillRows(page.text);
    expect(rows.get(d.tickets.t1)).toContain('✓ SLA met');
    expect(rows.get(d.tickets.t2)).toContain('✗ SLA missed');
    expect(text).not.toContain('Resolved at first contact');
    expect(visibleText(/data-testid="sla-filter">([\s\S]*?)<\/nav>/.exec(page.text)![1])).toBe(
      'All (2) SLA met (1) SLA missed (1)',
    );

    const missedHref = decodeHtml(/<a href="([^"]+)" data-sla="missed">/.exec(page.text)![1]);
    const missed = await c.get(missedHref);
    expect([...drillRows(missed.text).keys()]).toEqual([d.tickets.t2]);
    expect(visibleText(/data-testid="drill-count">([^<]*)</.exec(missed.text)![1])).toBe('1 record');
    const met = await c.get(`/dashboard/drill/resolved?${OCTOBER}&view=sla&sla=met`);
    expect([...drillRows(met.text).keys()]).toEqual([d.tickets.t1]);
    // In Chinese, each count in full-width parentheses.
    const zh = await signedIn(t, d.manager, 'zh-CN');
    const zhPage = await zh.get(cardHref(html, 'sla_attainment'));
    expect(visibleText(/data-testid="sla-filter">([\s\S]*?)<\/nav>/.exec(zhPage.text)![1])).toBe(
      '全部（2） SLA 达成（1） SLA 未达成（1）',
    );
  });

  it('gives the value column its unit, business minutes', async () => {
    for (const key of ['sla_attainment', 'resolution_time']) {
      const page = await c.get(cardHref(html, key));
      const head = visibleText(/<thead>[\s\S]*?<\/thead>/.exec(page.text)![0]);
      expect(head, key).toContain('Time to resolve (business minutes)');
      expect(drillRows(page.text).get(d.tickets.t1), key).toContain('540');
    }
    const zh = await signedIn(t, d.manager, 'zh-CN');
    const page = await zh.get(cardHref(html, 'first_response_time'));
    expect(visibleText(/<thead>[\s\S]*?<\/thead>/.exec(page.text)![0])).toContain('首次响应（工作分钟）');
  });

  it('still marks first-contact resolution from the resolution figures', async () => {
    const page = await c.get(cardHref(html, 'fcr_rate'));
    const rows = drillRows(page.text);
    expect(rows.get(d.tickets.t1)).toContain('✓ Resolved at first contact');
    expect(rows.get(d.tickets.t2)).not.toContain('✓');
  });

  it('refuses an SLA narrowing that is neither met nor missed', async () => {
    expect((await c.get(`/dashboard/drill/resolved?${OCTOBER}&view=sla&sla=late`)).status).toBe(422);
  });
});

describe('the SLA drill-down of a desk where first-contact resolution and SLA part ways', () => {
  it('marks the ticket answered once but late as missed, and the one answered thrice in time as met', async () => {
    const desk = await createTeam(t.db, `Desk ${Date.now()}`);
    const lead = await createUser(t.db, { role: 'manager', teamId: desk });
    const agent = await createUser(t.db, { role: 'service', teamId: desk });
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [desk, lead.id]);
    const customer = await createCustomer(t.db, { ownerId: lead.id, name: `Desk customer ${Date.now()}` });
    const ticket = async (n: number, replies: number, firstResponded: string) => {
      const { rows } = await t.db.query<{ id: number }>(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, first_responded_at, first_response_minutes, resolved_at, resolution_minutes,
           public_reply_count, tracking_token, version)
         VALUES ($1, $2, 'Requester', 'phone', 'technical', 'normal', 'resolved', 'Printer', $3, $4,
                 $5, 120, 1440, $6, $7, $8, 60, $9, 300, $10, $11, 1)
         RETURNING id`,
        [
          `T-desk-${desk}-${n}`,
          customer,
          desk,
          agent.id,
          sh('2026-10-14 09:00'),
          sh('2026-10-14 11:00'),
          sh('2026-10-15 09:00'),
          sh(firstResponded),
          sh('2026-10-14 16:00'),
          replies,
          `tok-desk-${desk}-${n}`,
        ],
      );
      return rows[0].id;
    };
    const onceButLate = await ticket(1, 1, '2026-10-14 13:00');
    const thriceInTime = await ticket(2, 3, '2026-10-14 10:00');

    const c = await signedIn(t, lead, 'en');
    const sla = await c.get(`/dashboard/drill/resolved?${OCTOBER}&view=sla`);
    const marks = drillRows(sla.text);
    expect(marks.get(onceButLate)).toContain('✗ SLA missed');
    expect(marks.get(thriceInTime)).toContain('✓ SLA met');
    const missed = await c.get(`/dashboard/drill/resolved?${OCTOBER}&view=sla&sla=missed`);
    expect([...drillRows(missed.text).keys()]).toEqual([onceButLate]);
    const fcr = drillRows((await c.get(`/dashboard/drill/resolved?${OCTOBER}`)).text);
    expect(fcr.get(onceButLate)).toContain('✓ Resolved at first contact');
    expect(fcr.get(thriceInTime)).not.toContain('✓');
  });
});

describe('the dashboard’s words', () => {
  it('counts in the singular for one and the plural for more, in English', async () => {
    const c = await signedIn(t, d.manager, 'en');
    const html = (await c.get(`/dashboard?${OCTOBER}`)).text;
    const risk = visibleText(/data-testid="at-risk"[\s\S]*?<\/table>/.exec(html)![0]);
    expect(risk).toContain('1 open complaint'); // c1: t3
    expect(risk).not.toContain('(s)');
    const count = async (href: string) =>
      visibleText(/data-testid="drill-count">([^<]*)</.exec((await c.get(href)).text)![1]);
    expect(await count(cardHref(html, 'backlog'))).toBe('1 record');
    expect(await count(cardHref(html, 'tickets'))).toBe('3 records');
    expect(await count(`/dashboard/drill/signed?${OCTOBER}&owner=${d.r3.id}`)).toBe('0 records');
    const zh = await signedIn(t, d.manager, 'zh-CN');
    const zhHtml = (await zh.get(`/dashboard?${OCTOBER}`)).text;
    expect(visibleText(/data-testid="at-risk"[\s\S]*?<\/table>/.exec(zhHtml)![0])).toContain('1 个未结投诉');
    expect(
      visibleText(
        /data-testid="drill-count">([^<]*)</.exec((await zh.get(cardHref(zhHtml, 'backlog'))).text)![1],
      ),
    ).toBe('共 1 条记录');
  });

  it('explains the channel and type cards in both languages', async () => {
    for (const [lang, headings, channels, types] of [
      [
        'en',
        ['Tickets by channel', 'Tickets by type'],
        'Tickets received in the period by the channel',
        'Tickets received in the period by type',
      ],
      ['zh-CN', ['工单渠道分布', '工单类型分布'], '本期收到的工单按来源渠道', '本期收到的工单按类型'],
    ] as const) {
      const c = await signedIn(t, d.manager, lang);
      const html = (await c.get(`/dashboard?${OCTOBER}`)).text;
      const card = (heading: string) =>
        visibleText(new RegExp(`<h3>${heading}</h3>[\\s\\S]*?</table>`).exec(html)![0]);
      expect(card(headings[0])).toContain(channels);
      expect(card(headings[1])).toContain(types);
    }
  });
});
