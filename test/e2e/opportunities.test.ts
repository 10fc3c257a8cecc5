import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText, type Client } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Deals (商机) through their pages, as reps, managers and others use them: stages and their default
 * probabilities, losing with a reason, reopening by the owner's manager, who sees which deal, stale
 * saves, the stage history, and the manager told of each stage change once.
 */
let t: TestApp;
let manager: UserRow;
let rep: UserRow;
let teammate: UserRow;
let outsider: UserRow;
let service: UserRow;
let customerId: number;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  const otherTeam = await createTeam(t.db);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager Ma' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  teammate = await createUser(t.db, { role: 'sales', teamId: team });
  outsider = await createUser(t.db, { role: 'sales', teamId: otherTeam });
  service = await createUser(t.db, { role: 'service' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '上海华信科技有限公司' });
}, 60_000);
afterAll(() => t.close());

async function newDeal(c: Client, fields: Record<string, string> = {}): Promise<number> {
  const reply = await c.submit(`/opportunities/new?customer=${customerId}`, {
    customerId: String(customerId),
    title: `ERP 升级 ${Math.random().toString(36).slice(2, 7)}`,
    amount: '120,000.50',
    expectedCloseDate: '2027-03-31',
    ...fields,
  });
  expect({ status: reply.status, page: reply.status === 303 ? '' : visibleText(reply.text) }).toMatchObject({
    status: 303,
  });
  return Number(/\/opportunities\/(\d+)$/.exec(reply.location!)![1]);
}

async function deal(id: number) {
  const { rows } = await t.db.query(
    'SELECT stage, probability, amount::text AS amount, lost_reason, lost_note, closed_at, version, owner_id, title FROM opportunity WHERE id = $1',
    [id],
  );
  return rows[0];
}

async function move(c: Client, id: number, stage: string, extra: Record<string, string> = {}) {
  await c.get(`/opportunities/${id}`);
  return c.post(`/opportunities/${id}/stage`, { stage, version: String((await deal(id)).version), ...extra });
}

