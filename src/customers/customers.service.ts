import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { RecordScope } from '../auth/record-scope.js';
import type { SessionUser } from '../common/session-user.js';
import {
  DomainError,
  editedVersion,
  NotAllowed,
  NotFound,
  StaleVersion,
  ValidationFailed,
} from '../common/errors.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';
import { Contact } from './contact.entity.js';
import { Customer } from './customer.entity.js';
import { duplicateKey, searchText } from './customer-keys.js';
import { type CustomerListRow, CustomersRepository, PAGE_SIZE } from './customers.repository.js';
import type { ContactDto } from './dto/contact.dto.js';
import type { CustomerFilterDto } from './dto/customer-filter.dto.js';
import type { CustomerDto } from './dto/customer.dto.js';
import { judgeDuplicates } from './duplicates.js';
import { CustomerMergeSteps } from './merge.js';
import { CustomerTimeline, type TimelineItem } from './timeline.js';

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

export interface CustomerList {
  rows: CustomerListItem[];
  total: number;
  /** More than `total` match: the count stopped there. */
  totalCapped: boolean;
  /** Cursor of the next page, if there is one. */
  next: string | null;
  pageSize: number;
}

export type CustomerView = Omit<
  Customer,
  'owner' | 'contacts' | 'deletedAt' | 'mergedInto' | 'searchText'
> & {
  ownerName: string | null;
  contacts: Contact[];
  canEdit: boolean;
  tagsText: string;
  /** Whole days since the last interaction, or null if there never was one. */
  daysSinceInteraction: number | null;
};

export interface DeletedCustomer {
  id: number;
  name: string;
  ownerName: string | null;
  deletedAt: Date;
}

/** The recycle bin shows this many of the last deleted customers. */
const RECYCLE_BIN_SIZE = 200;

/** A customer cannot come back while another live customer holds its USCC (a code is one customer's). */
export class RestoreBlocked extends DomainError {
  constructor(name: string, holder: string) {
    super(409, 'customer.restore_blocked', { name, holder });
  }
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

/** Fields a merge copies from the merged customer when the survivor has none. */
const MERGE_FILLS = [
  'uscc',
  'industry',
  'size',
  'province',
  'city',
  'district',
  'address',
  'website',
  'creditLevel',
  'source',
  'birthday',
] as const satisfies readonly (keyof Customer)[];

const maxDate = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

function toListItem(c: CustomerListRow): CustomerListItem {
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

/** Customers and contacts: the list, the 360° page, create and edit with duplicate checks, soft delete. */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly timelines: CustomerTimeline,
    private readonly users: UsersService,
    private readonly mergeSteps: CustomerMergeSteps,
  ) {}

  canCreate(user: SessionUser): boolean {
    return RecordScope.canCreateCustomer(user);
  }

  /** Who a manager or admin may make owner (the current owner always among them); null for others. */
  async ownerChoices(
    user: SessionUser,
    currentOwnerId: number | null,
  ): Promise<{ id: number; name: string }[] | null> {
    if (user.role !== 'admin' && user.role !== 'manager') return null;
    return this.users.assignableOwners(user.role === 'admin' ? null : user.teamIds, currentOwnerId);
  }

  async list(user: SessionUser, filter: CustomerFilterDto): Promise<CustomerList> {
    const { rows, next, total, totalCapped } = await this.repo.findPage(user, filter);
    return { rows: rows.map(toListItem), next, total, totalCapped, pageSize: PAGE_SIZE };
  }

  async get(user: SessionUser, id: number): Promise<CustomerView> {
    const c = await this.repo.findVisible(user, id);
    if (!c) throw new NotFound();
    const { owner, contacts, deletedAt: _deleted, mergedInto: _merged, searchText: _search, ...fields } = c;
    return {
      ...fields,
      ownerName: owner?.name ?? null,
      contacts,
      canEdit: RecordScope.canEditCustomer(user, owner ? { id: owner.id, teamId: owner.teamId } : null),
      tagsText: c.tags.join(', '),
      daysSinceInteraction: c.lastInteractionAt
        ? Math.floor((Date.now() - c.lastInteractionAt.getTime()) / 86_400_000)
        : null,
    };
  }

