import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createTeam, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let admin: UserRow;
let adminClient: Client;

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin', name: 'Site Admin' });
  adminClient = new Client(t.url);
  await adminClient.login(admin.email, PASSWORD);
});
afterAll(() => t.close());

describe('navigation by role', () => {
  it('shows admin pages to admins only', async () => {
    const adminHome = await adminClient.get('/');
    expect(adminHome.text).toContain('href="/admin/users"');
    expect(adminHome.text).toContain('href="/audit"');
    for (const role of ['manager', 'sales', 'service'] as const) {
      const user = await createUser(t.db, { role });
      const c = new Client(t.url);
      await c.login(user.email, PASSWORD);
      const home = await c.get('/');
      expect(home.text).toContain('href="/customers"');
      expect(home.text).not.toContain('href="/admin/users"');
      expect((await c.get('/admin/users')).status).toBe(403);
      expect((await c.get('/audit')).status).toBe(403);
    }
  });
});

describe('managing users', () => {
  it('creates a user who can then sign in, and records it', async () => {
    const team = await createTeam(t.db, 'North');
    const reply = await adminClient.submit('/admin/users/new', {
      name: '孙丽',
      email: 'Sun.Li@Example.CN',
      role: 'sales',
      teamId: String(team),
      region: '江苏省',
      locale: 'zh-CN',
      password: 'sunli-password-1',
    });
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT id, email, role, team_id, region FROM app_user WHERE email = 'sun.li@example.cn'`,
    );
    expect(rows[0]).toMatchObject({ role: 'sales', team_id: team, region: '江苏省' });
    const c = new Client(t.url);
    await c.login('sun.li@example.cn', 'sunli-password-1');
    expect(visibleText((await c.get('/')).text)).toContain('孙丽，您好');
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'user' AND action = 'create' AND entity_id = $1`,
      [String(rows[0].id)],
    );
    expect(audit.rows[0].diff.role).toEqual({ to: 'sales' });
    expect(JSON.stringify(audit.rows[0].diff)).not.toContain('password');
  });

  it('refuses a taken e-mail and a short password beside their fields', async () => {
    const existing = await createUser(t.db, { role: 'sales' });
    await t.db.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [admin.id]);
    const reply = await adminClient.submit('/admin/users/new', {
      name: 'Dup',
      email: existing.email,
      role: 'sales',
      locale: 'en',
      password: 'short',
    });
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('At least 10 characters.');
    expect(reply.text).toContain(`value="${existing.email}"`);
    const again = await adminClient.submit('/admin/users/new', {
      name: 'Dup',
      email: existing.email,
      role: 'sales',
      locale: 'en',
      password: 'long-enough-password',
    });
    expect(visibleText(again.text)).toContain('Another user already has this e-mail.');
  });

  it('keeps the signed-in admin in the header while editing someone else', async () => {
    const other = await createUser(t.db, { role: 'sales', name: 'Someone Else' });
    const page = await adminClient.get(`/admin/users/${other.id}/edit`);
    expect(page.text).toMatch(/class="me"[^>]*>\s*Site Admin/);
    expect((await adminClient.get('/admin/users/new')).text).toContain('action="/logout"');
  });

  it('takes a rep’s region from the province list only: a near miss would hide the pool from them', async () => {
    const reply = await adminClient.post('/admin/users/new', {
      name: '区域不对',
      email: 'near.miss@example.cn',
      role: 'sales',
      region: '广东',
      locale: 'zh-CN',
      password: 'near-miss-password-1',
    });
    expect(reply.status).toBe(422);
    expect(reply.text).toMatch(/id="f-region"[\s\S]*?<option value="广东省" >广东省<\/option>/);
    expect(reply.text).toMatch(/has-error">\s*<label for="f-region">/);
    const { rows } = await t.db.query(`SELECT 1 FROM app_user WHERE email = 'near.miss@example.cn'`);
    expect(rows).toHaveLength(0);
  });

  it('records a role change as a permission change and refuses a stale edit', async () => {
    const user = await createUser(t.db, { role: 'sales', name: 'Promoted' });
    const ok = await adminClient.submit(`/admin/users/${user.id}/edit`, {
      name: 'Promoted',
      email: user.email,
      role: 'manager',
      locale: 'en',
      version: '1',
    });
    expect(ok.status).toBe(303);
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'user' AND action = 'permission' AND entity_id = $1`,
      [String(user.id)],
    );
    expect(audit.rows[0].diff.role).toEqual({ from: 'sales', to: 'manager' });
    const stale = await adminClient.post(`/admin/users/${user.id}/edit`, {
      name: 'Stale',
      email: user.email,
      role: 'sales',
      locale: 'en',
      version: '1',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('value="Stale"');
  });

  it('deactivates a user, ending their session, and reactivates them', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const theirs = new Client(t.url);
    await theirs.login(user.email, PASSWORD);
    await adminClient.get(`/admin/users/${user.id}/edit`);
    expect((await adminClient.post(`/admin/users/${user.id}/deactivate`)).status).toBe(303);
    expect((await theirs.get('/')).status).toBe(303);
    const again = new Client(t.url);
    await again.get('/login');
    expect((await again.post('/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    expect((await adminClient.post(`/admin/users/${user.id}/activate`)).status).toBe(303);
    await again.login(user.email, PASSWORD);
  });

  it('resets a password: the old one stops working, the new one works', async () => {
    const user = await createUser(t.db, { role: 'service' });
    await adminClient.get(`/admin/users/${user.id}/edit`);
    expect(
      (await adminClient.post(`/admin/users/${user.id}/password`, { password: 'reset-by-admin-2026' }))
        .status,
    ).toBe(303);
    const c = new Client(t.url);
    await c.get('/login');
    expect((await c.post('/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    await c.login(user.email, 'reset-by-admin-2026');
    expect(visibleText((await c.get('/notifications')).text)).toContain('An admin reset your password.');
  });
});

describe('the last active admin', () => {
  const stored = async (id: number) =>
    (await t.db.query('SELECT active, role, version FROM app_user WHERE id = $1', [id])).rows[0] as {
      active: boolean;
      role: string;
      version: number;
    };
  const editForm = (u: UserRow, name: string, role: string, version: number, locale = 'en') => ({
    name,
    email: u.email,
    role,
    locale,
    version: String(version),
  });

  it('lets one admin demote or deactivate another, but nobody remove their own admin access', async () => {
    const first = await createUser(t.db, { role: 'admin', name: 'First Admin' });
    const second = await createUser(t.db, { role: 'admin', name: 'Second Admin' });
    const firstClient = await signedIn(t, first, 'zh-CN');
    const secondClient = await signedIn(t, second);
    try {
      // One admin takes the other's admin rights away, which the other feels at their next click...
      const demoted = await secondClient.submit(
        `/admin/users/${first.id}/edit`,
        editForm(first, 'First Admin', 'manager', 1, 'zh-CN'),
      );
      expect(demoted.status).toBe(303);
      expect(await stored(first.id)).toEqual({ active: true, role: 'manager', version: 2 });
      expect((await firstClient.get('/admin/users')).status).toBe(403);
      // ...and gives them back; then the first deactivates the second, who is signed out.
      const restored = await secondClient.submit(
        `/admin/users/${first.id}/edit`,
        editForm(first, 'First Admin', 'admin', 2, 'zh-CN'),
      );
      expect(restored.status).toBe(303);
      const deactivated = await firstClient.submit(
        `/admin/users/${second.id}/edit`,
        {},
        `/admin/users/${second.id}/deactivate`,
      );
      expect(deactivated.status).toBe(303);
      expect(await stored(second.id)).toMatchObject({ active: false, role: 'admin' });
      expect((await secondClient.get('/admin/users')).status).toBe(303);

      // The first then tries on themselves: refused, saying why in their language, nothing changed.
      const before = await stored(first.id);
      const deactivateSelf = await firstClient.submit(
        `/admin/users/${first.id}/edit`,
        {},
        `/admin/users/${first.id}/deactivate`,
      );
      expect(deactivateSelf.status).toBe(422);
      expect(visibleText(deactivateSelf.text)).toContain('不能取消自己的管理员权限。');
      const demoteSelf = await firstClient.submit(
        `/admin/users/${first.id}/edit`,
        editForm(first, 'First Admin', 'sales', before.version, 'zh-CN'),
      );
      expect(demoteSelf.status).toBe(422);
      expect(visibleText(demoteSelf.text)).toContain('不能取消自己的管理员权限。');
      expect(await stored(first.id)).toEqual(before);
      expect((await firstClient.get('/admin/users')).status).toBe(200);
    } finally {
      // Neither is an active admin for the tests after this one.
      await t.db.query('UPDATE app_user SET active = false WHERE id = ANY($1)', [[first.id, second.id]]);
    }
  });

  it('keeps one when the only two admins demote each other at the same moment', async () => {
    // The file's admin and this one are the only active admins. Only a race reaches the rule: an
    // admin acting alone either removes someone else (so one stays) or themselves (refused above).
    const other = await createUser(t.db, { role: 'admin', name: 'Racing Admin' });
    const { rows: admins } = await t.db.query(`SELECT id FROM app_user WHERE role = 'admin' AND active`);
    expect(admins.map((r) => r.id).sort((x, y) => x - y)).toEqual([admin.id, other.id].sort((x, y) => x - y));
    const mine = await signedIn(t, admin);
    const theirs = await signedIn(t, other, 'zh-CN');
    const refusedBy = {
      [admin.id]: 'Kehu needs at least one active admin.',
      [other.id]: '系统至少需要一名在用的管理员。',
    };
    let refusals = 0;
    try {
      for (let round = 0; round < 8; round++) {
        const [a, b] = [await stored(admin.id), await stored(other.id)];
        await mine.get(`/admin/users/${other.id}/edit`);
        await theirs.get(`/admin/users/${admin.id}/edit`);
        const replies = await Promise.all([
          mine.post(
            `/admin/users/${other.id}/edit`,
            editForm(other, 'Racing Admin', 'manager', b.version, 'zh-CN'),
          ),
          theirs.post(`/admin/users/${admin.id}/edit`, editForm(admin, 'Site Admin', 'manager', a.version)),
        ]);
        // One demotion wins; the other is refused with the reason (or, coming after, finds its author
        // no longer an admin). Exactly one of the two is still an admin either way.
        const winners = replies.filter((r) => r.status === 303);
        expect(winners).toHaveLength(1);
        const loser = replies.findIndex((r) => r.status !== 303);
        const loserId = loser === 0 ? admin.id : other.id;
        expect([422, 403]).toContain(replies[loser].status);
        // Refused with the reason, or (403) its author was demoted first and the page says nothing more.
        const refusedWithReason = replies[loser].status === 422;
        if (refusedWithReason) refusals++;
        expect(refusedWithReason ? visibleText(replies[loser].text) : refusedBy[loserId]).toContain(
          refusedBy[loserId],
        );
        const after = [await stored(admin.id), await stored(other.id)];
        expect(after.filter((u) => u.active && u.role === 'admin')).toHaveLength(1);
        // The loser's target was left as it was.
        const untouched = loserId === admin.id ? other.id : admin.id;
        expect(await stored(untouched)).toEqual(untouched === admin.id ? a : b);
        await t.db.query(`UPDATE app_user SET role = 'admin' WHERE id = ANY($1)`, [[admin.id, other.id]]);
      }
    } finally {
      await t.db.query(`UPDATE app_user SET role = 'admin' WHERE id = ANY($1)`, [[admin.id, other.id]]);
      await t.db.query(`UPDATE app_user SET active = false WHERE id = $1`, [other.id]);
    }
    // The rule was reached, not only the guard of a demoted author.
    expect(refusals).toBeGreaterThan(0);
  }, 60_000);
});

describe('teams', () => {
  it('creates a team with a manager and renames it', async () => {
    const lead = await createUser(t.db, { role: 'manager', name: 'Team Lead' });
    expect(
      (await adminClient.submit('/admin/teams', { name: 'South', managerId: String(lead.id) })).status,
    ).toBe(303);
    const { rows } = await t.db.query(`SELECT id, manager_id FROM team WHERE name = 'South'`);
    expect(rows[0].manager_id).toBe(lead.id);
    expect(
      (
        await adminClient.submit(`/admin/teams/${rows[0].id}/edit`, {
          name: 'South China',
          managerId: String(lead.id),
          version: '1',
        })
      ).status,
    ).toBe(303);
    expect(visibleText((await adminClient.get('/admin/teams')).text)).toContain('South China');
    const dup = await adminClient.submit('/admin/teams', { name: 'South China' });
    expect(dup.status).toBe(422);
  });

  it('refuses a sales rep as a team manager', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const reply = await adminClient.submit('/admin/teams', {
      name: 'Led by a rep',
      managerId: String(rep.id),
    });
    expect(reply.status).toBe(422);
  });
});

describe('my account', () => {
  it('changes my password after checking the current one', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    const wrong = await c.submit(
      '/account',
      { currentPassword: 'nope', newPassword: 'my-new-password', confirmPassword: 'my-new-password' },
      '/account/password',
    );
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('This is not your current password.');
    const mismatch = await c.submit(
      '/account',
      { currentPassword: PASSWORD, newPassword: 'my-new-password', confirmPassword: 'other-password' },
      '/account/password',
    );
    expect(visibleText(mismatch.text)).toContain('The two passwords differ.');
    const elsewhere = new Client(t.url);
    await elsewhere.login(user.email, PASSWORD);
    const ok = await c.submit(
      '/account',
      { currentPassword: PASSWORD, newPassword: 'my-new-password', confirmPassword: 'my-new-password' },
      '/account/password',
    );
    expect(ok.status).toBe(303);
    expect((await c.get('/account')).status).toBe(200);
    expect((await elsewhere.get('/account')).status).toBe(303);
    await new Client(t.url).login(user.email, 'my-new-password');
  });

  it('switches language for the user and for a guest', async () => {
    const user = await createUser(t.db, { role: 'sales', locale: 'en' });
    const c = new Client(t.url);
    await c.login(user.email, PASSWORD);
    expect(visibleText((await c.get('/')).text)).toContain('My day');
    expect((await c.post('/locale', { locale: 'zh-CN', returnTo: '/customers' })).location).toBe(
      '/customers',
    );
    expect(visibleText((await c.get('/')).text)).toContain('我的一天');
    const { rows } = await t.db.query('SELECT locale FROM app_user WHERE id = $1', [user.id]);
    expect(rows[0].locale).toBe('zh-CN');

    const guest = new Client(t.url, { 'accept-language': 'zh-CN' });
    await guest.get('/login');
    await guest.post('/locale', { locale: 'en', returnTo: '/login' });
    expect(visibleText((await guest.get('/login')).text)).toContain('Sign in');
  });
});

describe('the audit log', () => {
  it('is append-only in the database', async () => {
    await expect(t.db.query(`UPDATE audit_entry SET action = 'tampered'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_entry`)).rejects.toThrow(/append-only/);
  });

  it('shows admins who did what, in their language', async () => {
    const audit = await adminClient.get('/audit?entity=user');
    expect(audit.text).toContain('<a href="/audit" aria-current="page">');
    const page = visibleText(audit.text);
    expect(page).toContain(admin.email);
    expect(page).toContain(`Signed in User ${admin.id}`);
    const zh = visibleText((await (await signedIn(t, admin, 'zh-CN')).get('/audit?entity=user')).text);
    expect(zh).toContain(`登录 用户 ${admin.id}`);
    // Changes name their fields as the record's form does, options by label, times in the admin's zone.
    await t.db.query(
      `INSERT INTO audit_entry (actor_email, action, entity, entity_id, diff) VALUES
         ('rep@kehu', 'update', 'customer', '9', '{"tier": {"from": "C", "to": "A"}}'),
         ('rep@kehu', 'create', 'follow_up', '3', '{"method": {"to": "visit"}, "nextFollowUpAt": {"to": "2026-11-24T01:00:00.000Z"}}')`,
    );
    const changes = visibleText((await (await signedIn(t, admin, 'zh-CN')).get('/audit')).text);
    expect(changes).toContain('客户级别：C 级 → A 级');
    expect(changes).toContain('方式： → 拜访');
    expect(changes).toContain('下次跟进时间： → 2026-11-24 09:00');
    await t.db.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [admin.id]);
    // An action the catalogs do not name (from an older or newer Kehu) shows as recorded.
    await t.db.query(
      `INSERT INTO audit_entry (actor_email, action, entity, entity_id, diff) VALUES ('x@kehu', 'archived', 'user', '1', '{}')`,
    );
    expect(visibleText((await adminClient.get('/audit?entity=user')).text)).toContain('archived User 1');
  });

  it('names the people and teams an entry refers to, not their ids', async () => {
    const from = await createUser(t.db, { role: 'sales', name: '李明' });
    const to = await createUser(t.db, { role: 'sales', name: '张伟' });
    const team = await createTeam(t.db, '客服一组');
    await t.db.query(
      `INSERT INTO audit_entry (actor_email, action, entity, entity_id, diff) VALUES
         ('m@kehu', 'assign', 'customer', '77', json_build_object('ownerId', json_build_object('from', $1::int, 'to', $2::int))),
         ('m@kehu', 'assign', 'ticket', '78', json_build_object('teamId', json_build_object('to', $3::int),
                                                            'assigneeId', json_build_object('from', NULL, 'to', $2::int))),
         ('m@kehu', 'assign', 'ticket', '79', '{"assigneeId": {"from": 999999, "to": null}}')`,
      [from.id, to.id, team],
    );
    const page = visibleText((await (await signedIn(t, admin, 'zh-CN')).get('/audit')).text);
    expect(page).toContain('负责人：李明 → 张伟');
    expect(page).toContain('团队： → 客服一组');
    expect(page).toContain('处理人： → 张伟');
    // Someone no longer in the directory keeps the id as recorded.
    expect(page).toContain('处理人：999999 →');
  });
});