describe('a deal’s stages', () => {
  it('starts at initial contact at 10%, with the amount exact and its first step in the history', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c);
    expect(await deal(id)).toMatchObject({ stage: 'initial_contact', probability: 10, amount: '120000.50' });
    const page = visibleText((await c.get(`/opportunities/${id}`)).text);
    expect(page).toContain('¥120,000.50');
    expect(page).toContain('Initial contact');
    const { rows } = await t.db.query(
      `SELECT action, diff FROM audit_entry WHERE entity = 'opportunity' AND entity_id = $1`,
      [String(id)],
    );
    expect(rows.map((r) => r.action)).toEqual(['create']);
  });

  it('moves through every stage, each at its default probability, and records who moved it when', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c);
    const expected: [string, number][] = [
      ['needs_analysis', 25],
      ['proposal', 50],
      ['negotiation', 75],
      ['won', 100],
    ];
    for (const [stage, probability] of expected) {
      expect((await move(c, id, stage)).status).toBe(303);
      expect(await deal(id)).toMatchObject({ stage, probability });
    }
    expect((await deal(id)).closed_at).not.toBeNull();
    const { rows } = await t.db.query(
      'SELECT from_stage, to_stage, by_id FROM opportunity_stage_change WHERE opportunity_id = $1 ORDER BY id',
      [id],
    );
    expect(rows.map((r) => `${r.from_stage}>${r.to_stage}`)).toEqual([
      'null>initial_contact',
      'initial_contact>needs_analysis',
      'needs_analysis>proposal',
      'proposal>negotiation',
      'negotiation>won',
    ]);
    expect(new Set(rows.map((r) => r.by_id))).toEqual(new Set([rep.id]));
    const page = visibleText((await c.get(`/opportunities/${id}`)).text);
    expect(page).toContain('Negotiation → Won');
    // A won deal is closed: its owner can no longer move it, and is told why on the deal.
    const refused = await move(c, id, 'proposal');
    expect(refused.status).toBe(303);
    expect(refused.location).toBe(`/opportunities/${id}`);
    expect(visibleText((await c.get(`/opportunities/${id}`)).text)).toContain(
      'This deal is won or lost: reopen it before changing it.',
    );
    expect((await deal(id)).stage).toBe('won');
  });

  it('keeps a probability the owner adjusted until the stage changes', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { probability: '35' });
    expect((await deal(id)).probability).toBe(35);
    await move(c, id, 'proposal');
    expect((await deal(id)).probability).toBe(50);
  });

  it('refuses to mark a deal lost without a reason, in the user’s language, and keeps it as it was', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const id = await newDeal(c);
    const form = await c.get(`/opportunities/${id}/lost`);
    expect(form.status).toBe(200);
    const refused = await c.post(`/opportunities/${id}/lost`, {
      version: String((await deal(id)).version),
      lostNote: '客户说再等等',
    });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('请选择输单原因');
    expect(refused.text).toContain('客户说再等等');
    expect(await deal(id)).toMatchObject({ stage: 'initial_contact', lost_reason: null });
    // The board's "lost" button without a reason leads to the form that asks for one.
    const fromBoard = await move(c, id, 'lost');
    expect(fromBoard.location).toBe(`/opportunities/${id}/lost`);
    expect((await deal(id)).stage).toBe('initial_contact');

    const lost = await c.post(`/opportunities/${id}/lost`, {
      version: String((await deal(id)).version),
      lostReason: 'price',
      lostNote: '对方选择了报价更低的供应商',
    });
    expect(lost.status).toBe(303);
    expect(await deal(id)).toMatchObject({ stage: 'lost', probability: 0, lost_reason: 'price' });
    expect(visibleText((await c.get(`/opportunities/${id}`)).text)).toContain(
      '价格：对方选择了报价更低的供应商',
    );
  });

  it('is reopened by the owner’s manager only, at the stage it closed from', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c);
    await move(c, id, 'proposal');
    await c.get(`/opportunities/${id}/lost`);
    await c.post(`/opportunities/${id}/lost`, {
      version: String((await deal(id)).version),
      lostReason: 'timing',
    });
    expect((await deal(id)).stage).toBe('lost');

    const version = String((await deal(id)).version);
    expect((await c.post(`/opportunities/${id}/reopen`, { version })).status).toBe(403);
    const mate = await signedIn(t, teammate);
    expect((await mate.post(`/opportunities/${id}/reopen`, { version })).status).toBe(404);
    expect((await deal(id)).stage).toBe('lost');

    const m = await signedIn(t, manager);
    expect(visibleText((await m.get(`/opportunities/${id}`)).text)).toContain('Reopen');
    expect((await m.post(`/opportunities/${id}/reopen`, { version })).status).toBe(303);
    expect(await deal(id)).toMatchObject({
      stage: 'proposal',
      probability: 50,
      lost_reason: null,
      closed_at: null,
    });
  });
});

describe('the board’s buttons', () => {
  it('come back to the moved card, and ask before a deal is won', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: 'Board button deal', stage: 'negotiation' });
    const board = await c.get('/opportunities');
    const card = new RegExp(`<li class="deal-card[^"]*" id="deal-${id}"[\\s\\S]*?</li>`).exec(board.text)![0];
    expect(card).toContain(
      'data-confirm="Mark “Board button deal” won? Only a manager can reopen a closed deal."',
    );
    const moved = await move(c, id, 'proposal', { returnTo: '/opportunities?owner=me' });
    expect(moved.location).toBe(`/opportunities?owner=me#deal-${id}`);
  });
});