  /** The 360° page: a customer the user may see and everything that happened with it, newest first. */
  async show(user: SessionUser, id: number): Promise<{ customer: CustomerView; timeline: TimelineItem[] }> {
    const customer = await this.get(user, id);
    return { customer, timeline: await this.timelines.for(id) };
  }

  /** The customer if `user` may change it (for other modules writing on a customer's behalf), else 404/403. */
  async assertEditable(user: SessionUser, id: number, m?: EntityManager): Promise<Customer> {
    return this.lockEditable(m ?? this.dataSource.manager, user, id);
  }

  /** Creates a customer, with its first contact when one is given, after the duplicate checks. */
  async create(user: SessionUser, dto: CustomerDto): Promise<number> {
    if (!RecordScope.canCreateCustomer(user)) throw new NotAllowed();
    return this.dataSource.transaction(async (m) => {
      const fields = { ...this.fields(dto), ownerId: await this.chooseOwner(m, user, dto.ownerId, null) };
      fields.ownedSince = fields.ownerId === null ? null : new Date();
      // Two people saving the same company at once take turns, so the second sees the first as a duplicate.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`customer:${fields.nameKey}`]);
      await this.checkUsccFree(m, fields.uscc, null);
      const contact = dto.contactName
        ? {
            name: dto.contactName,
            mobile: dto.contactMobile,
            email: dto.contactEmail?.toLowerCase() ?? null,
            primary: true,
          }
        : null;
      await this.checkDuplicates(m, user, dto, fields.nameKey, contact, null);
      const { identifiers } = await m.insert(Customer, fields);
      const id = identifiers[0].id as number;
      if (contact) await m.insert(Contact, { ...contact, customerId: id });
      const diff = diffOf<Customer>(null, fields, CUSTOMER_FIELDS);
      if (dto.duplicateReason) diff.duplicateReason = { to: dto.duplicateReason };
      await this.audit.record({ action: 'create', entity: 'customer', entityId: id, diff }, m);
      await this.notifyNewOwner(m, user, id, fields.name, null, fields.ownerId);
      return id;
    });
  }

