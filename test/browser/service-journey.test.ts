/// <reference lib="dom" />
import { createServer } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { browserMissing, DESKTOP, launchBrowser, PHONE, SCREENSHOTS } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createTeam, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * The service desk end to end in Chromium, once in Chinese on a 390 px phone and once in English on a
 * desktop: a customer sends the portal form and an e-mail (a real SMTP client talking to Kehu's
 * listener); both land in the technical team's queue, assigned to its least-loaded agent (the other
 * agent is busier and a third is away); the agent replies from the ticket page (the customer's mail
 * arrives at a test SMTP server) and resolves; the customer rates it 2 stars through the survey link
 * in their mail; the manager is warned of the e-mail ticket's breached first response and sees the
 * survey on the customer's page. The queue, ticket, portal and survey pages are screenshotted.
 */
let t: TestApp;
let browser: Browser;
let smtp: SmtpPeer;
let inboundPort: number;
let teamId: number;
let busy: UserRow;
let free: UserRow;
let manager: UserRow;
let admin: UserRow;

type Locale = 'zh-CN' | 'en';
const SUPPORT = 'support@kehu.test';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  if (browserMissing) return;
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  inboundPort = await freePort();
  t = await startApp({
    smtpUrl: smtp.url,
    inboundSmtp: { port: inboundPort, host: '127.0.0.1', addresses: [SUPPORT], maxBytes: 10 * 1024 * 1024 },
  });
  teamId = await createTeam(t.db, '技术支持');
  const otherTeam = await createTeam(t.db, '客服一组');
  manager = await createUser(t.db, { role: 'manager', teamId, name: '周经理', locale: 'zh-CN' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, teamId]);
  busy = await createUser(t.db, { role: 'service', teamId, name: '忙碌的王工' });
  free = await createUser(t.db, { role: 'service', teamId, name: '刘工 Liu' });
  const away = await createUser(t.db, { role: 'service', teamId, name: '休假的孙工' });
  await t.db.query('UPDATE app_user SET away_since = now() WHERE id = $1', [away.id]);
  await createUser(t.db, { role: 'service', teamId: otherTeam, name: '客服小张' });
  admin = await createUser(t.db, { role: 'admin', name: '管理员' });
  await t.db.query(
    `INSERT INTO canned_reply (team_id, title, body, version) VALUES ($1, '重启打印服务', '{contact}您好，请重启打印服务后再试。', 1)`,
    [teamId],
  );
  await t.db.query(
    `INSERT INTO ticket_routing (type, team_id) VALUES ('technical', $1), ('consultation', $1), ('billing', $2)`,
    [teamId, otherTeam],
  );
  // The busy agent already holds ten open tickets: new ones go to the other, whatever runs first.
  const earlier = await createCustomer(t.db, { name: '早先的客户' });
  for (let i = 0; i < 10; i++) await createTicket(t.db, { customerId: earlier, teamId, assigneeId: busy.id });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await smtp?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `service-${name}.png`), fullPage: true });

/** Opens a page in a browser of its own (the customer's or a colleague's) at a width and language. */
async function open(viewport: typeof DESKTOP, locale: Locale): Promise<Page> {
  const context = await browser.newContext({ viewport, locale, hasTouch: viewport === PHONE });
  return context.newPage();
}

