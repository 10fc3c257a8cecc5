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
 * Contracts in Chromium: a rep makes one with two lines on a 390 px phone (the page never scrolls
 * sideways), and its A4 print is printed to PDF on a desktop, each screenshotted for a reader.
 */
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(120);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (email: string, viewport = DESKTOP) => signedInPage(browser, t.url, email, { viewport });

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

describe.skipIf(browserMissing)('contracts', () => {
  it('are made with their lines on a phone, and the pages fit its width', async () => {
    const page = await signIn('sales1@demo.kehu', PHONE);
    await page.goto(`${t.url}/contracts`);
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'contracts-list-phone.png'), fullPage: true });
    await page.goto(`${t.url}/contracts/new`);
    await page.locator('a[href^="/contracts/new?customer="]').first().tap();
    await page.waitForURL(/customer=\d+/);
    await page.fill('#f-title', '手机上签的合同');
    await page.fill('input[name="lines[0][item]"]', '服务器');
    await page.fill('input[name="lines[0][quantity]"]', '2');
    await page.fill('input[name="lines[0][unitPrice]"]', '68,000');
    await page.fill('input[name="lines[1][item]"]', '安装调试');
    await page.fill('input[name="lines[1][quantity]"]', '1.5');
    await page.fill('input[name="lines[1][unitPrice]"]', '3.33');
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'contracts-form-phone.png'), fullPage: true });
    await page.locator('form.contract-form button[type=submit].primary').click();
    await page.waitForURL(/\/contracts\/\d+$/);
    expect(await page.locator('[data-testid="amount"]').textContent()).toBe('¥136,005.00');
    expect(await page.locator('[data-testid="amount-in-words"]').textContent()).toBe('壹拾叁万陆仟零伍元整');
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'contracts-show-phone.png'), fullPage: true });
    await page.close();
  });

  it('prints a signed contract on A4 from the template, in Chinese', async () => {
    const page = await signIn('sales1@demo.kehu', DESKTOP);
    await page.goto(`${t.url}/contracts?status=signed`);
    await page.locator('.contract-list tbody tr a').first().click();
    await page.waitForURL(/\/contracts\/\d+$/);
    const number = (await page.locator('h1').textContent())!.trim().split(' ')[0];
    await page.goto(`${page.url()}/print`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    const text = (await page.locator('.contract-sheet').textContent())!;
    expect(text).toContain(`合同编号：${number}`);
    expect(text).toMatch(/大写：[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+/);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: join(SCREENSHOTS, 'contracts-print.png'), fullPage: true });
    await page.close();
  });
});
