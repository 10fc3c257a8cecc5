import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';
import { MailService } from '../../src/notifications/mail.service.js';

let t: TestApp;
let smtp: SmtpPeer;
let admin: UserRow;

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort(); // not listening yet: SMTP is down
  t = await startApp({ smtpUrl: smtp.url });
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

describe('mail through the outbox', () => {
  it('keeps a mail while SMTP is down, records the error, and delivers it once SMTP is back', async () => {
    const target = await createUser(t.db, { role: 'sales', locale: 'zh-CN', name: '钱多多' });
    const c = new Client(t.url);
    await c.login(admin.email, PASSWORD);
    const reset = await c.submit(
      `/admin/users/${target.id}/edit`,
      { password: 'a-brand-new-password' },
      `/admin/users/${target.id}/password`,
    );
    expect(reset.status).toBe(303);

    const failed = await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT id, status, attempts, last_error, subject FROM outbox_mail WHERE "to" = $1`,
        [target.email],
      );
      expect(rows[0].attempts).toBeGreaterThanOrEqual(1);
      return rows[0];
    });
    expect(failed.status).toBe('pending');
    expect(failed.last_error).toMatch(/ECONNREFUSED/);
    expect(failed.subject).toBe('您的 Kehu 密码已重置');
    const outbox = visibleText((await c.get('/admin/outbox')).text);
    expect(outbox).toContain(target.email);
    expect(outbox).toContain('ECONNREFUSED');

    await smtp.start();
    expect((await c.post(`/admin/outbox/${failed.id}/retry`)).status).toBe(303);
    await eventually(async () => {
      const { rows } = await t.db.query(`SELECT status, sent_at FROM outbox_mail WHERE id = $1`, [failed.id]);
      expect(rows[0].status).toBe('sent');
    });
    const mail = smtp.received.find((m) => m.to.includes(target.email));
    expect(mail).toBeDefined();
    expect(mail!.raw).toMatch(/Subject: =\?UTF-8\?/);

    const { rows: notes } = await t.db.query(`SELECT kind FROM notification WHERE user_id = $1`, [target.id]);
    expect(notes).toEqual([{ kind: 'password_reset' }]);
  });

  it('keeps every mail while SMTP is down and sends each exactly once when it is back, with nobody retrying by hand', async () => {
    await smtp.stop();
    const c = new Client(t.url);
    await c.login(admin.email, PASSWORD);
    const targets = await Promise.all([1, 2, 3, 4].map(() => createUser(t.db, { role: 'sales' })));
    const emails = targets.map((u) => u.email);
    for (const target of targets) {
      const reset = await c.submit(
        `/admin/users/${target.id}/edit`,
        { password: 'a-brand-new-password' },
        `/admin/users/${target.id}/password`,
      );
      expect(reset.status).toBe(303);
    }
    // Each was tried once, refused, and waits for its retry.
    const waiting = await eventually(async () => {
      const { rows } = await t.db.query<{ id: number; status: string; attempts: number }>(
        `SELECT id, status, attempts FROM outbox_mail WHERE "to" = ANY($1) ORDER BY id`,
        [emails],
      );
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(emails.map(() => ['pending', 1]));
      return rows.map((r) => r.id);
    });

    await smtp.start();
    // A minute on, the first retry falls due (the test moves the mails' retry time, as the clock would),
    // and the scheduled flush runs; here twice at the same moment, as a kick and the schedule, or two
    // app instances, can: each mail is leased by one of them.
    await t.db.query(`UPDATE outbox_mail SET next_attempt_at = now() WHERE id = ANY($1)`, [waiting]);
    const mail = t.app.get(MailService);
    const sent = await Promise.all([mail.flush(), mail.flush()]);
    expect(sent[0] + sent[1]).toBe(targets.length);
    // And once more later: nothing is sent twice.
    expect(await mail.flush()).toBe(0);

    for (const email of emails) expect(smtp.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    const { rows } = await t.db.query(
      `SELECT status, attempts, sent_at IS NOT NULL AS sent FROM outbox_mail WHERE id = ANY($1)`,
      [waiting],
    );
    expect(rows).toEqual(waiting.map(() => ({ status: 'sent', attempts: 2, sent: true })));
  });

  it('lets only admins read the outbox', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(rep.email, PASSWORD);
    expect((await c.get('/admin/outbox')).status).toBe(403);
  });
});
