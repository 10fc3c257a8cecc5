/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, DESKTOP, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

/**
 * /admin/calendar in Chromium: an admin on a 390 px phone and on a desktop asks when a ticket that
 * arrives the evening before National Day with a 2-hour target is due, reads the answer, and the page
 * never scrolls sideways; each screenshotted for a reader to look at.
 */
let t: TestApp;
let browser: Browser;
let admin: UserRow;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin', locale: 'zh-CN' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.skipIf(browserMissing)('the business calendar page', () => {
  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('previews a due time on a %s', async (size, viewport) => {
    const page = await browser.newPage({ viewport, locale: 'zh-CN', hasTouch: viewport === PHONE });
    await page.goto(`${t.url}/login`);
    await page.fill('#f-email', admin.email);
    await page.fill('#f-password', PASSWORD);
    await page.click('button[type=submit].primary');
    await page.waitForURL(`${t.url}/`);
    if (size === 'phone') await page.click('label.nav-toggle-label');
    // The admin's pages are listed under Administration in the bar.
    await page.click('nav.nav .nav-group > summary');
    await page.click('nav.nav a[href="/admin/calendar"]');
    await page.waitForURL(`${t.url}/admin/calendar`);
    await page.fill('#f-from', '2026-09-30T17:00');
    await page.fill('#f-minutes', '120');
    await page.click('#calendar-preview button[type=submit]');
    await page.waitForURL(/minutes=120/);
    expect(await page.locator('.calendar-due').textContent()).toContain(
      '到期时间：2026-10-08 10:00（星期四）',
    );
    const widths = await page.evaluate(() => ({
      content: document.documentElement.scrollWidth,
      window: window.innerWidth,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.window);
    await page.screenshot({ path: join(SCREENSHOTS, `calendar-${size}.png`), fullPage: true });
    await page.close();
  });
});
