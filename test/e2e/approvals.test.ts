import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalPending, ApprovalsService, REMIND_JOB } from '../../src/approvals/approvals.service.js';
import { JobsService } from '../../src/automation/jobs.service.js';
import type { ApprovalStepPlan } from '../../src/approvals/approvals.types.js';
import { ViewEngine } from '../../src/common/view-engine.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, decodeHtml, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * The approval engine through a tiny subject of its own ("gadget"), registered here as a quote or a
 * contract registers itself: rounds are submitted in a transaction, decided from the pages' form
 * (/approvals/:id/decide), and each decision's outcome is written by the subject into a table of the
 * test's in the deciding transaction.
 */
let t: TestApp;
let approvals: ApprovalsService;
let admin: UserRow;
let manager: UserRow;
let rep: UserRow;
let gm1: UserRow;
let gm2: UserRow;
let stranger: UserRow;
let team: number;
let nextSubject = 1;
/** Subjects whose `decided` refuses: the decision must then not be stored either. */
const refusing = new Set<number>();

beforeAll(async () => {
  t = await startApp();
  approvals = t.app.get(ApprovalsService);
  team = await createTeam(t.db);
  admin = await createUser(t.db, { role: 'admin', name: 'Ada Admin' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Mia Manager' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Ray Rep' });
  gm1 = await createUser(t.db, { role: 'manager', name: 'Gus General' });
  gm2 = await createUser(t.db, { role: 'manager', name: 'Gwen General' });
  stranger = await createUser(t.db, { role: 'sales', name: 'Stan Stranger' });
  await t.db.query(
    'CREATE TABLE gadget_decision (id serial, subject_id int NOT NULL, outcome text NOT NULL, by_id int NOT NULL, comment text)',
  );
  approvals.registerSubject({
    kind: 'gadget',
    async decided(m, subjectId, outcome, by, comment) {
      await m.query(
        'INSERT INTO gadget_decision (subject_id, outcome, by_id, comment) VALUES ($1, $2, $3, $4)',
        [subjectId, outcome, by.id, comment],
      );
      if (refusing.has(subjectId)) throw new Error('the gadget refuses');
    },
  });
});
afterAll(() => t.close());

const any = (...users: UserRow[]): ApprovalStepPlan => ({
  mode: 'any',
  approverIds: users.map((u) => u.id),
  labelKey: 'approval.step.manager',
});
const all = (...users: UserRow[]): ApprovalStepPlan => ({
  mode: 'all',
  approverIds: users.map((u) => u.id),
  labelKey: 'approval.step.general_managers',
});

/** Submits a round for a new gadget, as its module would in its own transaction. */
async function submit(steps: ApprovalStepPlan[], by = rep, amount: string | null = '120000.00') {
  const subjectId = nextSubject++;
  const roundId = await t.app.get(DataSource).transaction((m) =>
    approvals.submit(m, {
      kind: 'gadget',
      subjectId,
      title: `GADGET-${subjectId} 华信科技 扩容`,
      url: `/gadgets/${subjectId}`,
      amount,
      requestedBy: by.id,
      steps,
    }),
  );
  return { subjectId, roundId, title: `GADGET-${subjectId} 华信科技 扩容` };
}

const clients = new Map<number, Client>();
async function as(user: UserRow, lang: 'en' | 'zh-CN' = 'en'): Promise<Client> {
  const key = user.id * 10 + (lang === 'en' ? 0 : 1);
  let c = clients.get(key);
  if (!c) {
    c = await signedIn(t, user, lang);
    clients.set(key, c);
  }
  return c;
}

/** A decision as the record page's form posts it; success returns to /notifications (a page inside the site). */
async function decide(
  c: Client,
  roundId: number,
  decision: 'approve' | 'reject',
  extra: Record<string, string> = {},
) {
  return c.post(`/approvals/${roundId}/decide`, {
    decision,
    comment: '',
    returnTo: '/notifications',
    ...extra,
  });
}

