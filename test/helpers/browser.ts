import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../../src/common/paths.js';

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
