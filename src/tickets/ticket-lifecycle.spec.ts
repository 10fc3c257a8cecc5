import { describe, expect, it } from 'vitest';
import { hasKey } from '../i18n/i18n.js';
import { TICKET_AUDIT_ACTIONS, ticketLine } from './ticket-lifecycle.js';
import { TICKET_EVENTS } from './ticket.options.js';
import type { TimelineTicketRow } from './ticket-lifecycle.repository.js';

const row = (over: Partial<TimelineTicketRow> = {}): TimelineTicketRow => ({
  id: 7,
  number: 'T-000007',
  subject: '发票抬头错了',
  status: 'resolved',
  type: 'billing',
  channel: 'email',
  priority: 'normal',
  teamId: 1,
  assigneeId: 2,
  customerId: 3,
  requesterName: '王芳',
  requesterUnconfirmed: false,
  receivedAt: new Date('2026-11-30T01:00:00Z'),
  resolvedAt: new Date('2026-11-30T03:00:00Z'),
  csat: null,
  ces: null,
  surveyComment: null,
  surveyAnsweredAt: null,
  ...over,
});

describe('ticket lifecycle labels', () => {
  it('names every ticket action, webhook event and timeline entry in both languages', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const action of TICKET_AUDIT_ACTIONS)
        expect(hasKey(locale, `audit.actions.${action}`), action).toBe(true);
      for (const event of TICKET_EVENTS) expect(hasKey(locale, `webhook.event.${event}`), event).toBe(true);
      for (const type of ['consultation', 'technical', 'billing', 'complaint'])
        expect(hasKey(locale, `tickets.timeline.${type}`), type).toBe(true);
      for (const entity of ['ticket', 'survey'])
        expect(hasKey(locale, `audit.entities.${entity}`)).toBe(true);
    }
  });
});

describe('ticketLine', () => {
  it('says the number, subject and status, then the survey’s scores and comment when answered', () => {
    expect(ticketLine('zh-CN', row())).toBe('T-000007 发票抬头错了 · 已解决');
    expect(ticketLine('en', row({ csat: 2, ces: 6, surveyComment: '等了三天' }))).toBe(
      'T-000007 发票抬头错了 · Resolved · satisfaction 2/5 · effort 6/7 · “等了三天”',
    );
    expect(ticketLine('zh-CN', row({ status: 'pending', csat: 5 }))).toBe(
      'T-000007 发票抬头错了 · 等待客户 · 满意度 5/5',
    );
  });
});