async function signIn(email: string, viewport: typeof DESKTOP, locale: Locale): Promise<Page> {
  await t.db.query('UPDATE app_user SET locale = $2 WHERE email = $1', [email, locale]);
  const page = await open(viewport, locale);
  await page.goto(`${t.url}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL(`${t.url}/`), page.click('button[type=submit].primary')]);
  expect(await page.locator('html').getAttribute('lang')).toBe(locale);
  return page;
}

/** Clicks a button that posts its form and waits for the page it leads to. */
async function post(page: Page, button: ReturnType<Page['locator']>, url: RegExp | string) {
  await Promise.all([page.waitForURL(url), button.click()]);
  await page.waitForLoadState();
}

/** The text of the mails the test SMTP server received for `to` whose subject holds `subject`. */
async function mailsTo(to: string, subject: string): Promise<{ subject: string; text: string }[]> {
  const found = [];
  for (const m of smtp.received.filter((r) => r.to.includes(to))) {
    const parsed = await simpleParser(m.raw);
    if (parsed.subject?.includes(subject)) found.push({ subject: parsed.subject, text: parsed.text ?? '' });
  }
  return found;
}

const ticketBySubject = (subject: string) =>
  eventually(async () => {
    const { rows } = await t.db.query<{
      id: number;
      number: string;
      team_id: number;
      assignee_id: number;
      customer_id: number;
      channel: string;
      type: string;
    }>('SELECT id, number, team_id, assignee_id, customer_id, channel, type FROM ticket WHERE subject = $1', [
      subject,
    ]);
    expect(rows).toHaveLength(1);
    return rows[0];
  }, 20_000);

const TEXTS = {
  'zh-CN': {
    submit: '提交',
    send: '发送',
    resolve: '解决',
    surveySubmit: '提交',
    thanks: '感谢您的反馈',
    mine: '我的',
    survey: '满意度 2/5',
  },
  en: {
    submit: 'Send request',
    send: 'Send',
    resolve: 'Resolve',
    surveySubmit: 'Send',
    thanks: 'Thank you for your answer',
    mine: 'Mine',
    survey: 'Satisfaction 2/5',
  },
} as const;

describe.skipIf(browserMissing)('the service journey', () => {
  for (const [locale, viewport, width] of [
    ['zh-CN', PHONE, 'phone'],
    ['en', DESKTOP, 'desktop'],
  ] as const) {
    it(`goes from a portal request and an e-mail to a rated answer (${locale}, ${width})`, async () => {
      const text = TEXTS[locale];
      const run = `${locale}-${Date.now().toString(36)}`;
      const customerEmail = `li.na.${run}@yunfan.example`.toLowerCase();
      const portalSubject = `打印机无法连接 ${run}`;
      const mailSubject = `发票抬头有误 ${run}`;

      // ---- The customer's portal request, on their own device.
      const customer = await open(viewport, locale);
      await customer.goto(`${t.url}/portal/tickets/new`);
      expect(await customer.locator('html').getAttribute('lang')).toBe(locale);
      await customer.fill('#f-name', '李娜');
      await customer.fill('#f-company', '杭州云帆贸易有限公司');
      await customer.fill('#f-email', customerEmail);
      await customer.selectOption('#f-type', 'technical');
      await customer.fill('#f-subject', portalSubject);
      await customer.fill('#f-description', '办公室的打印机从昨天开始无法连接到系统。');
      await shot(customer, `portal-new-${locale}`);
      await post(customer, customer.locator('button[type=submit].primary'), `${t.url}/portal/tickets/sent`);
      const portalTicket = await ticketBySubject(portalSubject);
      expect(await customer.locator('[data-testid=ticket-number]').textContent()).toBe(portalTicket.number);
      const trackingPath = await customer.locator('[data-testid=tracking-link]').getAttribute('href');
      expect(trackingPath).toMatch(/^\/portal\/tickets\/[A-Za-z0-9_-]{16,}$/);
      await shot(customer, `portal-sent-${locale}`);

      // ---- The same customer writes an e-mail to the support address.
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: inboundPort,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: `李娜 <${customerEmail}>`,
        to: SUPPORT,
        subject: mailSubject,
        text: '您好，上个月的发票抬头写错了，应为杭州云帆贸易有限公司。',
      });
      const mailTicket = await ticketBySubject(mailSubject);
      expect(mailTicket.channel).toBe('email');

      // Both in the technical team's queue, with its least-loaded agent who is not away.
      for (const ticket of [portalTicket, mailTicket]) {
        expect(ticket.team_id).toBe(teamId);
        expect(ticket.assignee_id).toBe(free.id);
      }
      expect(mailTicket.customer_id).toBe(portalTicket.customer_id);

      // ---- The agent's queue.
      const agent = await signIn(free.email, viewport, locale);
      await agent.goto(`${t.url}/tickets?queue=mine`);
      const mine = agent.locator('.queue-tabs a[aria-current=page]');
      expect(await mine.textContent()).toContain(text.mine);
      for (const ticket of [portalTicket, mailTicket])
        expect(await agent.locator(`tr[data-ticket="${ticket.number}"]`).count()).toBe(1);
      await shot(agent, `queue-${locale}`);
      // Filtered by the form, the other filters left at "all" (sent as empty parameters).
      await agent.selectOption('.ticket-filters select[name=type]', portalTicket.type);
      await Promise.all([agent.waitForURL(/type=/), agent.click('.ticket-filters button[type=submit]')]);
      expect(agent.url()).toContain('priority=&');
      expect(await agent.locator(`tr[data-ticket="${portalTicket.number}"]`).count()).toBe(1);
      await agent.goto(`${t.url}/tickets/new`);
      expect(await agent.locator('#f-receivedAt').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      await shot(agent, `new-ticket-${locale}`);

      // ---- The agent answers the portal request and resolves it.
      await agent.goto(`${t.url}/tickets/${portalTicket.id}`);
      const reply = `请在打印机上重新选择网络，然后重启打印服务。(${run})`;
      // The canned reply goes into the text as it is chosen (public/js/canned-reply.js, allowed by the CSP).
      expect(await agent.locator('[data-canned-insert]').isVisible()).toBe(false);
      await agent.selectOption('#f-cannedReplyId', { label: '重启打印服务' });
      expect(await agent.inputValue('#f-body')).toBe('李娜您好，请重启打印服务后再试。');
      await agent.fill('#f-body', reply);
      await post(
        agent,
        agent.locator('form.reply-form button[type=submit].primary'),
        `${t.url}/tickets/${portalTicket.id}`,
      );
      expect(await agent.locator('.message-agent .message-body').last().textContent()).toContain(reply);
      const answered = await eventually(async () => {
        const mails = await mailsTo(customerEmail, portalTicket.number);
        const found = mails.find((m) => m.text.includes(reply));
        expect(found).toBeDefined();
        return found!;
      }, 30_000);
      expect(answered.subject).toContain(`[${portalTicket.number}]`);
      await shot(agent, `ticket-${locale}`);
      // The customer follows the tracking link the page after the form gave: the reply is there.
      await customer.goto(`${t.url}${trackingPath}`);
      expect(await customer.locator('.message-agent .message-body').textContent()).toContain(reply);
      await shot(customer, `portal-ticket-${locale}`);
      await post(
        agent,
        agent.locator('.ticket-actions button', { hasText: text.resolve }),
        `${t.url}/tickets/${portalTicket.id}`,
      );
      expect(await agent.locator('[data-testid=status]').getAttribute('class')).toContain('ticket-resolved');

      // ---- The survey link from the customer's mail: two stars.
      const surveyUrl = await eventually(async () => {
        for (const m of smtp.received.filter((r) => r.to.includes(customerEmail))) {
          const parsed = await simpleParser(m.raw);
          const link = /https?:\/\/[^\s"<>]+\/survey\/[A-Za-z0-9_-]+/.exec(parsed.text ?? '');
          if (link) return link[0];
        }
        throw new Error('no survey mail yet');
      }, 30_000);
      await customer.goto(`${t.url}${new URL(surveyUrl).pathname}`);
      await customer.locator('label.star').nth(1).click();
      await customer.locator('label.scale').nth(2).click();
      await customer.fill('#f-comment', '等了两天才有人回复');
      await shot(customer, `survey-${locale}`);
      await post(customer, customer.locator('button[type=submit].primary'), /\/survey\/[^/]+\/thanks$/);
      expect(await customer.locator('[data-testid=survey-state]').textContent()).toContain(text.thanks);
      const survey = await t.db.query<{ csat: number; ces: number }>(
        'SELECT csat, ces FROM survey_response WHERE ticket_id = $1',
        [portalTicket.id],
      );
      expect(survey.rows).toEqual([{ csat: 2, ces: 3 }]);

      // ---- The e-mail ticket's first response falls past due: the manager is warned.
      await t.db.query(
        `UPDATE ticket SET received_at = now() - interval '3 days', first_response_due_at = now() - interval '1 hour',
           due_at = now() - interval '1 hour' WHERE id = $1`,
        [mailTicket.id],
      );
      await t.app.get(TicketsService).watchSla();
      const boss = await signIn(manager.email, viewport, locale);
      await boss.goto(`${t.url}/notifications`);
      expect(await boss.locator('main').textContent()).toContain(mailTicket.number);
      await boss.goto(`${t.url}/tickets/${mailTicket.id}`);
      expect(await boss.locator('[data-testid=breach-first]').count()).toBe(1);
      await shot(boss, `ticket-breached-${locale}`);
      await boss.goto(`${t.url}/customers/${portalTicket.customer_id}`);
      expect(await boss.locator('main').textContent()).toContain(portalTicket.number);
      expect(await boss.locator('main').textContent()).toMatch(/2\s*\/\s*5|★★/);
      await shot(boss, `customer-${locale}`);
      const settings = await signIn(admin.email, viewport, locale);
      await settings.goto(`${t.url}/admin/tickets`);
      expect(await settings.locator('#f-route-technical').inputValue()).toBe(String(teamId));
      await shot(settings, `admin-${locale}`);
      await settings.context().close();
      await Promise.all([customer.context().close(), agent.context().close(), boss.context().close()]);
    }, 180_000);
  }
});
