import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { createUser, PASSWORD } from '../helpers/factories.js';

/** Kehu as installed believes no X-Forwarded-For: a client cannot choose the address it is counted as. */
let t: TestApp;
beforeAll(async () => {
  // The default configuration (no TRUST_PROXY).
  t = await startApp();
});
afterAll(() => t.close());

async function attempt(email: string, password: string, from: string) {
  const c = new Client(t.url, { 'accept-language': 'en', 'x-forwarded-for': from });
  await c.get('/login');
  return c.post('/login', { email, password });
}

describe('X-Forwarded-For without a configured proxy', () => {
  it('counts a client changing the header at will as one address', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    // A client changing the header at will is still one address.
    for (let i = 0; i < 5; i++) {
      expect((await attempt(user.email, `guess-${i}`, `10.9.0.${i + 1}`)).status).toBe(401);
    }
    expect((await attempt(user.email, PASSWORD, '10.9.0.77')).status).toBe(429);
    // And the audit log records the address the request came from, not the one it claimed.
    const { rows } = await t.db.query(
      `SELECT DISTINCT ip FROM audit_entry WHERE action = 'login_failed' AND diff->'email'->>'to' = $1`,
      [user.email],
    );
    expect(rows.map((r) => r.ip)).not.toContain('10.9.0.1');
  });
});
