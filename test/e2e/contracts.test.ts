import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../helpers/api.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, decodeHtml, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Contracts (合同) through their pages, as reps, managers and others use them: made directly and
 * from a won deal, lines summing exactly to the amount, numbered without gaps under parallel
 * creation, submitted for approval and decided (through the approvals port), resubmitted after a
 * rejection, signed with the scan attached, who sees which contract, and each bad input refused with
 * nothing stored.
 */
let t: TestApp;
let manager: UserRow;
let rep: UserRow;
let outsider: UserRow;
let service: UserRow;
let customerId: number;

const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  const otherTeam = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager Ma' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  outsider = await createUser(t.db, { role: 'sales', teamId: otherTeam });
  service = await createUser(t.db, { role: 'service' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '上海华信科技有限公司' });
}, 60_000);
afterAll(() => t.close());

/** The form's fields for these lines ([item, quantity, unit price]), then an empty row as the form has. */
function lineFields(lines: [string, string, string][]): Record<string, string> {
  const fields: Record<string, string> = {};
  [...lines, ['', '', ''] as const].forEach(([item, quantity, unitPrice], i) => {
    fields[`lines[${i}][item]`] = item;
    fields[`lines[${i}][specification]`] = '';
    fields[`lines[${i}][unit]`] = '';
    fields[`lines[${i}][quantity]`] = quantity;
    fields[`lines[${i}][unitPrice]`] = unitPrice;
  });
  return fields;
}

async function newContract(
  c: Client,
  fields: Record<string, string> = {},
  lines: [string, string, string][] = [['服务器', '2', '68,000.00']],
) {
  return c.submit(`/contracts/new?customer=${customerId}`, {
    customerId: String(customerId),
    title: `服务器扩容 ${Math.random().toString(36).slice(2, 7)}`,
    startOn: '2027-01-01',
    endOn: '2027-12-31',
    ...lineFields(lines),
    ...fields,
  });
}

async function created(c: Client, fields: Record<string, string> = {}, lines?: [string, string, string][]) {
  const reply = await newContract(c, fields, lines);
  expect({ status: reply.status, page: reply.status === 303 ? '' : visibleText(reply.text) }).toMatchObject({
    status: 303,
  });
  return Number(/\/contracts\/(\d+)$/.exec(reply.location!)![1]);
}

