import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createUser, PASSWORD } from '../helpers/factories.js';

/**
 * Guessing passwords: limited per account and address, with a slower ceiling per account, so a
 * stranger cannot lock an account's owner out; X-Forwarded-For believed only from a configured proxy;
 * the change-password form's current password limited too.
 */
let proxied: TestApp;
beforeAll(async () => {
  // Behind a proxy on this machine (TRUST_PROXY=loopback), so each client may come from its own
  // address. (trust-proxy.test.ts runs Kehu as installed, with no proxy believed.)
  proxied = await startApp({ trustProxy: 'loopback' });
});
afterAll(() => proxied.close());

async function attempt(t: TestApp, email: string, password: string, from?: string, lang = 'en') {
  const c = new Client(t.url, { 'accept-language': lang, ...(from ? { 'x-forwarded-for': from } : {}) });
  await c.get('/login');
  return c.post('/login', { email, password });
}

describe('signing in after wrong passwords', () => {
  it('five wrong passwords from one address do not lock the owner out at another', async () => {
    const user = await createUser(proxied.db, { role: 'sales' });
    for (let i = 0; i < 5; i++) {
      expect((await attempt(proxied, user.email, `guess-${i}`, '203.0.113.7')).status).toBe(401);
    }
    // The guesser's address is refused, even with the right password.
    const guesser = await attempt(proxied, user.email, PASSWORD, '203.0.113.7', 'zh-CN');
    expect(guesser.status).toBe(429);
    expect(visibleText(guesser.text)).toContain('登录失败次数过多，请 15 分钟后再试。');
    // The owner, at their desk, signs in.
    expect((await attempt(proxied, user.email, PASSWORD, '198.51.100.20')).status).toBe(303);
  });

  it('guesses spread over many addresses meet a ceiling per account', async () => {
    const user = await createUser(proxied.db, { role: 'sales' });
    // 48 failures in the last hour from as many addresses, each under its own limit.
    await proxied.db.query(
      `INSERT INTO login_failure (email, ip, at)
       SELECT $1, '192.0.2.' || i, now() - make_interval(mins => i) FROM generate_series(1, 48) AS i`,
      [user.email],
    );
    for (const from of ['192.0.2.101', '192.0.2.102']) {
      expect((await attempt(proxied, user.email, 'one-more-guess', from)).status).toBe(401);
    }
    // The fiftieth is the ceiling: refused everywhere for the hour, the owner's address included.
    const next = await attempt(proxied, user.email, PASSWORD, '198.51.100.20', 'en');
    expect(next.status).toBe(429);
    expect(visibleText(next.text)).toContain('Try again in 60 minutes.');
  });
});

describe('the change-password form', () => {
  it('after five wrong current passwords refuses even the right one for a while', async () => {
    const user = await createUser(proxied.db, { role: 'sales' });
    const c = await signedIn(proxied, user, 'zh-CN');
    const change = (current: string) =>
      c.submit(
        '/account',
        {
          currentPassword: current,
          newPassword: 'a-fresh-password-9',
          confirmPassword: 'a-fresh-password-9',
        },
        '/account/password',
      );
    for (let i = 0; i < 5; i++) {
      const wrong = await change(`guess-${i}`);
      expect(wrong.status).toBe(422);
      expect(visibleText(wrong.text)).toContain('当前密码不正确。');
    }
    const sixth = await change(PASSWORD);
    expect(sixth.status).toBe(422);
    expect(visibleText(sixth.text)).toContain('当前密码输错次数过多，请 15 分钟后再试。');
    // Nothing was changed: the old password still signs in.
    expect((await attempt(proxied, user.email, PASSWORD)).status).toBe(303);
  });
});
