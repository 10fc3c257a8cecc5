/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';

/**
 * The sales and service pages as a rep and an agent use them on a 390 px phone, in Chinese: what a
 * form says after a refusal is where the eye is, nothing sticks out of the screen, and the cards of a
 * page and the fields of a card keep their places.
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

async function signIn(email: string): Promise<Page> {
  const page = await browser.newPage({ viewport: PHONE, locale: 'zh-CN', hasTouch: true });
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', DEMO_PASSWORD);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${t.url}/`);
  if ((await page.locator('html').getAttribute('lang')) !== 'zh-CN')
    await page.selectOption('#locale-select', 'zh-CN');
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
  return page;
}

async function firstId(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.db.query<{ id: number }>(sql, params);
  expect(rows.length).toBeGreaterThan(0);
  return rows[0].id;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `phone-forms-${name}.png`) });

/** Whether the element is on the screen as the page is shown (not scrolled off above or below). */
const onScreen = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
    });

describe.skipIf(browserMissing)('sales and service pages on a phone', () => {
  it('shows a refused payment or invoice where its form is, not at the top of a long page', async () => {
    const contractId = await firstId(
      `SELECT c.id FROM contract c JOIN app_user u ON u.id = c.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND c.status = 'signed' ORDER BY c.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/contracts/${contractId}`);
    const payment = rep.locator('form.payment-form');
    await payment.locator('input[name=amount]').fill('999,999,999.00');
    await payment.locator('input[name=reference]').fill('WX-20261201');
    await Promise.all([
      rep.waitForURL(/\/payments/),
      payment.getByRole('button', { name: '登记回款' }).click(),
    ]);
    await rep.waitForLoadState();
    expect(await rep.locator('form.payment-form .error').first().textContent()).toContain(
      '超过该合同的未回款金额',
    );
    expect(await onScreen(rep, 'form.payment-form .error')).toBe(true);
    expect(await rep.locator('form.payment-form input[name=reference]').inputValue()).toBe('WX-20261201');
    await shot(rep, 'payment-refused');

    const invoice = rep.locator('form.invoice-form');
    await invoice.locator('input[name=number]').fill('No.04412345');
    await invoice.locator('input[name=amount]').fill('999,999,999.00');
    await Promise.all([
      rep.waitForURL(/\/invoices/),
      invoice.getByRole('button', { name: '登记开票' }).click(),
    ]);
    await rep.waitForLoadState();
    expect(await onScreen(rep, 'form.invoice-form .error')).toBe(true);
  });
  it('fits a printable quote to the phone: its lines scroll inside the sheet, the page does not', async () => {
    const quoteId = await firstId(
      `SELECT q.id FROM quote q JOIN app_user u ON u.id = q.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND EXISTS (SELECT 1 FROM quote_line l WHERE l.quote_id = q.id)
        ORDER BY q.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/quotes/${quoteId}/print`);
    expect(await rep.locator('table.doc-lines tbody tr').count()).toBeGreaterThan(0);
    expect(await rep.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(rep, 'quote-print');
  });
  it('lines up the labels of a quote’s number cells with the others on a phone’s line cards', async () => {
    const quoteId = await firstId(
      `SELECT q.id FROM quote q JOIN app_user u ON u.id = q.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND EXISTS (SELECT 1 FROM quote_line l WHERE l.quote_id = q.id)
        ORDER BY q.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/quotes/${quoteId}`);
    const row = rep.locator('table.responsive tbody tr').first();
    // Each label (the cell's ::before) starts at the card's left edge, as the name's and the unit's do.
    const aligns = await row
      .locator('td[data-label]')
      .evaluateAll((cells) => cells.map((c) => getComputedStyle(c, '::before').textAlign));
    expect(aligns.length).toBeGreaterThan(4);
    expect(aligns.filter((a) => a === 'right')).toEqual([]);
    await shot(rep, 'quote-lines');
  });
  it('puts a refused quote line’s error under its input, not squeezed beside it', async () => {
    const dealId = await firstId(
      `SELECT o.id FROM opportunity o JOIN app_user u ON u.id = o.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND o.stage NOT IN ('won', 'lost') ORDER BY o.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/opportunities/${dealId}/quotes/new`);
    await rep.fill('input[name="lines[0][itemName]"]', '服务器');
    await rep.fill('input[name="lines[0][quantity]"]', '-2');
    await rep.fill('input[name="lines[0][unitPrice]"]', '６００００');
    await rep.fill('input[name="lines[0][discountPercent]"]', '120');
    await Promise.all([
      rep.waitForURL(`${t.url}/opportunities/${dealId}/quotes/new`),
      rep.locator('form.quote-form').getByRole('button', { name: '保存' }).click(),
    ]);
    await rep.waitForLoadState();
    for (const field of ['quantity', 'discountPercent']) {
      const input = await rep.locator(`input[name="lines[0][${field}]"]`).boundingBox();
      const error = await rep.locator(`#e-lines-0-${field}`).boundingBox();
      expect(error!.y).toBeGreaterThanOrEqual(input!.y + input!.height);
      // The input keeps its width beside its label.
      expect(input!.width).toBeGreaterThan(PHONE.width / 3);
    }
    expect(await rep.inputValue('input[name="lines[0][quantity]"]')).toBe('-2');
    await rep
      .locator('form.quote-form table')
      .screenshot({ path: join(SCREENSHOTS, 'phone-forms-quote-line-errors.png') });
  });
  it('keeps the cards of a two-column page apart when a phone stacks them', async () => {
    const dealId = await firstId(
      `SELECT o.id FROM opportunity o JOIN app_user u ON u.id = o.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND o.stage NOT IN ('won', 'lost') ORDER BY o.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/opportunities/${dealId}`);
    // The deal's left column ends with its stage history; the follow-ups' card comes under it.
    const history = await rep.locator('.deal-page > div > .card').last().boundingBox();
    const activity = await rep.locator('.deal-page > .card').first().boundingBox();
    expect(activity!.y - (history!.y + history!.height)).toBeGreaterThanOrEqual(12);
  });
  it('brings an empty reply’s error into view on a long ticket page, the note box still ticked', async () => {
    const ticketId = await firstId(
      `SELECT k.id FROM ticket k JOIN app_user u ON u.id = k.assignee_id
        WHERE u.email = 'service1@demo.kehu' AND k.status IN ('new', 'open') ORDER BY k.id LIMIT 1`,
    );
    const agent = await signIn('service1@demo.kehu');
    await agent.goto(`${t.url}/tickets/${ticketId}`);
    const reply = agent.locator('form.reply-form');
    await reply.locator('input[name=internal]').check();
    await Promise.all([agent.waitForURL(/\/reply$/), reply.getByRole('button', { name: '发送' }).click()]);
    await agent.waitForLoadState();
    expect(await agent.locator('form.reply-form .error').first().textContent()).toContain('必填');
    expect(await onScreen(agent, 'form.reply-form .error')).toBe(true);
    expect(await agent.locator('form.reply-form input[name=internal]').isChecked()).toBe(true);
    await shot(agent, 'reply-refused');
  });
  it('says what an installment has collected as money is written, under its amount, on the plan form', async () => {
    const contractId = await firstId(
      `SELECT c.id FROM contract c JOIN app_user u ON u.id = c.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND c.status = 'signed'
          AND EXISTS (SELECT 1 FROM payment_installment i WHERE i.contract_id = c.id AND i.collected >= 1000)
        ORDER BY c.id LIMIT 1`,
    );
    const { rows } = await t.db.query<{ collected: string }>(
      `SELECT collected::text FROM payment_installment WHERE contract_id = $1 AND collected >= 1000
        ORDER BY position LIMIT 1`,
      [contractId],
    );
    const [whole, fen] = rows[0].collected.split('.');
    const written = `¥${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${fen}`;
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/contracts/${contractId}/plan`);
    const cell = rep.locator('td', { has: rep.locator('small.hint') }).first();
    expect(await cell.locator('small.hint').textContent()).toBe(`已回款 ${written}`);
    const input = await cell.locator('input').boundingBox();
    const hint = await cell.locator('small.hint').boundingBox();
    expect(hint!.y).toBeGreaterThanOrEqual(input!.y + input!.height);
    await cell.screenshot({ path: join(SCREENSHOTS, 'phone-forms-plan-collected.png') });
  });
  it('ends each board column with its last deal on a phone, not stretched to the longest column', async () => {
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/opportunities`);
    const columns = await rep.locator('.board-column').evaluateAll((cs) =>
      cs.map((c) => ({
        cards: c.querySelectorAll('.deal-card').length,
        height: c.getBoundingClientRect().height,
      })),
    );
    const fewest = columns.reduce((a, b) => (b.cards < a.cards ? b : a));
    const most = columns.reduce((a, b) => (b.cards > a.cards ? b : a));
    expect(most.cards).toBeGreaterThan(fewest.cards);
    expect(fewest.height).toBeLessThan(most.height);
  });
  it('brings a signing refused for its missing scan into view on a long contract page', async () => {
    const contractId = await firstId(
      `SELECT c.id FROM contract c JOIN app_user u ON u.id = c.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND c.status = 'approved' ORDER BY c.id LIMIT 1`,
    );
    const rep = await signIn('sales1@demo.kehu');
    await rep.goto(`${t.url}/contracts/${contractId}`);
    const sign = rep.locator(`form[action="/contracts/${contractId}/sign"]`);
    await sign.locator('input[name=signedOn]').fill('2026-12-01');
    await Promise.all([rep.waitForURL(/\/sign$/), sign.getByRole('button', { name: '确认已签署' }).click()]);
    await rep.waitForLoadState();
    expect(await rep.locator(`form[action="/contracts/${contractId}/sign"] .error`).textContent()).toContain(
      '请上传签署后的合同扫描件',
    );
    expect(await onScreen(rep, `form[action="/contracts/${contractId}/sign"] .error`)).toBe(true);
    expect(await rep.inputValue(`form[action="/contracts/${contractId}/sign"] input[name=signedOn]`)).toBe(
      '2026-12-01',
    );
  });
});