async function contract(id: number) {
  const { rows } = await t.db.query(
    `SELECT number, status, amount::text AS amount, version, owner_id, title, signed_on::text AS signed_on,
            approval_rounds, opportunity_id, customer_name FROM contract WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function lines(id: number) {
  const { rows } = await t.db.query(
    `SELECT position, item, quantity::text AS quantity, unit_price::text AS unit_price, line_total::text AS line_total
       FROM contract_line WHERE contract_id = $1 ORDER BY position`,
    [id],
  );
  return rows;
}

const countContracts = async () =>
  (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM contract')).rows[0].n;

async function act(c: Client, id: number, action: string, fields: Record<string, string> = {}) {
  await c.get(`/contracts/${id}`);
  return c.post(`/contracts/${id}/${action}`, { version: String((await contract(id)).version), ...fields });
}

/** An approver's decision through the form the contract's page shows them (the approvals engine's). */
async function decideOn(c: Client, id: number, decision: 'approve' | 'reject', comment: string) {
  const page = (await c.get(`/contracts/${id}`)).text;
  const form = /action="(\/approvals\/\d+\/decide)"[\s\S]*?name="stepId" value="(\d+)"/.exec(page);
  if (!form) throw new Error(`no decision form for this user on /contracts/${id}`);
  return c.post(form[1], { decision, comment, stepId: form[2], returnTo: `/contracts/${id}` });
}

describe('making a contract', () => {
  it('is made directly as a draft, numbered HT-YYYY-NNNN, its amount the exact sum of its lines', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c, {}, [
      ['服务器', '2', '68,000.00'],
      ['安装调试', '1.5', '3.33'],
      ['运维服务', '1', '0.10'],
    ]);
    const row = await contract(id);
    expect(row).toMatchObject({
      status: 'draft',
      amount: '136005.10',
      owner_id: rep.id,
      customer_name: '上海华信科技有限公司',
    });
    expect(row.number).toMatch(/^HT-\d{4}-\d{4}$/);
    expect(await lines(id)).toEqual([
      { position: 1, item: '服务器', quantity: '2.000', unit_price: '68000.00', line_total: '136000.00' },
      { position: 2, item: '安装调试', quantity: '1.500', unit_price: '3.33', line_total: '5.00' },
      { position: 3, item: '运维服务', quantity: '1.000', unit_price: '0.10', line_total: '0.10' },
    ]);
    const page = visibleText((await c.get(`/contracts/${id}`)).text);
    expect(page).toContain(row.number);
    expect(page).toContain('¥136,005.10');
    expect(page).toContain('壹拾叁万陆仟零伍元壹角整');
    expect(page).toContain('Draft');
    const { rows } = await t.db.query(
      `SELECT action FROM audit_entry WHERE entity = 'contract' AND entity_id = $1`,
      [String(id)],
    );
    expect(rows.map((r) => r.action)).toEqual(['create']);
  });

  it('takes more lines than a form’s list of twenty (sent by index), in their order', async () => {
    const c = await signedIn(t, rep);
    const many = Array.from(
      { length: 25 },
      (_, i) => [`Item ${i + 1}`, '1', '1.00'] as [string, string, string],
    );
    const id = await created(c, {}, many);
    const stored = await lines(id);
    expect(stored.map((l) => l.item)).toEqual(many.map(([item]) => item));
    expect((await contract(id)).amount).toBe('25.00');
  });

  it('is made from a won deal: the customer, title and amount carried over', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, closed_at, version)
       VALUES ($1, $2, 'ERP 升级项目', 'won', 480000.50, 100, '2027-03-31', now(), 1) RETURNING id`,
      [customerId, rep.id],
    );
    const dealId = rows[0].id;
    const c = await signedIn(t, rep);
    const deal = await c.get(`/opportunities/${dealId}`);
    expect(deal.text).toContain(`/contracts/new?opportunity=${dealId}`);
    const form = await c.get(`/contracts/new?opportunity=${dealId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="ERP 升级项目"');
    expect(form.text).toContain('value="480000.50"');
    const reply = await c.post('/contracts/new', {
      customerId: String(customerId),
      opportunityId: String(dealId),
      title: 'ERP 升级项目',
      ...lineFields([['ERP 升级项目', '1', '480000.50']]),
    });
    expect(reply.status).toBe(303);
    const id = Number(/\/contracts\/(\d+)$/.exec(reply.location!)![1]);
    expect(await contract(id)).toMatchObject({
      amount: '480000.50',
      opportunity_id: dealId,
      title: 'ERP 升级项目',
    });
    // The contract page links back to the deal by its title.
    const page = await c.get(`/contracts/${id}`);
    expect(page.text).toMatch(new RegExp(`<a href="/opportunities/${dealId}">ERP 升级项目</a>`));
  });

  it('refuses a contract from a deal not won', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, 'Open deal', 'proposal', 1000, 50, '2027-03-31', 1) RETURNING id`,
      [customerId, rep.id],
    );
    const c = await signedIn(t, rep);
    expect((await c.get(`/contracts/new?opportunity=${rows[0].id}`)).status).toBe(422);
  });

  it('numbers 50 contracts made at once HT-YYYY-0001… without a gap or a repeat', async () => {
    const api = await apiAs(t, rep);
    const before = (await t.db.query<{ n: string }>(`SELECT number AS n FROM contract`)).rows.map((r) => r.n);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.post('/api/v1/contracts', {
          customerId,
          title: `Parallel ${i}`,
          lines: [{ item: 'Licence', quantity: '1', unitPrice: '100.00' }],
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = [...before, ...replies.map((r) => r.body.number as string)];
    const counters = numbers.map((n) => Number(n.slice(-4))).sort((a, b) => a - b);
    expect(counters).toEqual(Array.from({ length: counters.length }, (_, i) => i + 1));
    expect(new Set(numbers.map((n) => n.slice(3, 7))).size).toBe(1);
  });
});

