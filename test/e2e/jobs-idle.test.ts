import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLUSH_JOB } from '../../src/notifications/mail.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';

/**
 * An idle Kehu asks its database for queued runs only every 30 seconds per job. A run this instance
 * queues (here: the mail an admin's password reset sends) must not wait for that look.
 */
let t: TestApp;
let smtp: SmtpPeer;
let admin: UserRow;

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  t = await startApp({ smtpUrl: smtp.url });
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

/** Milliseconds until `to` has been sent a mail. */
async function msUntilMailTo(to: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  await eventually(
    async () => expect(smtp.received.some((m) => m.to.includes(to))).toBe(true),
    timeoutMs,
    50,
  );
  return Date.now() - start;
}

describe('background jobs on an idle app', () => {
  it('starts a run this instance queues at once, though idle workers look only every 30 s', async () => {
    const c = new Client(t.url);
    await c.login(admin.email, PASSWORD);
    // Three in a row, all within one 30-second poll: a worker that waited for its poll would get
    // at most one of the mails out within a few seconds.
    for (let i = 0; i < 3; i++) {
      const user = await createUser(t.db, { role: 'sales' });
      const reset = await c.submit(
        `/admin/users/${user.id}/edit`,
        { password: `a-brand-new-password-${i}` },
        `/admin/users/${user.id}/password`,
      );
      expect(reset.status).toBe(303);
      expect(await msUntilMailTo(user.email, 40_000)).toBeLessThan(3_000);
    }
  }, 60_000);

  it('runs, within a poll, what another app instance queued', async () => {
    // Another instance queues straight into the shared pg-boss; this instance is not told.
    const other = new PgBoss({
      connectionString: t.config.databaseUrl,
      schema: 'pgboss',
      migrate: false,
      supervise: false,
      schedule: false,
    });
    await other.start();
    try {
      const to = `elsewhere-${Date.now()}@example.com`;
      await t.db.query(
        `INSERT INTO outbox_mail ("to", subject, text, html) VALUES ($1, 'Hello', 'Hi', '<p>Hi</p>')`,
        [to],
      );
      await other.send(FLUSH_JOB, {});
      expect(await msUntilMailTo(to, 45_000)).toBeLessThan(35_000);
    } finally {
      await other.stop({ graceful: false });
    }
  }, 60_000);
});
