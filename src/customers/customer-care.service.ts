import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import {
  CustomerCareRepository,
  type IdleVipRow,
  type MailableContactRow,
} from './customer-care.repository.js';

export type { IdleVipRow, MailableContactRow };

/**
 * What the automation rules need to know of customers and their contacts (jobs: no signed-in user),
 * and a contact's choice not to be mailed: kept on the contact, set on the contact form or by the
 * unsubscribe link every rule mail to a contact carries (/unsubscribe/:token, the token signed with
 * the server's secret so nobody can unsubscribe another contact by guessing).
 */
@Injectable()
export class CustomerCareService {
  constructor(
    private readonly repo: CustomerCareRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  idleVips(before: Date): Promise<IdleVipRow[]> {
    return this.repo.idleVips(before);
  }

  /** Live customers' names and owners, by id (deleted ones are absent). */
  ownersOf(ids: number[]): Promise<Map<number, { name: string; ownerId: number | null }>> {
    return this.repo.ownersOf(ids);
  }

  async primaryContactOf(customerId: number): Promise<MailableContactRow | null> {
    return (await this.repo.primaryContactsOf([customerId]))[0] ?? null;
  }

  primaryContactsOfActive(): Promise<MailableContactRow[]> {
    return this.repo.primaryContactsOfActive();
  }

  vipContacts(monthDay?: string): Promise<MailableContactRow[]> {
    return this.repo.vipContacts(monthDay);
  }

  /** Whether a contact opted out, checked in the transaction that would mail them. */
  optedOut(m: EntityManager, contactId: number): Promise<boolean> {
    return this.repo.optedOut(m, contactId);
  }

  /** The unsubscribe link's token for a contact: its id and a signature of it. */
  unsubscribeToken(contactId: number): string {
    return `${contactId}.${this.sign(contactId)}`;
  }

  /** The contact an unsubscribe token names, if its signature holds. */
  async unsubscribeTarget(token: string): Promise<{ id: number; name: string; mailOptOut: boolean } | null> {
    const id = this.verify(token);
    return id === null ? null : this.repo.contact(id);
  }

  /** The contact of the token asks for no more mail (audited); false for a bad token. */
  async unsubscribe(token: string): Promise<boolean> {
    const contact = await this.unsubscribeTarget(token);
    if (!contact) return false;
    if (!contact.mailOptOut) {
      await this.repo.setOptOut(contact.id, true);
      await this.audit.record({
        action: 'unsubscribe',
        entity: 'contact',
        entityId: contact.id,
        diff: { mailOptOut: { from: false, to: true } },
        actor: null,
      });
    }
    return true;
  }

  private sign(contactId: number): string {
    return createHmac('sha256', this.config.sessionSecret)
      .update(`unsubscribe:${contactId}`)
      .digest('base64url')
      .slice(0, 32);
  }

  private verify(token: string): number | null {
    const m = /^(\d{1,9})\.([A-Za-z0-9_-]{32})$/.exec(token ?? '');
    if (!m) return null;
    const id = Number(m[1]);
    const want = Buffer.from(this.sign(id));
    const got = Buffer.from(m[2]);
    return want.length === got.length && timingSafeEqual(want, got) ? id : null;
  }
}
