import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { ApiClient, makeToken } from '../helpers/api.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createUser } from '../helpers/factories.js';

/**
 * Personal API tokens: made under My account (shown once, kept as a hash), listed with their last use,
 * revoked by their owner or an admin, stopped at once when their user is deactivated; a token opens the
 * API only and a session cookie never does; each token has its own rate limit.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startApp({ apiRatePerMinute: 20 });
});
afterAll(() => t.close());

describe('making a token', () => {
  it('shows the token once and keeps only its hash', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user);
    const made = await c.submit('/account/tokens', { name: 'ERP sync', expiresInDays: '90' });
    expect(made.status).toBe(201);
    const token = /<code class="token">([^<]+)<\/code>/.exec(made.text)![1];
    expect(token).toMatch(/^kehu_[A-Za-z0-9_-]{43}$/);
    const { rows } = await t.db.query(
      'SELECT name, token_hash, prefix, expires_at FROM api_token WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].expires_at.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    // The list shows it by name and first characters only, never again in full.
    const list = await c.get('/account/tokens');
    expect(visibleText(list.text)).toContain('ERP sync');
    expect(visibleText(list.text)).toContain(`${rows[0].prefix}…`);
    expect(list.text).not.toContain(token);
    expect(visibleText(list.text)).toContain('Never used');
  });

  it('refuses a token without a name, in the user’s language', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'zh-CN');
    const reply = await c.submit('/account/tokens', { name: '' });
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('必填');
    expect((await t.db.query('SELECT 1 FROM api_token WHERE user_id = $1', [user.id])).rowCount).toBe(0);
  });
});

describe('using a token', () => {
  it('acts as its user, records when and from where it was last used, and audits the use', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const own = await createCustomer(t.db, { ownerId: user.id, name: 'Own customer' });
    const api = new ApiClient(t.url, await makeToken(t, user));
    const reply = await api.get(`/api/v1/customers/${own}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: own, name: 'Own customer', ownerId: user.id });
    await api.get(`/api/v1/customers/${own}`);
    const { rows } = await t.db.query('SELECT last_used_at, last_used_ip FROM api_token WHERE user_id = $1', [
      user.id,
    ]);
    expect(rows[0].last_used_ip).toBe('127.0.0.1');
    expect(Date.now() - rows[0].last_used_at.getTime()).toBeLessThan(10_000);
    // Used twice from one address within the hour: one audit entry, like one sign-in.
    const audited = await t.db.query(
      `SELECT actor_id, ip FROM audit_entry WHERE action = 'api_token_used' AND actor_id = $1`,
      [user.id],
    );
    expect(audited.rows).toEqual([{ actor_id: user.id, ip: '127.0.0.1' }]);
    const page = await (await signedIn(t, user)).get('/account/tokens');
    expect(visibleText(page.text)).toContain('127.0.0.1');
  });

  it('refuses a missing, unknown or malformed token with 401 JSON', async () => {
    for (const authorization of ['', 'Bearer', 'Bearer kehu_nope', 'Basic dXNlcjpwYXNz', 'Bearer \u00e9']) {
      const reply = await new ApiClient(t.url, '').send('GET', '/api/v1/customers', undefined, {
        authorization,
      });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toContain('Bearer');
      expect(reply.body).toMatchObject({ statusCode: 401, error: 'unauthorized', details: [] });
    }
  });

  it('never opens a page, and a signed-in session never opens the API', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const token = await makeToken(t, user);
    const page = await fetch(`${t.url}/customers`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toContain('/login');
    const c = await signedIn(t, user);
    const viaCookie = await c.get('/api/v1/customers', { accept: 'application/json' });
    expect(viaCookie.status).toBe(401);
    // Not even a CSRF token makes a session write through the API.
    const write = await fetch(`${t.url}/api/v1/customers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': c.csrf!,
        cookie: `kehu.sid=${c.sessionId}`,
      },
      body: JSON.stringify({ name: 'Via cookie' }),
    });
    expect(write.status).toBe(401);
    expect((await t.db.query(`SELECT 1 FROM customer WHERE name = 'Via cookie'`)).rowCount).toBe(0);
  });
});

describe('stopping a token', () => {
  it('its owner revokes it: it stops at once', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const token = await makeToken(t, user, { name: 'Old script' });
    const api = new ApiClient(t.url, token);
    expect((await api.get('/api/v1/customers')).status).toBe(200);
    const c = await signedIn(t, user);
    const { rows } = await t.db.query('SELECT id FROM api_token WHERE user_id = $1', [user.id]);
    await c.get('/account/tokens');
    const revoked = await c.post(`/account/tokens/${rows[0].id}/revoke`);
    expect(revoked.status).toBe(303);
    expect((await api.get('/api/v1/customers')).status).toBe(401);
    const refusals = await t.db.query(
      `SELECT 1 FROM audit_entry WHERE action = 'api_token_refused' AND entity_id = $1`,
      [String(rows[0].id)],
    );
    expect(refusals.rowCount).toBe(1);
    const after = visibleText((await c.get('/account/tokens')).text);
    expect(after).toContain('Token "Old script" revoked');
    expect(after).toContain('You have no API tokens.');
  });

  it('another user cannot revoke it; an admin sees and revokes anyone’s', async () => {
    const owner = await createUser(t.db, { role: 'sales', name: 'Token Owner' });
    const other = await createUser(t.db, { role: 'sales' });
    const admin = await createUser(t.db, { role: 'admin' });
    const api = new ApiClient(t.url, await makeToken(t, owner, { name: 'Website form' }));
    const { rows } = await t.db.query('SELECT id FROM api_token WHERE user_id = $1', [owner.id]);
    const stranger = await signedIn(t, other);
    await stranger.get('/account/tokens');
    expect((await stranger.post(`/account/tokens/${rows[0].id}/revoke`)).status).toBe(404);
    expect((await stranger.get('/admin/api-tokens')).status).toBe(403);
    expect((await api.get('/api/v1/customers')).status).toBe(200);

    const a = await signedIn(t, admin);
    const list = await a.get('/admin/api-tokens');
    expect(visibleText(list.text)).toContain('Token Owner');
    expect(visibleText(list.text)).toContain('Website form');
    expect((await a.post(`/admin/api-tokens/${rows[0].id}/revoke`)).status).toBe(303);
    expect((await api.get('/api/v1/customers')).status).toBe(401);
  });

  it('a deactivated user’s tokens stop at once', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const api = new ApiClient(t.url, await makeToken(t, user));
    expect((await api.get('/api/v1/customers')).status).toBe(200);
    await t.db.query('UPDATE app_user SET active = false WHERE id = $1', [user.id]);
    expect((await api.get('/api/v1/customers')).status).toBe(401);
  });

  it('an expired token stops', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const api = new ApiClient(t.url, await makeToken(t, user, { expiresInDays: '30' }));
    expect((await api.get('/api/v1/customers')).status).toBe(200);
    await t.db.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
      user.id,
    ]);
    expect((await api.get('/api/v1/customers')).status).toBe(401);
  });
});

describe('the rate limit', () => {
  it('counts each token on its own and answers 429 with Retry-After past it', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const busy = new ApiClient(t.url, await makeToken(t, user, { name: 'busy' }));
    const calm = new ApiClient(t.url, await makeToken(t, user, { name: 'calm' }));
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await busy.get('/api/v1/customers?limit=1')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    const refused = await busy.get('/api/v1/customers?limit=1');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'too_many' });
    expect((await calm.get('/api/v1/customers?limit=1')).status).toBe(200);
    // A minute later the token may go on.
    await t.db.query(
      `UPDATE api_token SET window_start = now() - interval '61 seconds' WHERE name = 'busy' AND user_id = $1`,
      [user.id],
    );
    expect((await busy.get('/api/v1/customers?limit=1')).status).toBe(200);
  });
});
