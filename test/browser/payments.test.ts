/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import {
  browserMissing,
  DESKTOP,
  launchBrowser,
  PHONE,
  SCREENSHOTS,
  signedInPage,
} from '../helpers/browser.js';

/**
 * A contract's money in Chromium on the demo company: a signed contract's plan, payments and invoices,
 * the plan form, the receivables page and My day's overdue installments, at phone width (never
 * scrolling sideways) and on a desktop, each screenshotted for a reader.
 */
let t: TestApp;
let browser: Browser;
let signedId: number;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(120);
  const { rows } = await t.db.query<{ id: number }>(
    `SELECT c.id FROM contract c JOIN app_user u ON u.id = c.owner_id
      WHERE u.email = 'sales1@demo.kehu' AND c.status = 'signed' ORDER BY c.id LIMIT 1`,
  );
  signedId = rows[0].id;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (email: string, viewport = DESKTOP) => signedInPage(browser, t.url, email, { viewport });

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

describe.skipIf(browserMissing)('a contract’s money', () => {
  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('fits the %s: contract page, plan form, receivables, My day', async (name, viewport) => {
    const page = await signIn('sales1@demo.kehu', viewport);
    await page.goto(`${t.url}/contracts/${signedId}`);
    expect(await page.locator('[data-testid="collection-rate"]').textContent()).toMatch(/%$/);
    expect(await sideways(page)).toBe(false);
    await page.locator('#money').screenshot({ path: join(SCREENSHOTS, `payments-contract-${name}.png`) });
    await page.goto(`${t.url}/contracts/${signedId}/plan`);
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, `payments-plan-${name}.png`), fullPage: true });
    await page.goto(`${t.url}/contracts/receivables`);
    expect(await page.locator('.receivables-table tbody tr').count()).toBeGreaterThan(0);
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, `payments-receivables-${name}.png`), fullPage: true });
    await page.goto(`${t.url}/`);
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, `payments-my-day-${name}.png`), fullPage: true });
    await page.close();
  });
});
