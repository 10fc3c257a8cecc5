import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../helpers/api.js';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, type Reply, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * Two or more people acting on the same thing at the same moment, through the pages: two saves of one
 * customer, deal, quote, contract or ticket sent together (one is kept, the other refused with the
 * user's input shown back in their language), fifty contracts made at once numbered without a gap,
 * twenty reps claiming one pool customer, two approvers of a 或签 step clicking together, and the same
 * create form sent twice at once. Each asserts what the users see and what the database holds.
 *
 * Elsewhere: one stale save after another (the second refused, the first kept) is proven per record in
 * customers.test.ts, opportunities.test.ts, quotes.test.ts, contracts.test.ts and tickets-pages.test.ts;
 * 50 contracts made at once through the API in contracts.test.ts; the approval engine's own 或签 race
 * in approvals.test.ts; follow-ups, customers and contacts sent twice in double-submit.test.ts.
 */
let t: TestApp;
let manager: UserRow;
let rep: UserRow;
let agent1: UserRow;
let agent2: UserRow;
let gm1: UserRow;
let gm2: UserRow;
let team: number;
let serviceTeam: number;
let customerId: number;

/** The stale-save message, as each language says it (its first sentence). */
const STALE = {
  en: 'Someone else saved this record after you opened it.',
  'zh-CN': '在您打开之后，其他人已保存了这条记录。',
} as const;
const ALREADY_SENT = {
  en: 'This form was sent before: here is what it saved.',
  'zh-CN': '该表单之前已经提交过，这里是当时保存的内容。',
} as const;
type Lang = keyof typeof STALE;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  serviceTeam = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager Ma' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  agent1 = await createUser(t.db, { role: 'service', teamId: serviceTeam, name: 'Agent Wang' });
  agent2 = await createUser(t.db, { role: 'service', teamId: serviceTeam, name: 'Agent Liu' });
  gm1 = await createUser(t.db, { role: 'manager', name: 'Gus General' });
  gm2 = await createUser(t.db, { role: 'manager', name: 'Gwen General' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '上海华信科技有限公司' });
  for (const u of [manager, agent2, gm2]) LANG.set(u.id, 'zh-CN');
}, 60_000);
afterAll(() => t.close());

/** Each user's language, fixed for the file, and their one signed-in browser. */
const LANG = new Map<number, Lang>();
const clients = new Map<number, Client>();
const langOf = new WeakMap<Client, Lang>();
async function as(user: UserRow): Promise<Client> {
  let c = clients.get(user.id);
  if (!c) {
    const lang = LANG.get(user.id) ?? 'en';
    c = await signedIn(t, user, lang);
    clients.set(user.id, c);
    langOf.set(c, lang);
  }
  return c;
}

/** The hidden row version of the form on `path`, as the user's browser holds it after loading it. */
async function shownVersion(c: Client, path: string): Promise<string> {
  const page = await c.get(path);
  expect(page.status).toBe(200);
  const version = /name="version" value="(\d+)"/.exec(page.text)?.[1];
  if (!version) throw new Error(`no version on ${path}`);
  return version;
}

