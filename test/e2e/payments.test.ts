import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '../../src/contracts/payment-plan.js';
import { PaymentsService } from '../../src/contracts/payments.service.js';
import { localDay } from '../../src/common/time.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { scansOf, StatementRecorder } from '../helpers/statements.js';

/**
 * A contract's money through its pages: the payment plan (equal split, sums exact, paid installments
 * kept, stale saves refused), payments received partly and across installments, over-payment and
 * other bad input refused with nothing stored, a mistaken payment reversed, invoices and the two gaps
 * between invoicing and collection, 回款率, overdue installments on the owner's My day and in the
 * morning mail (once a day), kickoff tasks on the service user's My day after signing, the renewal
 * reminder (once), the receivables page, and another rep's contract answering 404 on every route.
 */
let t: TestApp;
let manager: UserRow;
let rep: UserRow;
let zhRep: UserRow;
let outsider: UserRow;
let serviceInTeam: UserRow;
let customerId: number;
let teamId: number;

const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
const today = () => localDay(new Date(), 'Asia/Shanghai');
const day = (k: number) =>
  new Date(Date.parse(`${today()}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startApp();
  const team = (teamId = await createTeam(t.db));
  const otherTeam = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager Ma' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  zhRep = await createUser(t.db, { role: 'sales', teamId: team, name: '王销售', locale: 'zh-CN' });
  outsider = await createUser(t.db, { role: 'sales', teamId: otherTeam, name: 'Rep Outside' });
  await createUser(t.db, { role: 'service', teamId: otherTeam, name: 'Service Elsewhere' });
  serviceInTeam = await createUser(t.db, { role: 'service', teamId: team, name: 'Service Zhao' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '上海华信科技有限公司' });
}, 60_000);
afterAll(() => t.close());

let numbers = 0;
/** A contract of `owner` in `status` for `amount` (one line), as the contracts module stores one. */
async function contract(
  amount: string,
  status: 'draft' | 'approved' | 'signed' | 'completed' = 'signed',
  fields: { owner?: number; endOn?: string; startOn?: string; customer?: { id: number; name: string } } = {},
): Promise<number> {
  const signed = status === 'signed' || status === 'completed';
  const customer = fields.customer ?? { id: customerId, name: '上海华信科技有限公司' };
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on, start_on, end_on,
       approval_rounds, version)
     VALUES ($1, $2, $9, $3, '运维服务', $4, $5, $6, $7, $8, 1, 1) RETURNING id`,
    [
      `HT-2099-${String(++numbers).padStart(4, '0')}`,
      customer.id,
      fields.owner ?? rep.id,
      amount,
      status,
      signed ? day(-40) : null,
      fields.startOn ?? day(-40),
      fields.endOn ?? day(400),
      customer.name,
    ],
  );
  await t.db.query(
    `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total)
     VALUES ($1, 1, '运维服务', '项', 1, $2, $2)`,
    [rows[0].id, amount],
  );
  return rows[0].id;
}

/** The plan form's fields for these installments ([due, amount, id?]). */
function planFields(rows: [string, string, string?][], version: number): Record<string, string> {
  const f: Record<string, string> = { version: String(version) };
  rows.forEach(([dueOn, amount, id], i) => {
    f[`installments[${i}][dueOn]`] = dueOn;
    f[`installments[${i}][amount]`] = amount;
    if (id) f[`installments[${i}][id]`] = id;
  });
  return f;
}

async function installments(id: number) {
  const { rows } = await t.db.query(
    `SELECT id, position, due_on::text AS due_on, amount::text AS amount, collected::text AS collected
       FROM payment_installment WHERE contract_id = $1 ORDER BY position`,
    [id],
  );
  return rows as { id: number; position: number; due_on: string; amount: string; collected: string }[];
}

const planVersion = async (id: number) =>
  ((await t.db.query('SELECT version FROM payment_plan WHERE contract_id = $1', [id])).rows[0]?.version as
    number | undefined) ?? 0;

