import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { AuditService } from '../audit/audit.service.js';
import { TasksService } from '../automation/tasks.service.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { ContractsService } from '../contracts/contracts.service.js';
import { CustomersService, type PersonRecords } from '../customers/customers.service.js';
import { FollowUpsService } from '../follow-ups/follow-ups.service.js';
import { translate } from '../i18n/i18n.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { RulesService } from '../rules/rules.service.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { PrivacyPolicy } from './privacy.policy.js';
import {
  ERASED,
  type PersonIdentity,
  type PrivacySubject,
  type PersonalDataFile,
  type PrivacyPage,
} from './privacy.types.js';

/** `/admin/privacy/contacts/12` names a contact, `/admin/privacy/customers/7` a person-customer. */
export function subjectOf(kind: string, id: number): PrivacySubject {
  if (kind === 'contacts') return { kind: 'contact', id };
  if (kind === 'customers') return { kind: 'customer', id };
  throw new NotFound();
}

const escapeRegex = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/** A mobile's digits, found also where a note wrote them with spaces or dashes (138 1234 5678). */
const digitsPattern = (digits: string) => digits.split('').join('[ -]?');

/**
 * What identifies a person in free text, and how each module finds it: a regular expression over
 * text and one over JSON text (quotes and backslashes escaped as JSON writes them). Strings shorter
 * than two characters, or that are the erasure mask itself, identify no one.
 */
export function identify(person: PersonRecords): PersonIdentity {
  const names = person.contacts.map((c) => c.name);
  if (person.wholeCustomer) names.push(person.customer.name);
  const emails = person.contacts.flatMap((c) => (c.email ? [c.email.trim().toLowerCase()] : []));
  const mobiles = person.contacts.flatMap((c) => (c.mobile ? [c.mobile.trim()] : []));
  const others = person.contacts.flatMap((c) => [c.phone, c.wechat]);
  if (person.wholeCustomer) others.push(person.customer.address);
  const strings = [...new Set([...names, ...emails, ...mobiles, ...others])]
    .filter((s): s is string => typeof s === 'string')
    .map((s) => s.trim())
    .filter((s) => s.length >= 2 && !ERASED.includes(s) && !s.includes(ERASED));
  const piece = (s: string, json: boolean) => {
    if (/^\d{7,}$/.test(s)) return digitsPattern(s);
    return escapeRegex(json ? JSON.stringify(s).slice(1, -1) : s);
  };
  // Longest first, so a name inside an address is not masked before the address is.
  const ordered = [...strings].sort((a, b) => b.length - a.length);
  const alternation = (json: boolean) => ordered.map((s) => piece(s, json)).join('|');
  return {
    customerId: person.customer.id,
    contactIds: person.contacts.map((c) => c.id),
    wholeCustomer: person.wholeCustomer,
    strings,
    emails,
    mobiles,
    pattern: strings.length ? alternation(false) : '',
    jsonPattern: strings.length ? alternation(true) : '',
    mask: ERASED,
    scrubJson(value: unknown): unknown {
      if (!strings.length) return value;
      const re = new RegExp(
        ordered.map((s) => (/^\d{7,}$/.test(s) ? digitsPattern(s) : escapeRegex(s))).join('|'),
        'gi',
      );
      const walk = (v: unknown): unknown => {
        if (typeof v === 'string') return v.replace(re, ERASED);
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === 'object')
          return Object.fromEntries(
            Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]),
          );
        return v;
      };
      return walk(value);
    },
  };
}

/** The name a request is known by: the person-customer's, or the contact's. */
const nameOf = (person: PersonRecords) =>
  person.wholeCustomer ? person.customer.name : (person.contacts[0]?.name ?? '');

/** Names typed for a confirmation compare without case, surrounding spaces or width differences. */
const sameName = (a: string, b: string) =>
  a.normalize('NFKC').trim().toLowerCase() === b.normalize('NFKC').trim().toLowerCase();

/**
 * A person's requests under 个人信息保护法 (PIPL), answered by an admin: everything Kehu holds on a
 * contact or a person-customer, as one file a person can read (labels in Chinese and English), and
 * their erasure. Erasing masks what identifies them in every module's records, in one transaction,
 * and keeps the records themselves, so counts, amounts and KPIs stay; the erasure is audited with
 * counts only. Each module does its part through its own service.
 */