describe('bad input', () => {
  it.each([
    ['a negative price', [['服务器', '1', '-100']], {}, 'lines.0.unitPrice', 'A price cannot be negative.'],
    [
      'a price that is not a number',
      [['服务器', '1', 'abc']],
      {},
      'lines.0.unitPrice',
      'Enter an amount in yuan',
    ],
    ['a quantity of zero', [['服务器', '0', '100']], {}, 'lines.0.quantity', 'Enter a quantity above zero'],
    ['no lines', [], {}, 'lines', 'Add at least one line.'],
    [
      'an end before the start',
      [['服务器', '1', '100']],
      { startOn: '2027-06-01', endOn: '2027-05-31' },
      'endOn',
      'The end date is before the start date.',
    ],
  ] as [string, [string, string, string][], Record<string, string>, string, string][])(
    'refuses %s beside the field, keeps the typed lines and stores nothing',
    async (_name, rows, fields, _field, message) => {
      const c = await signedIn(t, rep);
      const before = await countContracts();
      const reply = await newContract(c, { title: 'Bad one', ...fields }, rows);
      expect(reply.status).toBe(422);
      expect(visibleText(reply.text)).toContain(message);
      expect(reply.text).toContain('value="Bad one"');
      // Every typed price is shown again (none when no line was typed).
      for (const [, , price] of rows) expect(reply.text).toContain(`value="${price}"`);
      expect(await countContracts()).toBe(before);
    },
  );

  it('names every problem of a form at once: the dates and each wrong line', async () => {
    const c = await signedIn(t, rep);
    const reply = await newContract(c, { startOn: '2027-06-01', endOn: '2027-05-31' }, [
      ['服务器', '-2', '100'],
      ['安装', '1', '-300'],
    ]);
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('The end date is before the start date.');
    expect(text).toContain('Enter a quantity above zero');
    expect(text).toContain('A price cannot be negative.');
  });

  it('says it in the user’s language', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await newContract(c, {}, [['服务器', '1', '-1']]);
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('单价不能为负数。');
    await t.db.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [rep.id]);
  });

  it('refuses a stale edit with the typed values kept, and stores nothing', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c);
    await c.get(`/contracts/${id}/edit`);
    const version = String((await contract(id)).version);
    const first = await c.post(`/contracts/${id}/edit`, {
      version,
      title: 'First save',
      ...lineFields([['服务器', '1', '100']]),
    });
    expect(first.status).toBe(303);
    const stale = await c.post(`/contracts/${id}/edit`, {
      version,
      title: 'Second save',
      ...lineFields([['服务器', '3', '999']]),
    });
    expect(stale.status).toBe(409);
    expect(visibleText(stale.text)).toContain('Someone else saved this record');
    expect(stale.text).toContain('value="Second save"');
    expect(stale.text).toContain('value="999"');
    expect(await contract(id)).toMatchObject({ title: 'First save', amount: '100.00' });
  });
});