const countOf = async (table: string, contractId: number) =>
  (
    await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE contract_id = $1`, [
      contractId,
    ])
  ).rows[0].n;

/** A plan saved through the form. */
async function savePlan(c: Client, id: number, rows: [string, string, string?][]) {
  await c.get(`/contracts/${id}/plan`);
  const reply = await c.post(`/contracts/${id}/plan`, planFields(rows, await planVersion(id)));
  expect({ status: reply.status, page: reply.status === 303 ? '' : visibleText(reply.text) }).toMatchObject({
    status: 303,
  });
}

async function pay(c: Client, id: number, amount: string, fields: Record<string, string> = {}) {
  await c.get(`/contracts/${id}`);
  return c.post(`/contracts/${id}/payments`, {
    receivedOn: day(-1),
    amount,
    method: 'bank_transfer',
    reference: '招商银行 流水 0038',
    ...fields,
  });
}

async function invoice(
  c: Client,
  id: number,
  number: string,
  amount: string,
  fields: Record<string, string> = {},
) {
  await c.get(`/contracts/${id}`);
  return c.post(`/contracts/${id}/invoices`, {
    number,
    issuedOn: day(-1),
    amount,
    type: 'vat_special',
    taxRate: '13',
    ...fields,
  });
}

describe('the payment plan', () => {
  it('splits the amount into equal installments, the spare fen on the last', async () => {
    const id = await contract('100.00', 'draft', { startOn: '2027-01-31' });
    const c = await signedIn(t, rep);
    const form = await c.get(`/contracts/${id}/plan?split=3`);
    expect(form.status).toBe(200);
    const amounts = [...form.text.matchAll(/name="installments\[\d\]\[amount\]" value="([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(amounts.slice(0, 3)).toEqual(['33.33', '33.33', '33.34']);
    const dues = [...form.text.matchAll(/name="installments\[\d\]\[dueOn\]" value="([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(dues.slice(0, 3)).toEqual(['2027-01-31', '2027-02-28', '2027-03-31']);
  });

  it('refuses installments that do not add up to the amount, storing nothing, input kept', async () => {
    const id = await contract('300.00', 'draft');
    const c = await signedIn(t, rep);
    await c.get(`/contracts/${id}/plan`);
    const reply = await c.post(
      `/contracts/${id}/plan`,
      planFields(
        [
          ['2027-01-10', '100.00'],
          ['2027-02-10', '100.00'],
          ['2027-03-10', '99.99'],
        ],
        0,
      ),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain(
      'The installments add up to ¥299.99, ¥0.01 short of the contract amount ¥300.00.',
    );
    expect(reply.text).toContain('value="99.99"');
    expect(await installments(id)).toEqual([]);
    expect(await planVersion(id)).toBe(0);
  });

  it('keeps a contract whose plan no longer adds up from approval, naming both sums', async () => {
    const id = await contract('300.00', 'draft');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [[day(10), '300.00']]);
    // Its lines grew after the plan was made.
    await t.db.query('UPDATE contract SET amount = 1300 WHERE id = $1', [id]);
    await c.get(`/contracts/${id}`);
    const reply = await c.post(`/contracts/${id}/submit`, { version: '1' });
    // Refused on the contract's page, which says why.
    expect(reply.location).toBe(`/contracts/${id}`);
    expect(visibleText((await c.get(`/contracts/${id}`)).text)).toContain(
      'The payment plan adds up to ¥300.00, not the contract amount ¥1,300.00: edit the plan first.',
    );
    const { rows } = await t.db.query('SELECT status FROM contract WHERE id = $1', [id]);
    expect(rows[0].status).toBe('draft');
  });

  it('names both sums of a plan that does not add up as money is written, thousands grouped', async () => {
    const id = await contract('124526.00', 'draft', { owner: zhRep.id });
    const c = await signedIn(t, zhRep, 'zh-CN');
    await c.get(`/contracts/${id}/plan`);
    const reply = await c.post(
      `/contracts/${id}/plan`,
      planFields(
        [
          ['2027-01-10', '40,000'],
          ['2027-02-10', '40000'],
          ['2027-03-10', '40,000.00'],
        ],
        0,
      ),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('各期合计 ¥120,000.00，比合同金额 ¥124,526.00 少 ¥4,526.00。');
    // The plan's sum is wrong, not any field: no input is marked.
    expect(reply.text).not.toMatch(/has-error|aria-invalid/);
    expect(await installments(id)).toEqual([]);
  });

  it('refuses negative, non-numeric and impossible values beside their fields, in Chinese for a Chinese user', async () => {
    const id = await contract('300.00', 'draft', { owner: zhRep.id });
    const c = await signedIn(t, zhRep, 'zh-CN');
    await c.get(`/contracts/${id}/plan`);
    const reply = await c.post(
      `/contracts/${id}/plan`,
      planFields(
        [
          ['2027-01-10', '-100'],
          ['2027-02-30', 'abc'],
        ],
        0,
      ),
    );
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('金额须大于零。');
    expect(text).toContain('请按 YYYY-MM-DD 格式输入日期。');
    expect(text).toContain('请输入以元为单位的金额');
    expect(await installments(id)).toEqual([]);
  });

  it('saves a plan, then refuses a stale save with the typed values kept', async () => {
    const id = await contract('300.00', 'approved');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [
      ['2027-01-10', '100.00'],
      ['2027-02-10', '200.00'],
    ]);
    expect(await installments(id)).toMatchObject([
      { position: 1, due_on: '2027-01-10', amount: '100.00', collected: '0.00' },
      { position: 2, due_on: '2027-02-10', amount: '200.00', collected: '0.00' },
    ]);
    expect(await planVersion(id)).toBe(1);
    // Someone else opened the form on version 0 (no plan yet) and saves now.
    await c.get(`/contracts/${id}/plan`);
    const stale = await c.post(`/contracts/${id}/plan`, planFields([['2027-05-05', '300.00']], 0));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('value="2027-05-05"');
    expect(await installments(id)).toHaveLength(2);
    const page = visibleText((await c.get(`/contracts/${id}`)).text);
    expect(page).toContain('Payment plan');
    expect(page).toContain('¥200.00');
    // The printed contract states the plan.
    const printed = visibleText((await c.get(`/contracts/${id}/print?lang=zh-CN`)).text);
    expect(printed).toContain('第 2 期：2027-02-10 前支付 ¥200.00');
  });
});

describe('splitting a partly paid plan', () => {
  it('splits only what the paid installments leave, keeping them, and saves the plan it filled in', async () => {
    const id = await contract('300.00');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [
      [day(-30), '100.00'],
      [day(-5), '100.00'],
      [day(30), '100.00'],
    ]);
    expect((await pay(c, id, '190.00')).status).toBe(303);
    const [first, second] = await installments(id);
    const form = await c.get(`/contracts/${id}/plan?split=2`);
    expect(visibleText(form.text)).toContain(
      'Installments already paid (in part) stay as they are; the rest, ¥100.00, is split.',
    );
    // The form as filled in: every non-empty row, as the browser sends it.
    const fields: Record<string, string> = {};
    for (const m of form.text.matchAll(/name="(installments\[\d+\]\[\w+\]|version)" value="([^"]+)"/g))
      fields[m[1]] = m[2];
    const filled = Object.keys(fields).filter((k) => k.endsWith('[amount]'));
    expect(filled.map((k) => fields[k])).toEqual(['100.00', '100.00', '50.00', '50.00']);
    expect(fields['installments[0][id]']).toBe(String(first.id));
    expect(fields['installments[1][id]']).toBe(String(second.id));
    expect(fields['installments[2][dueOn]']).toBe(addMonths(second.due_on, 1));
    expect(fields['installments[3][dueOn]']).toBe(addMonths(second.due_on, 2));
    const saved = await c.post(`/contracts/${id}/plan`, fields);
    expect(saved.status).toBe(303);
    expect((await installments(id)).map((i) => [i.amount, i.collected])).toEqual([
      ['100.00', '100.00'],
      ['100.00', '90.00'],
      ['50.00', '0.00'],
      ['50.00', '0.00'],
    ]);
  });
});

describe('payments received', () => {
  let id: number;
  let c: Client;
  beforeAll(async () => {
    id = await contract('300.00');
    c = await signedIn(t, rep);
    await savePlan(c, id, [
      [day(-30), '100.00'],
      [day(-5), '100.00'],
      [day(30), '100.00'],
    ]);
  });

  it('are allocated oldest first: partly, then across two installments', async () => {
    expect((await pay(c, id, '40.00')).status).toBe(303);
    expect((await installments(id)).map((i) => i.collected)).toEqual(['40.00', '0.00', '0.00']);
    expect((await pay(c, id, '150.00', { method: 'acceptance_bill' })).status).toBe(303);
    expect((await installments(id)).map((i) => i.collected)).toEqual(['100.00', '90.00', '0.00']);
    const page = visibleText((await c.get(`/contracts/${id}`)).text);
    expect(page).toContain('Acceptance bill');
    expect(page).toMatch(/Collected ¥190\.00/);
    expect(page).toMatch(/Outstanding ¥110\.00/);
    expect(page).toMatch(/Overdue ¥10\.00/);
  });

  it('refuses more than is outstanding, a negative or non-numeric amount, a future day and a mistyped year; nothing stored', async () => {
    const before = await countOf('payment', id);
    const over = await pay(c, id, '110.01');
    expect(over.status).toBe(422);
    expect(visibleText(over.text)).toContain('More than is outstanding on this contract (¥110.00).');
    expect(over.text).toContain('value="110.01"');
    expect((await pay(c, id, '-5')).status).toBe(422);
    const nan = await pay(c, id, 'abc');
    expect(nan.status).toBe(422);
    expect(visibleText(nan.text)).toContain('Enter an amount in yuan');
    const future = await pay(c, id, '10.00', { receivedOn: day(400) });
    expect(future.status).toBe(422);
    expect(visibleText(future.text)).toContain('This day has not come yet');
    // Signed 40 days ago: a deposit a little before is taken, a year before is a mistyped year.
    const lastYear = await pay(c, id, '10.00', { receivedOn: day(-40 - 365) });
    expect(lastYear.status).toBe(422);
    expect(visibleText(lastYear.text)).toContain(`The contract was signed on ${day(-40)}`);
    expect(await countOf('payment', id)).toBe(before);
    expect((await installments(id)).map((i) => i.collected)).toEqual(['100.00', '90.00', '0.00']);
  });

  it('refuses a payment on a contract not yet signed', async () => {
    const approved = await contract('50.00', 'approved');
    await savePlan(c, approved, [[day(-10), '50.00']]);
    expect((await pay(c, approved, '10.00')).status).toBe(409);
    expect(await t.db.query('SELECT 1 FROM payment WHERE contract_id = $1', [approved])).toMatchObject({
      rowCount: 0,
    });
    // Not yet the customer's obligation: nothing of it is overdue.
    const html = (await c.get(`/contracts/${approved}`)).text;
    const page = visibleText(html);
    expect(page).toMatch(/Overdue ¥0\.00/);
    expect(page).toMatch(/Owed once signed ¥50\.00/);
    // Nor is its installment marked overdue, though its day has passed.
    expect(html).toContain('installment-open');
    expect(html).not.toContain('installment-overdue');
    expect(page).toContain('Payments and invoices are recorded once the contract is signed.');
    expect(await countOf('payment', approved)).toBe(0);
  });

  it('keeps a paid installment’s amount when the plan is edited', async () => {
    const [first, second, third] = await installments(id);
    await c.get(`/contracts/${id}/plan`);
    const reply = await c.post(
      `/contracts/${id}/plan`,
      planFields(
        [
          [first.due_on, '50.00', String(first.id)],
          [second.due_on, '150.00', String(second.id)],
          [third.due_on, '100.00', String(third.id)],
        ],
        await planVersion(id),
      ),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain(
      'This installment has been paid (in part): its amount stays ¥100.00.',
    );
    expect((await installments(id)).map((i) => i.amount)).toEqual(['100.00', '100.00', '100.00']);
  });

  it('reverses a mistaken payment with a reason: the installments open again, the entry stays, audited', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `SELECT id FROM payment WHERE contract_id = $1 AND amount = 150 AND reversed_at IS NULL`,
      [id],
    );
    await c.get(`/contracts/${id}`);
    const empty = await c.post(`/contracts/${id}/payments/${rows[0].id}/reverse`, { reversalReason: '' });
    expect(empty.status).toBe(422);
    expect(visibleText(empty.text).split('Say why it is reversed.')).toHaveLength(2);
    await c.get(`/contracts/${id}`);
    const reversed = await c.post(`/contracts/${id}/payments/${rows[0].id}/reverse`, {
      reversalReason: '重复登记',
    });
    expect(reversed.status).toBe(303);
    expect((await installments(id)).map((i) => i.collected)).toEqual(['40.00', '0.00', '0.00']);
    const { rows: stored } = await t.db.query(
      'SELECT reversal_reason, reversed_by_id FROM payment WHERE id = $1',
      [rows[0].id],
    );
    expect(stored[0]).toEqual({ reversal_reason: '重复登记', reversed_by_id: rep.id });
    const { rows: audit } = await t.db.query(
      `SELECT action FROM audit_entry WHERE entity = 'payment' AND entity_id = $1 ORDER BY id`,
      [String(rows[0].id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'reverse']);
    await c.get(`/contracts/${id}`);
    const twice = await c.post(`/contracts/${id}/payments/${rows[0].id}/reverse`, {
      reversalReason: 'again',
    });
    expect(twice.status).toBe(422);
    expect(visibleText((await c.get(`/contracts/${id}`)).text)).toContain('Reversed');
  });

  it('shares the payments still standing out again after a reversal, oldest installment first', async () => {
    const k = await contract('200.00');
    await savePlan(c, k, [
      [day(-30), '100.00'],
      [day(30), '100.00'],
    ]);
    await pay(c, k, '60.00');
    const { rows } = await t.db.query<{ id: number }>('SELECT id FROM payment WHERE contract_id = $1', [k]);
    await pay(c, k, '100.00');
    expect((await installments(k)).map((i) => i.collected)).toEqual(['100.00', '60.00']);
    await c.get(`/contracts/${k}`);
    await c.post(`/contracts/${k}/payments/${rows[0].id}/reverse`, { reversalReason: '登记错了' });
    // The ¥100.00 still standing settles the installment already due: nothing is overdue.
    expect((await installments(k)).map((i) => i.collected)).toEqual(['100.00', '0.00']);
    const page = (await c.get(`/contracts/${k}`)).text;
    expect(visibleText(page)).toMatch(/Overdue ¥0\.00/);
    // Completing it asks first, naming what is still to be collected.
    expect(page).toContain('data-confirm="¥100.00 is still to be collected on this contract.');
    const { rows: shares } = await t.db.query(
      `SELECT a.amount::text AS amount FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
        WHERE p.contract_id = $1 AND p.reversed_at IS NULL`,
      [k],
    );
    expect(shares).toEqual([{ amount: '100.00' }]);
  });

  it('refuses a form without its CSRF token, storing nothing', async () => {
    const before = await countOf('payment', id);
    await c.get(`/contracts/${id}`);
    const reply = await c.post(
      `/contracts/${id}/payments`,
      { receivedOn: day(-1), amount: '1.00', method: 'cash' },
      { csrf: false },
    );
    expect(reply.status).toBe(403);
    expect(await countOf('payment', id)).toBe(before);
  });

  it('shows on the customer’s 360° timeline', async () => {
    const page = visibleText((await c.get(`/customers/${customerId}`)).text);
    expect(page).toContain('Payment received');
    expect(page).toContain('¥40.00');
  });
});

describe('invoices', () => {
  it('show invoiced-but-not-collected and collected-but-not-invoiced; over the amount and a used number refused', async () => {
    const id = await contract('300.00');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [
      [day(-10), '100.00'],
      [day(20), '200.00'],
    ]);
    expect((await pay(c, id, '100.00')).status).toBe(303);
    expect((await invoice(c, id, '04400212345678', '150.00')).status).toBe(303);
    let page = visibleText((await c.get(`/contracts/${id}`)).text);
    expect(page).toContain('Invoiced, not collected ¥50.00');
    expect(page).toContain('Collected, not invoiced ¥0.00');
    expect(page).toContain('Special VAT invoice');

    const over = await invoice(c, id, '04400212345679', '150.01');
    expect(over.status).toBe(422);
    expect(visibleText(over.text)).toContain('at most ¥150.00 is left to invoice');
    const future = await invoice(c, id, '04400212345680', '10.00', { issuedOn: day(2) });
    expect(future.status).toBe(422);
    expect(visibleText(future.text)).toContain('enter the day the invoice was issued');
    const taken = await invoice(c, id, '04400212345678', '10.00');
    expect(taken.status).toBe(422);
    expect(visibleText(taken.text)).toContain('already has an invoice with this number');
    const early = await invoice(c, id, 'X-1', '10.00', { issuedOn: day(-40 - 366) });
    expect(early.status).toBe(422);
    expect(visibleText(early.text)).toContain('likely a mistyped year');
    // 13% typed as 31: no VAT rate is above 17%.
    const rate = await invoice(c, id, 'X-1', '10.00', { taxRate: '31' });
    expect(rate.status).toBe(422);
    expect(visibleText(rate.text)).toContain('Enter the VAT rate in percent, from 0 to 17');
    expect(await countOf('invoice', id)).toBe(1);

    const other = await contract('300.00');
    await savePlan(c, other, [[day(-10), '300.00']]);
    await pay(c, other, '100.00');
    // The first contract's invoice, typed again with spaces and full-width digits: one invoice, recorded once.
    const twice = await invoice(c, other, '0440 0212 ３４５６７８', '60.00');
    expect(twice.status).toBe(422);
    expect(visibleText(twice.text)).toContain('already recorded on another contract');
    expect(await countOf('invoice', other)).toBe(0);
    expect(
      (await invoice(c, other, '1100 2233', '60.00', { type: 'vat_general', taxRate: '6' })).status,
    ).toBe(303);
    const { rows: stored } = await t.db.query('SELECT number FROM invoice WHERE contract_id = $1', [other]);
    expect(stored).toEqual([{ number: '11002233' }]);
    page = visibleText((await c.get(`/contracts/${other}`)).text);
    expect(page).toContain('Collected, not invoiced ¥40.00');
    expect(page).toContain('Invoiced, not collected ¥0.00');
  });

  it('reverses an invoice issued by mistake (红冲): kept, no longer counted, audited; twice or without a reason refused', async () => {
    const id = await contract('500.00');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [[day(-10), '500.00']]);
    expect((await invoice(c, id, '04400299990001', '500.00')).status).toBe(303);
    // Full: nothing more can be invoiced until the mistaken one is reversed.
    expect((await invoice(c, id, '04400299990002', '450.00')).status).toBe(422);
    const [{ id: invoiceId }] = (await t.db.query('SELECT id FROM invoice WHERE contract_id = $1', [id]))
      .rows;
    const reverse = async (fields: Record<string, string>, client = c) => {
      await client.get(`/contracts/${id}`);
      return client.post(`/contracts/${id}/invoices/${invoiceId}/reverse`, fields);
    };
    const noReason = await reverse({ reversalReason: '' });
    expect(noReason.status).toBe(422);
    expect(visibleText(noReason.text)).toContain('Say why it is reversed.');
    expect(
      (
        await c.post(
          `/contracts/${id}/invoices/${invoiceId}/reverse`,
          { reversalReason: 'x' },
          { csrf: false },
        )
      ).status,
    ).toBe(403);
    expect((await reverse({ reversalReason: 'x' }, await signedIn(t, outsider))).status).toBe(404);

    expect((await reverse({ reversalReason: '金额开错，已开红字发票' })).status).toBe(303);
    const page = visibleText((await c.get(`/contracts/${id}`)).text);
    expect(page).toContain('Reversed 金额开错，已开红字发票');
    expect(page).toContain('Invoiced ¥0.00');
    const twice = await reverse({ reversalReason: '再来一次' });
    expect(twice.status).toBe(422);
    expect(visibleText(twice.text)).toContain('already reversed');
    // The correct invoice can now be recorded; the reversed one's number stays used.
    expect((await invoice(c, id, '04400299990002', '450.00')).status).toBe(303);
    expect((await invoice(c, id, '04400299990001', '10.00')).status).toBe(422);
    const { rows } = await t.db.query(
      `SELECT action, actor_id, diff FROM audit_entry WHERE entity = 'invoice' AND entity_id = $1 ORDER BY id`,
      [String(invoiceId)],
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'reverse']);
    expect(rows[1]).toMatchObject({
      actor_id: rep.id,
      diff: { amount: { from: '500.00', to: null }, reason: { to: '金额开错，已开红字发票' } },
    });
    // The API tells it too.
    const [stored] = (
      await t.db.query('SELECT reversed_by_id, reversal_reason FROM invoice WHERE id = $1', [invoiceId])
    ).rows;
    expect(stored).toEqual({ reversed_by_id: rep.id, reversal_reason: '金额开错，已开红字发票' });
  });
});

describe('the collection rate', () => {
  it('is two thirds after two of three equal installments are paid', async () => {
    const id = await contract('100.00');
    const c = await signedIn(t, rep);
    await c.get(`/contracts/${id}/plan?split=3`);
    await savePlan(c, id, [
      [day(-20), '33.33'],
      [day(-10), '33.33'],
      [day(10), '33.34'],
    ]);
    await pay(c, id, '33.33');
    await pay(c, id, '33.33');
    const page = await c.get(`/contracts/${id}`);
    expect(/data-testid="collection-rate">([^<]+)</.exec(page.text)?.[1]).toBe('66.7%');
  });
});

describe('overdue installments', () => {
  it('show on the owner’s My day, not on another rep’s', async () => {
    const id = await contract('80.00');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [
      [day(-3), '30.00'],
      [day(30), '50.00'],
    ]);
    const number = (await t.db.query('SELECT number FROM contract WHERE id = $1', [id])).rows[0]
      .number as string;
    const mine = visibleText((await c.get('/')).text);
    expect(mine).toContain('Overdue installments');
    expect(mine).toContain(number);
    const other = visibleText((await (await signedIn(t, outsider)).get('/')).text);
    expect(other).not.toContain(number);
  });

  it('are read for My day in one statement that the owner and open-installment indexes serve (tasks too)', async () => {
    const c = await signedIn(t, rep);
    await c.get('/');
    const recorder = new StatementRecorder();
    recorder.install();
    const { statements } = await recorder.during(() => c.get('/'));
    recorder.uninstall();
    const reads = statements.filter((st) => /\bpayment_installment\b/.test(st.text));
    expect(reads).toHaveLength(1);
    // The demo tables are small enough for the planner to prefer reading them whole; with that ruled
    // out, the statement must be served by the indexes, as on a large book of contracts.
    const db = await t.db.connect();
    try {
      await db.query('BEGIN');
      await db.query('SET LOCAL enable_seqscan = off');
      const contracts = await scansOf(db, reads[0], 'contract');
      const open = await scansOf(db, reads[0], 'payment_installment');
      expect(contracts.seqScan).toBe(false);
      expect(contracts.indexes).toEqual(['ix_contract_owner_status_created']);
      expect(open.seqScan).toBe(false);
      expect(open.indexes).toEqual(['ix_payment_installment_open']);
      // And the open tasks, by the assignee's open-task index.
      const taskRead = statements.filter((st) => /\bFROM task\b/.test(st.text));
      expect(taskRead).toHaveLength(1);
      expect((await scansOf(db, taskRead[0], 'task')).indexes).toEqual(['ix_task_assignee_open']);
    } finally {
      await db.query('ROLLBACK');
      db.release();
    }
  });

  it('are mailed to the owner once a day', async () => {
    const payments = t.app.get(PaymentsService);
    expect(await payments.sendOverdueReminders()).toBeGreaterThanOrEqual(1);
    // The same day again: every overdue installment was reminded already.
    expect(await payments.sendOverdueReminders()).toBe(0);
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_mail o JOIN app_user u ON u.email = o."to"
        WHERE u.id = $1 AND o.subject LIKE '%overdue installments%'`,
      [rep.id],
    );
    expect(rows[0].n).toBe(1);
    const { rows: reminded } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payment_installment i JOIN contract c ON c.id = i.contract_id
        WHERE c.owner_id = $1 AND i.collected < i.amount AND i.due_on < $2 AND i.reminded_on IS NULL AND c.status = 'signed'`,
      [rep.id, today()],
    );
    expect(reminded[0].n).toBe(0);
  });
});

describe('the receivables page', () => {
  it('shows outstanding and overdue by owner with a total, within the user’s scope', async () => {
    const m = await signedIn(t, manager);
    await m.get('/contracts/receivables');
    const recorder = new StatementRecorder();
    recorder.install();
    const { result: page, statements } = await recorder.during(() => m.get('/contracts/receivables'));
    recorder.uninstall();
    expect(page.status).toBe(200);
    // The money of every owner in the manager's scope in one statement (one scan per owner).
    expect(statements.filter((st) => /\bpayment_installment\b/.test(st.text))).toHaveLength(1);
    expect(statements.length).toBeLessThanOrEqual(3);
    const text = visibleText(page.text);
    expect(text).toContain('Rep Li');
    expect(text).toContain('Total');
    const other = visibleText((await (await signedIn(t, outsider)).get('/contracts/receivables')).text);
    expect(other).not.toContain('Rep Li');
  });

  it('counts a contract signed without a payment plan as owed whole, overdue on no day', async () => {
    const owner = await createUser(t.db, { role: 'sales', teamId, name: 'Rep Planless' });
    await contract('139500.00', 'signed', { owner: owner.id });
    await contract('800.00', 'draft', { owner: owner.id });
    const page = await (await signedIn(t, manager)).get('/contracts/receivables');
    expect(visibleText(page.text)).toContain('Rep Planless ¥139,500.00 ¥0.00 ¥0.00');
  });

  it('lists the customers owing most, overdue first, since their oldest unpaid day, and teams when there are several', async () => {
    const owner = await createUser(t.db, { role: 'sales', teamId, name: 'Rep Ledger' });
    const late = { name: '苏州恒达精密机械有限公司', id: 0 };
    const planless = { name: '杭州禾谷食品有限公司', id: 0 };
    late.id = await createCustomer(t.db, { ownerId: owner.id, name: late.name });
    planless.id = await createCustomer(t.db, { ownerId: owner.id, name: planless.name });
    const c = await signedIn(t, owner);
    const lateContract = await contract('10000.00', 'signed', { owner: owner.id, customer: late });
    await savePlan(c, lateContract, [
      [day(-30), '4000.00'],
      [day(30), '6000.00'],
    ]);
    expect((await pay(c, lateContract, '1000.00')).status).toBe(303);
    // Owed whole, on no day yet: listed after the customer whose money is overdue, though it owes more.
    await contract('50000.00', 'signed', { owner: owner.id, customer: planless });

    const page = await (await signedIn(t, manager)).get('/contracts/receivables');
    const text = visibleText(page.text);
    const lateRow = `${late.name} 1 ¥9,000.00 ¥3,000.00 ${day(-30)}`;
    expect(text).toContain(lateRow);
    expect(text).toContain(`${planless.name} 1 ¥50,000.00 ¥0.00 —`);
    expect(text.indexOf(lateRow)).toBeLessThan(text.indexOf(planless.name));
    expect(page.text).toContain(`href="/contracts?customer=${late.id}"`);
    // The manager's scope is one team: no team table.
    expect(text).not.toContain('By team');
    // A rep of another team sees neither customer.
    const other = visibleText((await (await signedIn(t, outsider)).get('/contracts/receivables')).text);
    expect(other).not.toContain(late.name);

    // The admin, in no team, signed one too: the company's receivables span two groups.
    const admin = await createUser(t.db, { role: 'admin', name: 'Admin Receivables' });
    await contract('700.00', 'signed', { owner: admin.id, customer: planless });
    const whole = visibleText((await (await signedIn(t, admin)).get('/contracts/receivables')).text);
    expect(whole).toContain('By team');
    expect(whole).toContain('No team ¥700.00 ¥0.00 ¥0.00');
    expect(whole).toContain(lateRow);
  });
});

/** Signs contract `id` (version 1) on `signedOn` with its scan, from its page. */
async function sign(c: Client, id: number, signedOn: string) {
  await c.get(`/contracts/${id}`);
  return c.upload(
    `/contracts/${id}/sign`,
    { name: 'scan.pdf', content: PDF, type: 'application/pdf' },
    { version: '1', signedOn },
  );
}

describe('signing', () => {
  it('creates three kickoff tasks for the team’s service user, on their My day, marked done with CSRF', async () => {
    const id = await contract('5000.00', 'approved');
    const c = await signedIn(t, rep);
    await c.get(`/contracts/${id}`);
    // Not on a day still to come.
    const early = await sign(c, id, day(3));
    expect(early.status).toBe(422);
    expect(visibleText(early.text)).toContain('enter the day the contract was signed');
    await c.get(`/contracts/${id}`);
    const signed = await sign(c, id, day(0));
    expect(signed.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT id, assignee_id, kind, status, title FROM task WHERE source_kind = 'contract' AND source_id = $1 ORDER BY id`,
      [id],
    );
    expect(rows).toHaveLength(3);
    expect(
      rows.every((r) => r.assignee_id === serviceInTeam.id && r.kind === 'kickoff' && r.status === 'open'),
    ).toBe(true);
    const s = await signedIn(t, serviceInTeam);
    const day0 = visibleText((await s.get('/')).text);
    expect(day0).toContain('My tasks');
    expect(day0).toContain('Kickoff meeting');
    expect(day0).toContain('Assign an implementation consultant');
    expect(day0).toContain('Delivery plan');

    expect((await s.post(`/tasks/${rows[0].id}/done`, {}, { csrf: false })).status).toBe(403);
    // Not theirs: another user cannot close it.
    const other = await signedIn(t, outsider);
    await other.get('/');
    expect((await other.post(`/tasks/${rows[0].id}/done`, {})).status).not.toBe(303);
    await s.get('/');
    expect((await s.post(`/tasks/${rows[0].id}/done`, {})).status).toBe(303);
    const { rows: after } = await t.db.query('SELECT status FROM task WHERE id = $1', [rows[0].id]);
    expect(after[0].status).toBe('done');
    expect(visibleText((await s.get('/')).text)).not.toContain('Kickoff meeting');
  });

  it('wins the deal the contract was made for, when it is still open, told to the manager', async () => {
    const { rows: deal } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, '机房扩容', 'proposal', 5000, 50, $3, 1) RETURNING id`,
      [customerId, rep.id, day(20)],
    );
    const id = await contract('5000.00', 'approved');
    await t.db.query('UPDATE contract SET opportunity_id = $1 WHERE id = $2', [deal[0].id, id]);
    const c = await signedIn(t, rep);
    await c.get(`/contracts/${id}`);
    const signed = await sign(c, id, day(0));
    expect(signed.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT o.stage, o.probability, (SELECT array_agg(s.from_stage || '>' || s.to_stage) FROM opportunity_stage_change s
                                        WHERE s.opportunity_id = o.id) AS moves
         FROM opportunity o WHERE o.id = $1`,
      [deal[0].id],
    );
    expect(rows[0]).toEqual({ stage: 'won', probability: 100, moves: ['proposal>won'] });
    const { rows: told } = await t.db.query(
      `SELECT link FROM notification WHERE user_id = $1 AND kind = 'opportunity_stage_changed'`,
      [manager.id],
    );
    expect(told.map((n) => n.link)).toContain(`/opportunities/${deal[0].id}`);
  });
});

