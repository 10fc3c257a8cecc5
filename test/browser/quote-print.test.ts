/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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
 * A quote from the form to paper in Chromium: a rep builds a two-line quote on a demo deal (the second
 * row added by the form's button), opens its printable page and prints it to PDF as the browser's
 * "Save as PDF" would; the PDF's text holds the quote's number, the customer and the amount in
 * Chinese capitals. Screenshots of the A4 sheet and of the form on a phone are kept for a reader.
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

const signIn = (email: string, viewport = DESKTOP) => signedInPage(browser, t.url, email, { viewport });

/**
 * Ideographs as a reader means them. A CJK font's character map names some shared glyphs by their
 * radical's code point, so a PDF's text can say ⼈⺠币 for 人民币: the simplified radicals (⺠ ⻆ ⻓ …, and ⼾,
 * which NFKC would make the traditional 戶) by this table, the other Kangxi radicals by NFKC.
 */
const RADICALS: Record<string, string> = Object.fromEntries(
  [
    ...'⺠民⻄西⻅见⻆角⻉贝⻋车⻓长⻔门⻘青⻚页⻛风⻜飞⻝食⻢马⻣骨⻥鱼⻦鸟⻩黄⻬齐⻮齿⻰龙⼾户'.matchAll(
      /(.)(.)/gu,
    ),
  ].map((m) => [m[1], m[2]]),
);
const readable = (text: string) =>
  text.replace(/[\u2e80-\u2fdf]/gu, (c) => RADICALS[c] ?? c).normalize('NFKC');

/** The text of every page of a PDF, as a PDF reader extracts it (pdf.js), ideographs folded (readable). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await doc.destroy();
  return readable(pages.join('\n'));
}

describe.skipIf(browserMissing)('a printed quote', () => {
  it('seeds demo quotes: one waiting for the manager, one accepted, one sent', async () => {
    const { rows } = await t.db.query('SELECT status FROM quote ORDER BY id');
    expect(rows.map((r) => r.status)).toEqual(['pending_approval', 'accepted', 'sent']);
  });

  it('is built on the form and printed to an A4 PDF whose text has its number, customer and 大写 amount', async () => {
    const page = await signIn('sales1@demo.kehu', DESKTOP);
    const { rows } = await t.db.query<{ id: number; name: string }>(
      `SELECT o.id, c.name FROM opportunity o JOIN customer c ON c.id = o.customer_id
        JOIN app_user u ON u.id = o.owner_id WHERE u.email = 'sales1@demo.kehu' AND o.stage = 'negotiation' LIMIT 1`,
    );
    const deal = rows[0];
    await page.goto(`${t.url}/opportunities/${deal.id}`);
    await page.click(`a[href="/opportunities/${deal.id}/quotes/new"]`);
    await page.fill('input[name="lines[0][itemName]"]', '服务器');
    await page.fill('input[name="lines[0][quantity]"]', '2');
    await page.fill('input[name="lines[0][unitPrice]"]', '6,172.80');
    // The second row comes from the page's script, without a round trip.
    await page.click('[data-add-line]');
    await page.fill('input[name="lines[1][itemName]"]', '安装调试');
    await page.fill('input[name="lines[1][quantity]"]', '1');
    await page.fill('input[name="lines[1][unitPrice]"]', '0');
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/quotes\/\d+$/);
    const id = Number(/\/quotes\/(\d+)$/.exec(page.url())![1]);
    const [quote] = (await t.db.query('SELECT number, total::text FROM quote WHERE id = $1', [id])).rows;
    // 2 × 6,172.80 = 12,345.60 with 13% added: 1,604.928 → 1,604.93; total 13,950.53 (yuan ending in 0
    // before 角: 零, as money.ts writes it).
    expect(quote.total).toBe('13950.53');
    await expect
      .poll(() => page.locator('[data-testid="capitals"]').textContent())
      .toBe('人民币壹万叁仟玖佰伍拾元零伍角叁分');

    await page.screenshot({ path: join(SCREENSHOTS, 'quote-show-desktop.png'), fullPage: true });

    await page.goto(`${t.url}/quotes/${id}/print`);
    await page.screenshot({ path: join(SCREENSHOTS, 'quote-print-screen.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    writeFileSync(join(SCREENSHOTS, 'quote-print.pdf'), pdf);
    const text = (await pdfText(new Uint8Array(pdf))).replace(/\s+/g, '');
    // Both sides folded alike (full-width brackets become ASCII).
    const has = (words: string) => expect(text).toContain(readable(words).replace(/\s+/g, ''));
    has(quote.number as string);
    has(deal.name);
    has('人民币壹万叁仟玖佰伍拾元零伍角叁分');
    has('杭州客户软件有限公司');
    has('报价单');
    // The sheet printed as the browser's print preview shows it: A4 at 96 dpi is 794 px wide.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: join(SCREENSHOTS, 'quote-print-a4.png'), fullPage: true });
    expect(await page.locator('.print-tools').isVisible()).toBe(false);

    // In English, by ?lang=.
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`${t.url}/quotes/${id}/print?lang=en`);
    const en = (await pdfText(new Uint8Array(await page.pdf({ format: 'A4' })))).replace(/\s+/g, '');
    expect(en).toContain('Quotation');
    expect(en).toContain(readable('人民币壹万叁仟玖佰伍拾元零伍角叁分'));
  });

  it('shows the form on a phone without sideways scrolling of the page', async () => {
    const page = await signIn('sales1@demo.kehu', PHONE);
    const { rows } = await t.db.query<{ id: number }>(
      `SELECT o.id FROM opportunity o JOIN app_user u ON u.id = o.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND o.stage = 'proposal' LIMIT 1`,
    );
    await page.goto(`${t.url}/opportunities/${rows[0].id}/quotes/new`);
    const widths = await page.evaluate(() => ({
      content: document.documentElement.scrollWidth,
      window: window.innerWidth,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.window);
    await page.screenshot({ path: join(SCREENSHOTS, 'quote-form-phone.png'), fullPage: true });
  });
});
