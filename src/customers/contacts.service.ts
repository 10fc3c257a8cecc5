import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import type { Contact } from './contact.entity.js';
import { ContactsRepository } from './contacts.repository.js';
import { CustomerPolicy } from './customer.policy.js';
import { type ContactView, CustomersService, toContactView } from './customers.service.js';
import { afterIdOf, type ApiPage, cursorAfter } from '../common/api/api-page.js';
import { type ContactResource, toContactResource } from './customer.resource.js';
import type { ContactDto } from './dto/contact.dto.js';
import type { ContactApiQuery } from './dto/customer-api.dto.js';

export const CONTACT_FIELDS: Extract<keyof Contact, string>[] = [
  'name',
  'title',
  'mobile',
  'phone',
  'email',
  'wechat',
  'primary',
  'birthday',
  'mailOptOut',
];

/** The people at a customer: added, corrected and removed by whoever may edit the customer. */
@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ContactsRepository,
    private readonly customers: CustomersService,
    private readonly policy: CustomerPolicy,
    private readonly audit: AuditService,
  ) {}

  /** A contact of a customer the user may edit, for its form. */
  async getEditable(user: SessionUser, customerId: number, contactId: number): Promise<ContactView> {
    const customer = await this.customers.getEditable(user, customerId);
    const contact = customer.contacts.find((c) => c.id === contactId);
    if (!contact) throw new NotFound();
    return contact;
  }

  /** The API's contacts list: of customers the user sees, by id, a page at a time. */
  async page(user: SessionUser, query: ContactApiQuery, limit: number): Promise<ApiPage<ContactResource>> {
    const actor = await this.policy.actor(user);
    const afterId = afterIdOf(query.cursor);
    const rows = await this.repo.findPage(actor, query, afterId, limit);
    const data = rows.slice(0, limit).map((c) => toContactResource(c.customerId, toContactView(c)));
    const next = rows.length > limit ? cursorAfter(data.at(-1)!.id) : null;
    return { data, next };
  }

  /** A contact of a customer the user may see, as the API answers it; 404 otherwise. */
  async resource(user: SessionUser, contactId: number): Promise<ContactResource> {
    const customerId = await this.customerOf(contactId);
    const customer = await this.customers.get(user, customerId);
    const contact = customer.contacts.find((c) => c.id === contactId);
    if (!contact) throw new NotFound();
    return toContactResource(customerId, contact);
  }

  /** The customer a live contact belongs to; 404 for none (the rules are checked by what follows). */
  async customerOf(contactId: number): Promise<number> {
    const customerId = await this.repo.customerOf(contactId);
    if (customerId === null) throw new NotFound();
    return customerId;
  }

  /** Adds a contact to a customer the user may edit; answers its id. */
  async add(user: SessionUser, customerId: number, dto: ContactDto): Promise<number> {
    const actor = await this.policy.actor(user);
    return this.dataSource.transaction(async (m) => {
      await this.customers.lock(m, actor, customerId, 'edit');
      const fields = this.fields(dto);
      await this.assertMobileFree(m, customerId, fields.mobile, null);
      if (fields.primary) await this.repo.clearPrimary(m, customerId);
      const id = await this.repo.insert(m, { ...fields, customerId });
      const diff = diffOf<Contact>(null, fields, CONTACT_FIELDS);
      await this.audit.record({ action: 'create', entity: 'contact', entityId: id, diff }, m);
      await this.customers.publish(m, 'customer.updated', customerId);
      return id;
    });
  }

  async update(user: SessionUser, customerId: number, contactId: number, dto: ContactDto): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      await this.customers.lock(m, actor, customerId, 'edit');
      const before = await this.repo.lock(m, customerId, contactId);
      if (!before) throw new NotFound();
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const after = this.fields(dto);
      await this.assertMobileFree(m, customerId, after.mobile, contactId);
      if (after.primary && !before.primary) await this.repo.clearPrimary(m, customerId);
      await this.repo.update(m, contactId, after);
      const diff = diffOf<Contact>(before, after, CONTACT_FIELDS);
      await this.audit.record({ action: 'update', entity: 'contact', entityId: contactId, diff }, m);
      await this.customers.publish(m, 'customer.updated', customerId);
    });
  }

  async remove(user: SessionUser, customerId: number, contactId: number): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      await this.customers.lock(m, actor, customerId, 'edit');
      const contact = await this.repo.lock(m, customerId, contactId);
      if (!contact) throw new NotFound();
      await this.repo.softDelete(m, contactId);
      const diff = { name: { from: contact.name } };
      await this.audit.record({ action: 'delete', entity: 'contact', entityId: contactId, diff }, m);
      await this.customers.publish(m, 'customer.updated', customerId);
    });
  }

  /** Is `contactId` a live contact of `customerId`? (A follow-up names whom it was with.) */
  belongsTo(m: EntityManager, customerId: number, contactId: number): Promise<boolean> {
    return this.repo.exists(m, customerId, contactId);
  }

  /** Contacts' names by id, for other modules' timelines. */
  namesOf(ids: number[]): Promise<Map<number, string>> {
    return this.repo.names([...new Set(ids)]);
  }

  /**
   * One customer has one contact per mobile: a second would only split the person's history in two.
   * (The customer is locked, so two saves cannot both pass.)
   */
  private async assertMobileFree(
    m: EntityManager,
    customerId: number,
    mobile: string | null,
    exceptId: number | null,
  ): Promise<void> {
    if (mobile && (await this.repo.mobileTaken(m, customerId, mobile, exceptId)))
      throw ValidationFailed.field('mobile', 'contact.mobile_taken');
  }

  private fields(dto: ContactDto) {
    return {
      name: dto.name,
      title: dto.title,
      mobile: dto.mobile,
      phone: dto.phone,
      email: dto.email?.toLowerCase() ?? null,
      wechat: dto.wechat,
      primary: dto.primary,
      birthday: dto.birthday,
      mailOptOut: dto.mailOptOut,
    };
  }
}
