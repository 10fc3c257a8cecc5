import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolService } from '../../src/customers/pool.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser } from '../helpers/factories.js';

let t: TestApp;
let team: number;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
});
afterAll(() => t.close());

const DAY = 86_400_000;

/** A customer of `ownerId` in `tier`, owned for 200 days and last met `idleDays` ago. */
async function owned(
  ownerId: number,
  name: string,
  tier: 'A' | 'B' | 'C',
  idleDays: number,
): Promise<number> {
  const id = await createCustomer(t.db, {
    ownerId,
    name,
    lastInteractionAt: new Date(Date.now() - idleDays * DAY),
  });
  await t.db.query(`UPDATE customer SET tier = $2, owned_since = now() - interval '200 days' WHERE id = $1`, [
    id,
    tier,
  ]);
  return id;
}

const ownerOf = async (id: number) =>
  (await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id])).rows[0].owner_id as number | null;

/** Moves the last interaction and the warning back in time, as days passing would. */
async function daysPass(ids: number[], days: number) {
  await t.db.query(
    `UPDATE customer SET last_interaction_at = last_interaction_at - make_interval(days => $2),
            pool_warned_at = pool_warned_at - make_interval(days => $2) WHERE id = ANY($1)`,
    [ids, days],
  );
}

describe('customers going back to the pool by tier', () => {
  it('warns, then returns, a tier A customer after 90 days and a tier B one after 60', async () => {
    const { value: rules } = await t.app.get(PoolService).rules();
    expect(rules).toMatchObject({ returnDaysA: 90, returnDaysB: 60, returnDaysC: 30, warnDays: 7 });
    const rep = await createUser(t.db, { role: 'sales', teamId: team, locale: 'en' });
    // Each is five days short of its tier's limit; the C-tier limit would long have passed.
    const a = await owned(rep.id, 'Tier A Account', 'A', 85);
    const b = await owned(rep.id, 'Tier B Account', 'B', 55);
    // Within their limit and outside the warning period: left alone.
    const aQuiet = await owned(rep.id, 'Tier A Quiet', 'A', 60);
    const bQuiet = await owned(rep.id, 'Tier B Quiet', 'B', 40);

    await t.app.get(PoolService).sweep();
    const warned = await t.db.query(
      'SELECT name FROM customer WHERE id = ANY($1) AND pool_warned_at IS NOT NULL ORDER BY name',
      [[a, b, aQuiet, bQuiet]],
    );
    expect(warned.rows.map((r) => r.name)).toEqual(['Tier A Account', 'Tier B Account']);
    for (const id of [a, b, aQuiet, bQuiet]) expect(await ownerOf(id)).toBe(rep.id);
    const c = await signedIn(t, rep);
    const notes = visibleText((await c.get('/notifications')).text);
    expect(notes).toContain('Tier A Account returns to the public pool in 5 days unless you follow up.');
    expect(notes).toContain('Tier B Account returns to the public pool in 5 days unless you follow up.');

    // A week later: both went past their limit, the warning long given.
    await daysPass([a, b, aQuiet, bQuiet], 7);
    await t.app.get(PoolService).sweep();
    expect(await ownerOf(a)).toBeNull();
    expect(await ownerOf(b)).toBeNull();
    expect(await ownerOf(aQuiet)).toBe(rep.id);
    expect(await ownerOf(bQuiet)).toBe(rep.id);
    const { rows } = await t.db.query('SELECT owned_since, pool_warned_at FROM customer WHERE id = ANY($1)', [
      [a, b],
    ]);
    expect(rows).toEqual([
      { owned_since: null, pool_warned_at: null },
      { owned_since: null, pool_warned_at: null },
    ]);
    const audit = await t.db.query(
      `SELECT entity_id, actor_id, diff FROM audit_entry WHERE action = 'return_to_pool' AND entity_id = ANY($1) ORDER BY entity_id::int`,
      [[String(a), String(b)]],
    );
    expect(audit.rows).toEqual([
      { entity_id: String(a), actor_id: null, diff: { ownerId: { from: rep.id, to: null } } },
      { entity_id: String(b), actor_id: null, diff: { ownerId: { from: rep.id, to: null } } },
    ]);
    const after = visibleText((await c.get('/notifications')).text);
    expect(after).toContain('Tier A Account went back to the public pool: no follow-up for too long.');
    expect(after).toContain('Tier B Account went back to the public pool: no follow-up for too long.');
    // They are in the pool now, which every rep sees: the rep may claim them back.
    expect((await c.get(`/customers/${a}`)).text).toContain(`action="/customers/${a}/claim"`);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const pool = visibleText(
      (await (await signedIn(t, manager)).get('/customers?owner=pool&q=Account')).text,
    );
    expect(pool).toContain('Tier A Account');
    expect(pool).toContain('Tier B Account');
  });

  it('keeps a warned customer once its owner logs a follow-up', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const id = await owned(rep.id, 'Saved In Time', 'B', 56);
    await t.app.get(PoolService).sweep();
    expect(
      (await t.db.query('SELECT pool_warned_at FROM customer WHERE id = $1', [id])).rows[0].pool_warned_at,
    ).not.toBeNull();
    const c = await signedIn(t, rep);
    await c.get(`/follow-ups/new?customer=${id}`);
    const now = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 16); // Asia/Shanghai wall clock
    expect(
      (
        await c.post('/follow-ups', {
          customerId: String(id),
          method: 'phone',
          happenedAt: now,
          summary: 'Called',
        })
      ).status,
    ).toBe(303);
    await daysPass([id], 7);
    await t.app.get(PoolService).sweep();
    expect(await ownerOf(id)).toBe(rep.id);
  });
});