@Injectable()
export class PrivacyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policy: PrivacyPolicy,
    private readonly customers: CustomersService,
    private readonly followUps: FollowUpsService,
    private readonly tickets: TicketsService,
    private readonly mail: MailService,
    private readonly notifications: NotificationsService,
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditService,
    private readonly opportunities: OpportunitiesService,
    private readonly contracts: ContractsService,
    private readonly approvals: ApprovalsService,
    private readonly tasks: TasksService,
    private readonly rules: RulesService,
  ) {}

  /** The request page: who it is about and how much Kehu holds on them, with the export and the erasure. */
  async page(user: SessionUser, subject: PrivacySubject): Promise<PrivacyPage> {
    this.policy.assert(user, 'export');
    const person = await this.customers.personOf(this.customersSubject(subject));
    const data = await this.collect(person);
    return {
      title: 'privacy.title',
      titleText: nameOf(person),
      subject,
      path: `/admin/privacy/${subject.kind}s/${subject.id}`,
      name: nameOf(person),
      customer: { id: person.customer.id, name: person.customer.name, kind: person.customer.kind },
      erased: nameOf(person).startsWith(ERASED),
      counts: {
        contacts: person.contacts.length,
        followUps: data.followUps.length,
        opportunities: data.deals.length,
        contracts: data.contracts.length,
        tickets: data.service.tickets.length,
        messages: data.service.messages.length,
        surveys: data.service.surveys.length,
        mails: data.mails.length,
        audit: data.audit.length,
      },
      can: this.policy.flags(user),
    };
  }

  /** Everything Kehu holds on the person, as a file; the export is audited (without its contents). */
  async exportFile(user: SessionUser, subject: PrivacySubject): Promise<PersonalDataFile> {
    this.policy.assert(user, 'export');
    const person = await this.customers.personOf(this.customersSubject(subject));
    const data = await this.collect(person);
    const label = (key: string) => `${translate('zh-CN', key)} / ${translate('en', key)}`;
    const records = (rows: object[], fields: Record<string, string>) =>
      rows.map((row) =>
        Object.fromEntries(
          Object.entries(fields).map(([field, key]) => [
            label(key),
            show((row as Record<string, unknown>)[field]),
          ]),
        ),
      );
    const section = (key: string, rows: object[], fields: Record<string, string>) => ({
      section: label(key),
      count: rows.length,
      records: records(rows, fields),
    });
    const f = (name: string) => `privacy.field.${name}`;
    const body = {
      title: label('privacy.file.title'),
      about: label('privacy.file.about'),
      person: nameOf(person),
      exportedAt: new Date().toISOString(),
      exportedBy: user.email,
      sections: [
        ...(person.wholeCustomer
          ? [
              section('privacy.section.customer', [person.customer], {
                name: f('name'),
                kind: f('kind'),
                status: f('status'),
                address: f('address'),
                birthday: f('birthday'),
                website: f('website'),
                notes: f('notes'),
                nextStep: f('next_step'),
                createdAt: f('created_at'),
                deletedAt: f('deleted_at'),
              }),
            ]
          : [section('privacy.section.company', [person.customer], { name: f('name'), kind: f('kind') })]),
        section('privacy.section.contacts', person.contacts, {
          name: f('name'),
          title: f('title'),
          mobile: f('mobile'),
          phone: f('phone'),
          email: f('email'),
          wechat: f('wechat'),
          birthday: f('birthday'),
          primary: f('primary'),
          mailOptOut: f('mail_opt_out'),
          createdAt: f('created_at'),
          deletedAt: f('deleted_at'),
        }),
        section('privacy.section.follow_ups', data.followUps, {
          happenedAt: f('happened_at'),
          method: f('method'),
          summary: f('summary'),
          promises: f('promises'),
          nextAction: f('next_action'),
          nextFollowUpAt: f('next_follow_up_at'),
          location: f('location'),
          deletedAt: f('deleted_at'),
        }),
        section('privacy.section.opportunities', data.deals, {
          title: f('deal'),
          stage: f('stage'),
          amount: f('amount'),
          nextStep: f('next_step'),
          createdAt: f('created_at'),
        }),
        section('privacy.section.contracts', data.contracts, {
          number: f('contract'),
          title: f('subject'),
          customerName: f('name'),
          customerSignatoryName: f('signatory'),
          amount: f('amount'),
          status: f('status'),
          signedOn: f('signed_on'),
        }),
        section('privacy.section.tickets', data.service.tickets, {
          number: f('ticket'),
          subject: f('subject'),
          requesterName: f('requester_name'),
          requesterEmail: f('email'),
          requesterMobile: f('mobile'),
          channel: f('channel'),
          type: f('type'),
          status: f('status'),
          receivedAt: f('received_at'),
          resolvedAt: f('resolved_at'),
        }),
        section('privacy.section.messages', data.service.messages, {
          ticket: f('ticket'),
          at: f('at'),
          from: f('from'),
          fromCustomer: f('from_customer'),
          internal: f('internal'),
          body: f('body'),
          quoted: f('quoted'),
        }),
        section('privacy.section.surveys', data.service.surveys, {
          kind: f('kind'),
          sentTo: f('sent_to'),
          sentAt: f('sent_at'),
          answeredAt: f('answered_at'),
          csat: f('csat'),
          ces: f('ces'),
          nps: f('nps'),
          comment: f('comment'),
        }),
        section('privacy.section.mails', data.mails, {
          to: f('to'),
          subject: f('subject'),
          text: f('body'),
          status: f('status'),
          createdAt: f('created_at'),
          sentAt: f('sent_at'),
        }),
        section('privacy.section.audit', data.audit, {
          at: f('at'),
          actorEmail: f('actor'),
          action: f('action'),
          entity: f('entity'),
          entityId: f('entity_id'),
          diff: f('changes'),
        }),
      ],
    };
    await this.audit.record({ action: 'export_personal_data', entity: subject.kind, entityId: subject.id });
    return {
      fileName: `personal-data-${subject.kind}-${subject.id}.json`,
      contentType: 'application/json; charset=utf-8',
      body: `${JSON.stringify(body, null, 2)}\n`,
    };
  }

  /**
   * Erases the person once the admin typed their name again: every module masks what identifies them,
   * all in one transaction (all or nothing); the erasure's own audit entry holds counts, never the
   * erased values. Answers where to go next.
   */
  async erase(user: SessionUser, subject: PrivacySubject, confirmName: string): Promise<string> {
    this.policy.assert(user, 'erase');
    const person = await this.customers.personOf(this.customersSubject(subject));
    if (!sameName(confirmName, nameOf(person)))
      throw ValidationFailed.field('confirmName', 'privacy.confirm_mismatch');
    const who = identify(person);
    const contactIds = who.wholeCustomer ? null : who.contactIds;
    await this.dataSource.transaction(async (m) => {
      await this.customers.erasePerson(m, who);
      const followUps = await this.followUps.erasePerson(m, who);
      const service = await this.tickets.erasePerson(m, { ...who, contactIds });
      const deals = await this.opportunities.erasePerson(m, who);
      const contracts = await this.contracts.erasePerson(m, who);
      const approvals = await this.approvals.erasePerson(m, who);
      const tasks = await this.tasks.erasePerson(m, who);
      const mails = await this.mail.erasePerson(m, who);
      const notices =
        (await this.notifications.erasePerson(m, who)) +
        (await this.webhooks.erasePerson(m, who)) +
        (await this.rules.erasePerson(m, who));
      // Last the audit log: older entries lose the person's values; the erasure's own entry counts
      // what changed, by kind of record, and names no one.
      const audit = await this.audit.erasePerson(m, who);
      const count = (n: number) => ({ to: n });
      await this.audit.record(
        {
          action: 'erase_personal_data',
          entity: subject.kind,
          entityId: subject.id,
          diff: {
            contact: count(who.contactIds.length),
            follow_up: count(followUps),
            opportunity: count(deals),
            contract: count(contracts),
            ticket: count(service.tickets),
            ticket_message: count(service.messages),
            survey: count(service.surveys),
            approval: count(approvals),
            task: count(tasks),
            mail: count(mails),
            notification: count(notices),
            audit_entry: count(audit),
          },
        },
        m,
      );
    });
    return `/admin/privacy/${subject.kind}s/${subject.id}`;
  }

  private customersSubject(subject: PrivacySubject) {
    return subject.kind === 'contact' ? { contactId: subject.id } : { customerId: subject.id };
  }

  /** What every module holds on the person. */
  private async collect(person: PersonRecords) {
    const who = identify(person);
    const contactIds = who.wholeCustomer ? null : who.contactIds;
    const records = [
      ...who.contactIds.map((id) => ({ entity: 'contact', entityId: String(id) })),
      ...(who.wholeCustomer ? [{ entity: 'customer', entityId: String(who.customerId) }] : []),
    ];
    // A person-customer's deals and contracts are theirs; a company's are the company's.
    const [deals, contracts, followUps, service, mails, audit] = await Promise.all([
      who.wholeCustomer ? this.opportunities.personalDataOf(who.customerId) : [],
      who.wholeCustomer ? this.contracts.personalDataOf(who.customerId) : [],
      this.followUps.personalDataOf(who.customerId, contactIds, who.pattern),
      this.tickets.personalDataOf({ ...who, contactIds }),
      this.mail.personalDataOf(who.pattern),
      this.audit.personalDataOf(who.jsonPattern, records),
    ]);
    return { deals, contracts, followUps, service, mails, audit };
  }
}

/** A value as the file shows it: times in ISO 8601, nothing as null, details as they were recorded. */
function show(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}
