import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, type Reply, visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Chinese pages punctuate as Chinese is written: a label and its value joined by the full-width colon
 * (负责人：张伟), asides in full-width parentheses (主管审批（或签：…）); English pages keep ": " and " (…)".
 * Read on the pages that glue the most labels together: a customer's 360° page, a contract's printable
 * page and its page with the approval, and the approvals inbox.
 */
let t: TestApp;
let rep: UserRow;
let manager: UserRow;
let customerId: number;
let contractId: number;

/** Setting up stops here when a form is refused: the pages read below would not be the ones meant. */
function redirected(reply: Reply, what: string): string {
  if (reply.status !== 303 || !reply.location) throw new Error(`${what} answered ${reply.status}`);
  return reply.location;
}

/** A Chinese character followed by an ASCII colon and a space or by an ASCII parenthesis, or one opening on Chinese. */
const ASCII_AFTER_CHINESE = /[\u4e00-\u9fa5](?:: |:$| ?\()|\((?=[\u4e00-\u9fa5])/gm;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '王主管' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '张伟' });

  const admin = await createUser(t.db, { role: 'admin' });
  const a = await signedIn(t, admin);
  await a.get('/admin/settings');
  const { rows } = await t.db.query(`SELECT version FROM setting WHERE key = 'company'`);
  const saved = await a.post('/admin/settings/company', {
    version: String(rows[0]?.version ?? 0),
    nameZh: '成都科户软件有限公司',
    nameEn: 'Chengdu Kehu Software Ltd',
    addressZh: '成都市高新区天府大道 100 号',
    addressEn: '100 Tianfu Avenue, Chengdu',
    phone: '028-8888 6666',
    bankName: '招商银行成都分行',
    bankAccount: '6225 8800 1234 5678',
  });
  redirected(saved, 'the company settings');

  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '四川天府物流有限公司' });
  const contact = await createContact(t.db, customerId, '李经理');
  await t.db.query(`UPDATE contact SET wechat = 'li_jingli' WHERE id = $1`, [contact]);

  const c = await signedIn(t, rep, 'zh-CN');
  const visit = await c.submit(
    `/follow-ups/new?customer=${customerId}`,
    {
      customerId: String(customerId),
      contactId: String(contact),
      method: 'visit',
      happenedAt: '2026-01-15T10:30',
      summary: '上门拜访，演示了新版本。',
      promises: '下单后两周内完成培训。',
      nextAction: '发送正式报价',
      nextFollowUpAt: '2099-01-20T09:00',
      location: '天府大道 100 号',
    },
    '/follow-ups',
  );
  redirected(visit, 'the follow-up');

  const made = await c.submit(`/contracts/new?customer=${customerId}`, {
    customerId: String(customerId),
    title: '仓储系统实施',
    startOn: '2027-01-01',
    endOn: '2027-12-31',
    customerSignatoryName: '李总',
    'lines[0][item]': '仓储系统',
    'lines[0][specification]': '',
    'lines[0][unit]': '套',
    'lines[0][quantity]': '1',
    'lines[0][unitPrice]': '68,000.00',
  });
  contractId = Number(/\/contracts\/(\d+)$/.exec(redirected(made, 'the contract'))![1]);
  await c.get(`/contracts/${contractId}`);
  const { rows: versions } = await t.db.query('SELECT version FROM contract WHERE id = $1', [contractId]);
  const submitted = await c.post(`/contracts/${contractId}/submit`, { version: String(versions[0].version) });
  redirected(submitted, 'submitting the contract');
  // Its payment plan, which the printed contract states, with a note on the installment.
  await t.db.query(
    `INSERT INTO payment_installment (contract_id, position, due_on, amount, note) VALUES ($1, 1, '2027-01-10', 68000, '首付款')`,
    [contractId],
  );
}, 60_000);
afterAll(() => t.close());

async function read(c: Client, url: string): Promise<string> {
  const reply = await c.get(url);
  expect(reply.status).toBe(200);
  return visibleText(reply.text);
}

/** The pages, as the rep and the approving manager see them in `lang`. */
async function pages(lang: 'en' | 'zh-CN'): Promise<Record<string, string>> {
  const c = await signedIn(t, rep, lang);
  const m = await signedIn(t, manager, lang);
  return {
    customer: await read(c, `/customers/${customerId}`),
    print: await read(c, `/contracts/${contractId}/print`),
    contract: await read(m, `/contracts/${contractId}`),
    inbox: await read(m, '/approvals'),
  };
}

describe('punctuation of labels and asides', () => {
  it('writes Chinese pages with full-width colons and parentheses', async () => {
    const zh = await pages('zh-CN');
    for (const [page, text] of Object.entries(zh)) {
      expect({ page, ascii: text.match(ASCII_AFTER_CHINESE) ?? [] }).toEqual({ page, ascii: [] });
    }
    expect(zh.customer).toContain('负责人：张伟');
    // visibleText reads every tag as a space: where a label and its value sit in different elements
    // (<strong>承诺：</strong>下单…), a browser shows them together.
    expect(zh.customer).toMatch(/承诺： ?下单后两周内完成培训。/);
    expect(zh.customer).toContain('下一步：发送正式报价（2099-01-20）');
    expect(zh.customer).toContain('地点：天府大道 100 号');
    expect(zh.customer).toContain('微信号：li_jingli');
    expect(zh.print).toContain('甲方：四川天府物流有限公司');
    expect(zh.print).toContain('签字：李总');
    expect(zh.print).toContain('第 1 期：2027-01-10 前支付 ¥68,000.00（首付款）');
    expect(zh.print).toContain('乙方：成都科户软件有限公司');
    expect(zh.print).toContain('电话：028-8888 6666');
    expect(zh.print).toContain('开户行及账号：招商银行成都分行 6225 8800 1234 5678');
    expect(zh.contract).toContain('状态：审批中');
    expect(zh.contract).toMatch(/主管审批 ?（或签：一人审批即可）/);
    expect(zh.contract).toMatch(/王主管： ?尚未审批/);
    expect(zh.inbox).toContain('主管审批');
  });

  it('keeps English pages as they were', async () => {
    const en = await pages('en');
    expect(en.customer).toContain('Owner: 张伟');
    expect(en.customer).toContain('Promised: 下单后两周内完成培训。');
    expect(en.customer).toContain('Next: 发送正式报价 (2099-01-20)');
    expect(en.customer).toContain('Where: 天府大道 100 号');
    expect(en.customer).toContain('WeChat ID: li_jingli');
    expect(en.print).toContain('Buyer: 四川天府物流有限公司');
    expect(en.print).toContain('Signed by: 李总');
    expect(en.print).toContain('Installment 1: ¥68,000.00 by 2027-01-10 (首付款)');
    expect(en.print).toContain('Seller: Chengdu Kehu Software Ltd');
    expect(en.print).toContain('Tel: 028-8888 6666');
    expect(en.print).toContain('Bank account: 招商银行成都分行 6225 8800 1234 5678');
    expect(en.contract).toContain('Status: Pending approval');
    expect(en.contract).toContain('Manager (或签: the first decision counts)');
    expect(en.contract).toContain('王主管: not decided yet');
    expect(en.inbox).toContain('Manager');
  });
});
