import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, NotFound, ValidationFailed } from '../common/errors.js';
import { CustomerCareService } from '../customers/customer-care.service.js';
import { MailService } from '../notifications/mail.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import type { Ticket } from './ticket.entity.js';
import { TicketsRepository } from './tickets.repository.js';
import type { ContactSurveyInput, LowScoreSurvey, SurveyAnswerInput, SurveyView } from './tickets.types.js';

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
    private readonly care: CustomerCareService,
  ) {}

  /**
   * After a resolution: the survey row and its invitation to the requester; none without an e-mail
   * address, nor to a contact who opted out of Kehu's mail (their invitation carries the link to).
   * Whether one was sent.
   */
  async send(m: EntityManager, t: Ticket, now: Date): Promise<boolean> {
    if (!t.requesterEmail) return false;
    if (t.contactId !== null && (await this.care.optedOut(m, t.contactId))) return false;
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
          unsubscribeUrl:
            t.contactId === null ? '' : `/unsubscribe/${this.care.unsubscribeToken(t.contactId)}`,
        },
      },
      m,
    );
    return true;
  }

  /**
   * A survey a rule sends to a customer's contact (in the rule's transaction): after a completed
   * contract (CSAT and a comment) or the quarterly NPS question (0–10 and a comment). The invitation
   * carries the contact's unsubscribe link.
   */
  async sendToContact(m: EntityManager, input: ContactSurveyInput, now: Date): Promise<number> {
    const surveyToken = newToken();
    const id = await this.repo.insertSurvey(m, {
      kind: input.kind,
      ticketId: null,
      contractId: input.contractId,
      customerId: input.customerId,
      contactId: input.contactId,
      sentTo: input.email,
      token: surveyToken,
      sentAt: now,
      expiresAt: new Date(now.getTime() + SURVEY_DAYS * DAY),
      locale: input.locale,
      subject: input.contractNumber,
    });
    await this.mail.enqueue(
      {
        to: input.email,
        template: input.kind === 'nps' ? 'nps-survey' : 'contract-survey',
        locale: input.locale,
        params: {
          name: input.name,
          number: input.contractNumber ?? '',
          url: `/survey/${surveyToken}`,
          days: SURVEY_DAYS,
          unsubscribeUrl: input.unsubscribeUrl,
        },
      },
      m,
    );
    return id;
  }

  /** The survey page for a token: to answer, answered or expired; null for no such survey. */
  async byToken(tokenText: string): Promise<SurveyView | null> {
    if (!TOKEN_SHAPE.test(tokenText ?? '')) return null;
    const s = await this.repo.findSurvey(tokenText);
    if (!s) return null;
    const t = s.ticketId === null ? null : await this.repo.findLive(s.ticketId);
    if (s.kind === 'ticket' && !t) return null;
    return {
      state: s.answeredAt ? 'answered' : s.expiresAt.getTime() < Date.now() ? 'expired' : 'open',
      kind: s.kind,
      ticketNumber: t?.number ?? '',
      subject: t?.subject ?? s.subject ?? '',
      locale: t?.locale ?? s.locale,
      answer: s.answeredAt ? { csat: s.csat, ces: s.ces, nps: s.nps, comment: s.comment } : null,
    };
  }

  /**
   * Stores the answer once (the row locked meanwhile): a second answer or an expired link is refused.
   * A ticket's survey takes CSAT 1–5 and CES 1–7, a contract's CSAT, an NPS survey 0–10; each a comment.
   */
  async answer(tokenText: string, input: SurveyAnswerInput): Promise<void> {
    if (!TOKEN_SHAPE.test(tokenText ?? '')) throw new NotFound();
    const kind = (await this.repo.findSurvey(tokenText))?.kind;
    if (!kind) throw new NotFound();
    const given = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number(v));
    const inRange = (v: number | null, lo: number, hi: number) =>
      v !== null && Number.isInteger(v) && v >= lo && v <= hi;
    const csat = kind === 'nps' ? null : given(input.csat);
    const ces = kind === 'ticket' ? given(input.ces) : null;
    const nps = kind === 'nps' ? given(input.nps) : null;
    const errors: Record<string, { key: string }[]> = {};
    if (kind !== 'nps' && !inRange(csat, 1, 5)) errors.csat = [{ key: 'survey.csat_required' }];
    if (ces !== null && !inRange(ces, 1, 7)) errors.ces = [{ key: 'survey.error.ces' }];
    if (kind === 'nps' && !inRange(nps, 0, 10)) errors.nps = [{ key: 'survey.error.nps' }];
    const comment = (input.comment ?? '').trim().slice(0, 2000) || null;
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    await this.dataSource.transaction(async (m) => {
      const s = await this.repo.lockSurvey(m, tokenText);
      if (!s) throw new NotFound();
      if (s.answeredAt) throw new SurveyAnswered();
      if (s.expiresAt.getTime() < Date.now()) throw new SurveyExpired();
      await this.repo.answerSurvey(m, s.id, { answeredAt: new Date(), csat, ces, nps, comment });
      const [entity, entityId] =
        s.ticketId !== null
          ? ['ticket', s.ticketId]
          : s.contractId !== null
            ? ['contract', s.contractId]
            : ['customer', s.customerId];
      await this.audit.record(
        {
          action: 'survey_answer',
          entity,
          entityId,
          diff: {
            kind: { to: s.kind },
            ...(kind === 'nps' ? { nps: { to: nps } } : { csat: { to: csat } }),
            ...(kind === 'ticket' ? { ces: { to: ces } } : {}),
            comment: { to: comment },
          },
          actor: null,
        },
        m,
      );
      await this.webhooks.emit(m, 'survey.answered', {
        id: s.id,
        kind: s.kind,
        ticketId: s.ticketId,
        contractId: s.contractId,
        customerId: s.customerId,
        csat,
        ces,
        nps,
        comment,
      });
    });
  }

  /** Answered surveys scoring below `below` (1–5), answered since `since`: the care rule's candidates. */
  lowScores(since: Date, below: number): Promise<LowScoreSurvey[]> {
    return this.repo.lowScoreSurveys(since, below);
  }

  /** Which of these contacts were sent a survey of any kind since `since`. */
  contactsSurveyedSince(contactIds: number[], since: Date): Promise<Set<number>> {
    return this.repo.contactsSurveyedSince(contactIds, since);
  }
}