/** The one-time token of the create form on `path`. */
async function onceToken(c: Client, path: string): Promise<string> {
  const page = await c.get(path);
  const token = /name="_once" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no one-time token on ${path}`);
  return token;
}

interface Editor {
  client: Client;
  /** What this user typed, as the form posts it. */
  fields: Record<string, string | string[]>;
}

/**
 * Both users have loaded the edit form (on the same version) and press Save at the same moment.
 * Exactly one save is kept; the other user sees the stale-save message in their language with the
 * form as they typed it. Answers which of the two won and the loser's page.
 */
async function bothSave(path: string, a: Editor, b: Editor): Promise<{ winner: 0 | 1; refused: Reply }> {
  const replies = await Promise.all([a.client.post(path, a.fields), b.client.post(path, b.fields)]);
  const statuses = replies.map((r) => r.status).sort((x, y) => x - y);
  expect(statuses, replies.map((r) => visibleText(r.text).slice(0, 300)).join('\n')).toEqual([303, 409]);
  const winner = replies[0].status === 303 ? 0 : 1;
  const refused = replies[1 - winner];
  const loser = [a, b][1 - winner];
  expect(visibleText(refused.text)).toContain(STALE[langOf.get(loser.client)!]);
  return { winner, refused };
}

describe('two users saving the same record at the same moment', () => {
  it('keeps one save of a customer and shows the other user what they typed', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Shared Ltd' });
    const path = `/customers/${id}/edit`;
    const mine = await as(rep);
    const theirs = await as(manager);
    const [v1, v2] = [await shownVersion(mine, path), await shownVersion(theirs, path)];
    const typed = ['Rep’s name for it', '经理填写的名称'];
    const { winner, refused } = await bothSave(
      path,
      {
        client: mine,
        fields: customerForm({ name: typed[0], address: '人民路 8 号', version: v1 }),
      },
      {
        client: theirs,
        fields: customerForm({ name: typed[1], ownerId: String(rep.id), version: v2 }),
      },
    );
    expect(refused.text).toContain(`value="${typed[1 - winner]}"`);
    const { rows } = await t.db.query('SELECT name, version FROM customer WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ name: typed[winner], version: 2 });
  });

  it('keeps one save of a deal', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, 'ERP 升级', 'proposal', 120000, 50, '2027-03-31', 1) RETURNING id`,
      [customerId, rep.id],
    );
    const id = rows[0].id;
    const path = `/opportunities/${id}/edit`;
    const mine = await as(rep);
    const theirs = await as(manager);
    const [v1, v2] = [await shownVersion(mine, path), await shownVersion(theirs, path)];
    const deal = (title: string, amount: string, version: string) => ({
      version,
      title,
      amount,
      expectedCloseDate: '2027-04-30',
    });
    const typed = [
      ['销售填写的标题', '99,000', '99000.00'],
      ['Manager’s title', '150,000.50', '150000.50'],
    ];
    const { winner, refused } = await bothSave(
      path,
      { client: mine, fields: deal(typed[0][0], typed[0][1], v1) },
      { client: theirs, fields: deal(typed[1][0], typed[1][1], v2) },
    );
    expect(refused.text).toContain(`value="${typed[1 - winner][0]}"`);
    expect(refused.text).toContain(`value="${typed[1 - winner][1]}"`);
    const stored = await t.db.query(
      'SELECT title, amount::text AS amount, version FROM opportunity WHERE id = $1',
      [id],
    );
    expect(stored.rows[0]).toEqual({ title: typed[winner][0], amount: typed[winner][2], version: 2 });
  });

  it('keeps one save of a quote, lines and all', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, '服务器扩容', 'proposal', 300000, 50, '2027-03-31', 1) RETURNING id`,
      [customerId, rep.id],
    );
    const dealId = rows[0].id;
    const mine = await as(rep);
    const made = await mine.post(
      `/opportunities/${dealId}/quotes/new`,
      quoteForm('服务器', '3', 'Draft terms'),
    );
    expect(made.status).toBe(303);
    const id = Number(/\/quotes\/(\d+)$/.exec(made.location!)![1]);
    const path = `/quotes/${id}/edit`;
    const theirs = await as(manager);
    const [v1, v2] = [await shownVersion(mine, path), await shownVersion(theirs, path)];
    const typed = [
      ['Rack servers', '7', 'Rep terms'],
      ['存储阵列', '2', '经理的条款'],
    ];
    const { winner, refused } = await bothSave(
      path,
      {
        client: mine,
        fields: { ...quoteForm(...(typed[0] as [string, string, string])), version: v1 },
      },
      {
        client: theirs,
        fields: { ...quoteForm(...(typed[1] as [string, string, string])), version: v2 },
      },
    );
    expect(refused.text).toContain(`value="${typed[1 - winner][0]}"`);
    expect(refused.text).toContain(typed[1 - winner][2]);
    const stored = await t.db.query(
      `SELECT q.terms, q.version, l.item_name, l.quantity::int AS quantity
         FROM quote q JOIN quote_line l ON l.quote_id = q.id WHERE q.id = $1`,
      [id],
    );
    expect(stored.rows).toEqual([
      {
        terms: typed[winner][2],
        version: 2,
        item_name: typed[winner][0],
        quantity: Number(typed[winner][1]),
      },
    ]);
  });

  it('keeps one save of a contract', async () => {
    const mine = await as(rep);
    const made = await mine.post(`/contracts/new`, {
      customerId: String(customerId),
      title: '服务器扩容合同',
      startOn: '2027-01-01',
      endOn: '2027-12-31',
      ...contractLines('服务器', '100'),
    });
    expect(made.status).toBe(303);
    const id = Number(/\/contracts\/(\d+)$/.exec(made.location!)![1]);
    const path = `/contracts/${id}/edit`;
    const theirs = await as(manager);
    const [v1, v2] = [await shownVersion(mine, path), await shownVersion(theirs, path)];
    const typed = [
      ['销售改的合同', '999', '999.00'],
      ['Manager’s contract', '1,234.50', '1234.50'],
    ];
    const { winner, refused } = await bothSave(
      path,
      {
        client: mine,
        fields: { version: v1, title: typed[0][0], ...contractLines('服务器', typed[0][1]) },
      },
      {
        client: theirs,
        fields: { version: v2, title: typed[1][0], ...contractLines('服务器', typed[1][1]) },
      },
    );
    expect(refused.text).toContain(`value="${typed[1 - winner][0]}"`);
    expect(refused.text).toContain(`value="${typed[1 - winner][1]}"`);
    const stored = await t.db.query(
      'SELECT title, amount::text AS amount, version FROM contract WHERE id = $1',
      [id],
    );
    expect(stored.rows[0]).toEqual({ title: typed[winner][0], amount: typed[winner][2], version: 2 });
  });

  it('keeps one change of a ticket', async () => {
    const ticket = await createTicket(t.db, { customerId, teamId: serviceTeam, assigneeId: agent1.id });
    const path = `/tickets/${ticket.id}`;
    const a = await as(agent1);
    const b = await as(agent2);
    const [v1, v2] = [await shownVersion(a, path), await shownVersion(b, path)];
    const change = (priority: string, version: string) => ({
      status: 'open',
      priority,
      type: 'technical',
      assigneeId: String(agent1.id),
      version,
    });
    const typed = ['high', 'urgent'];
    const { winner, refused } = await bothSave(
      `${path}/change`,
      { client: a, fields: change(typed[0], v1) },
      { client: b, fields: change(typed[1], v2) },
    );
    expect(refused.text).toContain(`<option value="${typed[1 - winner]}" selected>`);
    const stored = await t.db.query('SELECT priority, version FROM ticket WHERE id = $1', [ticket.id]);
    expect(stored.rows[0]).toEqual({ priority: typed[winner], version: 2 });
  });
});

describe('a create form sent twice at once (a double tap) makes one record', () => {
  /** Sends the same filled-in form twice at the same moment: both land on the one record made. */
  async function doubleTap(c: Client, action: string, fields: Record<string, string>): Promise<string> {
    const replies = await Promise.all([c.post(action, fields), c.post(action, fields)]);
    expect(
      replies.map((r) => r.status),
      visibleText(replies[0].text).slice(-600),
    ).toEqual([303, 303]);
    expect(replies[1].location).toBe(replies[0].location);
    return replies[0].location!;
  }
  const count = async (sql: string, params: unknown[]) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n;

  it('makes one deal', async () => {
    const c = await as(rep);
    const form = `/opportunities/new?customer=${customerId}`;
    const title = '双击商机';
    const went = await doubleTap(c, '/opportunities/new', {
      _once: await onceToken(c, form),
      customerId: String(customerId),
      title,
      amount: '80,000',
      expectedCloseDate: '2027-06-30',
    });
    expect(went).toMatch(/^\/opportunities\/\d+$/);
    expect(await count('opportunity WHERE title = $1', [title])).toBe(1);
  });

  it('makes one quote', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, '双击报价商机', 'proposal', 1000, 50, '2027-03-31', 1) RETURNING id`,
      [customerId, rep.id],
    );
    const c = await as(rep);
    const form = `/opportunities/${rows[0].id}/quotes/new`;
    const went = await doubleTap(c, form, {
      ...quoteForm('服务器', '1', ''),
      _once: await onceToken(c, form),
    });
    expect(went).toMatch(/^\/quotes\/\d+$/);
    expect(await count('quote WHERE opportunity_id = $1', [rows[0].id])).toBe(1);
  });

  it('makes one contract', async () => {
    const c = await as(rep);
    const title = '双击合同';
    const went = await doubleTap(c, '/contracts/new', {
      _once: await onceToken(c, `/contracts/new?customer=${customerId}`),
      customerId: String(customerId),
      title,
      startOn: '2027-01-01',
      endOn: '2027-12-31',
      ...contractLines('服务器', '100'),
    });
    expect(went).toMatch(/^\/contracts\/\d+$/);
    expect(await count('contract WHERE title = $1', [title])).toBe(1);
  });

  it('makes one ticket', async () => {
    const c = await as(agent1);
    const subject = '双击工单：打印机无法连接';
    const went = await doubleTap(c, '/tickets/new', {
      _once: await onceToken(c, `/tickets/new?customerId=${customerId}`),
      channel: 'phone',
      receivedAt: '2026-01-05T09:05',
      customerId: String(customerId),
      requesterName: '李娜',
      type: 'technical',
      priority: 'normal',
      subject,
      body: '客户来电：打印机无法连接。',
    });
    expect(went).toMatch(/^\/tickets\/\d+$/);
    expect(await count('ticket WHERE subject = $1', [subject])).toBe(1);
  });

  it('adds one reply and one internal note to a ticket', async () => {
    const ticket = await createTicket(t.db, { customerId, teamId: serviceTeam, assigneeId: agent1.id });
    const c = await as(agent1);
    for (const [body, internal] of [
      ['您好，请重启打印机后再试。', 'false'],
      ['@Agent Liu 请帮忙看看驱动', 'true'],
    ]) {
      const page = (await c.get(`/tickets/${ticket.id}`)).text;
      const form = /<form[^>]*action="\/tickets\/\d+\/reply"[\s\S]*?<\/form>/.exec(page)![0];
      const fields: Record<string, string> = { body, version: /name="version" value="(\d+)"/.exec(form)![1] };
      const once = /name="_once" value="([^"]+)"/.exec(form)?.[1];
      if (once) fields._once = once;
      if (internal === 'true') fields.internal = 'on';
      expect(await doubleTap(c, `/tickets/${ticket.id}/reply`, fields)).toBe(`/tickets/${ticket.id}`);
      expect(await count('ticket_message WHERE ticket_id = $1 AND body = $2', [ticket.id, body])).toBe(1);
    }
  });

  it('records one payment, whether sent twice at once or again after Back, and one invoice', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on, start_on,
         end_on, approval_rounds, version)
       VALUES ('HT-2099-0001', $1, '上海华信科技有限公司', $2, '回款测试合同', 10000, 'signed', '2026-01-05',
         '2026-01-05', '2027-01-04', 1, 1) RETURNING id`,
      [customerId, rep.id],
    );
    const id = rows[0].id;
    await t.db.query(
      `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total)
       VALUES ($1, 1, '运维服务', '项', 1, 10000, 10000)`,
      [id],
    );
    // The rep's manager records it (a manager collects on their team's contracts), in Chinese.
    const c = await as(manager);
    await c.get(`/contracts/${id}/plan`);
    const plan = await c.post(`/contracts/${id}/plan`, {
      version: '0',
      'installments[0][dueOn]': '2026-02-01',
      'installments[0][amount]': '10,000',
    });
    expect(plan.status).toBe(303);
    const payment = async () => ({
      _once: await onceToken(c, `/contracts/${id}`),
      receivedOn: '2026-02-01',
      amount: '3,000',
      method: 'bank_transfer',
      reference: '招商银行 流水 0038',
    });
    const fields = await payment();
    expect(await doubleTap(c, `/contracts/${id}/payments`, fields)).toBe(`/contracts/${id}#money`);
    const paid = async () =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n, coalesce(sum(amount), 0)::text AS total FROM payment WHERE contract_id = $1`,
          [id],
        )
      ).rows[0];
    expect(await paid()).toEqual({ n: 1, total: '3000.00' });

    // Back, and Save again: the same form is not recorded twice, and the user is told so.
    const again = await c.post(`/contracts/${id}/payments`, fields);
    expect(again).toMatchObject({ status: 303, location: `/contracts/${id}#money` });
    expect(visibleText((await c.get(`/contracts/${id}`)).text)).toContain(ALREADY_SENT['zh-CN']);
    expect(await paid()).toEqual({ n: 1, total: '3000.00' });
    // A new form is a new payment.
    expect((await c.post(`/contracts/${id}/payments`, await payment())).status).toBe(303);
    expect(await paid()).toEqual({ n: 2, total: '6000.00' });
    const collected = await t.db.query(
      'SELECT collected::text FROM payment_installment WHERE contract_id = $1',
      [id],
    );
    expect(collected.rows).toEqual([{ collected: '6000.00' }]);

    // An invoice sent twice at once is recorded once, not refused the second time as a repeated number.
    const invoice = {
      _once: await onceToken(c, `/contracts/${id}`),
      number: '04400212345678',
      issuedOn: '2026-02-02',
      amount: '6,000',
      type: 'vat_special',
      taxRate: '6',
    };
    expect(await doubleTap(c, `/contracts/${id}/invoices`, invoice)).toBe(`/contracts/${id}#money`);
    expect(await count('invoice WHERE contract_id = $1', [id])).toBe(1);
  });
});

