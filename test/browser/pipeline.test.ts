/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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
 * The pipeline board in Chromium: a rep moves a deal on a 390 px phone with the card's button (no drag
 * needed), and the board on a desktop, each screenshotted for a reader to look at.
 */
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(40);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (email: string, viewport = DESKTOP) => signedInPage(browser, t.url, email, { viewport });

describe.skipIf(browserMissing)('the pipeline board', () => {
  it('moves a deal to the next stage with its button on a phone', async () => {
    const page = await signIn('sales1@demo.kehu', PHONE);
    await page.goto(`${t.url}/opportunities`);
    const card = page.locator('.board-column[data-stage="initial_contact"] .deal-card').first();
    const id = Number(await card.getAttribute('data-id'));
    const title = (await card.locator('.deal-title').textContent())!.trim();
    const before = Number(await page.locator('[data-testid="count-needs_analysis"]').textContent());
    await card.scrollIntoViewIfNeeded();
    await card.locator('button[value="needs_analysis"]').tap();
    await page.waitForURL(`${t.url}/opportunities`);
    await expect.poll(() => page.locator('.flash').first().textContent()).toContain('商机阶段已更新');
    expect(Number(await page.locator('[data-testid="count-needs_analysis"]').textContent())).toBe(before + 1);
    const moved = page.locator(`.board-column[data-stage="needs_analysis"] .deal-card[data-id="${id}"]`);
    await expect.poll(() => moved.count()).toBe(1);
    const { rows } = await t.db.query('SELECT stage, probability FROM opportunity WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ stage: 'needs_analysis', probability: 25 });
    // The page itself does not scroll sideways on the phone: only the board does, inside it.
    const widths = await page.evaluate(() => ({
      content: document.documentElement.scrollWidth,
      window: window.innerWidth,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.window);
    await page.screenshot({ path: join(SCREENSHOTS, 'pipeline-board-phone.png'), fullPage: true });
    await page.goto(`${t.url}/opportunities/${id}`);
    expect(await page.locator('.stage-history').textContent()).toContain('初步接洽 → 需求分析');
    expect(await page.locator('h1').textContent()).toContain(title);
    await page.screenshot({ path: join(SCREENSHOTS, 'pipeline-deal-phone.png'), fullPage: true });
    await page.close();
  });

  it('shows the manager the team’s board with each column’s sums, stale deals flagged', async () => {
    const page = await signIn('manager@demo.kehu', DESKTOP);
    await page.goto(`${t.url}/opportunities`);
    for (const stage of ['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost'])
      expect(await page.locator(`[data-testid="sum-${stage}"]`).textContent()).toMatch(/^¥[\d,]+\.\d\d$/);
    expect(await page.locator('.deal-card.stale').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'pipeline-board-desktop.png'), fullPage: true });
    await page.goto(`${t.url}/opportunities?view=list`);
    expect(await page.locator('.deal-list tbody tr').count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'pipeline-list-desktop.png'), fullPage: true });
    await page.close();
  });
});
