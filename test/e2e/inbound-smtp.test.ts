import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Global, Injectable, type INestApplicationContext, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CONFIG, loadConfig } from '../../src/config/config.js';
import type { InboundMail } from '../../src/tickets/inbound/inbound-mail.js';
import {
  INBOUND_MAIL_HANDLER,
  InboundSmtpServer,
  type InboundMailHandler,
} from '../../src/tickets/inbound/inbound-smtp.server.js';
import { InboundModule } from '../../src/tickets/inbound/inbound.module.js';

/**
 * The inbound mail listener as the tickets module runs it: started with the app on a free port,
 * mails sent to it with a real SMTP client, what the handler receives recorded.
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/mail', name));
const MAX_BYTES = 64 * 1024;

/** Takes mails as the ticket service would; a subject with 系统故障 makes it fail. */
@Injectable()
class RecordingHandler implements InboundMailHandler {
  readonly received: InboundMail[] = [];
  receive(mail: InboundMail): Promise<void> {
    if (mail.subject.includes('系统故障')) return Promise.reject(new Error('the ticket store is down'));
    this.received.push(mail);
    return Promise.resolve();
  }
}

class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (m: unknown) => void this.lines.push(String(m));
  warn = (m: unknown) => void this.lines.push(String(m));
  error = (m: unknown) => void this.lines.push(String(m));
  debug = () => undefined;
  verbose = () => undefined;
}

const config = loadConfig({
  NODE_ENV: 'test',
  SESSION_SECRET: 'test-secret-test-secret-test-secret',
  INBOUND_SMTP_PORT: '0',
  INBOUND_SMTP_HOST: '127.0.0.1',
  INBOUND_SMTP_ADDRESSES: 'support@demo.kehu,service@demo.kehu',
  INBOUND_SMTP_MAX_BYTES: String(MAX_BYTES),
});

@Global()
@Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
class ConfigModule {}

/** Stands in for the tickets module: imports InboundModule and provides the handler. */
@Module({
  imports: [ConfigModule, InboundModule],
  providers: [RecordingHandler, { provide: INBOUND_MAIL_HANDLER, useExisting: RecordingHandler }],
})
class TicketsStandIn {}

let app: INestApplicationContext;
let handler: RecordingHandler;
let logger: RecordingLogger;
let smtp: Transporter;

beforeAll(async () => {
  logger = new RecordingLogger();
  app = await NestFactory.createApplicationContext(TicketsStandIn, { logger });
  await app.init();
  handler = app.get(RecordingHandler);
  const port = app.get(InboundSmtpServer).address()!.port;
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  smtp?.close();
  await app?.close();
});

/** Sends a normal mail and returns what the handler made of it. */
async function sendChinese(subject: string) {
  await smtp.sendMail({
    from: '"王芳" <wangfang@huaxin-tech.cn>',
    to: 'support@demo.kehu',
    subject,
    text: '你好，门禁系统从今天早上开始无法刷卡，请尽快处理。',
  });
  return handler.received.at(-1)!;
}

