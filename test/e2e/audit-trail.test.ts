import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createCustomer, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { runAndWait, uploadAndCheck } from '../helpers/imports.js';

let t: TestApp;
let admin: UserRow;
let adminClient: Client;

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin', name: 'Audit Admin' });
  adminClient = await signedIn(t, admin);
});
afterAll(() => t.close());

interface Entry {
  actor_id: number | null;
  action: string;
  diff: Record<string, { from?: unknown; to?: unknown }>;
}

/** The audit entries of one record, oldest first. */
async function entries(entity: string, entityId: number | string): Promise<Entry[]> {
  const { rows } = await t.db.query<Entry>(
    `SELECT actor_id, action, diff FROM audit_entry WHERE entity = $1 AND entity_id = $2 ORDER BY id`,
    [entity, String(entityId)],
  );
  return rows;
}

/** The admin's audit page for one record, as text. */
const auditPage = async (entity: string, entityId: number | string) =>
  visibleText((await adminClient.get(`/audit?entity=${entity}&entityId=${entityId}`)).text);

describe('the audit trail', () => {
  it('records a contact added, changed and removed, by whom', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    expect(
      (await c.submit(`/customers/${customer}/contacts/new`, { name: '王芳', mobile: '13812345678' })).status,
    ).toBe(303);
    const [{ id }] = (await t.db.query('SELECT id FROM contact WHERE customer_id = $1', [customer])).rows;
    expect(
      (
        await c.submit(`/customers/${customer}/contacts/${id}/edit`, {
          name: '王芳',
          mobile: '13812345678',
          title: '采购经理',
          version: '1',
        })
      ).status,
    ).toBe(303);
    await c.get(`/customers/${customer}`);
    expect((await c.post(`/customers/${customer}/contacts/${id}/delete`)).status).toBe(303);
    const audit = await entries('contact', id);
    expect(audit.map((e) => [e.actor_id, e.action])).toEqual([
      [rep.id, 'create'],
      [rep.id, 'update'],
      [rep.id, 'delete'],
    ]);
    expect(audit[0].diff).toMatchObject({ name: { to: '王芳' }, mobile: { to: '13812345678' } });
    expect(audit[1].diff).toEqual({ title: { from: null, to: '采购经理' } });
    const page = await auditPage('contact', id);
    expect(page).toContain('Created Contact');
    expect(page).toContain('Deleted Contact');
    expect(page).toContain(rep.email);
  });

  it('records a follow-up logged', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const reply = await c.submit(
      `/follow-ups/new?customer=${customer}`,
      {
        customerId: String(customer),
        method: 'visit',
        happenedAt: '2026-01-15T10:30',
        summary: 'Met the buyer.',
      },
      '/follow-ups',
    );
    expect(reply.status).toBe(303);
    const [{ id }] = (await t.db.query('SELECT id FROM follow_up WHERE customer_id = $1', [customer])).rows;
    const audit = await entries('follow_up', id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: rep.id, action: 'create' });
    expect(audit[0].diff).toMatchObject({
      method: { to: 'visit' },
      summary: { to: 'Met the buyer.' },
      customerId: { to: customer },
    });
  });

  it('records a team created and renamed', async () => {
    const lead = await createUser(t.db, { role: 'manager', name: 'Audited Lead' });
    expect(
      (await adminClient.submit('/admin/teams', { name: 'Audited Team', managerId: String(lead.id) })).status,
    ).toBe(303);
    const [{ id }] = (await t.db.query(`SELECT id FROM team WHERE name = 'Audited Team'`)).rows;
    expect(
      (
        await adminClient.submit(`/admin/teams/${id}/edit`, {
          name: 'Audited Team North',
          managerId: String(lead.id),
          version: '1',
        })
      ).status,
    ).toBe(303);
    const audit = await entries('team', id);
    expect(audit.map((e) => [e.actor_id, e.action])).toEqual([
      [admin.id, 'create'],
      [admin.id, 'permission'],
    ]);
    expect(audit[0].diff).toEqual({ name: { to: 'Audited Team' }, managerId: { to: lead.id } });
    expect(audit[1].diff).toEqual({ name: { from: 'Audited Team', to: 'Audited Team North' } });
    // The page names the team's fields as its form does, and its manager by name.
    const page = await auditPage('team', id);
    expect(page).toContain('Team name: → Audited Team Manager: → Audited Lead');
    expect(page).toContain('Team name: Audited Team → Audited Team North');
  });

  it('records the pool settings changed, before and after', async () => {
    const page = await adminClient.get('/admin/settings');
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    const saved = await adminClient.post('/admin/settings/pool', {
      maxOwned: '250',
      returnDaysA: '90',
      returnDaysB: '60',
      returnDaysC: '30',
      warnDays: '7',
      version,
    });
    expect(saved.status).toBe(303);
    const audit = await entries('setting', 'pool');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: admin.id, action: 'update' });
    expect(audit[0].diff.pool).toEqual({
      // byRegion: the pool split by region (a setting, off by default).
      from: {
        maxOwned: 300,
        returnDaysA: 90,
        returnDaysB: 60,
        returnDaysC: 30,
        warnDays: 7,
        byRegion: false,
      },
      to: { maxOwned: 250, returnDaysA: 90, returnDaysB: 60, returnDaysC: 30, warnDays: 7, byRegion: false },
    });
    expect(await auditPage('setting', 'pool')).toContain('Changed Setting pool');
  });

  it('records an import with its file and counts', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, rep);
    const id = await uploadAndCheck(
      t.db,
      c,
      'audited.csv',
      Buffer.from('Name\nAudited Import One Ltd\nAudited Import Two Ltd\n'),
    );
    expect(await runAndWait(t.db, c, id)).toBe('done');
    const audit = await entries('customer', id);
    expect(audit).toEqual([
      {
        actor_id: rep.id,
        action: 'import',
        diff: { file: { to: 'audited.csv' }, created: { to: 2 }, updated: { to: 0 } },
      },
    ]);
    // Each customer it created is audited too.
    const created = await t.db.query(
      `SELECT a.actor_id FROM audit_entry a JOIN customer c ON a.entity = 'customer' AND a.entity_id = c.id::text
        WHERE c.name LIKE 'Audited Import%' AND a.action = 'create'`,
    );
    expect(created.rows).toEqual([{ actor_id: rep.id }, { actor_id: rep.id }]);
  });

  it('records signing out', async () => {
    const user = await createUser(t.db, { role: 'service' });
    const c = await signedIn(t, user);
    expect((await c.post('/logout')).status).toBe(303);
    const audit = await entries('user', user.id);
    expect(audit.map((e) => [e.actor_id, e.action])).toEqual([
      [user.id, 'login'],
      [user.id, 'logout'],
    ]);
    expect(await auditPage('user', user.id)).toContain(`Signed out User ${user.id}`);
  });

  it('records a password changed by its user and one reset by an admin, never the password', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user);
    expect(
      (
        await c.submit(
          '/account',
          {
            currentPassword: PASSWORD,
            newPassword: 'audited-new-password',
            confirmPassword: 'audited-new-password',
          },
          '/account/password',
        )
      ).status,
    ).toBe(303);
    await adminClient.get(`/admin/users/${user.id}/edit`);
    expect(
      (await adminClient.post(`/admin/users/${user.id}/password`, { password: 'reset-by-the-admin' })).status,
    ).toBe(303);
    const audit = (await entries('user', user.id)).filter((e) => e.action.startsWith('password'));
    expect(audit).toEqual([
      { actor_id: user.id, action: 'password_change', diff: {} },
      { actor_id: admin.id, action: 'password_reset', diff: {} },
    ]);
    const all = await t.db.query(`SELECT diff::text AS d FROM audit_entry WHERE entity_id = $1`, [
      String(user.id),
    ]);
    for (const { d } of all.rows) {
      expect(d).not.toContain('audited-new-password');
      expect(d).not.toContain('reset-by-the-admin');
    }
    const page = await auditPage('user', user.id);
    expect(page).toContain(`Changed password User ${user.id}`);
    expect(page).toContain(`Password reset User ${user.id}`);
  });

  it('records a sign-in refused for too many failures, naming the account tried', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url, { 'accept-language': 'en' });
    await c.get('/login');
    for (let i = 0; i < 5; i++)
      expect((await c.post('/login', { email: user.email, password: `wrong-${i}` })).status).toBe(401);
    const throttled = await c.post('/login', { email: user.email, password: PASSWORD });
    expect(throttled.status).toBe(429);
    const { rows } = await t.db.query(
      `SELECT actor_id, entity, diff FROM audit_entry WHERE action = 'login_throttled' AND diff->'email'->>'to' = $1`,
      [user.email],
    );
    expect(rows).toEqual([{ actor_id: null, entity: 'user', diff: { email: { to: user.email } } }]);
    const failed = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'login_failed' AND entity_id = $1`,
      [String(user.id)],
    );
    expect(failed.rows[0].n).toBe(5);
    expect(visibleText((await adminClient.get('/audit?entity=user')).text)).toContain(
      `Sign-in blocked (too many attempts) User E-mail: → ${user.email}`,
    );
  });
});
