import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let east: number;
let west: number;
let eastRep: UserRow;
let westRep: UserRow;
let eastManager: UserRow;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  east = await createTeam(t.db);
  west = await createTeam(t.db);
  eastRep = await createUser(t.db, { role: 'sales', teamId: east, name: 'East Rep' });
  westRep = await createUser(t.db, { role: 'sales', teamId: west, name: 'West Rep' });
  eastManager = await createUser(t.db, { role: 'manager', teamId: east, name: 'East Manager' });
  admin = await createUser(t.db, { role: 'admin', name: 'Scope Admin' });
});
afterAll(() => t.close());

/** Ids in ascending order, for comparing sets of customers. */
const byId = (a: number, b: number) => a - b;

/** The customers a list page shows, in the order it shows them. */
const listedIds = (html: string) =>
  [...html.matchAll(/<td data-label="[^"]*"><a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1]));

describe('a manager and the public pool', () => {
  it('sees every unowned customer, whatever its status and region, and none of another team’s', async () => {
    const lead = await createCustomer(t.db, {
      ownerId: null,
      status: 'lead',
      province: '四川省',
      name: 'Scope Pool Lead',
    });
    const churned = await createCustomer(t.db, {
      ownerId: null,
      status: 'churned',
      name: 'Scope Pool Churned',
    });
    const active = await createCustomer(t.db, {
      ownerId: null,
      status: 'active',
      province: '上海市',
      name: 'Scope Pool Active',
    });
    const westOwned = await createCustomer(t.db, { ownerId: westRep.id, name: 'Scope Pool West Owned' });
    const c = await signedIn(t, eastManager);
    const pool = await c.get('/customers?owner=pool&q=Scope+Pool');
    expect(listedIds(pool.text).sort(byId)).toEqual([lead, churned, active].sort(byId));
    for (const id of [lead, churned, active]) {
      expect((await c.get(`/customers/${id}`)).status).toBe(200);
      expect(pool.text).toContain(`action="/customers/${id}/claim"`);
    }
    expect((await c.get(`/customers/${westOwned}`)).status).toBe(404);
    expect(visibleText((await c.get('/customers?q=Scope+Pool')).text)).not.toContain('Scope Pool West Owned');
  });

  it('claims a pool customer for themselves, and may then edit it', async () => {
    const id = await createCustomer(t.db, { ownerId: null, status: 'prospect', name: 'Claimed By Manager' });
    const c = await signedIn(t, eastManager);
    await c.get(`/customers/${id}`);
    expect((await c.post(`/customers/${id}/claim`)).status).toBe(303);
    expect((await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id])).rows[0].owner_id).toBe(
      eastManager.id,
    );
    // Out of the pool now, but still the manager's to see and change.
    expect(listedIds((await c.get('/customers?owner=pool&q=Claimed+By+Manager')).text)).toEqual([]);
    expect(listedIds((await c.get('/customers?owner=me&q=Claimed+By+Manager')).text)).toEqual([id]);
    expect(
      (
        await c.submit(
          `/customers/${id}/edit`,
          customerForm({ name: 'Claimed By Manager', tier: 'B', version: '2' }),
        )
      ).status,
    ).toBe(303);
  });
});

describe('an admin', () => {
  it('sees and changes the customers of every team and of nobody', async () => {
    const eastOwned = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Admin Scope East' });
    const westOwned = await createCustomer(t.db, { ownerId: westRep.id, name: 'Admin Scope West' });
    const unowned = await createCustomer(t.db, {
      ownerId: null,
      status: 'churned',
      name: 'Admin Scope Pool',
    });
    const noTeam = await createUser(t.db, { role: 'sales', teamId: null });
    const loner = await createCustomer(t.db, { ownerId: noTeam.id, name: 'Admin Scope Loner' });
    const c = await signedIn(t, admin);
    const list = await c.get('/customers?q=Admin+Scope');
    expect(listedIds(list.text).sort(byId)).toEqual([eastOwned, westOwned, unowned, loner].sort(byId));
    expect(list.text).toMatch(/<span class="count">4</);
    for (const id of [eastOwned, westOwned, unowned, loner]) {
      const page = await c.get(`/customers/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`/customers/${id}/edit`);
    }
    // An admin may give a customer to a rep of any team.
    const moved = await c.submit(
      `/customers/${westOwned}/edit`,
      customerForm({ name: 'Admin Scope West', ownerId: String(eastRep.id), version: '1' }),
    );
    expect(moved.status).toBe(303);
    expect(
      (await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [westOwned])).rows[0].owner_id,
    ).toBe(eastRep.id);
  });
});

describe('notifications', () => {
  async function notification(userId: number, link: string | null): Promise<number> {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO notification (user_id, kind, params, link) VALUES ($1, 'password_reset', '{}', $2) RETURNING id`,
      [userId, link],
    );
    return rows[0].id;
  }
  const readAt = async (id: number) =>
    (await t.db.query('SELECT read_at FROM notification WHERE id = $1', [id])).rows[0].read_at as Date | null;

  it('opens one’s own notification where it points, and marks it read', async () => {
    const mine = await notification(eastRep.id, '/customers?owner=me');
    const c = await signedIn(t, eastRep);
    const page = await c.get('/notifications');
    expect(page.text).toContain(`action="/notifications/${mine}/open"`);
    const opened = await c.post(`/notifications/${mine}/open`);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe('/customers?owner=me');
    expect(await readAt(mine)).not.toBeNull();
  });

  it('answers 404 to someone opening another user’s notification, which stays unread and unlisted', async () => {
    const theirs = await notification(westRep.id, '/customers');
    const c = await signedIn(t, eastRep);
    const page = await c.get('/notifications');
    expect(page.text).not.toContain(`/notifications/${theirs}/open`);
    const opened = await c.post(`/notifications/${theirs}/open`);
    expect(opened.status).toBe(404);
    expect(visibleText(opened.text)).toContain('This page does not exist, or you do not have access to it.');
    expect(await readAt(theirs)).toBeNull();
    // Not even an admin opens someone else's.
    const a = await signedIn(t, admin);
    await a.get('/notifications');
    expect((await a.post(`/notifications/${theirs}/open`)).status).toBe(404);
    expect(await readAt(theirs)).toBeNull();
  });

  it('marks only one’s own notifications read with "mark all read"', async () => {
    const mine = await notification(eastManager.id, null);
    const theirs = await notification(westRep.id, null);
    const c = await signedIn(t, eastManager);
    await c.get('/notifications');
    expect((await c.post('/notifications/read-all')).status).toBe(303);
    expect(await readAt(mine)).not.toBeNull();
    expect(await readAt(theirs)).toBeNull();
  });

  it('never sends the reader off the site, whatever a notification’s link holds', async () => {
    const odd = await notification(eastRep.id, '//evil.example/');
    const c = await signedIn(t, eastRep);
    await c.get('/notifications');
    const opened = await c.post(`/notifications/${odd}/open`);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe('/notifications');
  });
});
