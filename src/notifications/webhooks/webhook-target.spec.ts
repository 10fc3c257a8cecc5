import { describe, expect, it } from 'vitest';
import { isPrivateAddress, urlProblem } from './webhook-target.js';
import { sign, verify } from './webhook-signature.js';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd12::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['203.0.113.9', false],
    ['2001:4860:4860::8888', false],
    ['::ffff:8.8.8.8', false],
    ['not an ip', true],
  ])('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('urlProblem', () => {
  it('takes http and https only, without credentials', () => {
    expect(urlProblem('https://erp.example.cn/hooks/kehu')).toBeNull();
    expect(urlProblem('http://10.0.0.5:8080/in')).toBeNull();
    expect(urlProblem('ftp://example.cn/')).toBe('webhook.url_scheme');
    expect(urlProblem('file:///etc/passwd')).toBe('webhook.url_scheme');
    expect(urlProblem('https://user:pw@example.cn/')).toBe('webhook.url_credentials');
    expect(urlProblem('example.cn/hook')).toBe('webhook.url_invalid');
  });
});

describe('sign and verify', () => {
  it('signs the timestamp and the body; any change or an old timestamp fails', () => {
    const now = 1_796_000_000_000;
    const ts = now / 1000;
    const body = '{"id":"e1","type":"customer.created"}';
    const signature = sign('s3cret-s3cret-s3cret', ts, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verify('s3cret-s3cret-s3cret', { signature, timestamp: String(ts) }, body, 300, now)).toBe(true);
    expect(verify('s3cret-s3cret-s3cret', { signature, timestamp: String(ts) }, `${body} `, 300, now)).toBe(
      false,
    );
    expect(verify('other-secret-other', { signature, timestamp: String(ts) }, body, 300, now)).toBe(false);
    expect(
      verify('s3cret-s3cret-s3cret', { signature, timestamp: String(ts) }, body, 300, now + 301_000),
    ).toBe(false);
  });
});