  /** Saves an edit made on version `dto.version`; a newer version in the database refuses it. */
  async update(user: SessionUser, id: number, dto: CustomerDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.lockEditable(m, user, id, editedVersion(dto.version));
      const after = {
        ...this.fields(dto),
        ownerId: await this.chooseOwner(m, user, dto.ownerId, before.ownerId),
      };
      if (after.ownerId !== before.ownerId) after.ownedSince = after.ownerId === null ? null : new Date();
      else delete after.ownedSince;
      await this.checkUsccFree(m, after.uscc, id);
      if (after.nameKey !== before.nameKey) await this.checkDuplicates(m, user, dto, after.nameKey, null, id);
      const diff = diffOf<Customer>(before, after, CUSTOMER_FIELDS);
      if (!Object.keys(diff).length) return;
      if (dto.duplicateReason) diff.duplicateReason = { to: dto.duplicateReason };
      await m.update(Customer, { id }, after);
      await this.audit.record({ action: 'update', entity: 'customer', entityId: id, diff }, m);
      await this.notifyNewOwner(m, user, id, after.name, before.ownerId, after.ownerId);
    });
  }

  /** Moves the customer to the recycle bin; its contacts and history stay with it. */
  async remove(user: SessionUser, id: number, version?: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const customer = await this.lockEditable(m, user, id, version);
      await m.softDelete(Customer, { id });
      await this.audit.record(
        { action: 'delete', entity: 'customer', entityId: id, diff: { name: { from: customer.name } } },
        m,
      );
    });
  }

  /**
   * The recycle bin: deleted customers the user could edit, last deleted first. Merged customers are
   * not in it: everything of theirs lives on in the customer they were merged into.
   */
  async deletedCustomers(user: SessionUser): Promise<DeletedCustomer[]> {
    const editable = RecordScope.canEditCustomerSql(user, 'c.owner_id', 'u.team_id');
    const rows = await this.dataSource.query<
      { id: number; name: string; owner_name: string | null; deleted_at: Date }[]
    >(
      `SELECT c.id, c.name, u.name AS owner_name, c.deleted_at
         FROM customer c LEFT JOIN app_user u ON u.id = c.owner_id
        WHERE c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL AND ${editable}
        ORDER BY c.deleted_at DESC, c.id DESC LIMIT ${RECYCLE_BIN_SIZE}`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, ownerName: r.owner_name, deletedAt: r.deleted_at }));
  }

  /** Takes a customer out of the recycle bin; returns its name. Refused while another customer holds its USCC. */
  async restore(user: SessionUser, id: number): Promise<string> {
    const editable = RecordScope.canEditCustomerSql(user, 'c.owner_id', 'u.team_id');
    return this.dataSource.transaction(async (m) => {
      const [customer] = await m.query<{ name: string; uscc: string | null }[]>(
        `SELECT c.name, c.uscc FROM customer c LEFT JOIN app_user u ON u.id = c.owner_id
          WHERE c.id = $1 AND c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL AND ${editable}
            FOR UPDATE OF c`,
        [id],
      );
      if (!customer) throw new NotFound();
      const [holder] = customer.uscc
        ? await m.query<{ name: string }[]>(
            'SELECT name FROM customer WHERE uscc = $1 AND deleted_at IS NULL',
            [customer.uscc],
          )
        : [];
      if (holder) throw new RestoreBlocked(customer.name, holder.name);
      await m.query(
        'UPDATE customer SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = $1',
        [id],
      );
      await this.audit.record(
        { action: 'restore', entity: 'customer', entityId: id, diff: { name: { to: customer.name } } },
        m,
      );
      return customer.name;
    });
  }

  /**
   * Merges `otherId` into `survivorId` (managers and admins): contacts and every registered kind of
   * record move over, empty fields of the survivor are filled from the other, tags are joined, and
   * the other customer is closed (soft-deleted), marked as merged into the survivor. Both sides are
   * audited.
   */
  async merge(user: SessionUser, survivorId: number, otherId: number): Promise<void> {
    if (user.role !== 'admin' && user.role !== 'manager') throw new NotAllowed();
    if (survivorId === otherId) throw ValidationFailed.field('otherId', 'merge.same');
    await this.dataSource.transaction(async (m) => {
      // Lock in id order, so two merges of the same pair cannot deadlock.
      const [first, second] = survivorId < otherId ? [survivorId, otherId] : [otherId, survivorId];
      const locked = new Map([
        [first, await this.lockEditable(m, user, first)],
        [second, await this.lockEditable(m, user, second)],
      ]);
      const survivor = locked.get(survivorId)!;
      const other = locked.get(otherId)!;
      const filled: Partial<Customer> = {};
      for (const field of MERGE_FILLS) {
        if ((survivor[field] === null || survivor[field] === '') && other[field] !== null)
          Object.assign(filled, { [field]: other[field] });
      }
      const moved: Record<string, { to: number }> = {};
      // The other's code moves over only once it has let go of it: USCCs are unique.
      if (filled.uscc) await m.update(Customer, { id: otherId }, { uscc: null });
      await m.update(
        Customer,
        { id: survivorId },
        {
          ...filled,
          tags: [...new Set([...survivor.tags, ...other.tags])],
          lastInteractionAt: maxDate(survivor.lastInteractionAt, other.lastInteractionAt),
        },
      );
      const [, contacts] = await m.query<[unknown[], number]>(
        `UPDATE contact SET customer_id = $2, "primary" = "primary" AND NOT EXISTS
           (SELECT 1 FROM contact p WHERE p.customer_id = $2 AND p."primary" AND p.deleted_at IS NULL)
          WHERE customer_id = $1`,
        [otherId, survivorId],
      );
      moved.contacts = { to: contacts };
      for (const step of this.mergeSteps.steps)
        moved[step.name] = { to: await step.move(m, otherId, survivorId) };
      await m.update(Customer, { id: otherId }, { mergedIntoId: survivorId });
      await m.softDelete(Customer, { id: otherId });
      const filledDiff = diffOf<Customer>(
        survivor,
        filled,
        MERGE_FILLS.filter((f) => f in filled),
      );
      await this.audit.record(
        {
          action: 'merge',
          entity: 'customer',
          entityId: survivorId,
          diff: { ...filledDiff, ...moved, mergedFrom: { to: otherId } },
        },
        m,
      );
      await this.audit.record(
        {
          action: 'merged_into',
          entity: 'customer',
          entityId: otherId,
          diff: { mergedInto: { to: survivorId } },
        },
        m,
      );
    });
  }

  /** Records an interaction: the customer's last interaction moves forward, never back. */
  async touch(m: EntityManager, id: number, at: Date): Promise<void> {
    await m.query(
      `UPDATE customer SET last_interaction_at = greatest(coalesce(last_interaction_at, $2), $2), pool_warned_at = NULL WHERE id = $1`,
      [id, at],
    );
  }

  async addContact(user: SessionUser, customerId: number, dto: ContactDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockEditable(m, user, customerId);
      const fields = this.contactFields(dto);
      if (fields.primary) await this.clearPrimary(m, customerId);
      const { identifiers } = await m.insert(Contact, { ...fields, customerId });
      const diff = diffOf<Contact>(null, fields, CONTACT_FIELDS);
      await this.audit.record(
        { action: 'create', entity: 'contact', entityId: identifiers[0].id as number, diff },
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
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const after = this.contactFields(dto);
      if (after.primary && !before.primary) await this.clearPrimary(m, customerId);
      await m.update(Contact, { id: contactId }, after);
      const diff = diffOf<Contact>(before, after, CONTACT_FIELDS);
      await this.audit.record({ action: 'update', entity: 'contact', entityId: contactId, diff }, m);
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

  /** Fills the search and duplicate keys of rows that lack them (older rows, bulk inserts); returns how many. */
  async reindexKeys(batch = 2000): Promise<number> {
    let done = 0;
    for (;;) {
      const rows = await this.dataSource.query<{ id: number; name: string }[]>(
        `SELECT id, name FROM customer WHERE search_text = '' ORDER BY id LIMIT $1`,
        [batch],
      );
      if (!rows.length) return done;
      await this.dataSource.query(
        `UPDATE customer c SET name_key = k.name_key, search_text = k.search_text
           FROM unnest($1::int[], $2::text[], $3::text[]) AS k(id, name_key, search_text) WHERE c.id = k.id`,
        [rows.map((r) => r.id), rows.map((r) => duplicateKey(r.name)), rows.map((r) => searchText(r.name))],
      );
      done += rows.length;
    }
  }

  // Rules

  /** Not visible: 404. Visible but not theirs to change: 403. Then the version must match. */
  private async lockEditable(
    m: EntityManager,
    user: SessionUser,
    id: number,
    version?: number,
  ): Promise<Customer> {
    const locked = await this.repo.lockVisible(m, user, id);
    if (!locked) throw new NotFound();
    const owner = locked.owner ? { id: locked.owner.id, teamId: locked.owner.teamId } : null;
    if (!RecordScope.canEditCustomer(user, owner)) throw new NotAllowed();
    if (version !== undefined && version !== locked.version) throw new StaleVersion();
    return locked;
  }

  private async checkDuplicates(
    m: EntityManager,
    user: SessionUser,
    dto: CustomerDto,
    nameKey: string,
    contact: { mobile: string | null; email: string | null } | null,
    exceptId: number | null,
  ): Promise<void> {
    const found = await this.repo.findDuplicates(
      m,
      {
        nameKey,
        mobiles: contact?.mobile ? [contact.mobile] : [],
        phones: [],
        emails: contact?.email ? [contact.email] : [],
      },
      exceptId,
    );
    judgeDuplicates(user, found, { confirm: dto.confirmDuplicate, reason: dto.duplicateReason });
  }

  private fields(
    dto: CustomerDto,
  ): Partial<Customer> & { name: string; nameKey: string; uscc: string | null } {
    return {
      kind: dto.kind,
      name: dto.name,
      nameKey: duplicateKey(dto.name),
      searchText: searchText(dto.name),
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
    const choices = await this.users.assignableOwners(user.role === 'admin' ? null : user.teamIds, null, m);
    if (!choices.some((c) => c.id === wanted)) throw ValidationFailed.field('ownerId', 'validation.invalid');
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