describe('approval, signing and the end of a contract', () => {
  it('brings a refused decision back to the contract’s decision form, told why beside it, the comment kept', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c);
    expect((await act(c, id, 'submit')).status).toBe(303);
    const long = `理由很长。${'价格'.repeat(1000)}`;
    for (const [lang, reasonRequired, tooLong] of [
      ['zh-CN', '驳回时请说明原因。', '最多 2000 个字符。'],
      ['en', 'Say why you reject it.', 'At most 2000 characters.'],
    ] as const) {
      const m = await signedIn(t, manager, lang);
      // A rejection without its reason: back at the form on the contract's page, the reason beside the comment.
      const bare = await decideOn(m, id, 'reject', '');
      expect(bare).toMatchObject({ status: 303, location: `/contracts/${id}#approval` });
      const page = (await m.get(bare.location!)).text;
      const form = /<form[^>]*class="form approval-decide"[\s\S]*?<\/form>/.exec(page)![0];
      expect(form).toMatch(/<textarea id="f-approval-comment"[^>]*aria-invalid="true"/);
      expect(
        visibleText(/<div class="errors" id="e-approval-comment">[\s\S]*?<\/div>/.exec(form)?.[0] ?? ''),
      ).toBe(reasonRequired);
      // Said beside the form only, not again at the top of the page.
      expect(visibleText(page.slice(0, page.indexOf('id="approval"')))).not.toContain(reasonRequired);

      // A comment the form refuses comes back as typed, with why.
      const refused = await decideOn(m, id, 'approve', long);
      expect(refused).toMatchObject({ status: 303, location: `/contracts/${id}#approval` });
      const again = (await m.get(refused.location!)).text;
      expect(decodeHtml(/<textarea id="f-approval-comment"[^>]*>([^<]*)<\/textarea>/.exec(again)![1])).toBe(
        long,
      );
      expect(
        visibleText(/<div class="errors" id="e-approval-comment">[\s\S]*?<\/div>/.exec(again)?.[0] ?? ''),
      ).toBe(tooLong);
      // Shown once: the next visit has an empty form again.
      expect((await m.get(`/contracts/${id}`)).text).toMatch(
        /<textarea id="f-approval-comment"[^>]*><\/textarea>/,
      );
    }
    expect(await contract(id)).toMatchObject({ status: 'pending_approval' });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM approval_approver a JOIN approval_step s ON s.id = a.step_id
        JOIN approval_round r ON r.id = s.round_id
       WHERE r.subject_kind = 'contract' AND r.subject_id = $1 AND a.decision IS NOT NULL`,
      [id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('goes to approval, cannot be edited while pending, is rejected, corrected and resubmitted, then approved', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c);
    expect((await act(c, id, 'submit')).status).toBe(303);
    expect(await contract(id)).toMatchObject({ status: 'pending_approval', approval_rounds: 1 });

    // Nobody edits a pending contract: the form is refused with the reason, nothing changes.
    const page = await c.get(`/contracts/${id}`);
    expect(page.text).not.toContain(`/contracts/${id}/edit"`);
    const edit = await c.post(`/contracts/${id}/edit`, {
      version: String((await contract(id)).version),
      title: 'Changed while pending',
      ...lineFields([['服务器', '1', '1']]),
    });
    expect(edit.status).toBe(409);
    expect(visibleText(edit.text)).toContain('waiting for approval and cannot be edited');
    expect((await contract(id)).title).not.toBe('Changed while pending');

    // Only an approver decides: the rep's page has no decision form.
    expect((await c.get(`/contracts/${id}`)).text).not.toContain('/decide"');

    const m = await signedIn(t, manager);
    const reject = await decideOn(m, id, 'reject', '价格太低');
    expect(reject).toMatchObject({ status: 303, location: `/contracts/${id}` });
    expect(await contract(id)).toMatchObject({ status: 'rejected' });
    const { rows: told } = await t.db.query(
      `SELECT kind FROM notification WHERE user_id = $1 AND kind = 'approval_rejected'`,
      [rep.id],
    );
    expect(told).toHaveLength(1);

    // Rejected: corrected and submitted again, a second round.
    const fix = await c.submit(`/contracts/${id}/edit`, {
      version: String((await contract(id)).version),
      title: 'Corrected',
      ...lineFields([['服务器', '2', '70,000']]),
    });
    expect(fix.status).toBe(303);
    expect(await contract(id)).toMatchObject({ status: 'rejected', amount: '140000.00' });
    expect((await act(c, id, 'submit')).status).toBe(303);
    expect(await contract(id)).toMatchObject({ status: 'pending_approval', approval_rounds: 2 });

    // Above the threshold, with no general managers chosen in the settings, the manager's step alone.
    await decideOn(m, id, 'approve', '同意');
    expect(await contract(id)).toMatchObject({ status: 'approved' });
    const { rows } = await t.db.query(
      `SELECT action FROM audit_entry WHERE entity = 'contract' AND entity_id = $1 ORDER BY id`,
      [String(id)],
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'submit', 'reject', 'update', 'submit', 'approve']);
    const audit = visibleText(
      (await (await signedIn(t, await createUser(t.db, { role: 'admin' }))).get('/audit')).text,
    );
    expect(audit).toContain('Submitted for approval');
  });

  it('is signed with its scan attached, then completed; the scan opens for those who see the contract', async () => {
    const c = await signedIn(t, rep);
    // Still a lead when the contract is made: signing makes it an active customer.
    await t.db.query(`UPDATE customer SET status = 'lead' WHERE id = $1`, [customerId]);
    const id = await created(c, {}, [['服务器', '1', '5,000']]);
    await act(c, id, 'submit');
    const m = await signedIn(t, manager);
    await decideOn(m, id, 'approve', '');
    expect((await contract(id)).status).toBe('approved');

    // Signing without the scan is refused beside the file field.
    await c.get(`/contracts/${id}`);
    const bare = await c.post(`/contracts/${id}/sign`, {
      version: String((await contract(id)).version),
      signedOn: '2026-12-01',
    });
    expect(bare.status).toBe(422);
    expect(visibleText(bare.text)).toContain('Attach the signed scan.');
    expect((await contract(id)).status).toBe('approved');

    await c.get(`/contracts/${id}`);
    const signed = await c.upload(
      `/contracts/${id}/sign`,
      { name: '合同扫描件.pdf', content: PDF, type: 'application/pdf' },
      { version: String((await contract(id)).version), signedOn: '2026-12-01' },
    );
    expect(signed.status).toBe(303);
    expect(await contract(id)).toMatchObject({ status: 'signed', signed_on: '2026-12-01' });
    const { rows: became } = await t.db.query(
      `SELECT c.status, a.actor_id, a.diff FROM customer c
         JOIN audit_entry a ON a.entity = 'customer' AND a.entity_id = c.id::text AND a.action = 'update'
        WHERE c.id = $1 ORDER BY a.id DESC LIMIT 1`,
      [customerId],
    );
    expect(became).toEqual([
      { status: 'active', actor_id: rep.id, diff: { status: { from: 'lead', to: 'active' } } },
    ]);
    const { rows } = await t.db.query<{ id: number; file_name: string }>(
      `SELECT id, file_name FROM attachment WHERE owner_kind = 'contract' AND owner_id = $1`,
      [id],
    );
    expect(rows.map((r) => r.file_name)).toEqual(['合同扫描件.pdf']);
    const page = await c.get(`/contracts/${id}`);
    expect(page.text).toContain(`/attachments/${rows[0].id}`);
    expect((await c.get(`/attachments/${rows[0].id}`)).status).toBe(200);
    const other = await signedIn(t, outsider);
    expect((await other.get(`/attachments/${rows[0].id}`)).status).toBe(404);

    expect((await act(c, id, 'complete')).status).toBe(303);
    expect((await contract(id)).status).toBe('completed');
  });

  it('is terminated with a reason, and only when signed', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c);
    const draft = await act(c, id, 'terminate', { reason: 'x' });
    expect(draft.status).toBe(409);
    expect(visibleText(draft.text)).toContain('This cannot be done to a contract in its current status.');
    await t.db.query(`UPDATE contract SET status = 'signed', signed_on = '2026-11-01' WHERE id = $1`, [id]);
    const none = await act(c, id, 'terminate', { reason: '' });
    expect(none.status).toBe(422);
    expect(visibleText(none.text)).toContain('Say why the contract ends early.');
    expect((await act(c, id, 'terminate', { reason: '客户破产' })).status).toBe(303);
    expect((await contract(id)).status).toBe('terminated');
  });
});

