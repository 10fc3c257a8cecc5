import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';
import { MAX_REQUESTS_PER_ADDRESS, MAX_REQUESTS_PER_IP } from '../../src/users/password-reset.service.js';

/**
 * "Forgot your password?" end to end, with a real SMTP peer: the link a user receives, what it lets
 * them do once, and what it tells a stranger (nothing about which accounts exist).
 */
let t: TestApp;
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  // Behind a proxy on this machine, so each test asks from an address of its own.
  t = await startApp({ smtpUrl: smtp.url, trustProxy: 'loopback' });
});
afterAll(async () => {
  await t?.close();
  await smtp.stop();
});

const NEW_PASSWORD = 'lantern-harbour-1729';
const SENT_EN = 'If an account has this address, a mail with a link is on its way.';
const INVALID_EN = 'This link has expired or was already used. Ask for a new one.';
const INVALID_ZH = '此链接已过期或已被使用，请重新申请。';

let ipCounter = 0;
/** A guest's browser at an address of its own, in `lang`. */
const guest = (
  lang: 'en' | 'zh-CN' = 'en',
  ip = `10.77.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`,
) => new Client(t.url, { 'accept-language': lang, 'x-forwarded-for': ip });

/** Asks for a link for `email` from the forgot form, as a browser does. */
async function ask(email: string, c = guest()) {
  return c.submit('/password/forgot', { email });
}

interface Mail {
  subject: string;
  text: string;
}

/** The mails received for `to` whose subject matches `subject`, parsed. */
async function mailsTo(to: string, subject: RegExp): Promise<Mail[]> {
  const parsed = await Promise.all(
    smtp.received.filter((m) => m.to.includes(to)).map((m) => simpleParser(m.raw)),
  );
  return parsed
    .map((p) => ({ subject: p.subject ?? '', text: p.text ?? '' }))
    .filter((m) => subject.test(m.subject));
}

const LINK_SUBJECT = /Reset your Kehu password|重置您的 Kehu 密码/;

/** Waits for the `n`-th reset-link mail to `to`; answers it and the path of its link. */
async function nthLinkMail(to: string, n: number): Promise<Mail & { path: string; token: string }> {
  return eventually(async () => {
    const mails = await mailsTo(to, LINK_SUBJECT);
    expect(mails.length).toBeGreaterThanOrEqual(n);
    const mail = mails[n - 1];
    const m = /https?:\/\/[^\s]+(\/password\/reset\/([A-Za-z0-9_-]+))/.exec(mail.text);
    expect(m).not.toBeNull();
    return { ...mail, path: m![1], token: m![2] };
  });
}

async function passwordHash(userId: number): Promise<string> {
  const { rows } = await t.db.query('SELECT password_hash FROM app_user WHERE id = $1', [userId]);
  return rows[0].password_hash as string;
}

async function sessionsOf(userId: number): Promise<number> {
  const { rows } = await t.db.query(
    `SELECT count(*)::int AS n FROM session WHERE sess->'passport'->>'user' = $1`,
    [String(userId)],
  );
  return rows[0].n as number;
}

/** Whether `email` and `password` sign in (a fresh browser). */
async function signsIn(email: string, password: string): Promise<boolean> {
  const c = guest();
  await c.get('/login');
  return (await c.post('/login', { email, password })).status === 303;
}

