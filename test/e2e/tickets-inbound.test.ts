import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundSmtpServer } from '../../src/tickets/inbound/inbound-smtp.server.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Mail into the real app: the inbound listener hands each mail to the ticket service, sent here with
 * a real SMTP client. A new mail opens an e-mail ticket in the routed team's queue, assigned to its
 * agent; a reply carrying [T-000123] from the requester joins that ticket's conversation.
 */
let t: TestApp;
let smtp: Transporter;
let agent: UserRow;

beforeAll(async () => {
  t = await startApp({
    inboundSmtp: { port: 0, host: '127.0.0.1', addresses: ['support@demo.kehu'], maxBytes: 1024 * 1024 },
  });
  const team = await createTeam(t.db);
  agent = await createUser(t.db, { role: 'service', teamId: team });
  await t.db.query(`INSERT INTO ticket_routing (type, team_id) VALUES ('consultation', $1)`, [team]);
  const port = t.app.get(InboundSmtpServer).address()!.port;
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  smtp?.close();
  await t.close();
});

describe('inbound mail into tickets', () => {
  it('opens an e-mail ticket for a new mail and joins a tagged reply to it', async () => {
    await smtp.sendMail({
      from: '"王芳" <wangfang@huaxin-tech.cn>',
      to: 'support@demo.kehu',
      subject: '门禁系统无法刷卡',
      text: '你好，门禁系统从今天早上开始无法刷卡，请尽快处理。',
      messageId: '<first@huaxin-tech.cn>',
    });
    const ticket = await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT id, number, channel, assignee_id, requester_name, locale FROM ticket WHERE requester_email = 'wangfang@huaxin-tech.cn'`,
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    expect(ticket).toMatchObject({
      channel: 'email',
      assignee_id: agent.id,
      requester_name: '王芳',
      locale: 'zh-CN',
    });
    await smtp.sendMail({
      from: 'wangfang@huaxin-tech.cn',
      to: 'support@demo.kehu',
      subject: `回复：[${ticket.number}] 门禁系统无法刷卡`,
      text: '补充：东门也不行。\n\n> 你好，门禁系统从今天早上开始无法刷卡',
      messageId: '<second@huaxin-tech.cn>',
      inReplyTo: '<first@huaxin-tech.cn>',
    });
    const messages = await eventually(async () => {
      const { rows } = await t.db.query(
        'SELECT body, from_customer FROM ticket_message WHERE ticket_id = $1 ORDER BY id',
        [ticket.id],
      );
      expect(rows).toHaveLength(2);
      return rows;
    });
    expect(messages[1]).toEqual({ body: '补充：东门也不行。', from_customer: true });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM ticket WHERE requester_email = 'wangfang@huaxin-tech.cn'`,
    );
    expect(rows[0].n).toBe(1);
  });
});
