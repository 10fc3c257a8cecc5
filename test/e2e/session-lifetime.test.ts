import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { createUser } from '../helpers/factories.js';

/** Signed-in answers are not cached, and a session has an absolute lifetime (SESSION_MAX_DAYS, 7). */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

describe('signed-in answers', () => {
  it('pages and exports say no-store; the login page may be cached as before', async () => {
    const user = await createUser(t.db, { role: 'manager' });
    const c = await signedIn(t, user, 'en');
    for (const path of ['/', '/customers', '/customers/export?format=csv', '/account']) {
      const reply = await c.get(path);
      expect({ path, status: reply.status, cache: reply.headers.get('cache-control') }).toEqual({
        path,
        status: 200,
        cache: 'no-store',
      });
    }
    const guest = await new Client(t.url).get('/login');
    expect(guest.headers.get('cache-control')).not.toBe('no-store');
  });
});

describe('a session', () => {
  it('ends seven days after its sign-in, even when used every day', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'en');
    expect((await c.get('/')).status).toBe(200);
    const moveSignIn = (days: number) =>
      t.db.query(
        `UPDATE session SET sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb($2::bigint))::json WHERE sid = $1`,
        [decodeURIComponent(c.sessionId!).replace(/^s:/, '').split('.')[0], Date.now() - days * 86_400_000],
      );
    // Six days and a half after signing in, still signed in (and used: the idle timeout never bites).
    expect((await moveSignIn(6.5)).rowCount).toBe(1);
    expect((await c.get('/')).status).toBe(200);
    // Past seven days: signed out, sent to sign in again.
    await moveSignIn(7.1);
    const after = await c.get('/customers');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login/);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM session WHERE sess->'passport'->>'user' = $1`,
      [String(user.id)],
    );
    expect(rows[0].n).toBe(0);
  });
});
