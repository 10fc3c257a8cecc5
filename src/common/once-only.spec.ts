import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import {
  newFormToken,
  ONCE_REMEMBERED_MAX,
  ONCE_REMEMBERED_MS,
  rememberSentForm,
  sentFormUrl,
} from './once-only.js';

describe('once-only form tokens', () => {
  it('mints a different token for every form', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newFormToken()));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('remembers where a sent form led for a day', () => {
    const session = {};
    rememberSentForm(session, 'a'.repeat(24), '/customers/7', 1_000);
    expect(sentFormUrl(session, 'a'.repeat(24), 1_000 + ONCE_REMEMBERED_MS - 1)).toBe('/customers/7');
    expect(sentFormUrl(session, 'a'.repeat(24), 1_000 + ONCE_REMEMBERED_MS)).toBeNull();
    expect(sentFormUrl(session, 'b'.repeat(24), 1_000)).toBeNull();
  });

  it('keeps the newest forms only, so the session stays small', () => {
    const session: Partial<SessionData> = {};
    for (let i = 0; i < ONCE_REMEMBERED_MAX + 10; i++)
      rememberSentForm(session, `token-${i}`, `/customers/${i}`, i);
    expect(Object.keys(session.sentForms!)).toHaveLength(ONCE_REMEMBERED_MAX);
    expect(sentFormUrl(session, `token-${ONCE_REMEMBERED_MAX + 9}`, 100)).toBe(
      `/customers/${ONCE_REMEMBERED_MAX + 9}`,
    );
    expect(sentFormUrl(session, 'token-0', 100)).toBeNull();
  });
});