/** The decision form the contract's page shows an approver, filled in: [action, fields] to post. */
async function decisionForm(
  c: Client,
  contractId: number,
  decision: 'approve' | 'reject',
  comment: string,
): Promise<[string, Record<string, string>]> {
  const page = (await c.get(`/contracts/${contractId}`)).text;
  const form = /action="(\/approvals\/\d+\/decide)"[\s\S]*?name="stepId" value="(\d+)"/.exec(page);
  if (!form) throw new Error(`no decision form on /contracts/${contractId}`);
  return [form[1], { decision, comment, stepId: form[2], returnTo: `/contracts/${contractId}` }];
}

/** A quote form with one line. */
function quoteForm(item: string, quantity: string, terms: string): Record<string, string> {
  return {
    taxRate: '13',
    discountPercent: '',
    validUntil: '2099-12-31',
    terms,
    'lines[0][itemName]': item,
    'lines[0][specification]': '',
    'lines[0][unit]': '台',
    'lines[0][quantity]': quantity,
    'lines[0][unitPrice]': '1,200',
    'lines[0][discountPercent]': '',
  };
}

/** A contract form's one line (quantity 1) and the empty row after it. */
function contractLines(item: string, unitPrice: string): Record<string, string> {
  return {
    'lines[0][item]': item,
    'lines[0][specification]': '',
    'lines[0][unit]': '',
    'lines[0][quantity]': '1',
    'lines[0][unitPrice]': unitPrice,
    'lines[1][item]': '',
    'lines[1][specification]': '',
    'lines[1][unit]': '',
    'lines[1][quantity]': '',
    'lines[1][unitPrice]': '',
  };
}