describe('who sees a deal', () => {
  it('shows a rep their own deals, a manager the team’s, service all read-only; anyone else gets 404', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: '华信二期项目' });
    for (const [user, status] of [
      [rep, 200],
      [manager, 200],
      [service, 200],
      [teammate, 404],
      [outsider, 404],
    ] as const) {
      const other = await signedIn(t, user);
      const reply = await other.get(`/opportunities/${id}`);
      expect({ user: user.email, status: reply.status }).toEqual({ user: user.email, status });
      const board = visibleText((await other.get('/opportunities')).text);
      expect(board.includes('华信二期项目'), `${user.email} board`).toBe(status === 200);
      const list = visibleText((await other.get('/opportunities?view=list')).text);
      expect(list.includes('华信二期项目'), `${user.email} list`).toBe(status === 200);
    }
    const s = await signedIn(t, service);
    expect((await s.get(`/opportunities/${id}/edit`)).status).toBe(403);
    expect((await move(s, id, 'proposal')).status).toBe(403);
    const stranger = await signedIn(t, outsider);
    expect((await move(stranger, id, 'proposal')).status).toBe(404);
    expect((await deal(id)).stage).toBe('initial_contact');
  });

  it('sums each column of the board: count, amount and amount weighted by probability', async () => {
    const lone = await createUser(t.db, { role: 'sales' });
    const own = await createCustomer(t.db, { ownerId: lone.id });
    const c = await signedIn(t, lone);
    for (const amount of ['100,000', '50,000.50']) {
      const reply = await c.submit(`/opportunities/new?customer=${own}`, {
        customerId: String(own),
        title: `Deal ${amount}`,
        amount,
        stage: 'proposal',
        expectedCloseDate: '2027-01-15',
      });
      expect(reply.status).toBe(303);
    }
    const board = (await c.get('/opportunities')).text;
    expect(/data-testid="count-proposal">(\d+)</.exec(board)?.[1]).toBe('2');
    expect(/data-testid="sum-proposal">([^<]+)</.exec(board)?.[1]).toBe('¥150,000.50');
    expect(/data-testid="weighted-proposal">([^<]+)</.exec(board)?.[1]).toBe('¥75,000.25');
    expect(/data-testid="count-negotiation">(\d+)</.exec(board)?.[1]).toBe('0');
  });
});

describe('the customer a deal names', () => {
  it('follows a renamed customer and the survivor of a merge on the board, the list and the deal', async () => {
    const lone = await createUser(t.db, { role: 'sales' });
    const own = await createCustomer(t.db, { ownerId: lone.id, name: '杭州恒远贸易有限公司' });
    const merged = await createCustomer(t.db, { ownerId: lone.id, name: '恒远贸易（杭州）' });
    const c = await signedIn(t, lone);
    const ids: number[] = [];
    for (const [customer, title] of [
      [own, 'Warehouse scanners'],
      [merged, 'Forklift rental'],
    ] as const) {
      const reply = await c.submit(`/opportunities/new?customer=${customer}`, {
        customerId: String(customer),
        title,
        amount: '30,000',
        expectedCloseDate: '2027-02-01',
      });
      expect(reply.status).toBe(303);
      ids.push(Number(/\/opportunities\/(\d+)$/.exec(reply.location!)![1]));
    }
    expect(visibleText((await c.get('/opportunities')).text)).toContain('杭州恒远贸易有限公司');

    const form = await c.get(`/customers/${own}/edit`);
    const version = /name="version" value="(\d+)"/.exec(form.text)![1];
    const renamed = await c.post(
      `/customers/${own}/edit`,
      customerForm({ name: '杭州恒远供应链有限公司', version }),
    );
    expect(renamed.status).toBe(303);
    for (const path of ['/opportunities', '/opportunities?view=list', `/opportunities/${ids[0]}`]) {
      const page = visibleText((await c.get(path)).text);
      expect(page, path).toContain('杭州恒远供应链有限公司');
      expect(page, path).not.toContain('杭州恒远贸易有限公司');
    }

    const admin = await signedIn(t, await createUser(t.db, { role: 'admin' }));
    await admin.get(`/customers/${own}/merge?with=${merged}`);
    expect((await admin.post(`/customers/${own}/merge`, { otherId: String(merged) })).status).toBe(303);
    const list = visibleText((await c.get('/opportunities?view=list')).text);
    expect(list).toContain('Forklift rental');
    expect(list).not.toContain('恒远贸易（杭州）');
    // The list's search finds a deal by its customer's name too, each word in the one or the other.
    const found = visibleText(
      (await c.get(`/opportunities?view=list&q=${encodeURIComponent('供应链 Forklift')}`)).text,
    );
    expect(found).toContain('Forklift rental');
    expect(found).not.toContain('Warehouse scanners');
    // And by the customer's pinyin or initials, as the customer list finds it.
    for (const q of ['hzhy Forklift', 'hengyuan forklift']) {
      const byPinyin = visibleText((await c.get(`/opportunities?view=list&q=${encodeURIComponent(q)}`)).text);
      expect(byPinyin, q).toContain('Forklift rental');
      expect(byPinyin, q).not.toContain('Warehouse scanners');
    }
    expect(visibleText((await c.get('/opportunities?q=hzhy')).text)).toContain('Forklift rental');
    expect(visibleText((await c.get('/opportunities?view=list&q=shhx')).text)).not.toContain(
      'Forklift rental',
    );
    const { rows } = await t.db.query(
      'SELECT customer_id AS "customerId", customer_name AS "customerName" FROM opportunity WHERE id = ANY($1) ORDER BY id',
      [ids],
    );
    expect(rows).toEqual([
      { customerId: own, customerName: '杭州恒远供应链有限公司' },
      { customerId: own, customerName: '杭州恒远供应链有限公司' },
    ]);
  });
});