const decisionsOf = async (subjectId: number) =>
  (await t.db.query('SELECT outcome, by_id, comment FROM gadget_decision WHERE subject_id = $1', [subjectId]))
    .rows;
const roundStatus = async (roundId: number) =>
  (await t.db.query('SELECT status FROM approval_round WHERE id = $1', [roundId])).rows[0].status as string;
const stepStatuses = async (roundId: number) =>
  (
    await t.db.query('SELECT status FROM approval_step WHERE round_id = $1 ORDER BY position', [roundId])
  ).rows.map((r) => r.status as string);
const notes = async (user: UserRow, kind: string) =>
  (await t.db.query('SELECT params FROM notification WHERE user_id = $1 AND kind = $2', [user.id, kind]))
    .rows;
const mails = async (user: UserRow, subject: string) =>
  (
    await t.db.query('SELECT subject FROM outbox_mail WHERE "to" = $1 AND subject LIKE $2', [
      user.email,
      `%${subject}%`,
    ])
  ).rows;

/** The inbox's "Waiting for me" as the user reads it. */
async function waitingFor(user: UserRow): Promise<string> {
  const page = await (await as(user)).get('/approvals');
  return visibleText(/<section class="approvals-waiting">[\s\S]*?<\/section>/.exec(page.text)![0]);
}

