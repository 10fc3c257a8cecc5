import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, decodeHtml, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;
let manager: UserRow;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '李明' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '陈静' });
  await t.db
    .query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team])
    .catch(() => undefined);
});
afterAll(() => t.close());

/** Logs a follow-up through the form; returns its id. */
async function logFollowUp(c: Client, customer: number, summary: string): Promise<number> {
  const reply = await c.submit(
    `/follow-ups/new?customer=${customer}`,
    {
      customerId: String(customer),
      method: 'visit',
      happenedAt: '2026-01-05T10:00',
      summary,
      location: '成都市高新区',
    },
    '/follow-ups',
  );
  expect(reply.status).toBe(303);
  const { rows } = await t.db.query<{ id: number }>('SELECT id FROM follow_up WHERE summary = $1', [summary]);
  return rows[0].id;
}

const row = async (id: number) =>
  (
    await t.db.query(
      'SELECT summary, method, location, version, deleted_at IS NOT NULL AS deleted FROM follow_up WHERE id = $1',
      [id],
    )
  ).rows[0];

const audits = async (id: number) =>
  (
    await t.db.query(
      `SELECT action, diff FROM audit_entry WHERE entity = 'follow_up' AND entity_id = $1 ORDER BY id`,
      [id],
    )
  ).rows;

const edit = (fields: Record<string, string>) => ({
  method: 'phone',
  happenedAt: '2026-01-05T10:00',
  summary: 'Corrected text',
  location: '成都市高新区天府大道 100 号',
  version: '1',
  ...fields,
});

describe('correcting a follow-up from the timeline', () => {
  it('lets its author edit it within a day, audited, from the timeline entry', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const id = await logFollowUp(c, customer, 'Visit with a typo');
    const page = (await c.get(`/customers/${customer}`)).text;
    expect(decodeHtml(page)).toContain(`href="/follow-ups/${id}/edit"`);
    expect(page).toContain(`action="/follow-ups/${id}/delete"`);

    const form = await c.get(`/follow-ups/${id}/edit`);
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain('Correct follow-up');
    expect(form.text).toContain('>Visit with a typo</textarea>');
    expect(form.text).toContain('name="version" value="1"');
    expect(form.text).not.toContain('name="_once"');

    const saved = await c.post(`/follow-ups/${id}/edit`, edit({ customerId: String(customer) }));
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/customers/${customer}`);
    const after = visibleText((await c.get(saved.location!)).text);
    expect(after).toContain('Follow-up saved.');
    expect(after).toContain('Corrected text');
    expect(after).toContain('Where: 成都市高新区天府大道 100 号');
    expect(await row(id)).toEqual({
      summary: 'Corrected text',
      method: 'phone',
      location: '成都市高新区天府大道 100 号',
      version: 2,
      deleted: false,
    });
    expect((await audits(id)).map((a: { action: string }) => a.action)).toEqual(['create', 'update']);
    expect((await audits(id))[1].diff).toMatchObject({
      summary: { from: 'Visit with a typo', to: 'Corrected text' },
      method: { from: 'visit', to: 'phone' },
    });
  });

  it('refuses a stale save, keeping what was typed', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const id = await logFollowUp(c, customer, 'Stale test');
    await c.get(`/follow-ups/${id}/edit`);
    expect((await c.post(`/follow-ups/${id}/edit`, edit({ summary: 'First save' }))).status).toBe(303);
    await c.get(`/follow-ups/${id}/edit`);
    const stale = await c.post(`/follow-ups/${id}/edit`, edit({ summary: 'Second tab save' }));
    expect(stale.status).toBe(409);
    expect(visibleText(stale.text)).toContain('Someone else saved this record after you opened it.');
    expect(stale.text).toContain('Second tab save');
    expect((await row(id)).summary).toBe('First save');
  });

  it('lets its author delete it (softly, audited); it leaves the timeline', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep, 'zh-CN');
    const id = await logFollowUp(c, customer, 'To be deleted');
    await c.get(`/customers/${customer}`);
    const reply = await c.post(`/follow-ups/${id}/delete`);
    expect(reply.status).toBe(303);
    expect(reply.location).toBe(`/customers/${customer}`);
    const page = visibleText((await c.get(reply.location!)).text);
    expect(page).toContain('跟进记录已删除。');
    expect(page).not.toContain('To be deleted');
    expect((await row(id)).deleted).toBe(true);
    expect((await audits(id)).map((a: { action: string }) => a.action)).toEqual(['create', 'delete']);
  });

  it('offers no correction to anyone else, and refuses theirs', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const id = await logFollowUp(await signedIn(t, rep), customer, 'Not yours');
    const m = await signedIn(t, manager);
    const page = await m.get(`/customers/${customer}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Not yours');
    expect(page.text).not.toContain(`/follow-ups/${id}/edit`);
    expect(page.text).not.toContain(`/follow-ups/${id}/delete`);
    expect((await m.get(`/follow-ups/${id}/edit`)).status).toBe(403);
    expect((await m.post(`/follow-ups/${id}/edit`, edit({}))).status).toBe(403);
    expect((await m.post(`/follow-ups/${id}/delete`)).status).toBe(403);

    // A rep who cannot see the customer does not learn the follow-up exists.
    const stranger = await signedIn(t, await createUser(t.db, { role: 'sales' }));
    expect((await stranger.get(`/follow-ups/${id}/edit`)).status).toBe(404);
    expect((await stranger.post(`/follow-ups/${id}/delete`)).status).toBe(404);
    expect(await row(id)).toMatchObject({ summary: 'Not yours', deleted: false });
  });

  it('closes corrections a day after logging, saying why', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const id = await logFollowUp(c, customer, 'Logged yesterday');
    await t.db.query(`UPDATE follow_up SET created_at = now() - interval '24 hours 1 minute' WHERE id = $1`, [
      id,
    ]);
    const page = await c.get(`/customers/${customer}`);
    expect(page.text).toContain('Logged yesterday');
    expect(page.text).not.toContain(`/follow-ups/${id}/edit`);

    const late = await c.post(`/follow-ups/${id}/edit`, edit({ summary: 'Too late' }));
    expect(late.status).toBe(409);
    expect(visibleText(late.text)).toContain(
      'A follow-up can be corrected or deleted only within a day of logging it.',
    );
    expect(late.text).toContain('Too late');

    const del = await c.post(`/follow-ups/${id}/delete`);
    expect(del.status).toBe(303);
    const landed = await c.get(del.location!);
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`/customers/${customer}`);
    expect(visibleText((await c.get(landed.location!)).text)).toContain(
      'A follow-up can be corrected or deleted only within a day of logging it.',
    );
    expect(await row(id)).toMatchObject({ summary: 'Logged yesterday', deleted: false, version: 1 });
  });
});
