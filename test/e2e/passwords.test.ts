import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createUser, PASSWORD } from '../helpers/factories.js';

/** A new password is refused when a guesser would try it early, wherever one is set. */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

const EASY = [
  'aaaaaaaaaa',
  '1234567890',
  'qwertyuiop',
  '0987654321',
  'Password123',
  'woaini1314',
  'abcabcabcabc',
];

describe('choosing a password', () => {
  it("the change-password form refuses easy ones, in the user's language, and keeps the old one", async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'zh-CN');
    for (const easy of EASY) {
      const reply = await c.submit(
        '/account',
        { currentPassword: PASSWORD, newPassword: easy, confirmPassword: easy },
        '/account/password',
      );
      expect({ easy, status: reply.status }).toEqual({ easy, status: 422 });
      expect(visibleText(reply.text)).toContain('该密码太容易被猜到');
    }
    // Still the minimum length too.
    const short = await c.submit(
      '/account',
      { currentPassword: PASSWORD, newPassword: 'x7#', confirmPassword: 'x7#' },
      '/account/password',
    );
    expect(visibleText(short.text)).toContain('至少 10 个字符');
    const good = await c.submit(
      '/account',
      { currentPassword: PASSWORD, newPassword: 'harbour-lantern-42', confirmPassword: 'harbour-lantern-42' },
      '/account/password',
    );
    expect(good.status).toBe(303);
  });

  it('an admin creating a user or resetting a password is refused one too, in English as well', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const c = await signedIn(t, admin, 'en');
    const created = await c.submit('/admin/users/new', {
      name: 'Easy Guess',
      email: `easy-${admin.id}@test.kehu`,
      role: 'service',
      locale: 'en',
      password: '1111111111',
    });
    expect(created.status).toBe(422);
    expect(visibleText(created.text)).toContain('This password is too easy to guess');
    const user = await createUser(t.db, { role: 'sales' });
    await c.get(`/admin/users/${user.id}/edit`);
    const reset = await c.post(`/admin/users/${user.id}/password`, { password: 'qwertyuiop' });
    expect(reset.status).toBe(422);
    expect(visibleText(reset.text)).toContain('This password is too easy to guess');
  });
});

describe('password hashes', () => {
  it('a hash made at an older, costlier setting is made again at sign-in, leaving the row version alone', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    // The library's default: 64 MiB, three passes, four lanes.
    const old = await argon2.hash(PASSWORD, { type: argon2.argon2id });
    await t.db.query('UPDATE app_user SET password_hash = $2 WHERE id = $1', [user.id, old]);
    const before = await t.db.query('SELECT version FROM app_user WHERE id = $1', [user.id]);
    const c = await signedIn(t, user);
    expect((await c.get('/customers')).status).toBe(200);
    const after = await t.db.query('SELECT password_hash, version FROM app_user WHERE id = $1', [user.id]);
    const cost = /^\$argon2id\$v=19\$([^$]+)\$/.exec(after.rows[0].password_hash)?.[1].split(',');
    expect(cost?.sort()).toEqual(['m=19456', 'p=1', 't=2']);
    expect(after.rows[0].version).toBe(before.rows[0].version);
    // The new hash signs in too.
    expect((await (await signedIn(t, user)).get('/customers')).status).toBe(200);
  });
});