describe('the forecast', () => {
  it('weights each rep’s open deals by month of expected close, and totals the team', async () => {
    const lone = await createUser(t.db, { role: 'sales', name: 'Forecast Rep' });
    const own = await createCustomer(t.db, { ownerId: lone.id });
    const c = await signedIn(t, lone);
    const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 15));
    const reply = await c.submit(`/opportunities/new?customer=${own}`, {
      customerId: String(own),
      title: 'Forecast deal',
      amount: '200,000',
      stage: 'negotiation',
      expectedCloseDate: nextMonth.toISOString().slice(0, 10),
    });
    expect(reply.status).toBe(303);
    const page = await c.get('/opportunities/forecast');
    expect(page.status).toBe(200);
    const month = nextMonth.toISOString().slice(0, 7);
    expect(new RegExp(`data-testid="total-${month}"><strong>([^<]+)<`).exec(page.text)?.[1]).toBe(
      '¥150,000.00',
    );
    expect(visibleText(page.text)).toContain('Forecast Rep');
  });

  it('keeps an open deal whose close date has passed, in a first column, and marks it on the board', async () => {
    const lone = await createUser(t.db, { role: 'sales', name: 'Late Rep' });
    const own = await createCustomer(t.db, { ownerId: lone.id });
    const c = await signedIn(t, lone, 'zh-CN');
    const reply = await c.submit(`/opportunities/new?customer=${own}`, {
      customerId: String(own),
      title: '逾期未关的商机',
      amount: '40,000',
      stage: 'negotiation',
      // Expected 40 days ago, and still being negotiated.
      expectedCloseDate: new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(reply.status).toBe(303);
    const page = await c.get('/opportunities/forecast');
    expect(/data-testid="total-overdue"><strong>([^<]+)</.exec(page.text)?.[1]).toBe('¥30,000.00');
    expect(visibleText(page.text)).toContain('已过预计成交日');
    const board = visibleText((await c.get('/opportunities')).text);
    expect(board).toMatch(/逾期未关的商机 .*已过预计成交日/);
  });
});

describe('choosing the customer of a new deal', () => {
  it('lists the rep’s own customers, and finds any they see by a search', async () => {
    const c = await signedIn(t, rep);
    await createCustomer(t.db, { ownerId: rep.id, name: '杭州蓝海贸易有限公司' });
    // Many customers of their own: the list shows some, the search finds the one wanted.
    for (let i = 0; i < 30; i++)
      await createCustomer(t.db, { ownerId: rep.id, name: `Filler ${i} 有限公司` });
    const first = visibleText((await c.get('/opportunities/new')).text);
    expect(first).toContain('Which customer is the deal with?');
    const found = await c.get(`/opportunities/new?q=${encodeURIComponent('蓝海')}`);
    expect(found.text).toMatch(/href="\/opportunities\/new\?customer=\d+">杭州蓝海贸易有限公司</);
    expect(visibleText((await c.get('/opportunities/new?q=nothing-like-it')).text)).toContain(
      'No customer matches.',
    );
  });
});

