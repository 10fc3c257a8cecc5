/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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

async function signIn(viewport: typeof DESKTOP, locale: 'en' | 'zh-CN') {
  await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [d.manager.id, locale]);
  const page = await browser.newPage({ viewport, locale, hasTouch: viewport === PHONE });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', d.manager.email);
  await page.fill('#f-password', PASSWORD);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${t.url}/`);
  return { page, problems };
}

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

describe.skipIf(browserMissing)('the dashboard in Chromium', () => {
  it('a manager reads it on a phone in Chinese, the charts drawn, and drills into a figure', async () => {
    const { page, problems } = await signIn(PHONE, 'zh-CN');
    await page.goto(`${t.url}/dashboard?${OCTOBER}`);
    await expect.poll(() => drawn(page)).toEqual(['funnel', 'leaderboard', 'channels', 'trends']);
    expect(await page.locator('h1').textContent()).toBe('数据看板');
    expect(await page.locator('[data-testid=kpi-new_customers]').textContent()).toBe('3');
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
});
