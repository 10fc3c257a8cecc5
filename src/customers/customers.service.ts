import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { RecordScope } from '../auth/record-scope.js';
import type { SessionUser } from '../auth/session-user.js';
import { NotAllowed, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import { type Page, toPage } from '../common/pagination.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { User } from '../users/user.entity.js';
import { Contact } from './contact.entity.js';
import { Customer } from './customer.entity.js';
import { type CustomerFilter, CustomersRepository } from './customers.repository.js';
import type { ContactDto } from './dto/contact.dto.js';
import type { CustomerDto } from './dto/customer.dto.js';

export interface CustomerListItem {
  id: number;
  name: string;
  kind: string;
  tier: string;
  vip: boolean;
  status: string;
  city: string | null;
  ownerName: string | null;
  lastInteractionAt: Date | null;
}

export type CustomerView = Omit<Customer, 'owner' | 'contacts' | 'deletedAt'> & {
  ownerName: string | null;
  contacts: Contact[];
  canEdit: boolean;
  tagsText: string;
};

export interface TimelineItem {
  at: Date;
  kind: 'follow_up';
  method: string;
  summary: string;
  promises: string | null;
  nextAction: string | null;
  nextFollowUpAt: Date | null;
  authorName: string;
  contactName: string | null;
}

const CUSTOMER_FIELDS: Extract<keyof Customer, string>[] = [
  'kind',
  'name',
  'uscc',
  'industry',
  'size',
  'province',
  'city',
  'district',
  'address',
  'website',
  'tier',
  'vip',
  'creditLevel',
  'source',
  'status',
  'ownerId',
  'birthday',
  'tags',
];
const CONTACT_FIELDS: Extract<keyof Contact, string>[] = [
  'name',
  'title',
  'mobile',
  'phone',
  'email',
  'wechat',
  'primary',
  'birthday',
];

function toListItem(c: Customer): CustomerListItem {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    tier: c.tier,
    vip: c.vip,
    status: c.status,
    city: c.city,
    ownerName: c.owner?.name ?? null,
    lastInteractionAt: c.lastInteractionAt,
  };
}