describe('a leaving service user', () => {
  it('hands their open kickoff tasks to the next service user as they are deactivated', async () => {
    const { rows: before } = await t.db.query<{ id: number }>(
      `SELECT id FROM task WHERE assignee_id = $1 AND status = 'open'`,
      [serviceInTeam.id],
    );
    expect(before.length).toBeGreaterThan(0);
    const admin = await signedIn(t, await createUser(t.db, { role: 'admin' }));
    await admin.get('/admin/users');
    expect((await admin.post(`/admin/users/${serviceInTeam.id}/deactivate`, {})).status).toBe(303);
    const { rows: after } = await t.db.query(
      `SELECT DISTINCT u.name FROM task k JOIN app_user u ON u.id = k.assignee_id WHERE k.id = ANY($1)`,
      [before.map((r) => r.id)],
    );
    // No other service user in the team: the first active one of another team.
    expect(after.map((r) => r.name)).toEqual(['Service Elsewhere']);
  });
});

describe('renewal', () => {
  it('reminds the owner once, 30 days before the end', async () => {
    const id = await contract('10.00', 'signed', { endOn: day(20) });
    const far = await contract('10.00', 'signed', { endOn: day(60) });
    const payments = t.app.get(PaymentsService);
    await payments.sendRenewalReminders();
    await payments.sendRenewalReminders();
    const { rows } = await t.db.query(
      `SELECT link FROM notification WHERE user_id = $1 AND kind = 'contract_renewal'`,
      [rep.id],
    );
    expect(rows.map((r) => r.link)).toContain(`/contracts/${id}`);
    expect(rows.filter((r) => r.link === `/contracts/${id}`)).toHaveLength(1);
    expect(rows.map((r) => r.link)).not.toContain(`/contracts/${far}`);
    const { rows: mails } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_mail WHERE subject LIKE $1`,
      [`Renewal: contract %`],
    );
    expect(mails[0].n).toBeGreaterThanOrEqual(1);
  });
});

describe('scope', () => {
  it('answers 404 to another rep on every route of the contract’s money', async () => {
    const id = await contract('100.00');
    const c = await signedIn(t, rep);
    await savePlan(c, id, [[day(-1), '100.00']]);
    await pay(c, id, '10.00');
    const paymentId = (await t.db.query('SELECT id FROM payment WHERE contract_id = $1', [id])).rows[0].id;
    const o = await signedIn(t, outsider);
    await o.get('/');
    expect((await o.get(`/contracts/${id}/plan`)).status).toBe(404);
    expect((await o.post(`/contracts/${id}/plan`, planFields([[day(1), '100.00']], 1))).status).toBe(404);
    expect(
      (await o.post(`/contracts/${id}/payments`, { receivedOn: day(-1), amount: '1', method: 'cash' }))
        .status,
    ).toBe(404);
    expect(
      (await o.post(`/contracts/${id}/payments/${paymentId}/reverse`, { reversalReason: 'x' })).status,
    ).toBe(404);
    expect(
      (
        await o.post(`/contracts/${id}/invoices`, {
          number: 'N1',
          issuedOn: day(-1),
          amount: '1',
          type: 'vat_general',
          taxRate: '6',
        })
      ).status,
    ).toBe(404);
    expect(await countOf('payment', id)).toBe(1);
    expect(await countOf('invoice', id)).toBe(0);
    // A service agent reads the money but records none.
    const s = await signedIn(t, await createUser(t.db, { role: 'service' }));
    expect((await s.get(`/contracts/${id}`)).status).toBe(200);
    expect(
      (await s.post(`/contracts/${id}/payments`, { receivedOn: day(-1), amount: '1', method: 'cash' }))
        .status,
    ).toBe(403);
  });
});
