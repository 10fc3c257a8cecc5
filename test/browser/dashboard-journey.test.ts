/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, DESKTOP, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { type DashboardData, seedDashboard } from '../helpers/dashboard-data.js';
import { PASSWORD } from '../helpers/factories.js';

/**
 * A manager's morning look at the dashboard in Chromium: on a 390 px phone in Chinese and on a desktop
 * in English, with the charts drawn by Chart.js (no console error, the CSP holding), then a drill from
 * a KPI into the records it counts. Screenshots at each width for a reader to look at.
 */
const OCTOBER = 'period=custom&from=2026-10-01&to=2026-10-31';

let t: TestApp;
let browser: Browser;
let d: DashboardData;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  d = await seedDashboard(t.db);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(viewport: typeof DESKTOP, locale: 'en' | 'zh-CN', user = d.manager) {
  await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [user.id, locale]);
  const page = await browser.newPage({ viewport, locale, hasTouch: viewport === PHONE });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', user.email);
  await page.fill('#f-password', PASSWORD);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${t.url}/`);
  return { page, problems };
}

/** Whether an element lies wholly within the viewport's width, shown (not scrolled out of a box sideways). */
const onScreen = async (page: Page, el: Locator) => {
  const box = await el.boundingBox();
  const width = page.viewportSize()!.width;
  const clipped = await el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    for (let p = node.parentElement; p; p = p.parentElement) {
      const c = p.getBoundingClientRect();
      if (getComputedStyle(p).overflowX !== 'visible' && (r.left < c.left || r.right > c.right + 0.5))
        return true;
    }
    return false;
  });
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= width && !clipped;
};

/** The charts Chart.js drew: canvases holding a chart with a size. */
const drawn = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')]
      .filter(
        (c) =>
          (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c) &&
          c.width > 0 &&
          c.height > 0,
      )
      .map((c) => c.dataset.chart),
  );

/**
 * The trend chart as drawn: each axis shown (with its title and width on the canvas) and the series
 * on it, and October's CSAT read back from its line's point on the axis it is drawn against.
 */
const trendChart = (page: Page) =>
  page.evaluate(() => {
    type Scale = {
      id: string;
      width: number;
      options: { display: boolean | string; title: { text: string } };
    };
    type ChartOf = {
      scales: Record<string, Scale & { getValueForPixel(y: number): number }>;
      data: { datasets: { label: string; yAxisID: string }[] };
      getDatasetMeta(i: number): { data: { y: number }[] };
    };
    const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-chart="trends"]')!;
    const chart = (
      window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartOf } }
    ).Chart.getChart(canvas);
    const csat = chart.data.datasets.findIndex((s) => s.yAxisID === 'score');
    const october = chart.getDatasetMeta(csat).data[11];
    return {
      axes: Object.values(chart.scales)
        .filter((s) => s.id !== 'x' && s.options.display !== false && s.width > 0)
        .map((s) => [s.id, s.options.title.text]),
      series: chart.data.datasets.map((s) => s.label),
      octoberCsat: Math.round(chart.scales.score.getValueForPixel(october.y) * 100) / 100,
    };
  });

describe.skipIf(browserMissing)('the dashboard in Chromium', () => {
  it('a manager reads it on a phone in Chinese, the charts drawn, and drills into a figure', async () => {
    const { page, problems } = await signIn(PHONE, 'zh-CN');
    await page.goto(`${t.url}/dashboard?${OCTOBER}`);
    await expect.poll(() => drawn(page)).toEqual(['funnel', 'leaderboard', 'channels', 'trends']);
    expect(await page.locator('h1').textContent()).toBe('数据看板');
    expect(await page.locator('[data-testid=kpi-new_customers]').textContent()).toBe('3');
    // CSAT on its own titled axis, read as a score and not against the ticket count.
    expect(await trendChart(page)).toEqual({
      axes: [
        ['count', '工单数'],
        ['score', '满意度（1–5）'],
        ['money', '金额（¥）'],
      ],
      series: ['签约', '回款', '工单', '满意度'],
      octoberCsat: 3.5,
    });
    // Every month's figures on the phone's screen, CSAT (the last) included, each under its label.
    const october = page.locator('[data-testid=trends] tbody tr').nth(11);
    await october.scrollIntoViewIfNeeded();
    expect(await onScreen(page, october.locator('td:last-child'))).toBe(true);
    expect(
      await october.locator('td:last-child').evaluate((td) => getComputedStyle(td, '::before').content),
    ).toBe('"满意度"');
    expect(await october.locator('td:last-child').innerText()).toBe('3.50');
    await page
      .locator('section[aria-labelledby=h-trends]')
      .screenshot({ path: join(SCREENSHOTS, 'dashboard-phone-zh-trends.png') });
    // Nothing wider than the phone: the page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone-zh.png'), fullPage: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone-zh-top.png') });
    for (const [i, card] of (await page.locator('.dash-grid > .card').all()).entries())
      await card.screenshot({ path: join(SCREENSHOTS, `dashboard-phone-zh-card-${i + 1}.png`) });

    await Promise.all([
      page.waitForURL(/\/dashboard\/drill\/new_customers/),
      page.click('[data-testid=kpi-new_customers]'),
    ]);
    expect(await page.locator('[data-testid=drill-count]').textContent()).toBe('共 3 条记录');
    expect(await page.locator('[data-testid=drill-rows] tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-drill-phone-zh.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(new RegExp(`/customers/${d.customers.c1}$`)),
      page.click(`[data-testid=drill-rows] tr[data-id="${d.customers.c1}"] td:first-child a`),
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a manager reads it on a desktop in English and drills from the funnel', async () => {
    const { page, problems } = await signIn(DESKTOP, 'en');
    await page.goto(`${t.url}/dashboard?${OCTOBER}`);
    await expect.poll(() => drawn(page)).toEqual(['funnel', 'leaderboard', 'channels', 'trends']);
    expect(await page.locator('h1').textContent()).toBe('Dashboard');
    expect(await page.locator('[data-testid=kpi-signed_amount]').textContent()).toBe('¥20,000.50');
    // On a desktop the trends stay a table with its header, CSAT the last column.
    const csat = page.locator('[data-testid=trends] thead th:last-child');
    await csat.scrollIntoViewIfNeeded();
    expect(await csat.textContent()).toBe('CSAT');
    expect(await onScreen(page, csat)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-desktop-en.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(/\/dashboard\/drill\/funnel/),
      page.click('[data-testid=funnel-proposal]'),
    ]);
    expect(await page.locator('[data-testid=drill-count]').textContent()).toBe('3 records');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-drill-desktop-en.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an admin choosing a team is offered only its people, and a person of another team is unselected', async () => {
    const { page, problems } = await signIn(DESKTOP, 'en', d.admin);
    await page.goto(`${t.url}/dashboard?${OCTOBER}&rep=${d.r2.id}`);
    const offered = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLOptionElement>('#f-rep option')]
          .filter((o) => !o.disabled && !o.closest('[hidden]') && o.value !== '')
          .map((o) => Number(o.value)),
      );
    expect(await offered()).toEqual(expect.arrayContaining([d.r1.id, d.r2.id, d.r3.id]));
    await page.selectOption('#f-team', String(d.west));
    expect(await offered()).toEqual(expect.arrayContaining([d.r3.id, d.westManager.id]));
    expect(await offered()).not.toContain(d.r2.id);
    expect(await page.inputValue('#f-rep')).toBe('');
    // Another period, the team and the person left at "all": sent as empty parameters, the page's
    // address is the period alone.
    await page.selectOption('#f-team', '');
    await page.selectOption('#f-period', 'last_month');
    await Promise.all([
      page.waitForURL(/period=last_month/),
      page.click('form.dashboard-filters button[type=submit]'),
    ]);
    expect(new URL(page.url()).search).toBe('?period=last_month');
    expect(await page.locator('[data-testid=kpi-signed_amount]').count()).toBe(1);
    await page.goto(`${t.url}/dashboard?${OCTOBER}`);
    await page.selectOption('#f-team', String(d.west));
    await page.selectOption('#f-rep', String(d.r3.id));
    await Promise.all([page.waitForURL(/rep=/), page.click('form.dashboard-filters button[type=submit]')]);
    expect(await page.locator('[data-testid=dashboard-scope]').textContent()).toMatch(
      /^West rep .* \(team West .*\) only$/,
    );
    expect(await page.locator('[data-testid=kpi-signed_amount]').textContent()).toBe('¥50,000.00');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a service agent’s trend chart leaves out the money their page does not show', async () => {
    const { page, problems } = await signIn(PHONE, 'en', d.s1);
    await page.goto(`${t.url}/dashboard?${OCTOBER}`);
    await expect.poll(() => drawn(page)).toEqual(['channels', 'trends']);
    expect(await trendChart(page)).toEqual({
      axes: [
        ['count', 'Tickets'],
        ['score', 'CSAT (1–5)'],
      ],
      series: ['Tickets', 'CSAT'],
      octoberCsat: 3.5,
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone-en-agent.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
