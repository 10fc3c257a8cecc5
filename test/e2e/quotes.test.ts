import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsService } from '../../src/automation/jobs.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { decodeHtml, visibleText, type Client } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Quotes (报价单) through their pages: made on a deal with lines, figures stored exactly, a discount
 * past the threshold waiting for the manager's approval, a stale edit refused with the typed input
 * kept, bad input refused with nothing stored, and another rep's quote not found.
 */
let t: TestApp;
let manager: UserRow;
let rep: UserRow;
let otherRep: UserRow;
let service: UserRow;
let customerId: number;
let dealId: number;

const FUTURE = '2099-12-31';

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  const otherTeam = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager Ma' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  otherRep = await createUser(t.db, { role: 'sales', teamId: otherTeam });
  service = await createUser(t.db, { role: 'service' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '上海华信科技有限公司' });
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     VALUES ($1, $2, '服务器扩容', 'proposal', 300000, 50, '2027-03-31', 1) RETURNING id`,
    [customerId, rep.id],
  );
  dealId = rows[0].id;
}, 60_000);
afterAll(() => t.close());

/** The form's fields: lines as `lines[i][field]`, the rest as given. */
function quoteForm(
  lines: Record<string, string>[],
  fields: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {
    taxRate: '13',
    discountPercent: '',
    validUntil: FUTURE,
    terms: '',
    ...fields,
  };
  lines.forEach((l, i) => {
    for (const [k, v] of Object.entries(l)) out[`lines[${i}][${k}]`] = v;
  });
  return out;
}

const LINES = [
  {
    itemName: '服务器',
    specification: '2U 双路',
    unit: '台',
    quantity: '3',
    unitPrice: '1,200',
    discountPercent: '10',
  },
  {
    itemName: '安装调试',
    specification: '',
    unit: '项',
    quantity: '2.5',
    unitPrice: '99.99',
    discountPercent: '',
  },
];

async function newQuote(
  c: Client,
  lines: Record<string, string>[] = LINES,
  fields: Record<string, string> = {},
): Promise<number> {
  const reply = await c.submit(`/opportunities/${dealId}/quotes/new`, quoteForm(lines, fields));
  expect({ status: reply.status, page: reply.status === 303 ? '' : visibleText(reply.text) }).toMatchObject({
    status: 303,
  });
  return Number(/\/quotes\/(\d+)$/.exec(reply.location!)![1]);
}

async function quote(id: number) {
  const { rows } = await t.db.query(
    `SELECT number, status, version, list_total::text, subtotal::text, discount_amount::text, net::text, tax::text,
            total::text, terms, customer_id, owner_id FROM quote WHERE id = $1`,
    [id],
  );
  return rows[0];
}

const countQuotes = async () =>
  Number((await t.db.query('SELECT count(*) AS n FROM quote')).rows[0].n as string);

async function version(id: number): Promise<string> {
  return String((await quote(id)).version);
}

describe('a quote on a deal', () => {
  it('is made from the deal with its lines, numbered BJ-YYYY-NNNN, its figures exact to the fen', async () => {
    const c = await signedIn(t, rep);
    const deal = visibleText((await c.get(`/opportunities/${dealId}`)).text);
    expect(deal).toContain('New quote');
    const id = await newQuote(c, LINES, { discountPercent: '5' });
    // 3 × 1,200.00 less 10% = 3,240.00; 2.5 × 99.99 = 249.975 → 249.98; subtotal 3,489.98;
    // 5% = 174.499 → 174.50; net 3,315.48; 13% = 431.0124 → 431.01; total 3,746.49.
    expect(await quote(id)).toMatchObject({
      status: 'draft',
      list_total: '3849.98',
      subtotal: '3489.98',
      discount_amount: '174.50',
      net: '3315.48',
      tax: '431.01',
      total: '3746.49',
      customer_id: customerId,
      owner_id: rep.id,
    });
    expect((await quote(id)).number).toMatch(/^BJ-20\d\d-\d{4}$/);
    const { rows: lines } = await t.db.query(
      'SELECT position, item_name, quantity::text, unit_price::text, discount_percent::text, line_total::text FROM quote_line WHERE quote_id = $1 ORDER BY position',
      [id],
    );
    expect(lines).toEqual([
      {
        position: 1,
        item_name: '服务器',
        quantity: '3.000',
        unit_price: '1200.00',
        discount_percent: '10.00',
        line_total: '3240.00',
      },
      {
        position: 2,
        item_name: '安装调试',
        quantity: '2.500',
        unit_price: '99.99',
        discount_percent: '0.00',
        line_total: '249.98',
      },
    ]);
    const page = visibleText((await c.get(`/quotes/${id}`)).text);
    expect(page).toContain('¥3,746.49');
    expect(page).toContain('人民币叁仟柒佰肆拾陆元肆角玖分');
    expect(page).toContain('Draft');
    // The deal lists it; the customer's 360° page has it on its timeline.
    expect(visibleText((await c.get(`/opportunities/${dealId}`)).text)).toContain((await quote(id)).number);
    expect(visibleText((await c.get(`/customers/${customerId}`)).text)).toContain((await quote(id)).number);
  });

  it('takes the tax out of tax-inclusive prices rather than adding it', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c, [{ itemName: '年度服务', quantity: '1', unitPrice: '100' }], {
      pricesIncludeTax: '1',
      taxRate: '13',
    });
    // 100.00 with 13% inside: 100 ÷ 1.13 = 88.4955… → 88.50 net, 11.50 tax.
    expect(await quote(id)).toMatchObject({
      subtotal: '100.00',
      net: '88.50',
      tax: '11.50',
      total: '100.00',
    });
  });

  it('adds a row without JavaScript and stores nothing', async () => {
    const c = await signedIn(t, rep);
    const before = await countQuotes();
    const reply = await c.submit(`/opportunities/${dealId}/quotes/new`, {
      ...quoteForm([{ itemName: '半填的行', quantity: '', unitPrice: '' }]),
      _addLine: '1',
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('value="半填的行"');
    expect(reply.text).toContain('name="lines[1][itemName]"');
    expect(reply.text).not.toContain('name="lines[2][itemName]"');
    expect(await countQuotes()).toBe(before);
    // Both rows filled on the page it came back with, the quote is saved with both.
    const saved = await c.post(
      `/opportunities/${dealId}/quotes/new`,
      quoteForm([
        { itemName: '半填的行', quantity: '1', unitPrice: '10' },
        { itemName: '第二行', quantity: '2', unitPrice: '5' },
      ]),
    );
    expect(saved.status).toBe(303);
    const id = Number(/\/quotes\/(\d+)$/.exec(saved.location!)![1]);
    expect(await quote(id)).toMatchObject({ subtotal: '20.00', total: '22.60' });
  });
});

/** A quote within the discount threshold, sent and accepted by the customer, as the rep does it. */
async function acceptedQuote(c: Client): Promise<number> {
  const id = await newQuote(c);
  await c.get(`/quotes/${id}`);
  await c.post(`/quotes/${id}/submit`, { version: await version(id) });
  await c.get(`/quotes/${id}`);
  await c.post(`/quotes/${id}/accept`, { version: await version(id) });
  return id;
}

/** The new contract form's inputs as a browser sends them: each name with its value. */
function contractFormFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const form = /<form[^>]*action="\/contracts\/new[^"]*"[\s\S]*?<\/form>/.exec(html)![0];
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (name && !/type="(checkbox|file|radio)"/.test(tag)) fields[name] = decodeHtml(value);
  }
  for (const [, name, text] of form.matchAll(/<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    fields[name] = decodeHtml(text);
  return fields;
}

/** An approver's decision on the quote's pending round, from the form on the quote's page. */
async function decide(c: Client, quoteId: number, decision: 'approve' | 'reject', comment: string) {
  const { rows } = await t.db.query<{ round: number; step: number }>(
    `SELECT r.id AS round, s.id AS step FROM approval_round r JOIN approval_step s ON s.round_id = r.id
      WHERE r.subject_kind = 'quote' AND r.subject_id = $1 AND r.status = 'pending' AND s.status = 'pending'`,
    [quoteId],
  );
  return c.post(`/approvals/${rows[0].round}/decide`, {
    decision,
    comment,
    stepId: String(rows[0].step),
    returnTo: `/quotes/${quoteId}`,
  });
}

describe('the discount threshold', () => {
  it('sends a quote within it straight on; one past it waits for the manager, who approves it', async () => {
    const c = await signedIn(t, rep);
    const small = await newQuote(c, [
      { itemName: '交换机', quantity: '1', unitPrice: '1000', discountPercent: '15' },
    ]);
    await c.get(`/quotes/${small}`);
    expect((await c.post(`/quotes/${small}/submit`, { version: await version(small) })).status).toBe(303);
    expect((await quote(small)).status).toBe('sent');
    const NOT_APPROVED = 'Awaiting approval: not to be sent to the customer.';
    const printed = async (id: number) => visibleText((await c.get(`/quotes/${id}/print?lang=en`)).text);
    expect(await printed(small)).not.toContain(NOT_APPROVED);

    // 10% on the line and 5.56% overall: 15.004% off the list, past 15%.
    const big = await newQuote(
      c,
      [{ itemName: '交换机', quantity: '1', unitPrice: '1000', discountPercent: '10' }],
      {
        discountPercent: '5.56',
      },
    );
    const page = visibleText((await c.get(`/quotes/${big}`)).text);
    expect(page).toContain('Submit for approval');
    expect(page).toContain('15.004%');
    // Printed before its approval, the sheet says it is not to be sent.
    expect(await printed(big)).toContain(NOT_APPROVED);
    await c.post(`/quotes/${big}/submit`, { version: await version(big) });
    expect((await quote(big)).status).toBe('pending_approval');
    expect(await printed(big)).toContain(NOT_APPROVED);
    // Nobody edits a pending quote.
    const edit = await c.get(`/quotes/${big}/edit`);
    expect(edit.status).toBe(409);
    expect(visibleText(edit.text)).toContain('This cannot be done to a quote in its current status.');
    // The rep cannot approve their own.
    await c.get(`/quotes/${big}`);
    await decide(c, big, 'approve', '');
    expect((await quote(big)).status).toBe('pending_approval');
    // The manager was told and approves on the quote's page.
    const { rows: told } = await t.db.query(
      `SELECT link FROM notification WHERE user_id = $1 AND kind = 'approval_waiting'`,
      [manager.id],
    );
    expect(told.map((n) => n.link)).toContain(`/quotes/${big}`);
    const m = await signedIn(t, manager);
    // The inbox names it by number, customer and deal, the deal's title set apart from the name.
    const { rows: numbered } = await t.db.query('SELECT number FROM quote WHERE id = $1', [big]);
    expect(visibleText((await m.get('/approvals')).text)).toContain(
      // With the discount that needs the approval: 10% on the line, then 5.56% overall. Just past
      // the 15% threshold, it is not rounded down to it.
      `${numbered[0].number} 上海华信科技有限公司 · 服务器扩容 · −15.004%`,
    );
    expect(visibleText((await m.get(`/quotes/${big}`)).text)).toContain('Approve');
    expect(await decide(m, big, 'approve', '同意')).toMatchObject({
      status: 303,
      location: `/quotes/${big}`,
    });
    expect((await quote(big)).status).toBe('approved');
    expect(await printed(big)).not.toContain(NOT_APPROVED);
    // Then the rep sends it, and the customer accepts it.
    await c.get(`/quotes/${big}`);
    await c.post(`/quotes/${big}/send`, { version: await version(big) });
    expect((await quote(big)).status).toBe('sent');
    await c.get(`/quotes/${big}`);
    await c.post(`/quotes/${big}/accept`, { version: await version(big) });
    expect((await quote(big)).status).toBe('accepted');
    // Its open deal now counts what the customer agreed to pay, audited with the quote's number.
    const { rows: agreed } = await t.db.query(
      `SELECT o.amount::text AS amount, a.diff FROM opportunity o
         JOIN audit_entry a ON a.entity = 'opportunity' AND a.entity_id = o.id::text AND a.action = 'update'
        WHERE o.id = $1 ORDER BY a.id DESC LIMIT 1`,
      [dealId],
    );
    expect(agreed[0].amount).toBe((await quote(big)).total);
    expect(agreed[0].diff).toMatchObject({
      amount: { to: (await quote(big)).total },
      quote: { to: numbered[0].number },
    });
    const { rows: audit } = await t.db.query(
      `SELECT action FROM audit_entry WHERE entity = 'quote' AND entity_id = $1 ORDER BY id`,
      [String(big)],
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'submit', 'approve', 'send', 'accept']);
    // The audit log names them, and the quote's fields, in the reader's language.
    const admin = await createUser(t.db, { role: 'admin' });
    const log = visibleText(
      (await (await signedIn(t, admin, 'zh-CN')).get(`/audit?entity=quote&entityId=${big}`)).text,
    );
    for (const words of [
      '报价单',
      '提交审批',
      '批准',
      '标记为已发送',
      '标记为已接受',
      '状态',
      '待审批',
      '审批意见： → 同意',
      '报价单号',
    ])
      expect(log).toContain(words);
  });

  it('a rejected quote is edited and submitted again', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c, [
      { itemName: '存储', quantity: '1', unitPrice: '1000', discountPercent: '30' },
    ]);
    await c.get(`/quotes/${id}`);
    await c.post(`/quotes/${id}/submit`, { version: await version(id) });
    const m = await signedIn(t, manager);
    await m.get(`/quotes/${id}`);
    // Rejecting says why.
    await decide(m, id, 'reject', '');
    expect((await quote(id)).status).toBe('pending_approval');
    await decide(m, id, 'reject', '折扣太大');
    expect((await quote(id)).status).toBe('rejected');
    const edit = await c.submit(
      `/quotes/${id}/edit`,
      quoteForm([{ itemName: '存储', quantity: '1', unitPrice: '1000', discountPercent: '12' }], {
        version: await version(id),
      }),
    );
    expect(edit.status).toBe(303);
    await c.get(`/quotes/${id}`);
    await c.post(`/quotes/${id}/submit`, { version: await version(id) });
    expect(await quote(id)).toMatchObject({ status: 'sent', total: '994.40' });
  });

  it('an accepted quote becomes a contract with its lines and its total to the fen', async () => {
    const c = await signedIn(t, rep);
    const id = await acceptedQuote(c);
    await t.db.query(`UPDATE quote SET terms = '预付 30%，到货验收后付清。' WHERE id = $1`, [id]);
    const { total } = await quote(id);
    // Its page and its deal's page offer the contract, made from the quote.
    expect((await c.get(`/quotes/${id}`)).text).toContain(`href="/contracts/new?quote=${id}"`);
    // The form as the rep sees it, sent as it is: its inputs' names and values.
    const form = await c.get(`/contracts/new?quote=${id}`);
    expect(form.status).toBe(200);
    const fields = contractFormFields(form.text);
    expect(fields['lines[0][item]']).toBe('服务器');
    // Its terms are offered as the contract's payment terms.
    expect(fields.paymentTerms).toBe('预付 30%，到货验收后付清。');
    const saved = await c.post('/contracts/new', { ...fields, title: fields.title || '按报价签约' });
    expect({ status: saved.status, page: saved.status === 303 ? '' : visibleText(saved.text) }).toMatchObject(
      {
        status: 303,
      },
    );
    const contractId = Number(/\/contracts\/(\d+)$/.exec(saved.location!)![1]);
    const { rows } = await t.db.query(
      `SELECT amount::text AS amount, quote_id, (SELECT count(*)::int FROM contract_line WHERE contract_id = $1) AS lines
         FROM contract WHERE id = $1`,
      [contractId],
    );
    expect(rows[0]).toEqual({ amount: total, quote_id: id, lines: LINES.length });
  });

  it('keeps a contract form from an accepted quote, as typed, when the deal is not won yet and a field is wrong', async () => {
    const c = await signedIn(t, rep);
    const id = await acceptedQuote(c);
    // The deal is still at its proposal stage: the quote, not a won deal, is the contract's source.
    const form = await c.get(`/contracts/new?quote=${id}`);
    const fields = contractFormFields(form.text);
    expect(fields.opportunityId).toBe(String(dealId));
    const contractsBefore = Number(
      (await t.db.query('SELECT count(*) AS n FROM contract')).rows[0].n as string,
    );
    const refused = await c.post('/contracts/new', {
      ...fields,
      startOn: '2027-06-01',
      endOn: '2027-01-01',
      ourSignatoryName: '王经理',
    });
    expect(refused.status).toBe(422);
    const page = visibleText(refused.text);
    expect(page).toContain('New contract');
    expect(page).toContain('上海华信科技有限公司');
    expect(refused.text).toContain('value="王经理"');
    expect(refused.text).toContain('value="2027-06-01"');
    expect(refused.text).toContain('value="服务器"');
    expect(refused.text).toContain(`name="quoteId" value="${id}"`);
    const contractsAfter = Number(
      (await t.db.query('SELECT count(*) AS n FROM contract')).rows[0].n as string,
    );
    expect(contractsAfter).toBe(contractsBefore);
  });

  it('marks a sent quote past its validity expired when it is read', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c, [{ itemName: '配件', quantity: '1', unitPrice: '10' }]);
    await c.get(`/quotes/${id}`);
    await c.post(`/quotes/${id}/submit`, { version: await version(id) });
    await t.db.query(`UPDATE quote SET valid_until = '2020-01-01' WHERE id = $1`, [id]);
    expect(visibleText((await c.get(`/quotes/${id}`)).text)).toContain('Expired');
    expect((await quote(id)).status).toBe('expired');
  });

  it('expires lapsed sent quotes in the nightly job too, without anyone reading them', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c, [{ itemName: '配件', quantity: '1', unitPrice: '10' }]);
    await c.get(`/quotes/${id}`);
    await c.post(`/quotes/${id}/submit`, { version: await version(id) });
    await t.db.query(`UPDATE quote SET valid_until = '2020-01-01' WHERE id = $1`, [id]);
    await t.app.get(JobsService).send('quotes.expire');
    await eventually(async () => expect((await quote(id)).status).toBe('expired'));
    const { rows } = await t.db.query(
      `SELECT actor_id FROM audit_entry WHERE entity = 'quote' AND entity_id = $1 AND action = 'expire'`,
      [String(id)],
    );
    expect(rows).toEqual([{ actor_id: null }]);
  });
});

describe('refusals', () => {
  it('refuses a stale edit, keeping what was typed and changing nothing', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c, LINES, { terms: 'Original terms' });
    const form = await c.get(`/quotes/${id}/edit`);
    const shown = /name="version" value="(\d+)"/.exec(form.text)![1];
    // Someone saves meanwhile.
    const other = await signedIn(t, manager);
    expect(
      (await other.submit(`/quotes/${id}/edit`, quoteForm(LINES, { terms: 'Manager terms', version: shown })))
        .status,
    ).toBe(303);
    const reply = await c.post(
      `/quotes/${id}/edit`,
      quoteForm([{ itemName: '我刚输入的行', quantity: '7', unitPrice: '5' }], {
        terms: 'My new terms',
        version: shown,
      }),
    );
    expect(reply.status).toBe(409);
    const page = visibleText(reply.text);
    expect(page).toContain('Someone');
    expect(reply.text).toContain('My new terms');
    expect(reply.text).toContain('value="我刚输入的行"');
    expect((await quote(id)).terms).toBe('Manager terms');
  });

  it.each([
    ['a negative quantity', { quantity: '-1' }, 'lines[0][quantity]', 'The quantity must be more than zero.'],
    ['a negative price', { unitPrice: '-5' }, 'lines[0][unitPrice]', 'A price cannot be negative.'],
    [
      'a line discount over 100%',
      { discountPercent: '101' },
      'lines[0][discountPercent]',
      'A percentage from 0 to 100.',
    ],
    [
      'a negative line discount',
      { discountPercent: '-5' },
      'lines[0][discountPercent]',
      'A percentage from 0 to 100.',
    ],
    ['a line without a name', { itemName: '' }, 'lines[0][itemName]', 'Required.'],
  ])('refuses %s beside its field, storing nothing', async (_, change, field, message) => {
    const c = await signedIn(t, rep);
    const before = await countQuotes();
    const reply = await c.submit(
      `/opportunities/${dealId}/quotes/new`,
      quoteForm([{ itemName: '服务器', quantity: '1', unitPrice: '100', ...change }]),
    );
    expect(reply.status).toBe(422);
    const cell = new RegExp(`name="${field.replace(/[[\]]/g, '\\$&')}"[^>]*aria-invalid="true"`);
    expect(reply.text).toMatch(cell);
    expect(visibleText(reply.text)).toContain(message);
    expect(await countQuotes()).toBe(before);
  });

  it('refuses an overall discount over 100%, a VAT rate over 17%, no lines and a validity in the past, in the user’s language', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const before = await countQuotes();
    const reply = await c.submit(
      `/opportunities/${dealId}/quotes/new`,
      quoteForm([], { discountPercent: '150', taxRate: '31', validUntil: '2020-01-01' }),
    );
    expect(reply.status).toBe(422);
    const page = visibleText(reply.text);
    expect(page).toContain('请至少添加一行明细。');
    expect(page).toContain('百分比须在 0 到 100 之间。');
    expect(page).toContain('增值税税率须在 0 到 17% 之间');
    expect(page).toContain('有效期不能早于今天。');
    expect(await countQuotes()).toBe(before);
  });
});

describe('who sees a quote', () => {
  it('another rep does not find it; service reads it; its printable page follows the same rule', async () => {
    const c = await signedIn(t, rep);
    const id = await newQuote(c);
    const other = await signedIn(t, otherRep);
    expect((await other.get(`/quotes/${id}`)).status).toBe(404);
    expect((await other.get(`/quotes/${id}/print`)).status).toBe(404);
    expect((await other.get(`/opportunities/${dealId}/quotes/new`)).status).toBe(404);
    const s = await signedIn(t, service);
    const page = await s.get(`/quotes/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/quotes/${id}/edit`);
    expect((await s.get(`/opportunities/${dealId}/quotes/new`)).status).toBe(403);
  });

  it('prints on an A4 page in the language asked for, with the letterhead set in the settings', async () => {
    await t.db.query(
      `INSERT INTO setting (key, value, version) VALUES ('company', $1, 1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [
        {
          nameZh: '杭州客户软件有限公司',
          nameEn: 'Hangzhou Kehu Software Co., Ltd.',
          phone: '0571-8888 6666',
        },
      ],
    );
    const c = await signedIn(t, rep);
    const id = await newQuote(c);
    const zh = await c.get(`/quotes/${id}/print?lang=zh-CN`);
    expect(zh.status).toBe(200);
    expect(zh.text).toContain('/assets/css/print.css');
    expect(zh.text).not.toContain('class="nav"');
    const text = visibleText(zh.text);
    expect(text).toContain('杭州客户软件有限公司');
    expect(text).toContain('报价单');
    expect(text).toContain('上海华信科技有限公司');
    expect(text).toContain('人民币叁仟玖佰肆拾叁元陆角捌分');
    const en = visibleText((await c.get(`/quotes/${id}/print?lang=en`)).text);
    expect(en).toContain('Quotation');
    expect(en).toContain('Hangzhou Kehu Software Co., Ltd.');
  });

  it('heads the printed quote with a logo the admin uploaded, which every signed-in user may load', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const a = await signedIn(t, admin);
    await a.get('/admin/settings/company/logo');
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    // Not an image: refused beside the field.
    const refused = await a.upload('/admin/settings/company/logo', {
      name: 'logo.png',
      content: 'just text',
    });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('The logo must be a PNG, JPEG, GIF or WebP image.');
    await a.get('/admin/settings/company/logo');
    const saved = await a.upload('/admin/settings/company/logo', {
      name: 'logo.png',
      content: png,
      type: 'image/png',
    });
    expect(saved.status).toBe(303);
    const { rows } = await t.db.query(`SELECT value FROM setting WHERE key = 'company'`);
    const logo = rows[0].value.logoAttachmentId as number;
    expect(logo).toBeGreaterThan(0);
    // A rep may not upload one.
    const c = await signedIn(t, rep);
    expect((await c.upload('/admin/settings/company/logo', { name: 'x.png', content: png })).status).toBe(
      403,
    );
    const id = await newQuote(c);
    expect((await c.get(`/quotes/${id}/print`)).text).toContain(
      `<img class="logo" src="/attachments/${logo}"`,
    );
    const image = await c.get(`/attachments/${logo}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('follows its deal when the customer is merged into another', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const survivor = await createCustomer(t.db, { ownerId: rep.id, name: '北京合并后科技有限公司' });
    const other = await createCustomer(t.db, { ownerId: rep.id, name: '北京被合并科技有限公司' });
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, '合并测试', 'proposal', 1000, 50, '2027-03-31', 1) RETURNING id`,
      [other, rep.id],
    );
    const c = await signedIn(t, rep);
    const reply = await c.submit(`/opportunities/${rows[0].id}/quotes/new`, quoteForm(LINES));
    const id = Number(/\/quotes\/(\d+)$/.exec(reply.location!)![1]);
    const a = await signedIn(t, admin);
    await a.get(`/customers/${survivor}/merge?with=${other}`);
    expect((await a.post(`/customers/${survivor}/merge`, { otherId: String(other) })).status).toBe(303);
    expect((await quote(id)).customer_id).toBe(survivor);
  });
});