describe('saving a deal', () => {
  it('refuses a stale save with the typed values kept, and changes nothing', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: 'Before' });
    const form = await c.get(`/opportunities/${id}/edit`);
    const version = /name="version" value="(\d+)"/.exec(form.text)![1];
    // Meanwhile the manager moves it on.
    const m = await signedIn(t, manager);
    expect((await move(m, id, 'needs_analysis')).status).toBe(303);
    const refused = await c.post(`/opportunities/${id}/edit`, {
      version,
      title: 'Typed by the rep',
      amount: '99,000',
      expectedCloseDate: '2027-04-30',
    });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Typed by the rep');
    expect(visibleText(refused.text)).toContain('Someone else saved this record');
    expect(await deal(id)).toMatchObject({ title: 'Before', amount: '120000.50' });
  });

  it('refuses a negative amount beside the field, in the user’s language, with the typed values kept', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM opportunity');
    const created = await c.submit(`/opportunities/new?customer=${customerId}`, {
      customerId: String(customerId),
      title: '负数金额的商机',
      amount: '-5,000',
      expectedCloseDate: '2027-03-31',
    });
    expect(created.status).toBe(422);
    expect(visibleText(created.text)).toContain('金额不能为负数。');
    expect(created.text).toContain('value="负数金额的商机"');
    expect(created.text).toContain('value="-5,000"');
    const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM opportunity');
    expect(after.rows[0].n).toBe(rows[0].n);

    const id = await newDeal(c, { title: 'Kept as it was' });
    const edited = await c.submit(`/opportunities/${id}/edit`, {
      version: String((await deal(id)).version),
      title: 'Typed over',
      amount: '−1',
      expectedCloseDate: '2027-03-31',
    });
    expect(edited.status).toBe(422);
    expect(visibleText(edited.text)).toContain('金额不能为负数。');
    expect(edited.text).toContain('value="Typed over"');
    expect(await deal(id)).toMatchObject({ title: 'Kept as it was', amount: '120000.50' });
  });

  it('shows field errors beside the fields and saves a valid edit, audited with labels', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c);
    const version = String((await deal(id)).version);
    const bad = await c.submit(`/opportunities/${id}/edit`, {
      version,
      title: 'x',
      amount: '-12',
      probability: '120',
      expectedCloseDate: '2027-02-30',
    });
    expect(bad.status).toBe(422);
    const errors = visibleText(bad.text);
    expect(errors).toMatch(/at most 100|100/);
    const ok = await c.post(`/opportunities/${id}/edit`, {
      version,
      title: 'ERP 三期',
      amount: '¥88 000',
      probability: '40',
      expectedCloseDate: '2027-05-31',
      competitors: '用友',
    });
    expect(ok.status).toBe(303);
    expect(await deal(id)).toMatchObject({ title: 'ERP 三期', amount: '88000.00', probability: 40 });
    const admin = await createUser(t.db, { role: 'admin' });
    const audit = visibleText((await (await signedIn(t, admin)).get('/audit')).text);
    expect(audit).toContain('Competitors');
  });
});

describe('choosing a deal’s owner', () => {
  it('refuses an owner outside the offered list with a message on the owner field, in the user’s language', async () => {
    const title = `越权负责人 ${Math.random().toString(36).slice(2, 7)}`;
    const cases = [
      // Each user's last page is in English, the language the tests after this one read.
      [manager, 'zh-CN', String(outsider.id), ['负责人', '不是您可以选择的负责人。']],
      [manager, 'en', String(outsider.id), ['Owner', 'Not an owner you may choose.']],
      // A rep's form offers no owner: one sent by hand is refused where the owner would be.
      [rep, 'zh-CN', 'someone', ['负责人', '不是您可以选择的负责人。']],
      [rep, 'en', 'someone', ['Owner', 'Not an owner you may choose.']],
    ] as const;
    for (const [user, lang, ownerId, said] of cases) {
      const c = await signedIn(t, user, lang);
      const reply = await c.submit(`/opportunities/new?customer=${customerId}`, {
        customerId: String(customerId),
        title,
        amount: '88,000',
        expectedCloseDate: '2027-03-31',
        ownerId,
      });
      expect(reply.status).toBe(422);
      const field =
        /<div class="field has-error">(?:(?!<div class="field)[\s\S])*?id="e-ownerId"[\s\S]*?<\/div>/.exec(
          reply.text,
        );
      // The owner's field: its label, the select if there is one, and the reason.
      const text = visibleText(field?.[0] ?? '');
      expect(text.startsWith(said[0])).toBe(true);
      expect(text).toContain(said[1]);
      expect(reply.text).toContain(`value="${title}"`);
    }
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM opportunity WHERE title = $1', [title]);
    expect(rows[0].n).toBe(0);
  });
});

describe('the owner’s manager', () => {
  it('hears of each stage change once, in-app and by mail; not of their own moves', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: '通知测试项目' });
    const count = async () => {
      const { rows: notes } = await t.db.query(
        `SELECT params FROM notification WHERE user_id = $1 AND kind = 'opportunity_stage_changed' AND params->>'title' = '通知测试项目'`,
        [manager.id],
      );
      const { rows: mails } = await t.db.query(
        `SELECT subject FROM outbox_mail WHERE "to" = $1 AND subject LIKE '%通知测试项目%'`,
        [manager.email],
      );
      return { notes, mails };
    };
    expect((await count()).notes).toHaveLength(0);
    await move(c, id, 'needs_analysis');
    let seen = await count();
    expect(seen.notes).toHaveLength(1);
    expect(seen.notes[0].params).toMatchObject({
      from: 'Initial contact',
      to: 'Needs analysis',
      by: 'Rep Li',
    });
    expect(seen.mails).toHaveLength(1);
    const m = await signedIn(t, manager);
    await move(m, id, 'proposal');
    seen = await count();
    expect(seen.notes).toHaveLength(1);
    expect(seen.mails).toHaveLength(1);
    expect(visibleText((await m.get('/notifications')).text)).toContain(
      'Rep Li moved deal 通知测试项目 from Initial contact to Needs analysis.',
    );
  });
});