describe('asking for a link', () => {
  it('is offered on the login page, in either language', async () => {
    const en = await guest('en').get('/login');
    expect(en.text).toContain('href="/password/forgot"');
    expect(visibleText(en.text)).toContain('Forgot your password?');
    const zh = await guest('zh-CN').get('/login');
    expect(visibleText(zh.text)).toContain('忘记密码？');
    const form = await guest('zh-CN').get('/password/forgot');
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain('请输入您账户的邮箱地址');
    expect(form.text).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('answers every address alike, and mails a link only to an active account', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const gone = await createUser(t.db, { role: 'sales', active: false });
    const nobody = `nobody-${user.id}@test.kehu`;
    const answers = [];
    for (const email of [user.email, gone.email, nobody, `  ${user.email.toUpperCase()} `]) {
      const c = guest();
      const reply = await ask(email, c);
      const page = await c.get(reply.location ?? '/');
      answers.push({ status: reply.status, location: reply.location, page: visibleText(page.text) });
    }
    expect(answers[0].status).toBe(303);
    expect(answers[0].location).toBe('/password/forgot/sent');
    expect(answers[0].page).toContain(SENT_EN);
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    // The account got its mails (the address typed in capitals with spaces is the same one); the
    // others none, nor any link: once a later mail to someone else has arrived, nothing else came.
    await nthLinkMail(user.email, 2);
    const after = await createUser(t.db, { role: 'sales' });
    await ask(after.email);
    await nthLinkMail(after.email, 1);
    expect(smtp.received.filter((m) => m.to.includes(gone.email) || m.to.includes(nobody))).toEqual([]);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM outbox_mail WHERE "to" IN ($1, $2)`, [
      gone.email,
      nobody,
    ]);
    expect(rows[0].n).toBe(0);
    const tokens = await t.db.query(
      `SELECT count(*)::int AS n FROM password_reset_token WHERE user_id = $1`,
      [gone.id],
    );
    expect(tokens.rows[0].n).toBe(0);
  });

  it('refuses a request without its CSRF token, sending nothing', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = guest();
    await c.get('/password/forgot');
    const reply = await c.post('/password/forgot', { email: user.email }, { csrf: false });
    expect(reply.status).toBe(403);
    expect(visibleText(reply.text)).toContain('This form has expired');
    const forged = await c.post('/password/forgot', { email: user.email, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    // A stranger's page cannot post it either: a fresh browser has no token at all.
    expect((await guest().post('/password/forgot', { email: user.email })).status).toBe(403);
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*)::int FROM password_reset_request WHERE email = $1) AS requests,
              (SELECT count(*)::int FROM outbox_mail WHERE "to" = $1) AS mails`,
      [user.email],
    );
    expect(rows[0]).toEqual({ requests: 0, mails: 0 });
  });
});