describe('inbound SMTP listener', () => {
  it('hands on a Chinese mail sent by a real SMTP client, parsed', async () => {
    const mail = await sendChinese('门禁系统无法刷卡');
    expect(mail).toMatchObject({
      from: { address: 'wangfang@huaxin-tech.cn', name: '王芳' },
      to: [{ address: 'support@demo.kehu', name: '' }],
      subject: '门禁系统无法刷卡',
      body: '你好，门禁系统从今天早上开始无法刷卡，请尽快处理。',
      ticketNumber: null,
      autoReply: false,
    });
    expect(mail.messageId).toMatch(/^<.+@.+>$/);
    expect(Date.now() - mail.receivedAt.getTime()).toBeLessThan(10_000);
  });

  it('hands on a GBK reply from Foxmail with its ticket number and attachment', async () => {
    await smtp.sendMail({
      envelope: { from: 'zhangwei@huaxin-tech.cn', to: ['support@demo.kehu'] },
      raw: fixture('foxmail-reply-gbk.eml'),
    });
    const mail = handler.received.at(-1)!;
    expect(mail).toMatchObject({ subject: 'Re: 回复: [T-000123] 打印机无法连接', ticketNumber: 123 });
    expect(mail.body).toMatch(/^你好，\n\n按照你们说的重启了打印机/);
    expect(mail.attachments.map((a) => [a.filename, a.size])).toEqual([['故障照片.jpg', 125]]);
  });

  it('drops auto-replies and bounces before the handler', async () => {
    const before = handler.received.length;
    await smtp.sendMail({
      envelope: { from: 'zhangwei@huaxin-tech.cn', to: ['support@demo.kehu'] },
      raw: fixture('out-of-office-zh.eml'),
    });
    await smtp.sendMail({
      envelope: { from: 'MAILER-DAEMON@mx.huaxin-tech.cn', to: ['support@demo.kehu'] },
      raw: fixture('bounce.eml'),
    });
    expect(handler.received.length).toBe(before);
    expect(logger.lines).toContain(
      'Inbound mail from <zhangwei@huaxin-tech.cn> [127.0.0.1] (<autoreply.1764470161.9b2d@exmail.qq.com>) is an automatic reply: dropped',
    );
    const next = await sendChinese('门禁仍然无法刷卡');
    expect(next.subject).toBe('门禁仍然无法刷卡');
    expect(handler.received.length).toBe(before + 1);
  });

  it('refuses an oversized mail with 552, hands nothing on, and takes the next mail', async () => {
    const before = handler.received.length;
    const sent = smtp.sendMail({
      from: 'wangfang@huaxin-tech.cn',
      to: 'support@demo.kehu',
      subject: '监控录像',
      text: '录像见附件',
      attachments: [{ filename: '录像.bin', content: Buffer.alloc(MAX_BYTES * 2, 7) }],
    });
    await expect(sent).rejects.toMatchObject({ responseCode: 552 });
    expect(handler.received.length).toBe(before);
    expect((await sendChinese('超大邮件之后的来信')).subject).toBe('超大邮件之后的来信');
  });

  it('refuses an unknown recipient at RCPT with 550', async () => {
    const before = handler.received.length;
    const sent = smtp.sendMail({
      from: 'wangfang@huaxin-tech.cn',
      to: 'ceo@demo.kehu',
      subject: '你好',
      text: '你好',
    });
    await expect(sent).rejects.toThrow(/550 5\.1\.1 <ceo@demo\.kehu>: no such mailbox here/);
    expect(handler.received.length).toBe(before);
    await smtp.sendMail({
      from: 'wangfang@huaxin-tech.cn',
      to: 'Service@Demo.kehu',
      subject: '大小写',
      text: '好',
    });
    expect(handler.received.at(-1)!.subject).toBe('大小写');
  });

  it('keeps listening after a malformed mail and after a mail the handler fails on', async () => {
    await smtp.sendMail({
      envelope: { from: 'zhaomin@jinyuan-food.cn', to: ['support@demo.kehu'] },
      raw: fixture('malformed-boundary.eml'),
    });
    expect(handler.received.at(-1)!.body).toBe('冷库 3 号机温度报警，已经升到 -5℃，请马上派人来。');
    await smtp.sendMail({
      envelope: { from: 'x@example.cn', to: ['support@demo.kehu'] },
      raw: Buffer.concat([
        Buffer.from('Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n'),
        Buffer.alloc(512, 0xff),
      ]),
    });

    const failing = smtp.sendMail({
      from: 'wangfang@huaxin-tech.cn',
      to: 'support@demo.kehu',
      subject: '系统故障',
      text: '这段正文不应出现在日志里',
      messageId: '<failing-1@huaxin-tech.cn>',
    });
    await expect(failing).rejects.toMatchObject({ responseCode: 451 });
    const logged = logger.lines.find((l) => l.includes('<failing-1@huaxin-tech.cn>'));
    expect(logged).toBe(
      'Inbound mail from <wangfang@huaxin-tech.cn> [127.0.0.1] (<failing-1@huaxin-tech.cn>) failed: the ticket store is down',
    );
    expect(logger.lines.join('\n')).not.toContain('这段正文不应出现在日志里');

    expect((await sendChinese('故障之后的来信')).subject).toBe('故障之后的来信');
  });
});

describe('inbound SMTP listener without a handler', () => {
  @Module({ imports: [ConfigModule, InboundModule] })
  class InboundAlone {}

  it('accepts and logs mail when no module provides INBOUND_MAIL_HANDLER', async () => {
    const alone = new RecordingLogger();
    const ctx = await NestFactory.createApplicationContext(InboundAlone, { logger: alone });
    await ctx.init();
    const client = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ctx.get(InboundSmtpServer).address()!.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await client.sendMail({
        from: 'wangfang@huaxin-tech.cn',
        to: 'support@demo.kehu',
        subject: '门禁',
        text: '无法刷卡',
        messageId: '<alone-1@huaxin-tech.cn>',
      });
      expect(alone.lines).toContain('No inbound mail handler is registered: accepted mail is logged only');
      expect(alone.lines).toContain(
        'Inbound mail from <wangfang@huaxin-tech.cn> [127.0.0.1] (<alone-1@huaxin-tech.cn>) accepted; no handler takes it',
      );
    } finally {
      client.close();
      await ctx.close();
    }
    expect(ctx.get(InboundSmtpServer).address()).toBeNull();
  });
});