describe('who sees a contract', () => {
  it('answers 404 to another team’s rep, shows it read-only to service, and lists it for its owner and manager', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c, { title: 'Scoped contract' });
    const number = (await contract(id)).number as string;
    const other = await signedIn(t, outsider);
    expect((await other.get(`/contracts/${id}`)).status).toBe(404);
    expect((await other.get(`/contracts/${id}/print`)).status).toBe(404);
    expect(visibleText((await other.get('/contracts')).text)).not.toContain(number);
    const s = await signedIn(t, service);
    const seen = await s.get(`/contracts/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain(`/contracts/${id}/edit"`);
    expect((await s.get(`/contracts/${id}/edit`)).status).toBe(403);
    for (const user of [rep, manager]) {
      const list = visibleText((await (await signedIn(t, user)).get(`/contracts?q=${number}`)).text);
      expect(list).toContain('Scoped contract');
    }
    expect((await c.get('/contracts?status=draft')).text).toContain(`href="/contracts/${id}"`);
    expect((await c.get('/contracts?status=signed')).text).not.toContain(`href="/contracts/${id}"`);
  });

  it('lets an approver from outside the owner’s scope see the contract they are asked to approve', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c);
    const other = await signedIn(t, outsider);
    expect((await other.get(`/contracts/${id}`)).status).toBe(404);
    // A general manager from another team: contracts above the threshold go on to them.
    await t.db.query(
      `INSERT INTO setting (key, value, version) VALUES ('approvals', $1, 1)
       ON CONFLICT (key) DO UPDATE SET value = $1, version = setting.version + 1`,
      [{ threshold: '100000.00', generalManagerIds: [outsider.id], generalManagerMode: 'all' }],
    );
    try {
      await c.get(`/contracts/${id}`);
      await act(c, id, 'submit');
      // Seated on the round's second step, they may read the contract before their turn and decide at it.
      expect((await other.get(`/contracts/${id}`)).status).toBe(200);
      await decideOn(await signedIn(t, manager), id, 'approve', '');
      expect((await contract(id)).status).toBe('pending_approval');
      await decideOn(other, id, 'approve', '同意');
      expect((await contract(id)).status).toBe('approved');
    } finally {
      await t.db.query(`DELETE FROM setting WHERE key = 'approvals'`);
    }
  });
});

