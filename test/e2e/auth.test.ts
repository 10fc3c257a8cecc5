import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, PASSWORD } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  // Behind a proxy on this machine, so tests can sign in from addresses of their choosing.
  t = await startApp({ trustProxy: 'loopback' });
});
afterAll(() => t.close());

describe('signing in', () => {
  it('shows the login page in the browser language', async () => {
    const en = await new Client(t.url, { 'accept-language': 'en-US,en;q=0.9' }).get('/login');
    expect(en.status).toBe(200);
    expect(visibleText(en.text)).toContain('Sign in');
    const zh = await new Client(t.url, { 'accept-language': 'zh-CN,zh;q=0.9' }).get('/login');
    expect(visibleText(zh.text)).toContain('登录');
  });

  it('sends a guest to the login page and back after signing in', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    const page = await c.get('/customers?q=abc');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/login?returnTo=%2Fcustomers%3Fq%3Dabc');
    const login = await c.get(page.location!);
    expect(login.text).toContain('value="/customers?q&#x3D;abc"');
    const reply = await c.post('/login', {
      email: user.email,
      password: PASSWORD,
      returnTo: '/customers?q=abc',
    });
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/customers?q=abc');
  });

  it('never redirects outside the site after login', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.get('/login');
    const reply = await c.post('/login', {
      email: user.email,
      password: PASSWORD,
      returnTo: '//evil.example/',
    });
    expect(reply.location).toBe('/');
  });

  it('issues a new session id at login, with safe cookie flags', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    const page = await c.get('/login');
    const before = c.sessionId;
    expect(page.headers.getSetCookie().join()).toMatch(/HttpOnly/i);
    expect(page.headers.getSetCookie().join()).toMatch(/SameSite=Lax/i);
    await c.post('/login', { email: user.email, password: PASSWORD });
    expect(c.sessionId).toBeDefined();
    expect(c.sessionId).not.toBe(before);
    const { rows } = await t.db.query(
      `SELECT action FROM audit_entry WHERE action = 'login' AND entity_id = $1`,
      [String(user.id)],
    );
    expect(rows).toHaveLength(1);
  });

  it('answers a wrong password and an unknown account alike, in the user language', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url, { 'accept-language': 'en' });
    await c.get('/login');
    const nobody = `nobody-${user.id}@test.kehu`;
    const wrong = await c.post('/login', { email: user.email, password: 'not-the-password' });
    const unknown = await c.post('/login', { email: nobody, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(visibleText(wrong.text)).toContain('That e-mail and password do not match an active account.');
    expect(visibleText(unknown.text)).toContain('That e-mail and password do not match an active account.');
    expect(wrong.text).toContain(`value="${user.email}"`);
    expect(wrong.text).toContain('<body class="bare">');
    expect(wrong.text).not.toContain('not-the-password');
    // Each failure is recorded once, against the account when there is one; neither keeps the password.
    const { rows } = await t.db.query(
      `SELECT entity_id, diff FROM audit_entry
        WHERE action = 'login_failed' AND diff->'email'->>'to' IN ($1, $2) ORDER BY id`,
      [user.email, nobody],
    );
    expect(rows).toEqual([
      { entity_id: String(user.id), diff: { email: { to: user.email } } },
      { entity_id: null, diff: { email: { to: nobody } } },
    ]);
  });

  it('throttles an account on an address after five failures there, even with the right password', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    // Per account and address (login-throttling.test.ts has the rest of the rule).
    for (let i = 0; i < 5; i++) {
      const c = new Client(t.url, { 'x-forwarded-for': '10.0.0.1', 'accept-language': 'en' });
      await c.get('/login');
      expect((await c.post('/login', { email: user.email, password: `wrong-${i}` })).status).toBe(401);
    }
    const c = new Client(t.url, { 'x-forwarded-for': '10.0.0.1', 'accept-language': 'zh-CN' });
    await c.get('/login');
    const sixth = await c.post('/login', { email: user.email, password: PASSWORD });
    expect(sixth.status).toBe(429);
    expect(visibleText(sixth.text)).toContain('登录失败次数过多，请 15 分钟后再试。');
  });

  it('throttles an address after twenty failures on any accounts, without saying which exist', async () => {
    const ip = { 'x-forwarded-for': '10.1.1.1', 'accept-language': 'en' };
    for (let i = 0; i < 20; i++) {
      const c = new Client(t.url, ip);
      await c.get('/login');
      expect(
        (await c.post('/login', { email: `ghost${i}@test.kehu`, password: 'whatever-it-is' })).status,
      ).toBe(401);
    }
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url, ip);
    await c.get('/login');
    expect((await c.post('/login', { email: user.email, password: PASSWORD })).status).toBe(429);
  });

  it('signs out', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    await c.get('/');
    const out = await c.post('/logout');
    expect(out.status).toBe(303);
    expect((await c.get('/')).status).toBe(303);
  });

  it('ends the sessions of a user an admin deactivates, at once', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect((await c.get('/customers')).status).toBe(200);
    const admin = await signedIn(t, await createUser(t.db, { role: 'admin' }));
    const deactivated = await admin.submit(
      `/admin/users/${user.id}/edit`,
      {},
      `/admin/users/${user.id}/deactivate`,
    );
    expect(deactivated.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT active, (SELECT count(*)::int FROM session WHERE sess->'passport'->>'user' = $2) AS sessions
         FROM app_user WHERE id = $1`,
      [user.id, String(user.id)],
    );
    expect(rows[0]).toEqual({ active: false, sessions: 0 });
    // Their next click, in the tab still open, lands on the login page.
    const next = await c.get('/customers');
    expect(next.status).toBe(303);
    expect(next.location).toBe('/login?returnTo=%2Fcustomers');
  });
});

describe('sessions', () => {
  /** The stored expiry of the user's one session, in ms. */
  const storedExpiry = async (userId: number): Promise<number> => {
    const { rows } = await t.db.query<{ expire: Date }>(
      `SELECT expire FROM session WHERE sess->'passport'->>'user' = $1`,
      [String(userId)],
    );
    expect(rows).toHaveLength(1);
    return rows[0].expire.getTime();
  };
  const ageSession = (userId: number, interval: string) =>
    t.db.query(`UPDATE session SET expire = expire - $2::interval WHERE sess->'passport'->>'user' = $1`, [
      String(userId),
      interval,
    ]);

  it('sends the cookie again only with its stored expiry, renewed at most once a minute', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    await c.get('/');
    const first = await storedExpiry(user.id);
    expect(first).toBeGreaterThan(Date.now() + (t.config.sessionIdleMinutes - 1) * 60_000);

    // As if the last write was half a minute ago: neither written nor sent again.
    await ageSession(user.id, '30 seconds');
    const page = await c.get('/customers');
    expect(page.status).toBe(200);
    expect(page.headers.getSetCookie().join()).not.toMatch(/kehu\.sid=/);
    expect(await storedExpiry(user.id)).toBe(first - 30_000);

    // A minute and a half ago: written again, and the cookie sent again to end at the same time.
    await ageSession(user.id, '1 minute');
    const renewed = await c.get('/customers');
    expect(renewed.status).toBe(200);
    const cookie = renewed.headers.getSetCookie().find((line) => line.startsWith('kehu.sid='));
    expect(cookie).toMatch(/Expires=/i);
    const stored = await storedExpiry(user.id);
    expect(stored).toBeGreaterThanOrEqual(first);
    // Expires is written to the second.
    expect(Math.abs(Date.parse(/Expires=([^;]+)/i.exec(cookie!)![1]) - stored)).toBeLessThan(2_000);
    // The cookie sent again still opens the same session.
    expect((await c.get('/customers')).status).toBe(200);
    expect(await storedExpiry(user.id)).toBe(stored);
  });

  it('applies a role change and a newly managed team on the next request', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect((await c.get('/admin/users')).status).toBe(403);
    await t.db.query(`UPDATE app_user SET role = 'admin' WHERE id = $1`, [user.id]);
    expect((await c.get('/admin/users')).status).toBe(200);

    await t.db.query(`UPDATE app_user SET role = 'manager' WHERE id = $1`, [user.id]);
    const team = await createTeam(t.db);
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    expect((await c.get(`/customers/${customer}`)).status).toBe(404);
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [user.id, team]);
    expect((await c.get(`/customers/${customer}`)).status).toBe(200);
  });

  it('shows the unread notifications as they are on each page load', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect((await c.get('/')).text).not.toContain('data-testid="unread"');
    await t.db.query(
      `INSERT INTO notification (user_id, kind, params) VALUES ($1, 'password_reset', '{}'), ($1, 'password_reset', '{}')`,
      [user.id],
    );
    expect((await c.get('/customers')).text).toContain('data-testid="unread">2<');
    await t.db.query(
      'UPDATE notification SET read_at = now() WHERE id = (SELECT min(id) FROM notification WHERE user_id = $1)',
      [user.id],
    );
    expect((await c.get('/')).text).toContain('data-testid="unread">1<');
    // Past 99 the bell says "99+", however many there are.
    await t.db.query(
      `INSERT INTO notification (user_id, kind, params) SELECT $1, 'password_reset', '{}' FROM generate_series(1, 150)`,
      [user.id],
    );
    expect((await c.get('/')).text).toContain('data-testid="unread">99+<');
  });

  it('reads a session whose user is not a number as signed out, not as a failed page', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect((await c.get('/customers')).status).toBe(200);
    await t.db.query(
      `UPDATE session SET sess = jsonb_set(sess::jsonb, '{passport,user}', to_jsonb($1::text))::json
        WHERE sess #>> '{passport,user}' = $2`,
      [`user-${user.id}`, String(user.id)],
    );
    const reply = await c.get('/customers');
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/login?returnTo=%2Fcustomers');
  });

  it('ends a session left idle for SESSION_IDLE_MINUTES', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect((await c.get('/')).status).toBe(200);
    // The stored expiry is rounded up to the second.
    await ageSession(user.id, `${t.config.sessionIdleMinutes} minutes 1 second`);
    const reply = await c.get('/');
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/login?returnTo=%2F');
  });

  it('stores and sends only the cookie fields it knows', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    await c.get('/');
    // Changing the session (the language) saves it whole.
    const reply = await c.post('/locale', { locale: 'zh-CN', returnTo: '/' });
    expect(reply.status).toBe(303);
    expect(reply.headers.getSetCookie().join()).not.toMatch(/stored/i);
    const { rows } = await t.db.query<{ sess: string }>(
      `SELECT sess::text FROM session WHERE sess->'passport'->>'user' = $1`,
      [String(user.id)],
    );
    expect(rows[0].sess).toContain('"locale":"zh-CN"');
    expect(rows[0].sess).not.toMatch(/stored/i);
  });
});

