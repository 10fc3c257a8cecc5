/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { createCustomer, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let browser: Browser;
let rep: UserRow;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', name: '李明' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A phone signed in as the rep; `geolocation` given, the page may read the phone's position. */
async function phone(
  locale: 'en' | 'zh-CN' = 'en',
  geolocation?: { latitude: number; longitude: number; accuracy: number },
): Promise<{ context: BrowserContext; page: Page }> {
  await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [rep.id, locale]);
  const context = await browser.newContext({
    viewport: PHONE,
    locale,
    isMobile: true,
    hasTouch: true,
    ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
  });
  const page = await context.newPage();
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', rep.email);
  await page.fill('#f-password', PASSWORD);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${t.url}/`);
  return { context, page };
}

const followUps = async (customerId: number) =>
  (
    await t.db.query<{ summary: string; location: string | null; method: string }>(
      'SELECT summary, location, method FROM follow_up WHERE customer_id = $1 ORDER BY id',
      [customerId],
    )
  ).rows;

describe.skipIf(browserMissing)('field visits (外勤) on a phone', () => {
  it('fills the location from the phone and shows it on the timeline', async () => {
    const customerId = await createCustomer(t.db, { ownerId: rep.id, name: '成都远达物流有限公司' });
    const { context, page } = await phone('zh-CN', { latitude: 30.5728, longitude: 104.0668, accuracy: 20 });
    await page.goto(`${t.url}/follow-ups/new?customer=${customerId}`);
    await page.fill('#f-location', '天府大道 100 号');
    await page.click('button[data-locate]');
    await expect
      .poll(() => page.inputValue('#f-location'))
      .toBe('天府大道 100 号 · 30.57280, 104.06680 (±20 m)');
    await page.fill('#f-summary', '上门拜访，演示了产品。');
    await page.screenshot({ path: join(SCREENSHOTS, 'field-visit-form-phone-zh.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(`${t.url}/customers/${customerId}`),
      page.click('form.follow-up-form button[type=submit]'),
    ]);
    expect(await page.locator('.timeline').textContent()).toContain(
      '地点：天府大道 100 号 · 30.57280, 104.06680 (±20 m)',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'field-visit-timeline-phone-zh.png'), fullPage: true });
    expect(await followUps(customerId)).toEqual([
      {
        summary: '上门拜访，演示了产品。',
        location: '天府大道 100 号 · 30.57280, 104.06680 (±20 m)',
        method: 'visit',
      },
    ]);
    await context.close();
  });

  it('asks for the address when the phone gives no position', async () => {
    const customerId = await createCustomer(t.db, { ownerId: rep.id });
    const { context, page } = await phone('en'); // no permission: the position is refused
    await page.goto(`${t.url}/follow-ups/new?customer=${customerId}`);
    await page.click('button[data-locate]');
    await expect
      .poll(() => page.locator('[data-locate-status]').textContent())
      .toBe('Your location is not available: type the address instead.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-location');
    await context.close();
  });

  it('keeps a visit typed with no connection on the phone and sends it when the connection returns', async () => {
    const customerId = await createCustomer(t.db, { ownerId: rep.id, name: 'Offline Visit Ltd' });
    const { context, page } = await phone('en');
    await page.goto(`${t.url}/follow-ups/new?customer=${customerId}`);
    await page.fill('#f-summary', 'Visited the plant in the hills, no signal.');
    await page.fill('#f-location', 'Plant 2, Longquanyi');
    await context.setOffline(true);
    await page.click('form.follow-up-form button[type=submit]');
    await expect
      .poll(() => page.locator('[data-draft-notice]').textContent())
      .toContain('No connection: the follow-up is kept on this phone');
    expect(page.url()).toBe(`${t.url}/follow-ups/new?customer=${customerId}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'field-visit-offline-phone-en.png'), fullPage: true });
    expect(await followUps(customerId)).toEqual([]);
    const kept = await page.evaluate(
      () => JSON.parse(localStorage.getItem('kehu.drafts') ?? '[]') as unknown[],
    );
    expect(kept).toHaveLength(1);

    await context.setOffline(false);
    await expect
      .poll(() => followUps(customerId), { timeout: 10_000 })
      .toEqual([
        {
          summary: 'Visited the plant in the hills, no signal.',
          location: 'Plant 2, Longquanyi',
          method: 'visit',
        },
      ]);
    await expect
      .poll(() => page.locator('[data-draft-notice]').textContent())
      .toBe('The follow-up for Offline Visit Ltd kept on this phone has been sent.');
    expect(await page.evaluate(() => localStorage.getItem('kehu.drafts'))).toBeNull();

    // Pressing Save again on the same form afterwards does not log it twice.
    await Promise.all([
      page.waitForURL(`${t.url}/customers/${customerId}`),
      page.click('form.follow-up-form button[type=submit]'),
    ]);
    expect(await page.locator('.flash').first().textContent()).toBe(
      'This form was sent before: here is what it saved.',
    );
    expect(await followUps(customerId)).toHaveLength(1);
    await context.close();
  });

  it('sends a draft kept while offline from whichever page is open when the connection returns', async () => {
    const customerId = await createCustomer(t.db, { ownerId: rep.id, name: 'Closed Tab Ltd' });
    const { context, page } = await phone('en');
    await page.goto(`${t.url}/follow-ups/new?customer=${customerId}`);
    await page.fill('#f-summary', 'Typed in the lift.');
    await context.setOffline(true);
    await page.click('form.follow-up-form button[type=submit]');
    await expect.poll(() => page.locator('[data-draft-notice]').isVisible()).toBe(true);
    await page.close();
    // Later, Kehu is opened again with a connection: My day sends what waited.
    await context.setOffline(false);
    const later = await context.newPage();
    await later.goto(`${t.url}/`);
    await expect.poll(() => followUps(customerId), { timeout: 10_000 }).toHaveLength(1);
    await expect
      .poll(() => later.locator('[data-draft-notice]').textContent())
      .toBe('The follow-up for Closed Tab Ltd kept on this phone has been sent.');
    await context.close();
  });

  it('logs one follow-up when Back is pressed after saving and Save is pressed again', async () => {
    const customerId = await createCustomer(t.db, { ownerId: rep.id });
    const { context, page } = await phone('en');
    await page.goto(`${t.url}/customers/${customerId}`);
    await page.click(`a[href="/follow-ups/new?customer=${customerId}"]`);
    await page.fill('#f-summary', 'Called once');
    await Promise.all([
      page.waitForURL(`${t.url}/customers/${customerId}`),
      page.click('form.follow-up-form button[type=submit]'),
    ]);
    await page.goBack();
    await page.waitForURL(`${t.url}/follow-ups/new?customer=${customerId}`);
    expect(await page.inputValue('#f-summary')).toBe('Called once');
    await Promise.all([
      page.waitForURL(`${t.url}/customers/${customerId}`),
      page.click('form.follow-up-form button[type=submit]'),
    ]);
    expect(await page.locator('.flash').first().textContent()).toBe(
      'This form was sent before: here is what it saved.',
    );
    expect(await followUps(customerId)).toHaveLength(1);
    await context.close();
  });
});
