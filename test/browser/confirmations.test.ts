/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, launchBrowser, signedInPage } from '../helpers/browser.js';
import { createCustomer, createUser, PASSWORD } from '../helpers/factories.js';

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

const signIn = (email: string) => signedInPage(browser, t.url, email, { locale: 'en', password: PASSWORD });

/** The confirmation the page shows after a save (post/redirect/get), read once the page has loaded. */
async function confirmation(page: Page): Promise<string> {
  await page.waitForLoadState('load');
  return (await page.locator('.flash').allTextContents()).join(' ');
}

describe.skipIf(browserMissing)('confirmations after a save', () => {
  it('shows "Follow-up logged." after each of ten follow-ups saved in a row', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customerId = await createCustomer(t.db, { ownerId: rep.id });
    const page = await signIn(rep.email);
    const seen: string[] = [];
    for (let i = 1; i <= 10; i++) {
      await page.goto(`${t.url}/customers/${customerId}`);
      await page.click(`a[href="/follow-ups/new?customer=${customerId}"]`);
      await page.fill('#f-summary', `Call number ${i}`);
      await Promise.all([
        page.waitForURL(`${t.url}/customers/${customerId}`),
        page.click('form[action="/follow-ups"] button[type=submit]'),
      ]);
      seen.push(await confirmation(page));
    }
    expect(seen).toEqual(Array<string>(10).fill('Follow-up logged.'));
    const { rows } = await t.db.query('SELECT id FROM follow_up WHERE customer_id = $1', [customerId]);
    expect(rows).toHaveLength(10);
    await page.close();
  });

  it('confirms a claim and a new contact', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const pooled = await createCustomer(t.db, { ownerId: null, status: 'lead' });
    const page = await signIn(rep.email);

    await page.goto(`${t.url}/customers/${pooled}`);
    await Promise.all([
      page.waitForNavigation(),
      page.click(`form[action="/customers/${pooled}/claim"] button`),
    ]);
    expect(await confirmation(page)).toContain('The customer is yours now.');

    await page.click(`a[href="/customers/${pooled}/contacts/new"]`);
    await page.fill('#f-name', 'Wang Fang');
    await Promise.all([
      page.waitForURL(`${t.url}/customers/${pooled}`),
      page.click('form button[type=submit].primary'),
    ]);
    expect(await confirmation(page)).toContain('Contact Wang Fang added.');

    await page.close();
  });

  it('confirms a release', async () => {
    // A manager still sees the customer once it is back in the pool, so the release lands on its page.
    const manager = await createUser(t.db, { role: 'manager' });
    const customerId = await createCustomer(t.db, { ownerId: manager.id });
    const page = await signIn(manager.email);
    await page.goto(`${t.url}/customers/${customerId}`);
    page.once('dialog', (d) => void d.accept());
    await Promise.all([
      page.waitForNavigation(),
      page.click(`form[action="/customers/${customerId}/release"] button`),
    ]);
    expect(await confirmation(page)).toContain('is back in the public pool.');
    await page.close();
  });
});
