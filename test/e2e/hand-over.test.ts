import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let team: number;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(() => t.close());

/** What a refused or undone hand-over must leave as it was. */
async function snapshot(leaving: UserRow, customers: number[]) {
  const user = await t.db.query('SELECT active, version FROM app_user WHERE id = $1', [leaving.id]);
  const owned = await t.db.query(
    'SELECT id, owner_id, version FROM customer WHERE id = ANY($1) ORDER BY id',
    [customers],
  );
  const audit = await t.db.query(
    `SELECT action FROM audit_entry WHERE entity = 'user' AND entity_id = $1 AND action IN ('hand_over', 'permission')`,
    [String(leaving.id)],
  );
  const notes = await t.db.query(`SELECT user_id FROM notification WHERE kind = 'handed_over'`);
  return { user: user.rows[0], owned: owned.rows, audit: audit.rows, notes: notes.rows };
}

describe('handing over to a user who may not take it', () => {
  let leaving: UserRow;
  let customers: number[];
  let c: Client;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    leaving = await createUser(t.db, { role: 'sales', teamId: team, name: 'Leaving Soon' });
    customers = [
      await createCustomer(t.db, { ownerId: leaving.id, name: 'Handed Ltd 1' }),
      await createCustomer(t.db, { ownerId: leaving.id, name: 'Handed Ltd 2' }),
    ];
    c = await signedIn(t, admin);
    before = await snapshot(leaving, customers);
  });

  /** Tries to hand over to `target`: whether the form offered it, the answer, and what was stored after. */
  const attempt = async (target: string) => {
    const page = await c.get(`/admin/users/${leaving.id}/edit`);
    const reply = await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: target });
    return {
      offered: page.text.includes(`<option value="${target}"`),
      status: reply.status,
      explained: /id="e-handOverTo"[\s\S]*?Not a valid choice\./.test(reply.text),
      stored: await snapshot(leaving, customers),
    };
  };
  // Whoever may not take over is not offered either; the form says why; nothing changed.
  const refusal = () => ({ offered: false, status: 422, explained: true, stored: before });

  it('refuses a deactivated user', async () => {
    expect(before.user).toEqual({ active: true, version: 1 });
    const gone = await createUser(t.db, { role: 'sales', teamId: team, active: false });
    expect(await attempt(String(gone.id))).toEqual(refusal());
  });

  it('refuses a service agent', async () => {
    const agent = await createUser(t.db, { role: 'service' });
    expect(await attempt(String(agent.id))).toEqual(refusal());
  });

  it('refuses the leaving user themselves', async () => {
    expect(await attempt(String(leaving.id))).toEqual(refusal());
  });

  it('refuses a user who does not exist', async () => {
    expect(await attempt('99999999')).toEqual(refusal());
  });

  it('keeps the leaving user signed in and working after a refusal', async () => {
    const theirs = new Client(t.url);
    await theirs.login(leaving.email, PASSWORD);
    await c.get(`/admin/users/${leaving.id}/edit`);
    await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: String(leaving.id) });
    const home = await theirs.get(`/customers/${customers[0]}`);
    expect(home.status).toBe(200);
    expect(visibleText(home.text)).toContain('Handed Ltd 1');
  });
});

describe('a hand-over that fails half-way', () => {
  it('undoes everything: the user stays active and signed in, no customer moves', async () => {
    const leaving = await createUser(t.db, { role: 'sales', teamId: team, name: 'Leaves Later' });
    const successor = await createUser(t.db, { role: 'sales', teamId: team, name: 'Takes Over' });
    const customers = [
      await createCustomer(t.db, { ownerId: leaving.id, name: 'Moves Fine Ltd' }),
      await createCustomer(t.db, { ownerId: leaving.id, name: 'Refuses To Move Ltd' }),
    ];
    const theirs = new Client(t.url);
    await theirs.login(leaving.email, PASSWORD);
    const before = await snapshot(leaving, customers);
    // A database rule that breaks while the customers are being moved, after the user was deactivated.
    await t.db.query(`CREATE FUNCTION refuse_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.name = 'Refuses To Move Ltd' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
    await t.db.query(
      `CREATE TRIGGER refuse_move BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION refuse_move()`,
    );
    try {
      const c = await signedIn(t, admin);
      await c.get(`/admin/users/${leaving.id}/edit`);
      const reply = await c.post(`/admin/users/${leaving.id}/deactivate`, {
        handOverTo: String(successor.id),
      });
      expect(reply.status).toBe(500);
      expect(visibleText(reply.text)).not.toContain('refused');
    } finally {
      await t.db.query('DROP TRIGGER refuse_move ON customer');
      await t.db.query('DROP FUNCTION refuse_move()');
    }
    expect(await snapshot(leaving, customers)).toEqual(before);
    expect((await theirs.get('/')).status).toBe(200);
    const notes = await t.db.query(`SELECT 1 FROM notification WHERE user_id = $1`, [successor.id]);
    expect(notes.rows).toHaveLength(0);
  });
});
