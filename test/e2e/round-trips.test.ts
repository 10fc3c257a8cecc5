import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser } from '../helpers/factories.js';
import { uploadAndCheck } from '../helpers/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** The value of a form's field as the page holds it. */
const fieldValue = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ??
  new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1];

describe('what users type comes back as they typed it', () => {
  it('keeps multi-line notes unchanged however often the form is saved', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, rep, 'zh-CN');
    const notes = '财务每月 25 日后处理付款。\n采购联系人周五不在。';
    const created = await c.submit('/customers/new', customerForm({ name: '成都蓉城贸易有限公司', notes }));
    expect(created.status).toBe(303);
    const id = Number(created.location!.split('/').pop());
    for (let i = 0; i < 2; i++) {
      const form = (await c.get(`/customers/${id}/edit`)).text;
      expect(fieldValue(form, 'notes')).toBe(notes);
      const fields = customerForm({ name: '成都蓉城贸易有限公司', notes: fieldValue(form, 'notes')! });
      const saved = await c.post(`/customers/${id}/edit`, {
        ...fields,
        version: fieldValue(form, 'version')!,
      });
      expect(saved.status).toBe(303);
    }
    const { rows } = await t.db.query('SELECT notes FROM customer WHERE id = $1', [id]);
    expect(rows[0].notes).toBe(notes);
  });

  it('answers a field sent as a list with its error, not a server error', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, rep);
    await c.get('/customers/new');
    const reply = await c.post('/customers/new', {
      ...customerForm({ name: 'List Field Ltd' }),
      'tier[]': 'A',
    });
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('New customer');
  });
});

describe('a follow-up taken back', () => {
  it('moves the customer’s last interaction back to the follow-up before it', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const log = async (summary: string, happenedAt: string) => {
      const reply = await c.submit(
        `/follow-ups/new?customer=${customer}`,
        { customerId: String(customer), method: 'phone', happenedAt, summary },
        '/follow-ups',
      );
      expect(reply.status).toBe(303);
      const { rows } = await t.db.query('SELECT id FROM follow_up WHERE summary = $1', [summary]);
      return rows[0].id as number;
    };
    await log('Earlier call', '2026-01-05T10:00');
    const later = await log('Later call', '2026-01-06T10:00');
    const lastInteraction = async () =>
      (await t.db.query('SELECT last_interaction_at AS at FROM customer WHERE id = $1', [customer])).rows[0]
        .at as Date | null;
    const before = await lastInteraction();
    expect((await c.post(`/follow-ups/${later}/delete`)).status).toBe(303);
    const after = await lastInteraction();
    expect(after!.getTime()).toBeLessThan(before!.getTime());
    const { rows } = await t.db.query(
      "SELECT max(happened_at) AS at FROM follow_up WHERE customer_id = $1 AND summary = 'Earlier call'",
      [customer],
    );
    expect(after!.getTime()).toBe((rows[0].at as Date).getTime());
  });
});

describe('a rep’s import', () => {
  it('checks a file whose row matches a customer in the public pool, offering it as a duplicate', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    await createCustomer(t.db, { ownerId: null, name: '杭州东方物流有限责任公司' });
    const c = await signedIn(t, rep);
    const id = await uploadAndCheck(
      t.db,
      c,
      'pool.csv',
      Buffer.from('客户名称,客户级别\n杭州东方物流有限责任公司,A\n'),
    );
    const { rows } = await t.db.query(
      'SELECT action, duplicate_of IS NOT NULL AS duplicate, duplicate_editable FROM customer_import_row WHERE import_id = $1',
      [id],
    );
    expect(rows).toEqual([{ action: 'skip', duplicate: true, duplicate_editable: false }]);
  });
});

describe('an export one may not make', () => {
  it('is an error page, not a downloaded file', async () => {
    const agent = await createUser(t.db, { role: 'service' });
    const c = await signedIn(t, agent);
    const reply = await c.get('/customers/export?format=csv');
    expect(reply.status).toBe(403);
    expect(reply.headers.get('content-disposition')).toBeNull();
    expect(reply.headers.get('content-type')).toContain('text/html');
  });
});

describe('the pool rules form', () => {
  it('names one problem per field: not a number, or empty, but not every bound at once', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const c = await signedIn(t, admin, 'zh-CN');
    const page = (await c.get('/admin/settings')).text;
    const version = /action="\/admin\/settings\/pool"[\s\S]*?name="version" value="(\d+)"/.exec(page)![1];
    const reply = await c.post('/admin/settings/pool', {
      maxOwned: 'abc',
      returnDaysA: '',
      returnDaysB: '60',
      returnDaysC: '30',
      warnDays: '7',
      version,
    });
    expect(reply.status).toBe(422);
    const errors = [...reply.text.matchAll(/<p class="error">([^<]*)<\/p>/g)].map((m) => m[1].trim());
    expect(errors).toHaveLength(2);
    expect(errors.join(' ')).not.toMatch(/不能小于|不能大于|应少于 0 天/);
  });
});

describe('a bulk action refused', () => {
  it('says what was wrong on the list, where there are no fields to mark', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
    const outsider = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    const pooled = await createCustomer(t.db, { ownerId: null });
    const c = await signedIn(t, manager);
    await c.get('/customers');
    const reply = await c.post('/customers/bulk', {
      action: 'assign',
      ownerId: String(outsider.id),
      ids: [String(pooled)],
    });
    expect(reply.status).toBe(303);
    const page = visibleText((await c.get(reply.location!)).text);
    expect(page).toContain('Not an owner you may choose.');
    expect(page).not.toContain('Please correct the fields marked below.');
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [pooled]);
    expect(rows[0].owner_id).toBeNull();
  });
});