describe('CSRF', () => {
  it('refuses a form post without its token and changes nothing', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url, { 'accept-language': 'en' });
    await c.login(user.email, PASSWORD);
    const reply = await c.post(
      '/customers/new',
      { name: 'No token Ltd', kind: 'company', tier: 'C', status: 'lead' },
      { csrf: false },
    );
    expect(reply.status).toBe(403);
    expect(visibleText(reply.text)).toContain('This form has expired');
    const forged = await c.post('/customers/new', {
      _csrf: 'forged-token',
      name: 'Forged Ltd',
      kind: 'company',
      tier: 'C',
      status: 'lead',
    });
    expect(forged.status).toBe(403);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM customer WHERE name IN ('No token Ltd', 'Forged Ltd')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('says a form came after its session ended, in the user’s language, and saves nothing', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'zh-CN');
    await c.get('/customers/new');
    await t.db.query(`DELETE FROM session WHERE sess->'passport'->>'user' = $1`, [String(user.id)]);
    const reply = await c.post('/customers/new', {
      name: 'After The End Ltd',
      kind: 'company',
      tier: 'C',
      status: 'lead',
    });
    expect(reply.status).toBe(401);
    expect(visibleText(reply.text)).toContain('您的登录会话已结束，本次内容未保存。');
    const { rows } = await t.db.query(`SELECT 1 FROM customer WHERE name = 'After The End Ltd'`);
    expect(rows).toHaveLength(0);

    // Signed out in another tab: the form from before says the same.
    const again = await signedIn(t, user, 'zh-CN');
    await again.get('/customers/new');
    const token = again.csrf;
    await again.post('/logout', {});
    const late = await again.post('/customers/new', {
      _csrf: token!,
      name: 'After The End Ltd',
      kind: 'company',
    });
    expect(late.status).toBe(401);
    expect(visibleText(late.text)).toContain('您的登录会话已结束，本次内容未保存。');
  });

  it('refuses a login post without its token', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const reply = await new Client(t.url).post('/login', { email: user.email, password: PASSWORD });
    expect(reply.status).toBe(403);
  });
});

describe('pages for everyone', () => {
  it('answers an unknown URL with the 404 page in the user language', async () => {
    const reply = await new Client(t.url, { 'accept-language': 'en' }).get('/no/such/page');
    expect(reply.status).toBe(404);
    expect(visibleText(reply.text)).toContain('This page does not exist');
  });

  it('serves a strict content security policy', async () => {
    const reply = await new Client(t.url).get('/login');
    const csp = reply.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(reply.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('reports health and readiness', async () => {
    const c = new Client(t.url);
    expect(JSON.parse((await c.get('/healthz')).text)).toEqual({ status: 'ok' });
    const ready = await c.get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ok' });
  });
});
