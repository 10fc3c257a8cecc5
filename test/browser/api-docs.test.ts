/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, DESKTOP, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { createUser, PASSWORD } from '../helpers/factories.js';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.skipIf(browserMissing)('the API pages in Chromium', () => {
  it('/api/docs shows every resource with swagger-ui served locally, within the CSP', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, locale: 'en' });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(t.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${t.url}/api/docs`);
    await page.locator('.opblock-tag-section').first().waitFor();
    const tags = await page.locator('.opblock-tag').allTextContents();
    expect(tags.join(' ')).toMatch(/customers[\s\S]*contacts[\s\S]*follow-ups/);
    await page.locator('.opblock-summary-path').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(15);
    await page.locator('.opblock-get .opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'api-docs-desktop.png'), fullPage: false });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-docs-phone.png'), fullPage: false });
    expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('My account → API tokens makes a token and shows it once', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const page = await browser.newPage({ viewport: PHONE, locale: 'en' });
    await page.goto(`${t.url}/login`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', PASSWORD);
    await page.click('button[type=submit].primary');
    await page.waitForURL(`${t.url}/`);
    await page.goto(`${t.url}/account`);
    await page.click('a[href="/account/tokens"]');
    await page.fill('#f-name', 'ERP sync');
    await page.selectOption('#f-expiresInDays', '90');
    await page.click('form[action="/account/tokens"] button[type=submit]');
    const token = await page.locator('code.token').textContent();
    expect(token).toMatch(/^kehu_/);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-token-created-phone.png'), fullPage: true });
    // Shown on the answer to the form only: the page itself lists the token by its first characters.
    await page.goto(`${t.url}/account/tokens`);
    expect(await page.locator('code.token').count()).toBe(0);
    expect(await page.locator('[data-testid=token-row]').allTextContents()).toEqual([
      expect.stringContaining('ERP sync'),
    ]);
    await page.close();
  });

  it('an admin adds a webhook endpoint and reads its delivery log', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const page = await browser.newPage({ viewport: DESKTOP, locale: 'en' });
    await page.goto(`${t.url}/login`);
    await page.fill('#f-email', admin.email);
    await page.fill('#f-password', PASSWORD);
    await page.click('button[type=submit].primary');
    await page.waitForURL(`${t.url}/`);
    // The admin's pages are listed under Administration in the bar.
    await page.click('nav.nav .nav-group > summary');
    await page.click('nav a[href="/admin/webhooks"]');
    // Nothing listens on port 9: the test event's delivery fails and says why.
    await page.fill('#f-url', 'http://127.0.0.1:9/hooks');
    await page.check('input[name=events][value="customer.created"]');
    await page.check('input[name=internal]');
    await page.click('form[action="/admin/webhooks"] button[type=submit]');
    await page.waitForURL(/\/admin\/webhooks\/\d+$/);
    await page.click('form[action$="/test"] button');
    await page.waitForURL(/\/admin\/webhooks\/\d+$/);
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('[data-testid=delivery-row]').count();
      })
      .toBe(1);
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('[data-testid=delivery-row]').first().textContent();
      })
      .toMatch(/ping[\s\S]*Pending[\s\S]*ECONNREFUSED/);
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-desktop.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-phone.png'), fullPage: true });
    await page.close();
  });
});
