import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createUser, type UserRow } from '../helpers/factories.js';

/**
 * The business calendar: /admin/calendar (working hours, holidays and 调休 make-up days by year, the
 * due-time preview), for admins only, and GET /api/v1/calendar/due on the same clock, seeded with
 * China's official 2026 schedule. Changes made here live in 2031 or are undone by the test making them.
 */
let t: TestApp;
let admin: UserRow;
let manager: UserRow;
let repApi: ApiClient;

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin', name: 'Ada Admin' });
  manager = await createUser(t.db, { role: 'manager' });
  repApi = await apiAs(t, await createUser(t.db, { role: 'sales' }));
}, 60_000);
afterAll(() => t.close());

const exceptionOn = async (day: string) =>
  (await t.db.query(`SELECT id, kind, name FROM calendar_exception WHERE day = $1`, [day])).rows;
const audits = async (entity: string, entityId: number | string) =>
  (
    await t.db.query(
      `SELECT action, actor_id, diff FROM audit_entry WHERE entity = $1 AND entity_id = $2 ORDER BY id`,
      [entity, String(entityId)],
    )
  ).rows;
const due = (from: string, minutes: number) =>
  repApi.get(`/api/v1/calendar/due?from=${encodeURIComponent(from)}&minutes=${minutes}`);

