import { describe, expect, it } from 'vitest';
import { firstContactResolution, mentionedIn, ticketNumberOf, triesToMention } from './tickets.service.js';

const colleagues = [
  { id: 1, name: 'Zhou Jie', email: 'zhou.jie@kehu.test' },
  { id: 2, name: '张三', email: 'zhangsan@kehu.test' },
  { id: 3, name: 'Ann', email: 'ann@kehu.test' },
  { id: 4, name: 'Anna', email: 'anna.b@kehu.test' },
  { id: 5, name: '孙丽 Sun Li', email: 'service-lead@kehu.test' },
  { id: 6, name: '孙丽华', email: 'slh@kehu.test' },
];

describe('TicketsService rules', () => {
  it.each([
    ['@Zhou Jie please look', [1]],
    ['@zhou.jie please look', [1]],
    ['请@张三看一下', [2]],
    ['@张三看一下', [2]],
    ['@ann and @anna.b', [3, 4]],
    ['@Anna only', [4]],
    ['mail ann@kehu.test', []],
    ['@孙丽 请看一下', [5]],
    ['@孙丽请看一下', [5]],
    ['@Sun Li, please look', [5]],
    ['@孙丽 Sun Li 请看', [5]],
    ['@service-lead 请看', [5]],
    ['@孙丽华 请看', [6]],
    ['no mention', []],
  ])('%s mentions %o', (body, ids) => {
    expect(mentionedIn(body, colleagues)).toEqual(ids);
  });

  it.each([
    ['@孙丽 请看', true],
    ['请 @nobody 看', true],
    ['@', false],
    ['mail ann@kehu.test', false],
    ['no mention', false],
  ])('%s tries to mention: %s', (body, tries) => {
    expect(triesToMention(body)).toBe(tries);
  });

  it.each([
    ['T-000123', 'T-000123'],
    ['t-123', 'T-000123'],
    ['123', 'T-000123'],
    ['#7', 'T-000007'],
    [' T-1234567 ', 'T-1234567'],
    ['T-', null],
    ['BJ-2026-0001', null],
  ])('%s is ticket %s', (text, number) => {
    expect(ticketNumberOf(text)).toBe(number);
  });

  it('counts a ticket resolved with at most one public reply, never reopened, as resolved on first contact', () => {
    expect(
      firstContactResolution({ status: 'resolved', publicReplyCount: 1, reopenCount: 0, mergedIntoId: null }),
    ).toBe(true);
    expect(
      firstContactResolution({ status: 'closed', publicReplyCount: 0, reopenCount: 0, mergedIntoId: null }),
    ).toBe(true);
    expect(
      firstContactResolution({ status: 'resolved', publicReplyCount: 2, reopenCount: 0, mergedIntoId: null }),
    ).toBe(false);
    expect(
      firstContactResolution({ status: 'resolved', publicReplyCount: 1, reopenCount: 1, mergedIntoId: null }),
    ).toBe(false);
    expect(
      firstContactResolution({ status: 'open', publicReplyCount: 1, reopenCount: 0, mergedIntoId: null }),
    ).toBe(false);
    // Merged into another ticket: closed, never answered.
    expect(
      firstContactResolution({ status: 'closed', publicReplyCount: 0, reopenCount: 0, mergedIntoId: 7 }),
    ).toBe(false);
  });
});