describe('activity', () => {
  it('lists follow-ups logged against the deal on its page and flags idle deals on the board and My day', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: '停滞测试项目' });
    await t.db.query(`UPDATE opportunity SET last_activity_at = now() - interval '40 days' WHERE id = $1`, [
      id,
    ]);
    expect(visibleText((await c.get('/')).text)).toContain('停滞测试项目');
    expect((await c.get('/opportunities?view=list&stale=1')).text).toContain('停滞测试项目');
    expect((await c.get(`/opportunities/${id}`)).text).toContain('tag stale');

    const form = await c.get(`/follow-ups/new?customer=${customerId}&opportunity=${id}`);
    expect(form.text).toContain(`<option value="${id}" selected>`);
    const logged = await c.post('/follow-ups', {
      customerId: String(customerId),
      opportunityId: String(id),
      method: 'visit',
      happenedAt: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16),
      summary: '演示了方案，客户很满意',
    });
    expect(logged.status).toBe(303);
    const page = visibleText((await c.get(`/opportunities/${id}`)).text);
    expect(page).toContain('演示了方案，客户很满意');
    expect(page).not.toContain('Stale');
    expect(visibleText((await c.get('/')).text)).not.toContain('停滞测试项目');
  });

  it('takes the next step of its latest follow-up, audited, not of one logged after the fact', async () => {
    const c = await signedIn(t, rep);
    const id = await newDeal(c, { title: '下一步测试项目', nextStep: '约客户演示' });
    const local = (hoursAgo: number) =>
      new Date(Date.now() + (8 - hoursAgo) * 3600_000).toISOString().slice(0, 16);
    const log = async (hoursAgo: number, nextAction: string) => {
      await c.get(`/follow-ups/new?customer=${customerId}&opportunity=${id}`);
      const reply = await c.post('/follow-ups', {
        customerId: String(customerId),
        opportunityId: String(id),
        method: 'phone',
        happenedAt: local(hoursAgo),
        summary: `电话沟通 ${nextAction}`,
        nextAction,
      });
      expect(reply.status).toBe(303);
    };
    const before = await t.db.query('SELECT version FROM opportunity WHERE id = $1', [id]);
    await log(0, '周五前发修订版报价');
    // Logged later, about a call two days ago: the deal keeps the newer call's next step.
    await log(48, '寄送样品');
    const page = visibleText((await c.get(`/opportunities/${id}`)).text);
    expect(page).toContain('Next step 周五前发修订版报价');
    const { rows } = await t.db.query('SELECT next_step, version FROM opportunity WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ next_step: '周五前发修订版报价', version: before.rows[0].version + 1 });
    const audit = await t.db.query(
      `SELECT actor_id, diff FROM audit_entry WHERE entity = 'opportunity' AND entity_id = $1 AND action = 'update'`,
      [String(id)],
    );
    expect(audit.rows).toEqual([
      { actor_id: rep.id, diff: { nextStep: { from: '约客户演示', to: '周五前发修订版报价' } } },
    ]);
  });
});