describe('many at once', () => {
  it('gives a pool customer claimed by twenty reps at the same moment to exactly one, telling the others why', async () => {
    const reps = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createUser(t.db, { role: 'sales', teamId: team, name: `Claimer ${i}` }),
      ),
    );
    const id = await createCustomer(t.db, { ownerId: null, status: 'lead', name: '公海争抢测试有限公司' });
    const langs: Lang[] = reps.map((_, i) => (i % 2 ? 'zh-CN' : 'en'));
    // Each rep signs in and opens the pool, with the customer in it.
    const claimers = await Promise.all(
      reps.map(async (r, i) => {
        await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [r.id, langs[i]]);
        const c = new Client(t.url);
        await c.login(r.email, PASSWORD);
        expect((await c.get('/customers?owner=pool')).text).toContain(`/customers/${id}`);
        return c;
      }),
    );
    const replies = await Promise.all(claimers.map((c) => c.post(`/customers/${id}/claim`)));

    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id]);
    const winner = reps.findIndex((r) => r.id === rows[0].owner_id);
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(replies[winner]).toMatchObject({ status: 303, location: `/customers/${id}` });
    // The others are refused, each told in their language that someone was quicker: back at the pool
    // when they lost inside the claim, or on a not-found page when they came after it (the customer had
    // left their scope, and a 404 tells nothing of it).
    const told = {
      en: /Someone claimed this customer a moment ago\.|This customer is not in the public pool: someone may have claimed it a moment ago\./,
      'zh-CN': /该客户刚刚已被他人领取。|该客户不在公海中，可能刚刚已被他人领取。/,
    };
    const others = reps.map((_, i) => i).filter((i) => i !== winner);
    const refusals = await Promise.all(
      others.map(async (i) => {
        const r = replies[i];
        const page = r.status === 303 ? (await claimers[i].get(r.location!)).text : r.text;
        return { status: r.status, location: r.location, page: visibleText(page), lang: langs[i] };
      }),
    );
    for (const r of refusals) {
      expect([`303 /customers?owner=pool`, '404 null']).toContain(`${r.status} ${r.location}`);
      expect(r.page).toMatch(told[r.lang]);
    }
    expect(refusals).toHaveLength(19);
    const claims = await t.db.query(
      `SELECT actor_id FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'claim'`,
      [String(id)],
    );
    expect(claims.rows).toEqual([{ actor_id: reps[winner].id }]);
  });

  it('numbers fifty contracts made at once, from the form and the API together, without a gap or a repeat', async () => {
    const page = await as(rep);
    await page.get(`/contracts/new?customer=${customerId}`);
    const api = await apiAs(t, manager, 'zh-CN');
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2
          ? api
              .post('/api/v1/contracts', {
                customerId,
                ownerId: rep.id,
                title: `并发合同 API ${i}`,
                lines: [{ item: 'Licence', quantity: '1', unitPrice: '100.00' }],
              })
              .then((r) => ({ status: r.status, id: r.body.id as number }))
          : page
              .post('/contracts/new', {
                customerId: String(customerId),
                title: `并发合同 ${i}`,
                startOn: '2027-01-01',
                endOn: '2027-12-31',
                ...contractLines('服务器', '100'),
              })
              .then((r) => ({
                status: r.status,
                id: Number(/\/contracts\/(\d+)$/.exec(r.location ?? '')?.[1]),
              })),
      ),
    );
    expect(replies.map((r) => r.status).sort((x, y) => x - y)).toEqual([
      ...Array(25).fill(201),
      ...Array(25).fill(303),
    ]);
    const made = await t.db.query<{ number: string }>('SELECT number FROM contract WHERE id = ANY($1)', [
      replies.map((r) => r.id),
    ]);
    expect(made.rows).toHaveLength(50);
    // This year's numbers, these fifty and any made before them, count 1, 2, 3… with none missing.
    const year = made.rows[0].number.slice(3, 7);
    expect(year).toMatch(/^20\d\d$/);
    const all = await t.db.query<{ number: string }>(`SELECT number FROM contract WHERE number LIKE $1`, [
      `HT-${year}-%`,
    ]);
    const counters = all.rows.map((r) => Number(r.number.slice(8))).sort((a, b) => a - b);
    expect(counters).toEqual(Array.from({ length: counters.length }, (_, i) => i + 1));
    expect(all.rows.every((r) => /^HT-\d{4}-\d{4}$/.test(r.number))).toBe(true);
  });

  it('takes one decision when both approvers of a 或签 step decide a contract at the same moment', async () => {
    await t.db.query(
      `INSERT INTO setting (key, value, version) VALUES ('approvals', $1, 1)
       ON CONFLICT (key) DO UPDATE SET value = $1, version = setting.version + 1`,
      [{ threshold: '100.00', generalManagerIds: [gm1.id, gm2.id], generalManagerMode: 'any' }],
    );
    try {
      const owner = await as(rep);
      const made = await owner.post('/contracts/new', {
        customerId: String(customerId),
        title: '或签测试合同',
        startOn: '2027-01-01',
        endOn: '2027-12-31',
        ...contractLines('服务器', '50,000'),
      });
      const id = Number(/\/contracts\/(\d+)$/.exec(made.location!)![1]);
      await owner.get(`/contracts/${id}`);
      const version = (await t.db.query('SELECT version FROM contract WHERE id = $1', [id])).rows[0].version;
      expect((await owner.post(`/contracts/${id}/submit`, { version: String(version) })).status).toBe(303);
      // The team manager approves the first step; the general managers' step (either one) is next.
      const m = await as(manager);
      expect((await m.post(...(await decisionForm(m, id, 'approve', '')))).status).toBe(303);

      const a = await as(gm1);
      const b = await as(gm2);
      const forms = [
        await decisionForm(a, id, 'approve', '同意'),
        await decisionForm(b, id, 'reject', '价格过高'),
      ];
      const replies = await Promise.all([a.post(...forms[0]), b.post(...forms[1])]);
      const won = replies.findIndex((r) => r.location === `/contracts/${id}`);
      expect(won).toBeGreaterThanOrEqual(0);
      const lost = 1 - won;
      // The other is back on the contract's page at the approval, told there in their language that
      // it was decided already (the form is gone: there is nothing left for them to decide).
      expect(replies[lost]).toMatchObject({ status: 303, location: `/contracts/${id}#approval` });
      const page = (await [a, b][lost].get(replies[lost].location!)).text;
      const section = /<section class="card approval-history" id="approval">[\s\S]*?<\/section>/.exec(
        page,
      )![0];
      expect(section).not.toContain('/decide"');
      expect(visibleText(/<p class="error" role="alert">[\s\S]*?<\/p>/.exec(section)?.[0] ?? '')).toBe(
        langOf.get([a, b][lost]) === 'en' ? 'This approval has already been decided.' : '该审批已有结果。',
      );

      const decided = await t.db.query(
        `SELECT a.user_id, a.decision FROM approval_approver a JOIN approval_step s ON s.id = a.step_id
          JOIN approval_round r ON r.id = s.round_id
          WHERE r.subject_kind = 'contract' AND r.subject_id = $1 AND a.decision IS NOT NULL AND a.user_id <> $2`,
        [id, manager.id],
      );
      const winner = [gm1, gm2][won];
      const decision = won === 0 ? 'approve' : 'reject';
      expect(decided.rows).toEqual([{ user_id: winner.id, decision }]);
      const stored = await t.db.query('SELECT status FROM contract WHERE id = $1', [id]);
      expect(stored.rows[0].status).toBe(won === 0 ? 'approved' : 'rejected');
      const audit = await t.db.query(
        `SELECT action FROM audit_entry WHERE entity = 'approval' AND actor_id = ANY($1)`,
        [[gm1.id, gm2.id]],
      );
      expect(audit.rows).toEqual([{ action: `approval_${decision}` }]);
    } finally {
      await t.db.query(`DELETE FROM setting WHERE key = 'approvals'`);
    }
  });
});