describe('releasing a customer', () => {
  it('lets a manager give a team rep’s customer back to the pool', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Released By Manager' });
    const c = await signedIn(t, manager);
    const page = await c.get(`/customers/${id}`);
    expect(page.text).toContain(`action="/customers/${id}/release"`);
    const reply = await c.post(`/customers/${id}/release`);
    expect(reply.status).toBe(303);
    expect(visibleText((await c.get(reply.location!)).text)).toContain(
      'Released By Manager is back in the public pool.',
    );
    const { rows } = await t.db.query('SELECT owner_id, owned_since FROM customer WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ owner_id: null, owned_since: null });
    const audit = await t.db.query(
      `SELECT actor_id, diff FROM audit_entry WHERE action = 'release' AND entity_id = $1`,
      [String(id)],
    );
    expect(audit.rows).toEqual([{ actor_id: manager.id, diff: { ownerId: { from: rep.id, to: null } } }]);
  });

  it('refuses a rep releasing another rep’s customer, a manager another team’s, and service any', async () => {
    const owner = await createUser(t.db, { role: 'sales', teamId: team });
    const other = await createUser(t.db, { role: 'sales', teamId: team });
    const otherTeam = await createTeam(t.db);
    const otherManager = await createUser(t.db, { role: 'manager', teamId: otherTeam });
    const agent = await createUser(t.db, { role: 'service' });
    const id = await createCustomer(t.db, { ownerId: owner.id, name: 'Not Theirs To Release' });

    const rep = await signedIn(t, other);
    expect((await rep.post(`/customers/${id}/release`)).status).toBe(404);
    const manager = await signedIn(t, otherManager);
    expect((await manager.post(`/customers/${id}/release`)).status).toBe(404);
    const service = await signedIn(t, agent);
    const seen = await service.get(`/customers/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain(`/customers/${id}/release`);
    expect((await service.post(`/customers/${id}/release`)).status).toBe(403);

    const { rows } = await t.db.query('SELECT owner_id, version FROM customer WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ owner_id: owner.id, version: 1 });
    const audit = await t.db.query(`SELECT 1 FROM audit_entry WHERE action = 'release' AND entity_id = $1`, [
      String(id),
    ]);
    expect(audit.rows).toHaveLength(0);
  });

  it('refuses a rep releasing a pool customer they can see but do not own', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team, region: '福建省' });
    const id = await createCustomer(t.db, { ownerId: null, status: 'lead', province: '福建省' });
    const c = await signedIn(t, rep);
    expect((await c.get(`/customers/${id}`)).status).toBe(200);
    expect((await c.post(`/customers/${id}/release`)).status).toBe(403);
    expect((await t.db.query('SELECT version FROM customer WHERE id = $1', [id])).rows[0].version).toBe(1);
  });
});
