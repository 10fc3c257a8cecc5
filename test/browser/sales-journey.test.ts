/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, DESKTOP, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

/**
 * The sales pipeline end to end in Chromium, as its users click through it: the rep (a 390 px phone,
 * Chinese) moves a deal through every open stage, quotes it past the 15% discount threshold, and the
 * manager (desktop, English) approves the quote from the inbox; the rep sends it, has it accepted,
 * prints it, wins the deal and makes a contract above the 100,000 CNY threshold; the manager and then
 * both general managers (会签, desktop, Chinese) approve it; the rep marks it signed with the scan.
 * Each role's pages are screenshotted at its width for a reader to look at.
 */
let t: TestApp;
let browser: Browser;
let gm1: UserRow;
let gm2: UserRow;

type Locale = 'zh-CN' | 'en';

beforeAll(async () => {
  if (browserMissing) return;
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(40);
  // Two general managers who countersign (会签) contracts above 100,000 CNY; the quotes' discount
  // threshold is left at its default, 15%.
  gm1 = await createUser(t.db, { role: 'manager', name: '王总 Wang', locale: 'zh-CN' });
  gm2 = await createUser(t.db, { role: 'manager', name: '赵总 Zhao', locale: 'zh-CN' });
  await t.db.query(
    `INSERT INTO setting (key, value, version) VALUES ('approvals', $1, 1)
     ON CONFLICT (key) DO UPDATE SET value = $1, version = setting.version + 1`,
    [{ threshold: '100000.00', generalManagerIds: [gm1.id, gm2.id], generalManagerMode: 'all' }],
  );
  await t.db.query(`DELETE FROM setting WHERE key = 'quotes'`);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Signs in on a page of its own at a width, then picks the language with the page's switcher. */
async function signIn(
  email: string,
  viewport: typeof DESKTOP,
  locale: Locale,
  password = DEMO_PASSWORD,
): Promise<Page> {
  const page = await browser.newPage({ viewport, locale, hasTouch: viewport === PHONE });
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await page.click('button[type=submit].primary');
  await page.waitForURL(`${t.url}/`);
  if ((await page.locator('html').getAttribute('lang')) !== locale) {
    // The switcher submits itself when a language is chosen.
    await page.selectOption('#locale-select', locale);
  }
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale);
  await page.waitForLoadState();
  return page;
}

/** Clicks a button that posts its form and waits for the page it leads to. */
async function post(page: Page, button: ReturnType<Page['getByRole']>, url: RegExp | string) {
  await Promise.all([page.waitForURL(url), button.click()]);
  await page.waitForLoadState();
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();

/** Moves the deal on its page with the stage button named as the page names the stage. */
async function clickStage(page: Page, dealId: number, stageName: string) {
  const button = page.locator('form.stage-moves').getByRole('button', { name: stageName, exact: true });
  await post(page, button, `${t.url}/opportunities/${dealId}`);
  expect(await text(page, 'h1 .status')).toBe(stageName);
}

/** Opens the approvals inbox from the menu (behind the menu button on a phone). */
async function openInbox(page: Page, viewport: typeof DESKTOP) {
  if (viewport === PHONE) await page.click('label.nav-toggle-label');
  await page.click('nav.nav a[href="/approvals"]');
  await page.waitForURL(`${t.url}/approvals`);
}

/** Opens a record from the inbox's waiting list by its link. */
async function openWaiting(page: Page, href: string) {
  const link = page.locator(`.approvals-waiting a[href="${href}"]`);
  expect(await link.count()).toBe(1);
  await Promise.all([page.waitForURL(`${t.url}${href}`), link.click()]);
}

/** Approves on the record's page, with a comment, and comes back to it. */
async function approve(page: Page, approveName: string, commentLabel: string, comment: string) {
  const url = page.url();
  await page.getByLabel(commentLabel).fill(comment);
  await post(page, page.locator('form.approval-decide').getByRole('button', { name: approveName }), url);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `journey-${name}.png`), fullPage: true });

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** A small valid one-page PDF, as a scanner would save the signed contract. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe.skipIf(browserMissing)('the sales journey', () => {
  it('takes a deal from first contact to a signed contract, approved on the way', async () => {
    const { rows: deals } = await t.db.query<{ id: number; title: string }>(
      `SELECT o.id, o.title FROM opportunity o JOIN app_user u ON u.id = o.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND o.stage = 'initial_contact' ORDER BY o.id LIMIT 1`,
    );
    const deal = deals[0];
    const dealUrl = `${t.url}/opportunities/${deal.id}`;

    // The rep, on a phone in Chinese, opens the deal and moves it through every open stage.
    const rep = await signIn('sales1@demo.kehu', PHONE, 'zh-CN');
    await rep.goto(dealUrl);
    expect(await text(rep, 'h1 .status')).toBe('初步接洽');
    for (const stage of ['需求分析', '方案报价', '商务谈判']) await clickStage(rep, deal.id, stage);
    expect(await text(rep, '.stage-history')).toContain('方案报价 → 商务谈判');
    const { rows: moved } = await t.db.query('SELECT stage FROM opportunity WHERE id = $1', [deal.id]);
    expect(moved[0].stage).toBe('negotiation');

    // The rep builds a two-line quote on the deal, 20% off the servers: past the 15% threshold.
    await Promise.all([
      rep.waitForURL(`${dealUrl}/quotes/new`),
      rep.locator('[data-quotes]').getByRole('link', { name: '新建报价单' }).click(),
    ]);
    await rep.fill('input[name="lines[0][itemName]"]', '服务器');
    await rep.fill('input[name="lines[0][quantity]"]', '2');
    await rep.fill('input[name="lines[0][unitPrice]"]', '60,000');
    await rep.fill('input[name="lines[0][discountPercent]"]', '20');
    await rep.getByRole('button', { name: '添加一行' }).click();
    await rep.fill('input[name="lines[1][itemName]"]', '实施服务');
    await rep.fill('input[name="lines[1][quantity]"]', '1');
    await rep.fill('input[name="lines[1][unitPrice]"]', '20,000');
    await post(rep, rep.locator('form.quote-form').getByRole('button', { name: '保存' }), /\/quotes\/\d+$/);
    const quoteId = Number(/\/quotes\/(\d+)$/.exec(rep.url())![1]);
    const quoteUrl = `${t.url}/quotes/${quoteId}`;
    const { rows: quotes } = await t.db.query('SELECT number, total::text FROM quote WHERE id = $1', [
      quoteId,
    ]);
    const quote = quotes[0] as { number: string; total: string };
    // 2 × 60,000 at 20% off = 96,000, with 20,000: 116,000 against 140,000 listed (17.14% off);
    // 13% tax added: 15,080.00, total 131,080.00.
    expect(quote.total).toBe('131080.00');
    expect(await text(rep, '[data-testid="discount"]')).toBe('17.14%');
    expect(await text(rep, 'main')).toContain('超过 15% 的审批线');

    // The rep submits it; the page says it waits for the manager.
    await post(rep, rep.getByRole('button', { name: '提交审批' }), quoteUrl);
    expect(await text(rep, '.flash')).toContain('报价单已提交经理审批。');
    expect(await text(rep, '[data-testid="status"]')).toBe('待审批');
    await shot(rep, 'quote-pending-phone');

    // The manager, on a desktop in English, finds it in the inbox, opens it and approves with a comment.
    const manager = await signIn('manager@demo.kehu', DESKTOP, 'en');
    await openInbox(manager, DESKTOP);
    expect(await text(manager, '.approvals-waiting')).toContain(quote.number);
    expect(await text(manager, '.approvals-waiting')).toContain('¥131,080.00');
    await shot(manager, 'inbox-quote-desktop');
    await openWaiting(manager, `/quotes/${quoteId}`);
    expect(await text(manager, '[data-testid="status"]')).toBe('Waiting for approval');
    await approve(manager, 'Approve', 'Comment', 'Servers at 20% off: agreed for this customer.');
    expect(await text(manager, '[data-testid="status"]')).toBe('Approved');
    expect(await text(manager, '.approval-round')).toContain('Servers at 20% off: agreed for this customer.');
    await shot(manager, 'quote-approved-desktop');

    // The rep marks it sent, then accepted by the customer, and opens its printable page.
    await rep.goto(quoteUrl);
    expect(await text(rep, '[data-testid="status"]')).toBe('已批准');
    await post(rep, rep.getByRole('button', { name: '标记为已发送客户' }), quoteUrl);
    expect(await text(rep, '[data-testid="status"]')).toBe('已发送');
    await post(rep, rep.getByRole('button', { name: '标记为客户已接受' }), quoteUrl);
    expect(await text(rep, '[data-testid="status"]')).toBe('已接受');
    await shot(rep, 'quote-accepted-phone');
    const [print] = await Promise.all([
      rep.context().waitForEvent('page'),
      rep.getByRole('link', { name: '打印', exact: true }).click(),
    ]);
    await print.waitForLoadState();
    expect(print.url()).toBe(`${quoteUrl}/print`);
    expect(await text(print, '[data-testid="capitals"]')).toBe('人民币壹拾叁万壹仟零捌拾元整');
    expect(await text(print, '[data-testid="total"]')).toBe('¥131,080.00');
    expect(await text(print, 'body')).toContain(quote.number);
    await shot(print, 'quote-print-phone');
    await print.close();

    // The rep wins the deal and creates the contract from it: the accepted quote's lines come along,
    // priced to the quote's total (discount and tax included), to the fen.
    await rep.goto(dealUrl);
    await clickStage(rep, deal.id, '赢单');
    await Promise.all([
      rep.waitForURL(`${t.url}/contracts/new?quote=${quoteId}`),
      rep.getByRole('link', { name: '创建合同' }).click(),
    ]);
    expect(await rep.inputValue('#f-title')).toBe(deal.title);
    expect(await rep.inputValue('input[name="lines[0][item]"]')).toBe('服务器');
    expect(await rep.inputValue('input[name="lines[0][quantity]"]')).toBe('2');
    expect(await rep.inputValue('input[name="lines[0][unitPrice]"]')).toBe('54240.00');
    expect(await rep.inputValue('input[name="lines[1][item]"]')).toBe('实施服务');
    expect(await rep.inputValue('input[name="lines[1][unitPrice]"]')).toBe('22600.00');
    await post(
      rep,
      rep.locator('form.contract-form').getByRole('button', { name: '保存' }),
      /\/contracts\/\d+$/,
    );
    const contractId = Number(/\/contracts\/(\d+)$/.exec(rep.url())![1]);
    const contractUrl = `${t.url}/contracts/${contractId}`;
    expect(await text(rep, '[data-testid="amount"]')).toBe('¥131,080.00');
    expect(await text(rep, '[data-testid="amount-in-words"]')).toBe('壹拾叁万壹仟零捌拾元整');
    expect(await text(rep, '[data-testid="status"]')).toBe('草稿');

    // The rep splits it into a 3-installment plan (the spare fen on the last) and saves the plan.
    await rep.goto(`${contractUrl}/plan`);
    await rep.fill('#f-split', '3');
    await Promise.all([rep.waitForURL(/\/plan\?split=3$/), rep.locator('form.split-form button').click()]);
    expect(await rep.inputValue('input[name="installments[0][amount]"]')).toBe('43693.33');
    expect(await rep.inputValue('input[name="installments[2][amount]"]')).toBe('43693.34');
    await post(
      rep,
      rep.locator('form.plan-form').getByRole('button', { name: '保存' }),
      `${contractUrl}#money`,
    );
    expect(await rep.locator('.installments-table tbody tr').count()).toBe(3);

    // The rep submits it for approval: above 100,000 CNY, the manager and then both general managers.
    await post(rep, rep.locator('.contract-actions').getByRole('button', { name: '提交审批' }), contractUrl);
    expect(await text(rep, '[data-testid="status"]')).toBe('审批中');
    await shot(rep, 'contract-pending-phone');
    const contractStatus = async () =>
      (await t.db.query('SELECT status FROM contract WHERE id = $1', [contractId])).rows[0].status as string;
    expect(await contractStatus()).toBe('pending_approval');

    // The manager approves it from the contract's page, reached from the inbox.
    await openInbox(manager, DESKTOP);
    await openWaiting(manager, `/contracts/${contractId}`);
    expect(await text(manager, '[data-testid="status"]')).toBe('Pending approval');
    await shot(manager, 'contract-pending-desktop');
    await approve(manager, 'Approve', 'Comment', 'Agreed.');
    expect(await text(manager, '[data-testid="status"]')).toBe('Pending approval');
    expect(await contractStatus()).toBe('pending_approval');

    // Each general manager (会签), on a desktop in Chinese: after the first it still waits, after both it is approved.
    const gmApproves = async (gm: UserRow, label: string) => {
      const page = await signIn(gm.email, DESKTOP, 'zh-CN', PASSWORD);
      await openInbox(page, DESKTOP);
      expect(await text(page, '.approvals-waiting')).toContain('¥131,080.00');
      await shot(page, `inbox-contract-${label}-desktop`);
      await openWaiting(page, `/contracts/${contractId}`);
      expect(await text(page, '[data-testid="status"]')).toBe('审批中');
      await approve(page, '同意', '审批意见说明', '同意签署。');
      return page;
    };
    const first = await gmApproves(gm1, 'gm1');
    expect(await text(first, '[data-testid="status"]')).toBe('审批中');
    expect(await contractStatus()).toBe('pending_approval');
    await first.close();
    const second = await gmApproves(gm2, 'gm2');
    expect(await text(second, '[data-testid="status"]')).toBe('已批准');
    expect(await contractStatus()).toBe('approved');
    await shot(second, 'contract-approved-gm-desktop');
    await second.close();

    // The rep marks it signed, with the signed scan attached; the page lists the file.
    await rep.goto(contractUrl);
    expect(await text(rep, '[data-testid="status"]')).toBe('已批准');
    await rep.fill('#f-signedOn', today());
    await rep.setInputFiles('#f-scan', {
      name: '合同签署扫描件.pdf',
      mimeType: 'application/pdf',
      buffer: minimalPdf(),
    });
    await post(rep, rep.getByRole('button', { name: '确认已签署' }), contractUrl);
    expect(await text(rep, '.flash')).toContain('合同已标记为已签署');
    expect(await text(rep, '[data-testid="status"]')).toBe('已签署');
    expect(await text(rep, 'ul.files')).toContain('合同签署扫描件.pdf');
    expect(await contractStatus()).toBe('signed');
    await shot(rep, 'contract-signed-phone');
    // The manager sees it signed too, with the scan, on a desktop.
    await manager.goto(contractUrl);
    expect(await text(manager, '[data-testid="status"]')).toBe('Signed');
    expect(await text(manager, 'ul.files')).toContain('合同签署扫描件.pdf');
    await shot(manager, 'contract-signed-desktop');

    // Signing gave service its kickoff tasks: the agent sees them on My day, on a phone in English.
    const service = await signIn('service1@demo.kehu', PHONE, 'en');
    const tasks = await text(service, '.my-tasks');
    for (const task of ['Kickoff meeting', 'Assign an implementation consultant', 'Delivery plan'])
      expect(tasks).toContain(task);
    await shot(service, 'kickoff-tasks-phone');
    await service.close();

    // Two installments are paid and one invoice is issued; two thirds of the plan is collected.
    await rep.goto(contractUrl);
    for (const amount of ['43,693.33', '43,693.33']) {
      await rep.fill('#f-receivedOn', today());
      await rep.fill('#f-payment-amount', amount);
      await post(
        rep,
        rep.locator('form.payment-form').getByRole('button', { name: '登记回款' }),
        `${contractUrl}#money`,
      );
    }
    await rep.fill('#f-invoice-number', '04412345');
    await rep.fill('#f-issuedOn', today());
    await rep.fill('#f-invoice-amount', '43,693.33');
    await rep.fill('#f-taxRate', '13');
    await post(
      rep,
      rep.locator('form.invoice-form').getByRole('button', { name: '登记开票' }),
      `${contractUrl}#money`,
    );
    expect(await text(rep, '[data-testid="collected"]')).toBe('¥87,386.66');
    expect(await text(rep, '[data-testid="outstanding"]')).toBe('¥43,693.34');
    expect(await text(rep, '[data-testid="collection-rate"]')).toBe('66.7%');
    expect(await text(rep, '[data-testid="invoiced"]')).toBe('¥43,693.33');
    expect(await text(rep, '[data-testid="collected-not-invoiced"]')).toBe('¥43,693.33');
    await shot(rep, 'contract-collected-phone');
    await manager.goto(contractUrl);
    expect(await text(manager, '[data-testid="collection-rate"]')).toBe('66.7%');
    await shot(manager, 'contract-collected-desktop');
    await rep.close();
    await manager.close();
  }, 110_000);
});
