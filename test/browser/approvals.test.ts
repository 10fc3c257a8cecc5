/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalsService } from '../../src/approvals/approvals.service.js';
import { ViewEngine } from '../../src/common/view-engine.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { UsersService } from '../../src/users/users.service.js';
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
 * The approvals inbox in Chromium: the demo manager reads what waits for them on a 390 px phone
 * without the page scrolling sideways, and the admin finds the approval rules in the settings; each
 * screenshotted for a reader to look at.
 */
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(40);
  const approvals = t.app.get(ApprovalsService);
  approvals.registerSubject({ kind: 'sample', decided: async () => {} });
  const { rows } = await t.db.query<{ id: number; email: string }>(
    `SELECT id, email FROM app_user WHERE email IN ('manager@demo.kehu', 'sales1@demo.kehu')`,
  );
  const id = (email: string) => rows.find((r) => r.email === email)!.id;
  await t.app.get(DataSource).transaction(async (m) => {
    for (const n of [1, 2])
      await approvals.submit(m, {
        kind: 'sample',
        subjectId: n,
        title: `HT-2026-000${n} 北京华信科技有限公司 服务器扩容及三年运维服务`,
        url: '/approvals',
        amount: '1280000.00',
        requestedBy: id('sales1@demo.kehu'),
        steps: [{ mode: 'any', approverIds: [id('manager@demo.kehu')], labelKey: 'approval.step.manager' }],
      });
  });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (email: string, viewport = DESKTOP) => signedInPage(browser, t.url, email, { viewport });

describe.skipIf(browserMissing)('the approvals inbox', () => {
  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('shows what waits for the manager on a %s', async (size, viewport) => {
    const page = await signIn('manager@demo.kehu', viewport);
    // My day lists them too, each line wrapped within its card, however long the deal's name.
    const card = page.locator('section.approvals-waiting');
    expect(await card.locator('li').count()).toBeGreaterThan(0);
    const fits = await card.evaluate((el) =>
      [...el.querySelectorAll('li > *')].every((e) => e.scrollWidth <= e.clientWidth),
    );
    expect(fits).toBe(true);
    if (size === 'phone') await page.click('label.nav-toggle-label');
    await page.click('nav.nav a[href="/approvals"]');
    await page.waitForURL(`${t.url}/approvals`);
    // The two rounds this test submitted, beside what the demo company has waiting.
    const rows = page.locator('.approvals-waiting tbody tr', { hasText: '服务器扩容及三年运维服务' });
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('¥1,280,000.00');
    const widths = await page.evaluate(() => ({
      content: document.documentElement.scrollWidth,
      window: window.innerWidth,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.window);
    await page.screenshot({ path: join(SCREENSHOTS, `approvals-inbox-${size}.png`), fullPage: true });
    await page.close();
  });

  it("shows a record page's approval history and decision form on a phone", async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `SELECT id FROM app_user WHERE email = 'manager@demo.kehu'`,
    );
    const manager = (await t.app.get(UsersService).findForSession(rows[0].id))!;
    const history = await t.app.get(ApprovalsService).history('sample', 1, manager);
    // The partial as the quote and contract pages include it, in the site's layout.
    const html = t.app.get(ViewEngine).render('partials/approval-history', {
      layout: 'main',
      locale: 'zh-CN',
      locales: ['zh-CN', 'en'],
      timezone: 'Asia/Shanghai',
      csrfToken: 'token',
      currentUrl: '/',
      history,
      returnTo: '/contracts/1',
    });
    const page = await browser.newPage({ viewport: PHONE, locale: 'zh-CN', hasTouch: true });
    await page.goto(`${t.url}/login`);
    await page.setContent(html, { waitUntil: 'load' });
    expect(await page.locator('form.approval-decide button[value="approve"]').isVisible()).toBe(true);
    expect(await page.locator('.approval-round').textContent()).toContain('李明 Li Ming');
    const widths = await page.evaluate(() => ({
      content: document.documentElement.scrollWidth,
      window: window.innerWidth,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.window);
    await page.screenshot({ path: join(SCREENSHOTS, 'approval-history-phone.png'), fullPage: true });
    await page.close();
  });

  it('has the approval rules in the admin settings, in Chinese', async () => {
    const page = await signIn('admin@demo.kehu', PHONE);
    await page.goto(`${t.url}/admin/settings`);
    const section = page.locator('#settings-approvals');
    expect(await section.textContent()).toContain('总经理');
    await section.screenshot({ path: join(SCREENSHOTS, 'approvals-settings-phone.png') });
    await page.close();
  });
});
