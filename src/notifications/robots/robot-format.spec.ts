import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  dingtalkSign,
  escapeMarkdown,
  isDingtalkSecret,
  isRobotUrl,
  maskedUrl,
  signedDingtalkUrl,
} from './robot-format.js';

describe('robot-format', () => {
  it('takes only the official https robot addresses with their key', () => {
    expect(
      isRobotUrl(
        'wecom',
        'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
      ),
    ).toBe(true);
    expect(isRobotUrl('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=abc123def456')).toBe(
      true,
    );
    for (const bad of [
      'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh1',
      'https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=abcdefgh1',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/other?key=abcdefgh1',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh1&x=1',
      'https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh1',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
    ])
      expect(isRobotUrl('wecom', bad)).toBe(false);
    expect(isRobotUrl('dingtalk', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh1')).toBe(
      false,
    );
  });

  it('signs as DingTalk documents: base64 HMAC-SHA256 of timestamp, newline, secret; url-encoded in the URL', () => {
    const secret = 'SEC0123456789abcdef0123456789';
    const expected = createHmac('sha256', secret).update(`1700000000000\n${secret}`).digest('base64');
    expect(dingtalkSign(secret, 1700000000000)).toBe(expected);
    const url = signedDingtalkUrl(
      'https://oapi.dingtalk.com/robot/send?access_token=t0k3n123',
      secret,
      1700000000000,
    );
    expect(url).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=t0k3n123&timestamp=1700000000000&sign=${encodeURIComponent(expected)}`,
    );
    expect(signedDingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=t0k3n123', '', 1)).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=t0k3n123',
    );
    expect(isDingtalkSecret(secret)).toBe(true);
    expect(isDingtalkSecret('0123456789abcdef0123')).toBe(false);
  });

  it('makes user data inert in markdown and hides keys when shown back', () => {
    expect(escapeMarkdown('# *a* [b](c)\n> d_e')).toBe('\\# \\*a\\* \\[b\\]\\(c\\) \\> d\\_e');
    expect(escapeMarkdown('- Li-Na')).toBe('\\- Li-Na');
    expect(escapeMarkdown('1. Co 12.5% T-000123 +3')).toBe('1\\. Co 12.5% T-000123 +3');
    expect(maskedUrl('https://oapi.dingtalk.com/robot/send?access_token=abcdef123456')).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=…3456',
    );
  });
});
