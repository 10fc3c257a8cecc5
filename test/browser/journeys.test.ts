/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pinyin } from 'pinyin-pro';
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

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(40);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const signIn = (email: string, viewport = DESKTOP, locale = 'zh-CN') =>
  signedInPage(browser, t.url, email, { viewport, locale });

/** No page may scroll sideways, on a phone least of all. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));
  expect(widths.content).toBeLessThanOrEqual(widths.window);
}

/**
 * A screenshot is taken for a reader to look at the page as a user sees it; before it is taken, the
 * test checks what the picture is meant to show: each selector's element visible (with the given
 * text), and the page not wider than the window.
 */
async function shot(page: Page, name: string, shows: Record<string, string>): Promise<void> {
  for (const [selector, text] of Object.entries(shows)) {
    const element = page.locator(selector).first();
    await expect.poll(() => element.isVisible(), { message: `${selector} visible in ${name}` }).toBe(true);
    expect(await element.textContent(), `${selector} in ${name}`).toContain(text);
  }
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(browserMissing)('browser journeys', () => {
  it.each([
    ['admin@demo.kehu', 'admin', true],
    ['manager@demo.kehu', 'manager', false],
    ['sales1@demo.kehu', 'sales', false],
    ['service1@demo.kehu', 'service', false],
  ])('%s sees the navigation of the %s role, on desktop and phone', async (email, role, admin) => {
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const page = await signIn(email, viewport);
      // On a phone the menu is folded away until the menu button is tapped.
      expect(await page.locator('nav.nav').isVisible()).toBe(size === 'desktop');
      if (size === 'phone') await page.click('label.nav-toggle-label');
      await expect.poll(() => page.locator('nav.nav a[href="/customers"]').isVisible()).toBe(true);
      expect(await page.locator('nav.nav a[href="/admin/users"]').count()).toBe(admin ? 1 : 0);
      await shot(page, `home-${role}-${size}`, {
        h1: '，您好',
        'nav.nav a[href="/customers"]': '客户',
      });
      await page.goto(`${t.url}/customers`);
      // Every role sees customers of the demo data: the list, not only its heading.
      await shot(page, `customers-${role}-${size}`, {
        h1: '客户',
        'table a[href^="/customers/"]': '',
      });
      await page.close();
    }
  });

  it('a rep creates a customer, sees the errors first, then edits it', async () => {
    const page = await signIn('sales1@demo.kehu');
    await page.goto(`${t.url}/customers/new`);
    // A company has no birthday, a person no credit code: each field shows for its kind only.
    expect(await page.locator('#f-birthday').isVisible()).toBe(false);
    await page.selectOption('#f-kind', 'person');
    expect(await page.locator('#f-birthday').isVisible()).toBe(true);
    expect(await page.locator('#f-uscc').isVisible()).toBe(false);
    await page.selectOption('#f-kind', 'company');
    await page.fill('#f-uscc', '123');
    await page.click('button[type=submit].primary');
    await expect.poll(() => page.locator('#e-name').textContent()).toContain('必填');
    expect(await page.locator('#e-uscc').textContent()).toContain('统一社会信用代码无效');
    expect(await page.locator('#f-uscc').inputValue()).toBe('123');
    await shot(page, 'customer-form-errors-desktop', {
      '#e-name': '必填',
      '#e-uscc': '统一社会信用代码无效',
    });

    await page.fill('#f-name', '杭州启明电子有限公司');
    await page.fill('#f-uscc', '91350100M000100Y43');
    await page.selectOption('#f-tier', 'A');
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/customers\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('杭州启明电子有限公司');
    expect(await page.locator('.flash').textContent()).toContain('已创建客户');

    await page.click('a[href$="/edit"]');
    await page.fill('#f-name', '杭州启明电子股份有限公司');
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/customers\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('杭州启明电子股份有限公司');
    await shot(page, 'customer-show-desktop', {
      h1: '杭州启明电子股份有限公司',
      '.flash': '已保存客户 杭州启明电子股份有限公司。',
    });
    await page.close();
  });

  it('switches the language from the header', async () => {
    const page = await signIn('sales2@demo.kehu');
    expect(await page.locator('nav.nav').textContent()).toContain('我的一天');
    await page.selectOption('#locale-select', 'en');
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('nav.nav').textContent()).toContain('My day');
    await page.goto(`${t.url}/customers`);
    expect(await page.locator('h1').textContent()).toContain('Customers');
    await page.selectOption('#locale-select', 'zh-CN');
    await expect.poll(() => page.locator('h1').textContent()).toContain('客户');
    await page.close();
  });

  it('works at phone width: a customer page, a form with errors', async () => {
    const page = await signIn('sales1@demo.kehu', PHONE);
    await page.goto(`${t.url}/customers`);
    await page.locator('table a[href^="/customers/"]').first().click();
    await page.waitForURL(/\/customers\/\d+$/);
    await shot(page, 'customer-show-phone', {
      h1: '',
      'a[href^="/follow-ups/new"]': '记录跟进',
    });
    await page.goto(`${t.url}/customers/new`);
    await page.click('button[type=submit].primary');
    await expect.poll(() => page.locator('#e-name').isVisible()).toBe(true);
    await shot(page, 'customer-form-errors-phone', { '#e-name': '必填' });
    // A form shown again after an error posted elsewhere (/follow-ups): switching language goes back to
    // the form's own page.
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/\/customers\/\d+$/);
    await page.click('a[href^="/follow-ups/new"]');
    await page.waitForURL(/\/follow-ups\/new\?customer=\d+/);
    const formPage = page.url();
    await page.click('button[type=submit].primary');
    await page.waitForURL(`${t.url}/follow-ups`);
    await page.selectOption('#locale-select', 'en');
    await page.waitForURL(formPage);
    expect(await page.locator('h1').textContent()).toContain('Log follow-up');
    // Back to Chinese, and wait until the page says so: the next journey signs in as this user again.
    await page.selectOption('#locale-select', 'zh-CN');
    await expect.poll(() => page.locator('h1').textContent()).toContain('记录跟进');
    await page.close();
  });

  it('a rep finds a customer by pinyin initials and logs a visit from a phone', async () => {
    const page = await signIn('sales1@demo.kehu', PHONE);
    await page.goto(`${t.url}/customers`);
    const firstName = (await page.locator('table a[href^="/customers/"]').first().textContent())!.trim();
    const initials = pinyin(firstName.slice(0, 4), {
      pattern: 'first',
      toneType: 'none',
      type: 'array',
    }).join('');
    await page.fill('#q', initials);
    await page.locator('form.filters button[type=submit]').first().click();
    await page.waitForURL(/q=/);
    await page.locator(`table a:has-text("${firstName}")`).first().click();
    await page.waitForURL(/\/customers\/\d+$/);
    await page.click('a[href^="/follow-ups/new"]');
    await page.check('input[name=method][value=visit]');
    await page.fill('#f-summary', '现场拜访，确认了下季度的采购需求。');
    await page.fill('#f-promises', '三天内发送报价。');
    expect(await page.locator('#f-summary').inputValue()).toBe('现场拜访，确认了下季度的采购需求。');
    await shot(page, 'follow-up-form-phone', {
      h1: '记录跟进',
      'button[type=submit].primary': '',
    });
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/customers\/\d+$/);
    expect(await page.locator('.timeline').textContent()).toContain('现场拜访，确认了下季度的采购需求。');
    expect(await page.locator('.promises').textContent()).toContain('三天内发送报价。');
    await shot(page, 'customer-after-visit-phone', {
      '.timeline': '现场拜访，确认了下季度的采购需求。',
      '.promises': '三天内发送报价。',
    });
    await page.close();
  });

  it('a rep imports a spreadsheet, sees the bad row, and imports it again fixed', async () => {
    const page = await signIn('sales3@demo.kehu');
    const upload = async (rows: string[]) => {
      await page.goto(`${t.url}/customers/import`);
      const csv = ['客户名称,联系人,手机', ...rows].join('\r\n');
      await page.setInputFiles('#f-file', {
        name: '客户.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      await page.click('button[type=submit].primary');
      await page.waitForURL(/\/customers\/import\/[0-9a-f-]{36}$/);
      await page.click('button[type=submit].primary'); // the proposed columns are right
      await page.waitForSelector('form[action$="/run"]', { timeout: 20_000 });
    };
    await upload(['佛山远航陶瓷有限公司,陈伟,13912340001', '东莞恒通五金有限公司,黄丽,1391234']);
    expect(await page.locator('.errors-table').textContent()).toContain('手机号应为 11 位');
    expect(await page.locator('h1').textContent()).toContain('客户.csv');
    await shot(page, 'import-preview-desktop', {
      h1: '客户.csv',
      '.errors-table': '手机号应为 11 位',
      'form[action$="/run"] button[type=submit].primary': '',
    });
    await page.click('form[action$="/run"] button[type=submit].primary');
    await page.waitForSelector('text=导入完成', { timeout: 20_000 });
    expect(await page.locator('main').textContent()).toContain('新建 1 个，更新 0 个，未导入 1 行。');

    await upload(['东莞恒通五金有限公司,黄丽,13912340002']);
    await page.click('form[action$="/run"] button[type=submit].primary');
    await page.waitForSelector('text=导入完成', { timeout: 20_000 });
    await page.goto(`${t.url}/customers?q=dghtwj`);
    expect(await page.locator('table').textContent()).toContain('东莞恒通五金有限公司');
    await page.close();
  });
});
