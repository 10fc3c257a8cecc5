import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../src/common/paths.js';
import { DEMO_PASSWORD } from '../../src/seed/seed.service.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results');

/**
 * Browser tests need Debian's Chromium. Without it they are skipped on a developer machine; in CI
 * (CI=true) a missing browser fails the run instead.
 */
export const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && process.env.CI === 'true')
  throw new Error(`Chromium not found at ${CHROMIUM}: CI must install it (apt-get install chromium)`);

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * A new page signed in as `email` the way a user signs in: the form, then My day. A phone-sized
 * viewport gets touch; the browser asks for `locale` (the account's own language, once chosen, wins).
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  { viewport = DESKTOP, locale = 'zh-CN', password = DEMO_PASSWORD } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport, locale, hasTouch: viewport.width <= PHONE.width });
  await page.goto(`${baseUrl}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${baseUrl}/`);
  return page;
}