/** Customers and contacts: list, the 360° page, create, versioned edit, soft delete. */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  async list(user: SessionUser, filter: CustomerFilter): Promise<Page<CustomerListItem>> {
    const [rows, total] = await this.repo.findPage(user, filter);
    return toPage(rows.map(toListItem), total, filter.page, filter.perPage);
  }

  async get(user: SessionUser, id: number): Promise<CustomerView> {
    const c = await this.repo.findVisible(user, id);
    if (!c) throw new NotFound();
    const { owner, contacts, deletedAt: _deleted, ...fields } = c;
    return {
      ...fields,
      ownerName: owner?.name ?? null,
      contacts,
      canEdit: RecordScope.canEditCustomer(user, owner ? { id: owner.id, teamId: owner.teamId } : null),
      tagsText: c.tags.join(', '),
    };
  }

  async timeline(user: SessionUser, id: number): Promise<TimelineItem[]> {
    if (!(await this.repo.findVisible(user, id))) throw new NotFound();
    const followUps = await this.repo.recentFollowUps(id);
    return followUps.map((f) => ({
      at: f.happenedAt,
      kind: 'follow_up',
      method: f.method,
      summary: f.summary,
      promises: f.promises,
      nextAction: f.nextAction,
      nextFollowUpAt: f.nextFollowUpAt,
      authorName: f.author.name,
      contactName: f.contact?.name ?? null,
    }));
  }

  async create(user: SessionUser, dto: CustomerDto): Promise<number> {
    if (!RecordScope.canCreateCustomer(user)) throw new NotAllowed();
    return this.dataSource.transaction(async (m) => {
      const fields = { ...this.fields(dto), ownerId: await this.chooseOwner(m, user, dto.ownerId, null) };
      await this.checkUsccFree(m, fields.uscc, null);
      const { identifiers } = await m.insert(Customer, fields);
      const id = identifiers[0].id as number;
      await this.audit.record(
        {
          action: 'create',
          entity: 'customer',
          entityId: id,
          diff: diffOf<Customer>(null, fields, CUSTOMER_FIELDS),
        },
        m,
      );
      await this.notifyNewOwner(m, user, id, fields.name, null, fields.ownerId);
      return id;
    });
  }

  /** Saves an edit made on version `dto.version`; a newer version in the database refuses it. */
  async update(user: SessionUser, id: number, dto: CustomerDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockEditable(m, user, id, dto.version);
      const after = {
        ...this.fields(dto),
        ownerId: await this.chooseOwner(m, user, dto.ownerId, before.ownerId),
      };
      await this.checkUsccFree(m, after.uscc, id);
      const diff = diffOf<Customer>(before, after, CUSTOMER_FIELDS);
      if (!Object.keys(diff).length) return;
      await m.update(Customer, { id }, after);
      await this.audit.record({ action: 'update', entity: 'customer', entityId: id, diff }, m);
      await this.notifyNewOwner(m, user, id, after.name, before.ownerId, after.ownerId);
    });
  }

  /** Moves the customer to the recycle bin; its contacts and history stay with it. */
  async remove(user: SessionUser, id: number, version?: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockEditable(m, user, id, version);
      await m.softDelete(Customer, { id });
      await this.audit.record({ action: 'delete', entity: 'customer', entityId: id }, m);
    });
  }

  async addContact(user: SessionUser, customerId: number, dto: ContactDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockEditable(m, user, customerId);
      const fields = this.contactFields(dto);
      if (fields.primary) await this.clearPrimary(m, customerId);
      const { identifiers } = await m.insert(Contact, { ...fields, customerId });
      await this.audit.record(
        {
          action: 'create',
          entity: 'contact',
          entityId: identifiers[0].id as number,
          diff: diffOf<Contact>(null, fields, CONTACT_FIELDS),
        },
        m,
      );
    });
  }

  async updateContact(
    user: SessionUser,
    customerId: number,
    contactId: number,
    dto: ContactDto,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockEditable(m, user, customerId);
      const before = await this.repo.findContact(m, customerId, contactId);
      if (!before) throw new NotFound();
      if (dto.version !== undefined && dto.version !== before.version) throw new StaleVersion();
      const after = this.contactFields(dto);
      if (after.primary && !before.primary) await this.clearPrimary(m, customerId);
      await m.update(Contact, { id: contactId }, after);
      await this.audit.record(
        {
          action: 'update',
          entity: 'contact',
          entityId: contactId,
          diff: diffOf<Contact>(before, after, CONTACT_FIELDS),
        },
        m,
      );
    });
  }

  async getContact(user: SessionUser, customerId: number, contactId: number): Promise<Contact> {
    const customer = await this.get(user, customerId);
    const contact = customer.contacts.find((c) => c.id === contactId);
    if (!contact) throw new NotFound();
    return contact;
  }

  async removeContact(user: SessionUser, customerId: number, contactId: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockEditable(m, user, customerId);
      if (!(await this.repo.findContact(m, customerId, contactId))) throw new NotFound();
      await m.softDelete(Contact, { id: contactId });
      await this.audit.record({ action: 'delete', entity: 'contact', entityId: contactId }, m);
    });
  }

  // Rules

  /** Not visible: 404. Visible but not theirs to change: 403. Then the version must match. */
  private async lockEditable(
    m: EntityManager,
    user: SessionUser,
    id: number,
    version?: number,
  ): Promise<Customer> {
    const visible = await this.repo.findVisible(user, id, m);
    if (!visible) throw new NotFound();
    const owner = visible.owner ? { id: visible.owner.id, teamId: visible.owner.teamId } : null;
    if (!RecordScope.canEditCustomer(user, owner)) throw new NotAllowed();
    const locked = await this.repo.lock(m, id);
    if (!locked) throw new NotFound();
    if (version !== undefined && version !== locked.version) throw new StaleVersion();
    return locked;
  }

  private fields(dto: CustomerDto) {
    return {
      kind: dto.kind,
      name: dto.name,
      uscc: dto.uscc,
      industry: dto.industry,
      size: dto.size,
      province: dto.province,
      city: dto.city,
      district: dto.district,
      address: dto.address,
      website: dto.website,
      tier: dto.tier,
      vip: dto.vip,
      creditLevel: dto.creditLevel,
      source: dto.source,
      status: dto.status,
      birthday: dto.kind === 'person' ? dto.birthday : null,
      tags: [...new Set(dto.tags)],
    };
  }

  private contactFields(dto: ContactDto) {
    return {
      name: dto.name,
      title: dto.title,
      mobile: dto.mobile,
      phone: dto.phone,
      email: dto.email?.toLowerCase() ?? null,
      wechat: dto.wechat,
      primary: dto.primary,
      birthday: dto.birthday,
    };
  }

  /** Sales reps own what they create and cannot give it away here; managers pick within their team. */
  private async chooseOwner(
    m: EntityManager,
    user: SessionUser,
    wanted: number | null,
    current: number | null,
  ): Promise<number | null> {
    if (user.role === 'sales') return current ?? user.id;
    if (wanted === null || wanted === current) return wanted;
    const owner = await m.findOneBy(User, { id: wanted, active: true });
    const allowed =
      owner && owner.role !== 'service' && (user.role === 'admin' || owner.teamId === user.teamId);
    if (!allowed) throw ValidationFailed.field('ownerId', 'validation.invalid');
    return wanted;
  }

  private async checkUsccFree(m: EntityManager, uscc: string | null, exceptId: number | null): Promise<void> {
    if (!uscc) return;
    const other = await m.findOne(Customer, { where: { uscc }, relations: { owner: true } });
    if (other && other.id !== exceptId) {
      throw ValidationFailed.field('uscc', 'validation.usccTaken', {
        name: other.name,
        owner: other.owner?.name ?? '—',
      });
    }
  }

  private async clearPrimary(m: EntityManager, customerId: number): Promise<void> {
    await m.query('UPDATE contact SET "primary" = false WHERE customer_id = $1 AND "primary"', [customerId]);
  }

  private async notifyNewOwner(
    m: EntityManager,
    user: SessionUser,
    id: number,
    name: string,
    from: number | null,
    to: number | null,
  ) {
    if (to === null || to === from || to === user.id) return;
    await this.notifications.notify(to, 'customer_assigned', { name, by: user.name }, `/customers/${id}`, m);
  }
}
