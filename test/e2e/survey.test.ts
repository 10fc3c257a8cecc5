import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createCustomer } from '../helpers/factories.js';
import { createSurvey, createTicket } from '../helpers/tickets.js';

/**
 * The survey after a resolved ticket (/survey/:token), as the customer answers it with no login:
 * 1–5 stars and the 1–7 effort scale as radio buttons, a comment, a thank-you page; the link works
 * once, says so plainly when used or expired, and an unknown token is not found.
 */
let t: TestApp;
let customerId: number;

beforeAll(async () => {
  t = await startApp();
  customerId = await createCustomer(t.db, { name: '杭州云帆贸易有限公司' });
}, 60_000);
afterAll(() => t.close());

const client = (lang: 'en' | 'zh-CN' = 'en') => new Client(t.url, { 'accept-language': lang });

async function resolvedTicketSurvey(fields: { expiresAt?: Date; answered?: boolean } = {}) {
  const ticket = await createTicket(t.db, { customerId, status: 'resolved', dueAt: null });
  return { ticket, token: await createSurvey(t.db, { id: ticket.id, customerId }, fields) };
}

const stored = async (token: string) =>
  (
    await t.db.query<{ csat: number | null; ces: number | null; comment: string | null; answered: boolean }>(
      'SELECT csat, ces, comment, answered_at IS NOT NULL AS answered FROM survey_response WHERE token = $1',
      [token],
    )
  ).rows[0];

describe('the survey page', () => {
  it('asks with five stars and a seven-point effort scale, no script needed', async () => {
    const { ticket, token } = await resolvedTicketSurvey();
    const page = await client('zh-CN').get(`/survey/${token}`);
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('请评价我们的服务');
    expect(visibleText(page.text)).toContain(ticket.number);
    expect(page.text.match(/type="radio" name="csat"/g)).toHaveLength(5);
    expect(page.text.match(/type="radio" name="ces"/g)).toHaveLength(7);
    expect(page.text).toContain('id="locale-select"');
  });

  it('keeps the answer, thanks the customer, and then says it was answered', async () => {
    const { token } = await resolvedTicketSurvey();
    const c = client('en');
    const sent = await c.submit(`/survey/${token}`, { csat: '2', ces: '3', comment: '等了两天才有人回复' });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/survey/${token}/thanks`);
    // Thanked in the invitation's language (the ticket's, Chinese here).
    expect(visibleText((await c.get(sent.location!)).text)).toContain('感谢您的反馈');
    expect(await stored(token)).toEqual({ csat: 2, ces: 3, comment: '等了两天才有人回复', answered: true });

    // The page speaks the invitation's language (the ticket's, Chinese here), whatever the browser asks.
    const again = await c.get(`/survey/${token}`);
    expect(visibleText(again.text)).toContain('此调查已经回答过了，谢谢。');
    expect(again.text).not.toContain('name="csat"');
  });

  it('cannot be answered twice: a second send changes nothing', async () => {
    const { token } = await resolvedTicketSurvey();
    const first = client('en');
    const second = client('en');
    await first.get(`/survey/${token}`);
    await second.get(`/survey/${token}`);
    expect((await first.post(`/survey/${token}`, { csat: '5', ces: '7', comment: '' })).status).toBe(303);
    const late = await second.post(`/survey/${token}`, { csat: '1', ces: '1', comment: 'changed my mind' });
    expect(late.status).not.toBe(303);
    expect(visibleText(late.text)).toContain('already been answered');
    expect(await stored(token)).toEqual({ csat: 5, ces: 7, comment: null, answered: true });
  });

  it('needs the stars, keeping the comment typed', async () => {
    const { token } = await resolvedTicketSurvey();
    const c = client('en');
    const refused = await c.submit(`/survey/${token}`, { ces: '4', comment: 'Fine' });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('Choose from 1 to 5 stars.');
    expect(refused.text).toContain('>Fine</textarea>');
    expect(refused.text).toMatch(/value="4" checked/);
    expect((await stored(token)).answered).toBe(false);
  });

  it('refuses stars out of range and a form without its CSRF token', async () => {
    const { token } = await resolvedTicketSurvey();
    const c = client('en');
    expect((await c.submit(`/survey/${token}`, { csat: '6' })).status).toBe(422);
    expect((await c.post(`/survey/${token}`, { csat: '3' }, { csrf: false })).status).toBe(403);
    expect((await stored(token)).answered).toBe(false);
  });

  it('says plainly when the link has expired', async () => {
    const { token } = await resolvedTicketSurvey({ expiresAt: new Date(Date.now() - 60_000) });
    const page = await client('zh-CN').get(`/survey/${token}`);
    expect(visibleText(page.text)).toContain('此调查链接已过期。');
    expect(page.text).not.toContain('name="csat"');
    const c = client('en');
    await c.get(`/survey/${token}`);
    await c.post(`/survey/${token}`, { csat: '4' });
    expect((await stored(token)).answered).toBe(false);
  });

  /** A survey a rule sent to a contact: after a completed contract, or the quarterly NPS question. */
  async function contactSurvey(kind: 'contract' | 'nps', locale: 'en' | 'zh-CN' = 'en') {
    const token = `${kind}-${Date.now()}-${Math.random().toString(36).slice(2)}`.replace(/\./g, '');
    await t.db.query(
      `INSERT INTO survey_response (kind, customer_id, sent_to, token, sent_at, expires_at, locale, subject)
       VALUES ($1, $2, 'li.na@yunfan.cn', $3, now(), now() + interval '14 days', $4, $5)`,
      [kind, customerId, token, locale, kind === 'contract' ? 'HT-2026-0042' : null],
    );
    return token;
  }

  it('after a contract asks the stars about that contract and a comment, no effort scale', async () => {
    const token = await contactSurvey('contract');
    const c = client('en');
    const page = await c.get(`/survey/${token}`);
    expect(visibleText(page.text)).toContain(
      'How satisfied are you with the contract HT-2026-0042 we delivered?',
    );
    expect(page.text.match(/type="radio" name="csat"/g)).toHaveLength(5);
    expect(page.text).not.toContain('name="ces"');
    const refused = await c.post(`/survey/${token}`, { comment: 'Fine' });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('Choose from 1 to 5 stars.');
    expect((await c.post(`/survey/${token}`, { csat: '4', comment: 'On time' })).status).toBe(303);
    expect(await stored(token)).toEqual({ csat: 4, ces: null, comment: 'On time', answered: true });
  });

  it('the NPS survey asks 0 to 10 and a comment, in the invitation’s language', async () => {
    const token = await contactSurvey('nps', 'zh-CN');
    const c = client('en');
    const page = await c.get(`/survey/${token}`);
    expect(visibleText(page.text)).toContain('您有多大可能向朋友或同事推荐我们？');
    expect(page.text.match(/type="radio" name="nps"/g)).toHaveLength(11);
    expect(page.text).not.toContain('name="csat"');
    const refused = await c.post(`/survey/${token}`, { nps: '11' });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('Choose a value from 0 to 10.');
    expect((await c.post(`/survey/${token}`, { nps: '0', comment: '太贵' })).status).toBe(303);
    const { rows } = await t.db.query('SELECT nps, csat, comment FROM survey_response WHERE token = $1', [
      token,
    ]);
    expect(rows).toEqual([{ nps: 0, csat: null, comment: '太贵' }]);
  });

  it('answers 404 for a token nobody was given', async () => {
    expect((await client().get('/survey/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });
});
