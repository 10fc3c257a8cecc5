import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, NotFound, ValidationFailed } from '../common/errors.js';
import { MailService } from '../notifications/mail.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import type { Ticket } from './ticket.entity.js';
import { TicketsRepository } from './tickets.repository.js';
import type { SurveyAnswerInput, SurveyView } from './tickets.types.js';

/** A survey link works this many days. */
export const SURVEY_DAYS = 14;
const DAY = 86_400_000;
/** A tracking or survey token: 32 random bytes, base64url (43 characters). */
export const newToken = () => randomBytes(32).toString('base64url');
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/** The survey was answered already: its link works once. */
export class SurveyAnswered extends DomainError {
  constructor() {
    super(409, 'survey.error.answered');
  }
}

/** The survey's link ran out. */
export class SurveyExpired extends DomainError {
  constructor() {
    super(410, 'survey.error.expired');
  }
}

/**
 * The satisfaction survey after a resolved ticket: CSAT 1–5 with a comment and the effort question
 * (CES 1–7), at /survey/:token (32 random bytes), answered once (the row locked meanwhile), until it
 * expires after 14 days.
 */
@Injectable()
export class TicketSurveys {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: TicketsRepository,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** After a resolution: the survey row and its invitation to the requester (none without an e-mail address). */
  async send(m: EntityManager, t: Ticket, now: Date): Promise<void> {
    if (!t.requesterEmail) return;
    const surveyToken = newToken();
    await this.repo.insertSurvey(m, {
      kind: 'ticket',
      ticketId: t.id,
      customerId: t.customerId,
      contactId: t.contactId,
      sentTo: t.requesterEmail,
      token: surveyToken,
      sentAt: now,
      expiresAt: new Date(now.getTime() + SURVEY_DAYS * DAY),
    });
    await this.mail.enqueue(
      {
        to: t.requesterEmail,
        template: 'ticket-survey',
        locale: t.locale,
        params: {
          name: t.requesterName,
          number: t.number,
          subject: t.subject,
          url: `/survey/${surveyToken}`,
          days: SURVEY_DAYS,
        },
      },
      m,
    );
  }

  /** The survey page for a token: to answer, answered or expired; null for no such survey. */
  async byToken(tokenText: string): Promise<SurveyView | null> {
    if (!TOKEN_SHAPE.test(tokenText ?? '')) return null;
    const s = await this.repo.findSurvey(tokenText);
    if (!s || s.ticketId === null) return null;
    const t = await this.repo.findLive(s.ticketId);
    return {
      state: s.answeredAt ? 'answered' : s.expiresAt.getTime() < Date.now() ? 'expired' : 'open',
      ticketNumber: t?.number ?? '',
      subject: t?.subject ?? '',
      locale: t?.locale ?? 'zh-CN',
      answer: s.answeredAt ? { csat: s.csat, ces: s.ces, comment: s.comment } : null,
    };
  }

  /** Stores the answer once (the row locked meanwhile): a second answer or an expired link is refused. */
  async answer(tokenText: string, input: SurveyAnswerInput): Promise<void> {
    const csat = Number(input.csat);
    const ces =
      input.ces === undefined || input.ces === null || (input.ces as unknown) === ''
        ? null
        : Number(input.ces);
    const errors: Record<string, { key: string }[]> = {};
    if (!Number.isInteger(csat) || csat < 1 || csat > 5) errors.csat = [{ key: 'survey.error.csat' }];
    if (ces !== null && (!Number.isInteger(ces) || ces < 1 || ces > 7))
      errors.ces = [{ key: 'survey.error.ces' }];
    const comment = (input.comment ?? '').trim().slice(0, 2000) || null;
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    if (!TOKEN_SHAPE.test(tokenText ?? '')) throw new NotFound();
    await this.dataSource.transaction(async (m) => {
      const s = await this.repo.lockSurvey(m, tokenText);
      if (!s || s.ticketId === null) throw new NotFound();
      if (s.answeredAt) throw new SurveyAnswered();
      if (s.expiresAt.getTime() < Date.now()) throw new SurveyExpired();
      await this.repo.answerSurvey(m, s.id, { answeredAt: new Date(), csat, ces, comment });
      await this.audit.record(
        {
          action: 'survey_answer',
          entity: 'ticket',
          entityId: s.ticketId,
          diff: { csat: { to: csat }, ces: { to: ces }, comment: { to: comment } },
          actor: null,
        },
        m,
      );
      await this.webhooks.emit(m, 'survey.answered', {
        id: s.id,
        kind: s.kind,
        ticketId: s.ticketId,
        customerId: s.customerId,
        csat,
        ces,
        comment,
      });
    });
  }
}