describe('the link', () => {
  it('sets a new password once, signs the user out everywhere, and is refused afterwards', async () => {
    const user = await createUser(t.db, { role: 'sales', locale: 'zh-CN', name: '王小明' });
    // Signed in on two devices.
    const phone = await signedIn(t, user, 'zh-CN');
    const laptop = await signedIn(t, user, 'zh-CN');
    expect(await sessionsOf(user.id)).toBe(2);
    const oldHash = await passwordHash(user.id);

    expect((await ask(user.email, guest('en', '10.66.0.7'))).status).toBe(303);
    const mail = await nthLinkMail(user.email, 1);
    // The request is in the audit log, with the address it came from.
    const asked = await t.db.query(
      `SELECT ip, actor_id FROM audit_entry WHERE action = 'password_reset_request' AND entity_id = $1`,
      [String(user.id)],
    );
    expect(asked.rows).toEqual([{ ip: '10.66.0.7', actor_id: null }]);
    // In the user's language, with the link and how long it lasts.
    expect(mail.subject).toBe('重置您的 Kehu 密码');
    expect(mail.text).toContain('王小明，您好');
    expect(mail.text).toContain('60 分钟内有效');
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored, valid for an hour.
    const stored = await t.db.query(
      `SELECT token_hash, EXTRACT(EPOCH FROM expires_at - created_at)::int AS seconds, used_at
         FROM password_reset_token WHERE user_id = $1`,
      [user.id],
    );
    expect(stored.rows).toEqual([
      { token_hash: createHash('sha256').update(mail.token).digest('hex'), seconds: 3600, used_at: null },
    ]);
    const everything = await t.db.query(`SELECT row_to_json(t)::text AS row FROM password_reset_token t`);
    expect(everything.rows.some((r) => (r.row as string).includes(mail.token))).toBe(false);
    // Nor does the outbox keep it once sent, and an admin reading the outbox never sees it.
    const outbox = await eventually(async () => {
      const { rows } = await t.db.query<{ id: number; status: string; text: string; html: string }>(
        `SELECT id, status, text, html FROM outbox_mail WHERE "to" = $1 AND secret`,
        [user.email],
      );
      expect(rows.map((r) => r.status)).toEqual(['sent']);
      return rows[0];
    });
    expect(`${outbox.text}${outbox.html}`).not.toContain(mail.token);
    const admin = await signedIn(t, await createUser(t.db, { role: 'admin' }));
    const shown = await admin.get(`/admin/outbox/${outbox.id}`);
    expect(visibleText(shown.text)).toContain('This mail holds a one-time sign-in link');
    expect(shown.text).not.toContain(mail.token);

    // The form, in the browser's language; the rules of every new password hold.
    const browser = guest('en');
    const form = await browser.get(mail.path);
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain('Choose a new password');
    const mismatch = await browser.post(mail.path, {
      password: NEW_PASSWORD,
      confirmPassword: 'something-else-1',
    });
    expect(mismatch.status).toBe(422);
    expect(visibleText(mismatch.text)).toContain('The two passwords differ.');
    const easy = await browser.post(mail.path, { password: '1234567890', confirmPassword: '1234567890' });
    expect(easy.status).toBe(422);
    expect(visibleText(easy.text)).toContain('This password is too easy to guess');
    const short = await browser.post(mail.path, { password: 'x7#', confirmPassword: 'x7#' });
    expect(visibleText(short.text)).toContain('At least 10 characters.');
    expect(await passwordHash(user.id)).toBe(oldHash);
    expect(await sessionsOf(user.id)).toBe(2);

    const done = await browser.post(mail.path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login');
    const login = await browser.get('/login');
    expect(visibleText(login.text)).toContain('Your password has been changed. Sign in with the new one.');

    // Every session of the user ended: both devices land on the login page.
    expect(await sessionsOf(user.id)).toBe(0);
    for (const device of [phone, laptop]) {
      const next = await device.get('/customers');
      expect(next.status).toBe(303);
      expect(next.location).toBe('/login?returnTo=%2Fcustomers');
    }
    // The new password signs in, the old one no longer; stored as an argon2id hash.
    expect(await signsIn(user.email, PASSWORD)).toBe(false);
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
    expect(await passwordHash(user.id)).toMatch(/^\$argon2id\$/);

    // Audited as the user's own reset, without the password.
    const audit = await t.db.query(
      `SELECT actor_id, diff::text AS diff FROM audit_entry
        WHERE action = 'password_reset_self' AND entity = 'user' AND entity_id = $1`,
      [String(user.id)],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor_id).toBe(user.id);
    expect(audit.rows[0].diff).not.toContain(NEW_PASSWORD);
    // And the user is told by mail, in their language.
    await eventually(async () => expect(await mailsTo(user.email, /您的 Kehu 密码已修改/)).toHaveLength(1));

    // The same link again: refused, in the visitor's language, with the way to a new one.
    const again = guest('zh-CN');
    const page = await again.get(mail.path);
    expect(page.status).toBe(410);
    expect(visibleText(page.text)).toContain(INVALID_ZH);
    expect(page.text).toContain('href="/password/forgot"');
    expect(page.text).not.toContain('name="password"');
    const reuse = await again.post(mail.path, {
      password: 'another-password-99',
      confirmPassword: 'another-password-99',
    });
    expect(reuse.status).toBe(410);
    expect(visibleText(reuse.text)).toContain(INVALID_ZH);
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it('signs out the browser it was used in, even one signed in as the same user', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'en');
    expect((await ask(user.email, c)).status).toBe(303);
    const mail = await nthLinkMail(user.email, 1);
    expect((await c.get(mail.path)).status).toBe(200);
    const done = await c.post(mail.path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.location).toBe('/login');
    expect(visibleText((await c.get('/login')).text)).toContain('Your password has been changed.');
    expect(await sessionsOf(user.id)).toBe(0);
    expect((await c.get('/customers')).location).toBe('/login?returnTo=%2Fcustomers');
  });

  it('is refused once expired, and the password stays', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    await ask(user.email);
    const mail = await nthLinkMail(user.email, 1);
    await t.db.query(
      `UPDATE password_reset_token SET expires_at = now() - interval '1 second', created_at = created_at - interval '1 hour'
        WHERE user_id = $1`,
      [user.id],
    );
    const c = guest('en');
    const page = await c.get(mail.path);
    expect(page.status).toBe(410);
    expect(visibleText(page.text)).toContain(INVALID_EN);
    // A form opened before it expired is refused too.
    const reply = await c.post(mail.path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(reply.status).toBe(410);
    expect(visibleText(reply.text)).toContain(INVALID_EN);
    expect(await signsIn(user.email, PASSWORD)).toBe(true);
  });

  it('is voided by a newer request: only the latest link works', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    await ask(user.email);
    const first = await nthLinkMail(user.email, 1);
    await ask(user.email);
    const second = await nthLinkMail(user.email, 2);
    expect(second.token).not.toBe(first.token);
    const c = guest('en');
    expect((await c.get(first.path)).status).toBe(410);
    const refused = await c.post(first.path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(refused.status).toBe(410);
    expect(visibleText(refused.text)).toContain(INVALID_EN);
    const { rows } = await t.db.query(
      `SELECT voided_at IS NOT NULL AS voided, used_at IS NOT NULL AS used FROM password_reset_token
        WHERE user_id = $1 ORDER BY id`,
      [user.id],
    );
    expect(rows).toEqual([
      { voided: true, used: false },
      { voided: false, used: false },
    ]);
    expect((await c.get(second.path)).status).toBe(200);
    expect(
      (await c.post(second.path, { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status,
    ).toBe(303);
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it('answers an unknown or malformed token with the same page, never 404', async () => {
    for (const path of [
      '/password/reset/' + 'A'.repeat(43),
      '/password/reset/short',
      '/password/reset/%3Cscript%3E',
    ]) {
      const page = await guest('en').get(path);
      expect({ path, status: page.status }).toEqual({ path, status: 410 });
      expect(visibleText(page.text)).toContain(INVALID_EN);
      expect(page.text).not.toContain('<script>');
    }
  });

  it('refuses a new password sent without its CSRF token', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    await ask(user.email);
    const mail = await nthLinkMail(user.email, 1);
    const c = guest('en');
    await c.get(mail.path);
    const reply = await c.post(
      mail.path,
      { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      { csrf: false },
    );
    expect(reply.status).toBe(403);
    expect(await signsIn(user.email, PASSWORD)).toBe(true);
    // The link still works for its owner.
    expect((await c.get(mail.path)).status).toBe(200);
  });
});

describe('the hourly bound', () => {
  it(`sends at most ${MAX_REQUESTS_PER_ADDRESS} links an hour to one address, from wherever asked, and says so alike for any address`, async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const nobody = `nobody-bound-${user.id}@test.kehu`;
    for (const email of [user.email, nobody]) {
      for (let i = 0; i < MAX_REQUESTS_PER_ADDRESS; i++) expect((await ask(email)).status).toBe(303);
      const c = guest('zh-CN');
      const refused = await ask(email, c);
      expect(refused.status).toBe(429);
      expect(visibleText(refused.text)).toMatch(/申请重置链接的次数过多，请 (59|60) 分钟后再试。/);
    }
    await nthLinkMail(user.email, MAX_REQUESTS_PER_ADDRESS);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM password_reset_token WHERE user_id = $1`,
      [user.id],
    );
    expect(rows[0].n).toBe(MAX_REQUESTS_PER_ADDRESS);
    // An hour on, the address may ask again.
    await t.db.query(`UPDATE password_reset_request SET at = at - interval '61 minutes' WHERE email = $1`, [
      user.email,
    ]);
    expect((await ask(user.email)).status).toBe(303);
  });

  it(`takes at most ${MAX_REQUESTS_PER_IP} requests an hour from one IP address, whatever the addresses`, async () => {
    const ip = '10.99.0.1';
    for (let i = 0; i < MAX_REQUESTS_PER_IP; i++)
      expect((await ask(`someone-${i}@ip-bound.kehu`, guest('en', ip))).status).toBe(303);
    const user = await createUser(t.db, { role: 'sales' });
    const refused = await ask(user.email, guest('en', ip));
    expect(refused.status).toBe(429);
    expect(visibleText(refused.text)).toContain('Too many reset links were asked for.');
    // Nothing was counted or sent for the refused one; from another address it goes through.
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM password_reset_request WHERE email = $1`,
      [user.email],
    );
    expect(rows[0].n).toBe(0);
    expect((await ask(user.email, guest('en', '10.99.0.2'))).status).toBe(303);
    await nthLinkMail(user.email, 1);
  });
});