/** The message the page shows after a redirect (the flash), as the user reads it. */
async function flashAfter(c: Client, reply: { status: number; location: string | null }) {
  expect(reply.status).toBe(303);
  const page = await c.get(reply.location!);
  // The last message: one left by an earlier decision whose page was never shown comes before it.
  return visibleText([...page.text.matchAll(/<div class="flash[\s\S]*?<\/div>/g)].at(-1)?.[0] ?? '');
}

describe('the approvals section of /admin/settings', () => {
  it('stores the threshold exactly and the general managers the admin ticks, and routes by them', async () => {
    const c = await as(admin);
    const page = await c.get('/admin/settings');
    expect(page.text).toContain('id="settings-approvals"');
    expect(visibleText(page.text)).toContain('Gus General');
    // None chosen yet: the page says what that means for large contracts.
    expect(page.text).toContain('data-testid="no-general-managers"');
    const reply = await c.post('/admin/settings/approvals', {
      threshold: '¥100,000',
      generalManagerIds: [String(gm1.id), String(gm2.id)],
      generalManagerMode: 'all',
      version: '0',
    });
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query(`SELECT value FROM setting WHERE key = 'approvals'`);
    expect(rows[0].value).toEqual({
      threshold: '100000.00',
      generalManagerIds: [gm1.id, gm2.id],
      generalManagerMode: 'all',
    });
    const again = await c.get('/admin/settings');
    expect(again.text).toMatch(new RegExp(`value="${gm1.id}" checked`));
    expect(again.text).not.toContain('data-testid="no-general-managers"');

    expect(await approvals.routeByAmount(rep.id, '100000.00')).toEqual([
      { mode: 'any', approverIds: [manager.id], labelKey: 'approval.step.manager' },
    ]);
    expect(await approvals.routeByAmount(rep.id, '100000.01')).toEqual([
      { mode: 'any', approverIds: [manager.id], labelKey: 'approval.step.manager' },
      { mode: 'all', approverIds: [gm1.id, gm2.id], labelKey: 'approval.step.general_managers' },
    ]);
    expect(await approvals.managerStep(manager.id)).toEqual({
      mode: 'any',
      approverIds: [admin.id],
      labelKey: 'approval.step.manager',
    });
  });

  it('refuses a threshold that is not an amount, beside the field; takes no general managers', async () => {
    const c = await as(admin);
    const reply = await c.post('/admin/settings/approvals', {
      threshold: 'lots',
      generalManagerMode: 'any',
      version: '1',
    });
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('Enter an amount in yuan');

    // General managers are chosen among the admins and managers: a sales rep is not offered, nor taken.
    const offered = (await c.get('/admin/settings')).text;
    expect(offered).toContain(`name="generalManagerIds" value="${gm1.id}"`);
    expect(offered).not.toContain(`name="generalManagerIds" value="${rep.id}"`);
    const repChosen = await c.post('/admin/settings/approvals', {
      threshold: '50000',
      generalManagerIds: [String(gm1.id), String(rep.id)],
      generalManagerMode: 'any',
      version: '1',
    });
    expect(repChosen.status).toBe(422);
    expect(visibleText(repChosen.text)).toContain('Choose general managers among the admins and managers.');
    expect(
      (await t.db.query(`SELECT value FROM setting WHERE key = 'approvals'`)).rows[0].value,
    ).toMatchObject({
      generalManagerIds: [gm1.id, gm2.id],
    });

    // Unticking everyone leaves no general managers.
    const none = await c.post('/admin/settings/approvals', {
      threshold: '50000',
      generalManagerMode: 'any',
      version: '1',
    });
    expect(none.status).toBe(303);
    const { rows } = await t.db.query(`SELECT value FROM setting WHERE key = 'approvals'`);
    expect(rows[0].value).toEqual({
      threshold: '50000.00',
      generalManagerIds: [],
      generalManagerMode: 'any',
    });
  });
});

describe('a round through its steps', () => {
  let round: Awaited<ReturnType<typeof submit>>;

  beforeAll(async () => {
    round = await submit([any(manager), all(gm1, gm2)]);
  });

  it('asks the first step only, in-app and by mail, and shows it in their inbox alone', async () => {
    expect(await notes(manager, 'approval_waiting')).toEqual([
      { params: { title: round.title, by: 'Ray Rep' } },
    ]);
    expect(await mails(manager, round.title)).toHaveLength(1);
    expect(await notes(gm1, 'approval_waiting')).toEqual([]);

    const inbox = await waitingFor(manager);
    expect(inbox).toContain(round.title);
    expect(inbox).toContain('¥120,000.00');
    expect(inbox).toContain('Ray Rep');
    for (const other of [gm1, rep, stranger]) expect(await waitingFor(other)).not.toContain(round.title);
    // My day lists it for the manager too.
    expect(visibleText((await (await as(manager)).get('/')).text)).toContain(round.title);
    expect(visibleText((await (await as(gm1)).get('/')).text)).not.toContain(round.title);
  });

  it('refuses a second round while one is pending', async () => {
    await expect(
      t.app.get(DataSource).transaction((m) =>
        approvals.submit(m, {
          kind: 'gadget',
          subjectId: round.subjectId,
          title: 'again',
          url: '/x',
          amount: null,
          requestedBy: rep.id,
          steps: [any(manager)],
        }),
      ),
    ).rejects.toBeInstanceOf(ApprovalPending);
  });

  it('refuses a decision without the CSRF token, from whoever may not see the round, and from an approver not yet asked', async () => {
    const m = await as(manager);
    expect(
      (await m.post(`/approvals/${round.roundId}/decide`, { decision: 'approve' }, { csrf: false })).status,
    ).toBe(403);
    expect((await decide(await as(stranger), round.roundId, 'approve')).status).toBe(404);
    expect((await decide(await as(rep), round.roundId, 'approve')).status).toBe(403);
    expect((await decide(await as(gm1), round.roundId, 'approve')).status).toBe(403);
    expect(await stepStatuses(round.roundId)).toEqual(['pending', 'waiting']);
  });

  it('shows the record page the decision form for the current approver only', async () => {
    const views = t.app.get(ViewEngine);
    const render = async (viewer: UserRow | undefined) => {
      const user = viewer && {
        id: viewer.id,
        role: 'manager' as const,
        name: '',
        email: '',
        teamId: null,
        teamIds: [],
        region: null,
        locale: 'en' as const,
        timezone: 'UTC',
        unreadNotifications: 0,
      };
      const history = await approvals.history('gadget', round.subjectId, user);
      return views.render('partials/approval-history', {
        locale: 'en',
        timezone: 'UTC',
        csrfToken: 'tok',
        layout: false,
        history,
        returnTo: `/gadgets/${round.subjectId}`,
      });
    };
    const forManager = await render(manager);
    expect(forManager).toContain(`action="/approvals/${round.roundId}/decide"`);
    expect(decodeHtml(forManager)).toContain(`name="returnTo" value="/gadgets/${round.subjectId}"`);
    expect(visibleText(forManager)).toContain('Your decision is needed: Manager.');
    const forRep = await render(rep);
    expect(forRep).not.toContain('/decide');
    expect(visibleText(forRep)).toContain('Round 1 Pending');
    expect(visibleText(forRep)).toContain('Gus General: not decided yet');
  });

  it('moves to the general managers once the manager approves, asking them', async () => {
    const c = await as(manager);
    const stepId = (
      await t.db.query('SELECT id FROM approval_step WHERE round_id = $1 AND position = 1', [round.roundId])
    ).rows[0].id;
    const reply = await decide(c, round.roundId, 'approve', { comment: '价格合理', stepId: String(stepId) });
    expect(reply).toMatchObject({ status: 303, location: '/notifications' });
    expect(await flashAfter(c, reply)).toContain(
      'Your approval was recorded; the next approvers have been asked.',
    );
    expect(await stepStatuses(round.roundId)).toEqual(['approved', 'pending']);
    expect(await notes(gm1, 'approval_waiting')).toHaveLength(1);
    expect(await notes(gm2, 'approval_waiting')).toHaveLength(1);
    expect(visibleText((await c.get('/approvals')).text)).toContain('Decided by me');

    // A second click on the same form: refused, in the user's language, nothing changed. It goes back
    // to the page the form was on, at the form; a page without the form says why on top.
    const again = await decide(c, round.roundId, 'approve', { stepId: String(stepId) });
    expect(again.location).toBe('/notifications#approval');
    expect(await flashAfter(c, again)).toContain('You have already decided this.');
    const zh = await as(manager, 'zh-CN');
    expect(
      await flashAfter(zh, await decide(zh, round.roundId, 'reject', { stepId: String(stepId) })),
    ).toContain('您已审批过此事项。');
    expect(await stepStatuses(round.roundId)).toEqual(['approved', 'pending']);
    await t.db.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [manager.id]);
  });

  it('needs every general manager for 会签, then tells the subject once and the requester', async () => {
    // The first of the 会签 step is told the step now waits for the others: nobody else was asked.
    const g1 = await as(gm1);
    const first = await decide(g1, round.roundId, 'approve');
    expect(first.location).toBe('/notifications');
    const told = await flashAfter(g1, first);
    expect(told).toContain('Your approval was recorded; this step also waits for the other approvers.');
    expect(told).not.toContain('next approvers');
    expect(await roundStatus(round.roundId)).toBe('pending');
    expect(await decisionsOf(round.subjectId)).toEqual([]);
    expect(await waitingFor(gm1)).not.toContain(round.title);

    const g2 = await as(gm2);
    const last = await decide(g2, round.roundId, 'approve', { comment: '同意' });
    expect(await flashAfter(g2, last)).toContain('Approved: the approval is complete.');
    expect(await roundStatus(round.roundId)).toBe('approved');
    expect(await decisionsOf(round.subjectId)).toEqual([
      { outcome: 'approved', by_id: gm2.id, comment: '同意' },
    ]);
    expect(await notes(rep, 'approval_approved')).toEqual([
      { params: { title: round.title, by: 'Gwen General' } },
    ]);
    expect(await mails(rep, `Approved: ${round.title}`)).toHaveLength(1);

    const audit = await t.db.query(
      `SELECT action FROM audit_entry WHERE entity = 'approval' AND entity_id = $1 ORDER BY id`,
      [String(round.roundId)],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'approval_submit',
      'approval_approve',
      'approval_approve',
      'approval_approve',
    ]);
    const log = visibleText((await (await as(admin)).get('/audit')).text);
    expect(log).toContain('Submitted for approval');
    expect(log).toMatch(/Approved .*Step.*General managers/);
  });
});

describe('或签 and rejection', () => {
  it('decides a 或签 step on its first decision; the other approver is told it was decided', async () => {
    const round = await submit([any(gm1, gm2), any(manager)]);
    expect((await decide(await as(gm1), round.roundId, 'approve')).location).toBe('/notifications');
    expect(await stepStatuses(round.roundId)).toEqual(['approved', 'pending']);
    const c = await as(gm2);
    const late = await decide(c, round.roundId, 'approve');
    expect(late.location).toBe('/notifications#approval');
    expect(await flashAfter(c, late)).toContain('Another approver has already decided this step.');
    expect(await notes(manager, 'approval_waiting')).toContainEqual({
      params: { title: round.title, by: 'Ray Rep' },
    });
  });

  it('ends the round on a rejection: later steps skipped, the subject told once, the requester too', async () => {
    const round = await submit([all(gm1, gm2), any(manager)]);
    const g1 = await as(gm1);
    const reply = await decide(g1, round.roundId, 'reject', { comment: '折扣过高' });
    expect(await flashAfter(g1, reply)).toContain('Rejected: the requester has been told.');
    expect(await roundStatus(round.roundId)).toBe('rejected');
    expect(await stepStatuses(round.roundId)).toEqual(['rejected', 'skipped']);
    expect(await decisionsOf(round.subjectId)).toEqual([
      { outcome: 'rejected', by_id: gm1.id, comment: '折扣过高' },
    ]);
    expect(await notes(rep, 'approval_rejected')).toContainEqual({
      params: { title: round.title, by: 'Gus General', comment: '折扣过高' },
    });
    // The requester reads why on their notifications page, without opening the record.
    expect(visibleText((await (await as(rep)).get('/notifications')).text)).toContain(
      `${round.title} was rejected by Gus General. 折扣过高`,
    );
    const c = await as(gm2);
    const closed = await decide(c, round.roundId, 'approve');
    expect(closed.location).toBe('/notifications#approval');
    expect(await flashAfter(c, closed)).toContain('This approval has already been decided.');

    // Resubmitted, the record's next round is number 2, and its history keeps both, newest first.
    await t.app.get(DataSource).transaction((m) =>
      approvals.submit(m, {
        kind: 'gadget',
        subjectId: round.subjectId,
        title: round.title,
        url: `/gadgets/${round.subjectId}`,
        amount: '99.50',
        requestedBy: rep.id,
        steps: [any(manager)],
      }),
    );
    const history = await approvals.history('gadget', round.subjectId);
    expect(history.rounds.map((r) => [r.round, r.status])).toEqual([
      [2, 'pending'],
      [1, 'rejected'],
    ]);
    expect(history.rounds[1].steps[0].approvers).toContainEqual(
      expect.objectContaining({ name: 'Gus General', decision: 'reject', comment: '折扣过高' }),
    );
  });

  it('stores nothing of a decision when the subject refuses its outcome', async () => {
    const round = await submit([any(manager)]);
    refusing.add(round.subjectId);
    const reply = await decide(await as(manager), round.roundId, 'approve');
    expect(reply.status).toBe(500);
    expect(await roundStatus(round.roundId)).toBe('pending');
    const { rows } = await t.db.query(
      'SELECT a.decision FROM approval_approver a JOIN approval_step s ON s.id = a.step_id WHERE s.round_id = $1',
      [round.roundId],
    );
    expect(rows).toEqual([{ decision: null }]);
    expect(await decisionsOf(round.subjectId)).toEqual([]);
  });
});

describe('decisions at the same moment', () => {
  it('gives one decision when both approvers of a 或签 step click at once', async () => {
    const round = await submit([any(gm1, gm2)]);
    const [a, b] = [await as(gm1), await as(gm2)];
    const replies = await Promise.all([
      decide(a, round.roundId, 'approve'),
      decide(b, round.roundId, 'reject', { comment: '不同意' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([303, 303]);
    expect(replies.filter((r) => r.location === '/notifications')).toHaveLength(1);
    const { rows } = await t.db.query(
      'SELECT count(*)::int AS n FROM approval_approver a JOIN approval_step s ON s.id = a.step_id WHERE s.round_id = $1 AND a.decision IS NOT NULL',
      [round.roundId],
    );
    expect(rows[0].n).toBe(1);
    expect(await decisionsOf(round.subjectId)).toHaveLength(1);
  });

  it('gives one decision for two clicks of the same approver at once', async () => {
    const round = await submit([all(gm1, gm2), any(manager)]);
    const c = await as(gm1);
    const replies = await Promise.all([1, 2, 3].map(() => decide(c, round.roundId, 'approve')));
    expect(replies.filter((r) => r.location === '/notifications')).toHaveLength(1);
    expect(await stepStatuses(round.roundId)).toEqual(['pending', 'waiting']);
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity = 'approval' AND entity_id = $1 AND action = 'approval_approve'`,
      [String(round.roundId)],
    );
    expect(audit.rows[0].n).toBe(1);
  });
});

describe('a deactivated approver', () => {
  const deactivate = async (user: UserRow) => {
    const c = await as(admin);
    await c.get(`/admin/users/${user.id}/edit`);
    const reply = await c.post(`/admin/users/${user.id}/deactivate`, {});
    expect(reply.status).toBe(303);
  };

  it('is replaced by their team manager on a waiting step, who is asked and named as the substitute', async () => {
    const deputy = await createUser(t.db, { role: 'sales', teamId: team, name: 'Dee Deputy' });
    const round = await submit([any(deputy), all(deputy, gm1)]);
    await deactivate(deputy);
    const { rows } = await t.db.query(
      `SELECT s.position, a.user_id, a.replaced_from_id FROM approval_approver a JOIN approval_step s ON s.id = a.step_id
        WHERE s.round_id = $1 ORDER BY s.position, a.user_id`,
      [round.roundId],
    );
    // Ids in the order the users were made: the manager before the general manager.
    expect(rows).toEqual([
      { position: 1, user_id: manager.id, replaced_from_id: deputy.id },
      { position: 2, user_id: manager.id, replaced_from_id: deputy.id },
      { position: 2, user_id: gm1.id, replaced_from_id: null },
    ]);
    expect(await notes(manager, 'approval_substitute')).toContainEqual({
      params: { title: round.title, by: 'Ray Rep', for: 'Dee Deputy' },
    });
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity = 'approval' AND entity_id = $1 AND action = 'approval_substitute'`,
      [String(round.roundId)],
    );
    expect(audit.rows[0].n).toBe(2);
    const history = await approvals.history('gadget', round.subjectId);
    expect(history.rounds[0].steps[0].approvers).toEqual([
      expect.objectContaining({ name: 'Mia Manager', replacedFrom: 'Dee Deputy' }),
    ]);
    // The substitute decides.
    expect((await decide(await as(manager), round.roundId, 'approve')).location).toBe('/notifications');
  });

  it('never sits twice: a 会签 step whose substitute has already approved completes', async () => {
    const deputy = await createUser(t.db, { role: 'sales', teamId: team, name: 'Dan Deputy' });
    const round = await submit([all(manager, deputy)]);
    await decide(await as(manager), round.roundId, 'approve');
    expect(await roundStatus(round.roundId)).toBe('pending');
    await deactivate(deputy);
    const { rows } = await t.db.query(
      'SELECT a.user_id FROM approval_approver a JOIN approval_step s ON s.id = a.step_id WHERE s.round_id = $1',
      [round.roundId],
    );
    expect(rows).toEqual([{ user_id: manager.id }]);
    expect(await roundStatus(round.roundId)).toBe('approved');
    expect(await decisionsOf(round.subjectId)).toHaveLength(1);
  });

  it('without a manager goes to an admin; at submit time an inactive approver is replaced likewise', async () => {
    const gm3 = await createUser(t.db, { role: 'manager', name: 'Gil Gone' });
    const round = await submit([any(gm3)]);
    await deactivate(gm3);
    expect(await waitingFor(admin)).toContain(round.title);

    const later = await submit([any(gm3, gm1)]);
    const { rows } = await t.db.query(
      'SELECT a.user_id, a.replaced_from_id FROM approval_approver a JOIN approval_step s ON s.id = a.step_id WHERE s.round_id = $1 ORDER BY a.id',
      [later.roundId],
    );
    expect(rows).toEqual([
      { user_id: admin.id, replaced_from_id: gm3.id },
      { user_id: gm1.id, replaced_from_id: null },
    ]);
  });
});

describe('the reminder', () => {
  it('reminds an approver whose step waited 24 working hours, once', async () => {
    const slow = await createUser(t.db, { role: 'manager', name: 'Sol Slow' });
    const fresh = await createUser(t.db, { role: 'manager', name: 'Fay Fresh' });
    const old = await submit([any(slow)]);
    await submit([any(fresh)]);
    // Two weeks ago: more than 24 working hours whatever today is, a 春节 or 国庆 week included.
    await t.db.query(
      `UPDATE approval_approver SET asked_at = now() - interval '14 days'
        WHERE step_id IN (SELECT id FROM approval_step WHERE round_id = $1)`,
      [old.roundId],
    );
    // The scheduled job, run now; then once more by hand: nobody is reminded twice.
    await t.app.get(JobsService).send(REMIND_JOB);
    await eventually(async () => expect(await notes(slow, 'approval_reminder')).toHaveLength(1));
    expect(await approvals.sendReminders()).toBe(0);
    expect(await notes(slow, 'approval_reminder')).toEqual([{ params: { title: old.title, by: 'Ray Rep' } }]);
    expect(await mails(slow, `Reminder: approval needed: ${old.title}`)).toHaveLength(1);
    expect(await notes(fresh, 'approval_reminder')).toEqual([]);
  });

  it('counts the working hours on the business calendar: the National Day week does not count', async () => {
    const approver = await createUser(t.db, { role: 'manager', name: 'Hal Holiday' });
    const round = await submit([any(approver)]);
    await t.db.query(
      `UPDATE approval_approver SET asked_at = '2026-09-30T09:00:00+08:00'
        WHERE step_id IN (SELECT id FROM approval_step WHERE round_id = $1)`,
      [round.roundId],
    );
    // A working day is 7.5 hours (09:00–12:00, 13:30–18:00). Eight days on, 7.5 have passed: Wednesday
    // Sep 30; Oct 1–7 are the holiday.
    expect(await approvals.sendReminders(new Date('2026-10-08T09:00:00+08:00'))).toBe(0);
    // Sep 30, Thursday Oct 8 and Friday Oct 9 make 22.5; Saturday Oct 10 is the holiday's make-up
    // workday (调休), whose first 1.5 hours, until 10:30, make 24.
    expect(await approvals.sendReminders(new Date('2026-10-09T18:00:00+08:00'))).toBe(0);
    expect(await approvals.sendReminders(new Date('2026-10-10T10:29:00+08:00'))).toBe(0);
    expect(await notes(approver, 'approval_reminder')).toEqual([]);
    expect(await approvals.sendReminders(new Date('2026-10-10T10:30:00+08:00'))).toBe(1);
    expect(await notes(approver, 'approval_reminder')).toHaveLength(1);
  });
});

describe('the menu', () => {
  it('links the inbox for managers, admins and general managers, not for other reps', async () => {
    for (const [user, shown] of [
      [manager, true],
      [admin, true],
      [rep, false],
    ] as const) {
      const page = await (await as(user)).get('/');
      expect(page.text.includes('href="/approvals"'), user.email).toBe(shown);
    }
  });
});