describe('the customer’s 360° page', () => {
  it('shows the customer’s contracts on its timeline, linked, to those who see them', async () => {
    const c = await signedIn(t, rep);
    const id = await created(c, { title: 'Timeline contract' });
    const page = await c.get(`/customers/${customerId}`);
    expect(page.text).toContain(`/contracts/${id}`);
    expect(visibleText(page.text)).toContain(`${(await contract(id)).number} Timeline contract · Draft`);
  });
});

describe('the contract form’s lines', () => {
  it('gives more rows on "add line", keeping what was typed and storing nothing', async () => {
    const c = await signedIn(t, rep);
    const { rows: before } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM contract');
    const lines: [string, string, string][] = [
      ['服务器', '2', '68,000'],
      ['交换机', '4', '3,500'],
      ['实施服务', '10', '1,200'],
    ];
    const reply = await newContract(c, { title: 'Needs more lines', _addLine: '1' }, lines);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('value="Needs more lines"');
    expect(reply.text).toContain('value="实施服务"');
    // The three typed, and at least two empty rows to type into.
    expect([...reply.text.matchAll(/name="lines\[(\d+)\]\[item\]"/g)].length).toBeGreaterThanOrEqual(5);
    const { rows: after } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM contract');
    expect(after[0].n).toBe(before[0].n);
  });
});

describe('choosing the customer of a new contract', () => {
  it('finds the customer by a search, and says when none matches', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const page = visibleText((await c.get('/contracts/new')).text);
    expect(page).toContain('先列出您最久未联系的客户');
    const found = await c.get(`/contracts/new?q=${encodeURIComponent('华信')}`);
    expect(found.text).toContain(`href="/contracts/new?customer=${customerId}"`);
    expect(visibleText((await c.get('/contracts/new?q=zzzz-none')).text)).toContain('没有匹配的客户。');
  });
});

describe('the contract text', () => {
  it('names the customer on the default template by USCC and whole address, the seller and the payment terms', async () => {
    await t.db.query(
      `UPDATE customer SET province = '北京市', city = '北京市', district = '海淀区', address = '科技园路237号',
         uscc = '91110108MA01ABCD2X' WHERE id = $1`,
      [customerId],
    );
    const c = await signedIn(t, rep);
    const id = await created(c, { paymentTerms: '合同签订后10个工作日内支付30%，验收后支付70%。' }, [
      ['服务器', '1', '8,000'],
    ]);
    const text = visibleText((await c.get(`/contracts/${id}/print?lang=zh-CN`)).text);
    expect(text).toContain('地址： 北京市海淀区科技园路237号');
    expect(text).toContain('91110108MA01ABCD2X');
    // The seller (the company in /admin/settings) and the payment terms typed on the contract.
    expect(text).toContain('乙方（卖方）：');
    expect(text).toContain('第四条 付款安排 合同签订后10个工作日内支付30%，验收后支付70%。');
  });

  it('prints the admin’s template with the values filled in and hostile text shown as text', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const a = await signedIn(t, admin);
    await a.get('/admin/settings');
    const { rows } = await t.db.query(`SELECT version FROM setting WHERE key = 'contract_template'`);
    const saved = await a.post('/admin/settings/contract_template', {
      version: String(rows[0]?.version ?? 0),
      textZh:
        '甲方 {{customer.name}}，金额 {{contract.amountInWords}}\n\n{{contract.lines}}\n\n<script>alert(1)</script> {{#each x}} {{unknown.thing}}',
      textEn: 'Buyer {{customer.name}} pays {{contract.amount}}',
    });
    expect(saved.status).toBe(303);
    const c = await signedIn(t, rep);
    const id = await created(c, {}, [['服务器', '1', '12,345.60']]);
    const zh = await c.get(`/contracts/${id}/print?lang=zh-CN`);
    expect(zh.status).toBe(200);
    const text = visibleText(zh.text);
    expect(text).toContain('甲方 上海华信科技有限公司');
    expect(text).toContain('金额 壹万贰仟叁佰肆拾伍元陆角整');
    expect(text).toContain('{{#each x}} {{unknown.thing}}');
    expect(zh.text).not.toContain('<script>alert(1)</script>');
    expect(zh.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(zh.text).toContain('服务器');
    const en = visibleText((await c.get(`/contracts/${id}/print?lang=en`)).text);
    expect(en).toContain('Buyer 上海华信科技有限公司');
    expect(en).toContain('pays ¥12,345.60');
  });
});
