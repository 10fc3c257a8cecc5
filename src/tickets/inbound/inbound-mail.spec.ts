import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { foldQuoted, parseInboundMail, sniffContentType, ticketNumberIn } from './inbound-mail.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../../test/fixtures/mail', name));
const at = new Date('2026-11-30T02:35:12Z');
const support = { address: 'support@demo.kehu', name: 'Kehu 客服' };

/** A mail as a client would send it, for checks on one header at a time. */
const mail = (headers: string, body = '您好') =>
  Buffer.from(
    `From: 张伟 <zhangwei@huaxin-tech.cn>\r\nTo: support@demo.kehu\r\nSubject: 打印机无法连接\r\n${headers}` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );

describe('parseInboundMail', () => {
  it('reads a Foxmail reply in GBK: the number, the reply without the quoted mail, the Chinese file name', async () => {
    const m = await parseInboundMail(fixture('foxmail-reply-gbk.eml'), at);
    expect(m).toMatchObject({
      messageId: '<tencent_8F3C2D1E0A9B4C7D6E5F4A3B2C1D0E9F8A07@qq.com>',
      inReplyTo: '<kehu.ticket.123.1764468720000@demo.kehu>',
      references: ['<kehu.ticket.123.1764468000000@demo.kehu>', '<kehu.ticket.123.1764468720000@demo.kehu>'],
      from: { address: 'zhangwei@huaxin-tech.cn', name: '张伟' },
      to: [support],
      cc: [],
      subject: 'Re: 回复: [T-000123] 打印机无法连接',
      ticketNumber: 123,
      receivedAt: at,
      autoReply: false,
    });
    expect(m.body).toBe(
      '你好，\n\n按照你们说的重启了打印机，还是连不上，错误代码 E-302。\n故障照片在附件里，麻烦尽快安排工程师上门。\n\n' +
        '张伟\n华信科技 行政部\n138 0013 8000',
    );
    expect(m.quoted).toBe(
      '------------------ 原始邮件 ------------------\n发件人: "Kehu 客服"<support@demo.kehu>;\n' +
        '发送时间: 2026年11月30日(星期一) 上午10:12\n收件人: "张伟"<zhangwei@huaxin-tech.cn>;\n' +
        '主题: [T-000123] 打印机无法连接\n\n张先生您好：\n\n请先重启打印机，再告诉我们结果。\n\nKehu 客服',
    );
    expect(
      m.attachments.map(({ content, ...a }) => ({ ...a, head: content.subarray(0, 3).toString('hex') })),
    ).toEqual([{ filename: '故障照片.jpg', contentType: 'image/jpeg', size: 125, head: 'ffd8ff' }]);
  });

  it('turns an HTML-only Outlook mail in GB2312 into text, entities decoded, the header block folded away', async () => {
    const m = await parseInboundMail(fixture('outlook-html-only.eml'), at);
    expect(m).toMatchObject({
      from: { address: 'lina@yuanjing-trade.com', name: '李娜' },
      to: [{ address: 'support@demo.kehu', name: '' }],
      subject: '答复: 合同审批进度',
      ticketNumber: null,
      inReplyTo: '<kehu.reply.98765@demo.kehu>',
      references: [],
      attachments: [],
      autoReply: false,
    });
    expect(m.body).toBe(
      '王经理，您好：\n\n合同审批流程卡在“财务复核”这一步，已经两天没有动静了……\n\n' +
        '金额 ¥128,000 & 付款方式 <分期> 都已确认，请帮忙查一下。\n\n李娜\n\n上海远景贸易有限公司 采购部',
    );
    expect(m.body).not.toMatch(/<\/?p|&[a-z]+;|MsoNormal/);
    expect(m.quoted).toBe(
      '发件人: Kehu 客服 <support@demo.kehu>\n发送时间: 2026年11月29日 16:40\n' +
        '收件人: 李娜 <lina@yuanjing-trade.com>\n主题: 合同审批进度\n\n李女士您好，合同已提交审批。',
    );
  });

  it('reads a NetEase 163 reply in GBK quoted-printable, folding "在 … 写道：" and the ">" lines', async () => {
    const m = await parseInboundMail(fixture('163-reply.eml'), at);
    expect(m).toMatchObject({
      messageId: '<3c1a5e2f.4d8b.19acf3b2e61.Coremail.chenjie_hz@163.com>',
      from: { address: 'chenjie_hz@163.com', name: '陈杰' },
      to: [support],
      subject: 'Re:[T-000456] 发票抬头需要修改',
      ticketNumber: 456,
      autoReply: false,
    });
    expect(m.body).toBe(
      '好的，我明天上午都在公司，请工程师直接到前台找我。\n发票抬头改成：杭州云杉网络科技有限公司',
    );
    expect(m.quoted).toBe(
      '在 2026-11-30 10:12:33，"Kehu 客服" <support@demo.kehu> 写道：\n>陈先生您好：\n>\n' +
        '>请确认新的发票抬头，我们会重新开具。\n>\n>Kehu 客服',
    );
  });

  it('marks a Chinese out-of-office reply as automatic', async () => {
    const m = await parseInboundMail(fixture('out-of-office-zh.eml'), at);
    expect(m).toMatchObject({
      subject: '自动回复: [T-000123] 打印机无法连接',
      ticketNumber: 123,
      autoReply: true,
    });
    expect(m.body).toBe(
      '您好，我于 11月30日至12月4日 休年假，期间不能及时回复邮件。\n紧急事务请联系 刘洋 13911112222。\n\n张伟',
    );
  });

  it('marks a bounce as automatic', async () => {
    const m = await parseInboundMail(fixture('bounce.eml'), at);
    expect(m).toMatchObject({
      from: { address: 'mailer-daemon@mx.huaxin-tech.cn', name: 'Mail Delivery System' },
      subject: 'Undelivered Mail Returned to Sender',
      ticketNumber: null,
      autoReply: true,
    });
  });

  it('recovers a mail whose parts use another boundary than the one declared', async () => {
    const m = await parseInboundMail(fixture('malformed-boundary.eml'), at);
    expect(m).toMatchObject({
      messageId: '<b7e1c0de-5a1f-4c1e-9f2a-0c0ffee11111@jinyuan-food.cn>',
      from: { address: 'zhaomin@jinyuan-food.cn', name: '赵敏' },
      subject: '冷库温度报警',
      autoReply: false,
    });
    expect(m.body).toBe('冷库 3 号机温度报警，已经升到 -5℃，请马上派人来。');
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['report.pdf', 'application/pdf'],
    ]);
  });

  it('keeps a 0-byte attachment with its size', async () => {
    const m = await parseInboundMail(fixture('zero-byte-attachment.eml'), at);
    expect(m.body).toBe('系统导出的报表打开是空的，文件附上。');
    expect(m.attachments).toEqual([
      {
        filename: '月报表.xlsx',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        size: 0,
        content: Buffer.alloc(0),
      },
    ]);
  });

  it('keeps the declared type of a program renamed .pdf, which its first bytes give away', async () => {
    const m = await parseInboundMail(fixture('exe-as-pdf.eml'), at);
    expect(m.subject).toBe('发票已开具，请查收');
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['发票_20261130.pdf', 'application/pdf', 128],
    ]);
    expect(sniffContentType(m.attachments[0].content)).toBe('application/x-msdownload');
    expect(sniffContentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.alloc(0))).toBeNull();
  });

  it('decodes GB18030, characters beyond GBK included, and numeric HTML entities', async () => {
    const text = '𠮷野家的订单号 €128 已付款，请开发票。';
    const raw = (type: string, body: Buffer, encoding: string) =>
      Buffer.concat([
        Buffer.from(
          `From: =?GB18030?B?${iconv.encode('吉田', 'gb18030').toString('base64')}?= <yoshida@example.cn>\r\n` +
            `To: support@demo.kehu\r\nSubject: =?GB18030?B?${iconv.encode('开票𠮷', 'gb18030').toString('base64')}?=\r\n` +
            `MIME-Version: 1.0\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`,
        ),
        body,
      ]);
    const plain = await parseInboundMail(
      raw(
        'text/plain; charset=GB18030',
        Buffer.from(iconv.encode(text, 'gb18030').toString('base64')),
        'base64',
      ),
      at,
    );
    expect(plain).toMatchObject({ from: { name: '吉田' }, subject: '开票𠮷', body: text });
    const html = await parseInboundMail(
      raw(
        'text/html; charset=utf-8',
        Buffer.from('<p>&#x4E2D;&#25991; &quot;发票&quot; &lt;b&gt;</p>'),
        '8bit',
      ),
      at,
    );
    expect(html.body).toBe('中文 "发票" <b>');
  });

  it('reads a mail with no Message-ID, no From and no body without failing', async () => {
    const m = await parseInboundMail(Buffer.from('Subject: hi\r\n\r\n'), at);
    expect(m).toEqual({
      messageId: null,
      inReplyTo: null,
      references: [],
      from: null,
      to: [],
      cc: [],
      subject: 'hi',
      ticketNumber: null,
      body: '',
      quoted: '',
      attachments: [],
      receivedAt: at,
      autoReply: false,
    });
  });

  it.each([
    ['Auto-Submitted: auto-replied\r\n', true],
    ['Auto-Submitted: auto-generated; owner-email="it@huaxin-tech.cn"\r\n', true],
    ['Auto-Submitted: no\r\n', false],
    ['X-Autoreply: yes\r\n', true],
    ['X-Autorespond: 1\r\n', true],
    ['Precedence: bulk\r\n', true],
    ['Precedence: junk\r\n', true],
    ['Precedence: auto_reply\r\n', true],
    ['Precedence: list\r\n', true],
    ['List-Id: <customers.huaxin-tech.cn>\r\nPrecedence: normal\r\n', true],
    ['List-Id: <customers.huaxin-tech.cn>\r\n', false],
    ['X-Priority: 1\r\n', false],
  ])('tells automatic mail by its headers: %j is %s', async (headers, auto) => {
    expect((await parseInboundMail(mail(headers), at)).autoReply).toBe(auto);
  });

  it.each([
    ['Auto: 打印机无法连接', true],
    ['Automatic reply: 打印机无法连接', true],
    ['自动回复：打印机无法连接', true],
    ['自动答复: [T-000123] 打印机无法连接', true],
    ['Out of Office: 打印机无法连接', true],
    ['休假中 [T-000123]', true],
    ['回复: 打印机无法连接', false],
    ['关于自动回复的问题', false],
  ])('tells automatic mail by its subject: %j is %s', async (subject, auto) => {
    const raw = mail('').toString().replace('Subject: 打印机无法连接', `Subject: ${subject}`);
    expect((await parseInboundMail(Buffer.from(raw), at)).autoReply).toBe(auto);
  });

  it('tells bounces by their sender', async () => {
    const raw = mail('').toString().replace('张伟 <zhangwei@huaxin-tech.cn>', 'postmaster@163.com');
    expect((await parseInboundMail(Buffer.from(raw), at)).autoReply).toBe(true);
  });
});

