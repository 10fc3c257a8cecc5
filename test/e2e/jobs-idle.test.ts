import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLUSH_JOB } from '../../src/notifications/mail.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';

/**
 * An idle Kehu asks its database for runs once every 30 seconds, for every job at once, rather than
 * once per job. A run this instance queues (here: the mail an admin's password reset sends) must not
 * wait for that look; one another instance queues is found by it.
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

/** The statements the jobs' own pool (application_name kehu-jobs) sends while `run` runs. */
async function jobStatementsDuring(run: () => Promise<void>): Promise<string[]> {
  const original = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!;
  const query = original.value as (...a: unknown[]) => unknown;
  const sent: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const application = (this as unknown as { connectionParameters: { application_name?: string } })
      .connectionParameters.application_name;
    const first = args[0] as string | { text: string };
    if (application === 'kehu-jobs') sent.push(typeof first === 'string' ? first : first.text);
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    await run();
  } finally {
    Object.defineProperty(pg.Client.prototype, 'query', original);
  }
  return sent;
}

describe('background jobs on an idle app', () => {
  // The first two wait for the same 30-second look, side by side: one counts what the jobs' pool
  // sends meanwhile, the other has another instance queue a run that only that look can find. Nothing
  // of this instance queues a run until both are done (a local run would flush the other's mail).
  it.concurrent(
    'looks for runs of every job with one statement every 30 s, not one per job',
    async ({ expect }) => {
      const sent = await jobStatementsDuring(() => new Promise((r) => setTimeout(r, 31_000)));
      const looks = sent.filter((s) => s.includes('FROM unnest($1::text[]) AS q(name)'));
      const fetches = sent.filter((s) => s.includes('FOR UPDATE SKIP LOCKED'));
      expect(looks.length).toBeGreaterThanOrEqual(1);
      expect(looks.length).toBeLessThanOrEqual(2);
      // A worker per job (fourteen) looking every 30 s fetched at least fifteen times, pg-boss's relay of
      // scheduled runs included; now only the jobs that have a run (a minute's schedules) fetch.
      expect(fetches.length, fetches.join('\n')).toBeLessThan(10);
    },
    40_000,
  );

  it.concurrent(
    'runs, within a poll, what another app instance queued',
    async ({ expect }) => {
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
    },
    60_000,
  );

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
});