describe('/admin/calendar', () => {
  it('lists a year’s holidays and make-up workdays, in the admin’s language', async () => {
    const c = await signedIn(t, admin, 'zh-CN');
    const page = await c.get('/admin/calendar?year=2026');
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('2026 年节假日和调休上班日');
    expect(text).toContain('2026-10-01 星期四 节假日 国庆节');
    expect(text).toContain('2026-10-10 星期六 调休上班日 国庆节');
    expect(text).toContain('2026-09-20 星期日 调休上班日 国庆节');
    expect(text).toContain('2026-02-28 星期六 调休上班日 春节');
    expect(page.text).toContain('href="/admin/calendar"');
  });

  it('holds China’s official 2026 schedule day by day: 33 days off and 6 make-up workdays', async () => {
    const { rows } = await t.db.query(
      `SELECT kind, count(*)::int AS n, array_agg(to_char(day, 'MM-DD') ORDER BY day) AS days
         FROM calendar_exception WHERE day BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY kind ORDER BY kind`,
    );
    expect(rows[0]).toMatchObject({ kind: 'holiday', n: 3 + 9 + 3 + 5 + 3 + 3 + 7 });
    expect(rows[1]).toEqual({
      kind: 'workday',
      n: 6,
      days: ['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'],
    });
  });

  it('adds and removes a holiday with the form’s CSRF token, audited, and refuses a day already listed', async () => {
    const c = await signedIn(t, admin);
    await c.get('/admin/calendar?year=2031');
    const added = await c.post('/admin/calendar/exceptions', {
      day: '2031-03-03',
      kind: 'holiday',
      name: '公司年会',
    });
    expect(added.status).toBe(303);
    expect(added.location).toBe('/admin/calendar?year=2031');
    const [row] = await exceptionOn('2031-03-03');
    expect(row).toMatchObject({ kind: 'holiday', name: '公司年会' });
    const page = await c.get('/admin/calendar?year=2031');
    expect(visibleText(page.text)).toContain('Holiday 公司年会 on 2031-03-03 added.');
    expect(visibleText(page.text)).toContain('2031-03-03 Monday Holiday 公司年会');

    const again = await c.post('/admin/calendar/exceptions', {
      day: '2031-03-03',
      kind: 'holiday',
      name: '又一次',
    });
    expect(again.status).toBe(422);
    expect(visibleText(again.text)).toContain(
      '2031-03-03 is already listed (公司年会). Remove it first to change it.',
    );
    // The typed values are kept.
    expect(again.text).toContain('value="又一次"');
    expect(await exceptionOn('2031-03-03')).toHaveLength(1);

    const forged = await c.post(`/admin/calendar/exceptions/${row.id}/delete`, { _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await exceptionOn('2031-03-03')).toHaveLength(1);

    const removed = await c.post(`/admin/calendar/exceptions/${row.id}/delete`);
    expect(removed.status).toBe(303);
    expect(await exceptionOn('2031-03-03')).toEqual([]);
    expect(visibleText((await c.get(removed.location!)).text)).toContain(
      'Holiday 公司年会 on 2031-03-03 removed.',
    );
    expect(await audits('calendar_exception', row.id)).toEqual([
      {
        action: 'create',
        actor_id: admin.id,
        diff: { day: { to: '2031-03-03' }, kind: { to: 'holiday' }, name: { to: '公司年会' } },
      },
      {
        action: 'delete',
        actor_id: admin.id,
        diff: { day: { from: '2031-03-03' }, kind: { from: 'holiday' }, name: { from: '公司年会' } },
      },
    ]);
  });

  it('adds a make-up workday on a weekend day only, and refuses a form without its CSRF token', async () => {
    const c = await signedIn(t, admin);
    await c.get('/admin/calendar');
    const weekday = await c.post('/admin/calendar/exceptions', {
      day: '2031-03-04',
      kind: 'workday',
      name: '春节',
    });
    expect(weekday.status).toBe(422);
    expect(visibleText(weekday.text)).toContain('A make-up workday is a day the week has off');
    const noToken = await c.post(
      '/admin/calendar/exceptions',
      { day: '2031-03-08', kind: 'workday', name: '春节' },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);
    expect(await exceptionOn('2031-03-08')).toEqual([]);
    const saturday = await c.post('/admin/calendar/exceptions', {
      day: '2031-03-08',
      kind: 'workday',
      name: '春节',
    });
    expect(saturday.status).toBe(303);
    expect(await exceptionOn('2031-03-08')).toMatchObject([{ kind: 'workday', name: '春节' }]);
  });

  it('warns when the current year has no holidays entered, as its due times would count them worked', async () => {
    const c = await signedIn(t, admin);
    const year = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
    const shown = async () => visibleText((await c.get('/admin/calendar')).text);
    const warning = `No public holidays are entered for ${year}`;
    // National Day is a holiday every year: with it entered (as the shipped calendars have it) the
    // year has holidays, and no warning shows.
    await t.db.query(
      `INSERT INTO calendar_exception (day, kind, name) VALUES ($1, 'holiday', '国庆节') ON CONFLICT (day) DO NOTHING`,
      [`${year}-10-01`],
    );
    expect(await shown()).not.toContain(warning);
    const { rows: gone } = await t.db.query<Record<string, unknown>>(
      'DELETE FROM calendar_exception WHERE day >= $1 AND day < $2 RETURNING *',
      [`${year}-01-01`, `${year + 1}-01-01`],
    );
    try {
      expect(await shown()).toContain(warning);
    } finally {
      // Put back for the due times the other tests compute.
      for (const row of gone) {
        const columns = Object.keys(row);
        await t.db.query(
          `INSERT INTO calendar_exception (${columns.map((c) => `"${c}"`).join(', ')})
           VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          columns.map((c) => row[c]),
        );
      }
    }
  });

  it('is for admins only', async () => {
    const c = await signedIn(t, manager);
    expect((await c.get('/admin/calendar')).status).toBe(403);
    expect((await c.get('/')).text).not.toContain('href="/admin/calendar"');
    const post = await c.post('/admin/calendar/exceptions', {
      day: '2031-05-05',
      kind: 'holiday',
      name: '经理节',
    });
    expect(post.status).toBe(403);
    expect(await exceptionOn('2031-05-05')).toEqual([]);
  });

  it('previews a due time across the National Day week, and says what is wrong with the typed values', async () => {
    const c = await signedIn(t, admin);
    const page = await c.get('/admin/calendar?from=2026-09-30T17%3A00&minutes=120');
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('Due 2026-10-08 10:00 (Thursday) 2026-10-08T10:00:00+08:00');
    const bad = await c.get('/admin/calendar?from=2026-09-30T17%3A00&minutes=many');
    expect(bad.status).toBe(422);
    expect(visibleText(bad.text)).toContain('Enter a whole number.');
    expect(bad.text).toContain('value="2026-09-30T17:00"');
    expect(bad.text).not.toContain('Due 2026');
    const zh = await signedIn(t, admin, 'zh-CN');
    const saturday = await zh.get('/admin/calendar?from=2026-10-09T17%3A00&minutes=120');
    expect(visibleText(saturday.text)).toContain('到期时间：2026-10-10 10:00（星期六）');
  });

  it('saves the working hours with their version, audited; a stale save is refused; the clock follows at once', async () => {
    const c = await signedIn(t, admin);
    const page = await c.get('/admin/calendar');
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    const week = {
      monOpens: '09:00',
      monCloses: '18:00',
      tueOpens: '09:00',
      tueCloses: '18:00',
      wedOpens: '09:00',
      wedCloses: '18:00',
      thuOpens: '09:00',
      thuCloses: '18:00',
      friOpens: '09:00',
      friCloses: '18:00',
      satOpens: '',
      satCloses: '',
      sunOpens: '',
      sunCloses: '',
      lunchStarts: '12:00',
      lunchEnds: '13:30',
    };
    const invalid = await c.post('/admin/calendar/hours', { ...week, monCloses: '08:00', version });
    expect(invalid.status).toBe(422);
    expect(visibleText(invalid.text)).toContain('Must be later than the start.');

    // The calendar starts with the usual lunch break (12:00–13:30); the admin works through it.
    expect((await due('2026-12-01T11:00:00+08:00', 90)).body).toEqual({ due: '2026-12-01T14:00:00+08:00' });
    const saved = await c.post('/admin/calendar/hours', { ...week, version });
    expect(saved.status).toBe(303);
    // 11:00 + 90 minutes no longer stops for lunch.
    expect((await due('2026-12-01T11:00:00+08:00', 90)).body).toEqual({ due: '2026-12-01T12:30:00+08:00' });
    const [entry] = await audits('business_hours', 1);
    expect(entry).toMatchObject({
      action: 'update',
      actor_id: admin.id,
      diff: { lunch: { from: true, to: false } },
    });

    const stale = await c.post('/admin/calendar/hours', { ...week, lunch: 'on', version });
    expect(stale.status).toBe(409);
    const restored = await c.post('/admin/calendar/hours', {
      ...week,
      lunch: 'on',
      version: String(Number(version) + 1),
    });
    expect(restored.status).toBe(303);
    expect(visibleText((await c.get('/audit')).text)).toContain('Working hours');
    expect((await due('2026-12-01T11:00:00+08:00', 90)).body).toEqual({ due: '2026-12-01T14:00:00+08:00' });
  });
});

describe('GET /api/v1/calendar/due', () => {
  it.each([
    ['Friday 17:00 + 120 across a weekend', '2026-11-27T17:00:00+08:00', 120, '2026-11-30T10:00:00+08:00'],
    ['across the National Day week', '2026-09-30T17:00:00+08:00', 120, '2026-10-08T10:00:00+08:00'],
    [
      'Friday 17:00 + 120 before the 调休 Saturday',
      '2026-10-09T17:00:00+08:00',
      120,
      '2026-10-10T10:00:00+08:00',
    ],
    [
      'Friday 17:00 + 120 before the 调休 Sunday',
      '2026-09-18T17:00:00+08:00',
      120,
      '2026-09-20T10:00:00+08:00',
    ],
    ['a start given in UTC, on a holiday', '2026-10-03T02:00:00Z', 0, '2026-10-08T09:00:00+08:00'],
  ])('%s: %s + %s min → %s', async (_, from, minutes, expected) => {
    const reply = await due(from, minutes);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ due: expected });
  });

  it('follows the admin’s holidays as soon as they are saved', async () => {
    const c = await signedIn(t, admin);
    await c.get('/admin/calendar');
    // Thursday 2032-03-11 17:00 + 120: Friday, until Friday is a holiday; then Monday.
    expect((await due('2032-03-11T17:00:00+08:00', 120)).body).toEqual({ due: '2032-03-12T10:00:00+08:00' });
    await c.post('/admin/calendar/exceptions', { day: '2032-03-12', kind: 'holiday', name: '厂庆' });
    expect((await due('2032-03-11T17:00:00+08:00', 120)).body).toEqual({ due: '2032-03-15T10:00:00+08:00' });
  });

  it('answers a bad `from` with 400 and the reason in the token owner’s language', async () => {
    const zhApi = await apiAs(t, await createUser(t.db, { role: 'service' }), 'zh-CN');
    const reply = await zhApi.get('/api/v1/calendar/due?from=yesterday&minutes=120');
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toContain('application/json');
    expect(reply.body).toMatchObject({
      statusCode: 400,
      details: [{ field: 'from', message: '请输入日期和时间。' }],
    });
    const noOffset = await repApi.get('/api/v1/calendar/due?from=2026-09-30T17%3A00%3A00&minutes=120');
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.details).toEqual([
      { field: 'from', message: 'Give the time with its offset, such as +08:00 or Z.' },
    ]);
    const negative = await due('2026-09-30T17:00:00+08:00', -5);
    expect(negative.status).toBe(400);
    expect(negative.body.details).toEqual([{ field: 'minutes', message: 'At least 0.' }]);
  });

  it('needs a token', async () => {
    const res = await fetch(`${t.url}/api/v1/calendar/due?from=2026-09-30T17%3A00%3A00%2B08%3A00&minutes=1`);
    expect(res.status).toBe(401);
  });
});
