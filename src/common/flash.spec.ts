import { describe, expect, it } from 'vitest';
import { type FlashMessage, messagesFor, safeReturnTo } from './flash.js';

describe('safeReturnTo', () => {
  it.each([
    '/',
    '/customers',
    '/customers?q=abc&owner=pool',
    '/customers/12#contacts',
    '/follow-ups/new?customer=3&returnTo=%2F',
  ])('keeps the in-site path %s', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([
    ['another site without a scheme', '//evil.example/'],
    ['a backslash browsers read as a slash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a full address', 'https://evil.example/customers'],
    ['a plain http address', 'http://evil.example'],
    ['a script', 'javascript:alert(1)'],
    ['a data address', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'customers'],
    ['nothing', ''],
  ])('refuses %s (%s)', (_, value) => {
    expect(safeReturnTo(value)).toBe('/');
  });

  it('refuses what is not text, and falls back where it is told', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo(null, '/notifications')).toBe('/notifications');
    expect(safeReturnTo(['/customers'], '/notifications')).toBe('/notifications');
    expect(safeReturnTo({ toString: () => '/customers' })).toBe('/');
    expect(safeReturnTo('https://evil.example', '/customers')).toBe('/customers');
  });

  // Browsers drop tabs and line breaks from an address before reading it, so "/<tab>/evil.example"
  // is followed as "//evil.example": another site.
  it.each([
    ['a tab', '/\t/evil.example'],
    ['a line break', '/\n/evil.example'],
    ['a carriage return', '/\r/evil.example'],
  ])('refuses a path that %s turns into another site', (_, value) => {
    expect(safeReturnTo(value)).toBe('/');
  });
});

describe('messagesFor', () => {
  const refused: FlashMessage = {
    type: 'error',
    key: 'approval.reject_reason_required',
    form: { name: 'approval', path: '/contracts/7', field: 'comment', values: { comment: '价格' } },
  };
  const saved: FlashMessage = { type: 'success', key: 'contract.updated' };

  it('puts a refused form’s reason beside that form on its page, the rest on top', () => {
    expect(messagesFor([saved, refused], '/contracts/7', { approval: { rounds: [] } })).toEqual({
      flash: [saved],
      refusedForms: {
        approval: {
          key: 'approval.reject_reason_required',
          params: undefined,
          field: 'comment',
          values: { comment: '价格' },
        },
      },
    });
  });

  it('says it on top on another page, or on a page without the form, so it is never lost', () => {
    const onTop = { type: 'error', key: 'approval.reject_reason_required', params: undefined };
    expect(messagesFor([refused], '/contracts/8', { approval: {} })).toEqual({
      flash: [onTop],
      refusedForms: {},
    });
    expect(messagesFor([refused], '/contracts/7', { contract: {} })).toEqual({
      flash: [onTop],
      refusedForms: {},
    });
    expect(messagesFor([refused], '/contracts/7', undefined)).toEqual({ flash: [onTop], refusedForms: {} });
  });
});