describe('ticketNumberIn', () => {
  it.each([
    ['[T-000123] 打印机无法连接', 123],
    ['Re: 回复: [T-000123] 打印机无法连接', 123],
    ['回复：［T-000123］打印机无法连接', 123],
    ['答复: 【T－000789】发票', 789],
    ['RE: [t-42] invoice', 42],
    ['打印机无法连接', null],
    ['T-000123 without brackets', null],
    ['[T-] empty', null],
  ])('%j names ticket %s', (subject, n) => {
    expect(ticketNumberIn(subject)).toBe(n);
  });
});

describe('foldQuoted', () => {
  it('folds Outlook\'s English "-----Original Message-----"', () => {
    expect(
      foldQuoted(
        'Thanks, it works now.\n\n-----Original Message-----\nFrom: Kehu <support@demo.kehu>\nSent: Monday\n',
      ),
    ).toEqual({
      body: 'Thanks, it works now.',
      quoted: '-----Original Message-----\nFrom: Kehu <support@demo.kehu>\nSent: Monday',
    });
  });

  it('folds an Outlook header block in Chinese under its rule', () => {
    const text =
      '已收到，谢谢。\n\n________________________________\n发件人: Kehu 客服 <support@demo.kehu>\n' +
      '发送时间: 2026年11月30日 10:12\n收件人: 李娜\n主题: 合同审批进度\n\n合同已提交。';
    expect(foldQuoted(text).body).toBe('已收到，谢谢。');
    expect(foldQuoted(text).quoted).toMatch(/^_{32}\n发件人: Kehu 客服/);
  });

  it('folds a Foxmail "From:" block in English', () => {
    const text =
      'OK\n\nFrom: "Kehu 客服"<support@demo.kehu>;\nDate: Mon, Nov 30, 2026 10:12 AM\nTo: "张伟"<zw@huaxin-tech.cn>;\n' +
      'Subject: [T-000123]\n\nold';
    expect(foldQuoted(text)).toEqual({ body: 'OK', quoted: text.slice(4) });
  });

  it('folds Gmail and Apple attributions, wrapped or not, in English and Chinese', () => {
    for (const attribution of [
      'On Mon, Nov 30, 2026 at 10:12 AM Kehu 客服 <support@demo.kehu> wrote:',
      'On Mon, Nov 30, 2026 at 10:12 AM Kehu 客服 <\nsupport@demo.kehu> wrote:',
      'On 30 Nov 2026, at 10:12, Kehu 客服 <support@demo.kehu> wrote:',
      '在 2026年11月30日，10:12，Kehu 客服 <support@demo.kehu> 写道：',
      '在 2026年11月30日 周一 10:12，Kehu 客服 <\nsupport@demo.kehu> 写道：',
      'Kehu 客服 <support@demo.kehu> 于2026年11月30日周一 上午10:12写道：',
    ]) {
      expect(foldQuoted(`收到\n\n${attribution}\n> 请确认\n`)).toEqual({
        body: '收到',
        quoted: `${attribution}\n> 请确认`,
      });
    }
  });

  it('leaves a mail without quotes whole, and a sentence about writing alone', () => {
    expect(foldQuoted('他在邮件里写道：\n明天到。')).toEqual({
      body: '他在邮件里写道：\n明天到。',
      quoted: '',
    });
    expect(foldQuoted('From: 张伟\n请回电')).toEqual({ body: 'From: 张伟\n请回电', quoted: '' });
  });
});
