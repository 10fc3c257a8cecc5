import { wholeAddress } from './address.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { type SummaryFigure, type TimelineItem, CustomerLifecycles } from '../common/customer-lifecycle.js';
import {
  DomainError,
  editedVersion,
  NotAllowed,
  NotFound,
  StaleVersion,
  ValidationFailed,
} from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import { ContactsRepository } from './contacts.repository.js';
import { CustomerImportRepository } from './import/customer-import.repository.js';
import type { Customer } from './customer.entity.js';
import { duplicateKey, searchText } from './customer-keys.js';
import { searchCondition } from './customer-search.js';
import {
  conditionFor,
  type CustomerAction,
  type CustomerActor,
  CustomerPolicy,
  DUPLICATE_RULES,
} from './customer.policy.js';
import {
  type CustomerRowFacts,
  type CustomerFields,
  type CustomerListRow,
  CustomersRepository,
  type NextStepRow,
  type CustomerProfile,
  PAGE_SIZE,
  type ProfileContact,
} from './customers.repository.js';
import type { BulkOwnerDto } from './dto/bulk-owner.dto.js';
import { toCustomerResource } from './customer.resource.js';
import type { CustomerFilterDto } from './dto/customer-filter.dto.js';
import type { CustomerDto } from './dto/customer.dto.js';
import { judgeDuplicates } from './duplicates.js';
import { normalizeEmail } from './email.js';
import { mobileProblem, normalizeMobile, normalizePhone } from './phone.js';
import { PoolRepository } from './pool.repository.js';
import type { RequesterInput, RequesterMatch } from './requester.types.js';

/** What happens to customers that webhooks tell of (declared in CustomersLifecycle). */
export const CUSTOMER_EVENTS = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.merged',
  'customer.owner_changed',
] as const;
export type CustomerEvent = (typeof CUSTOMER_EVENTS)[number];

/** Why a bulk action left a ticked customer as it was. */
export type BulkSkip = 'not_yours' | 'in_pool' | 'already_theirs';

/** What a bulk action did: how many customers changed, and how many were skipped for each reason. */
export interface BulkResult {
  action: 'assign' | 'release';
  done: number;
  skipped: Partial<Record<BulkSkip, number>>;
  ownerName: string | null;
}

/** A bulk form sent without a customer ticked, or "assign" without an owner chosen. */
export class BulkIncomplete extends DomainError {
  constructor(key: 'bulk.none_chosen' | 'bulk.owner_required') {
    super(422, key);
  }
}

export interface CustomerListItem {
  id: number;
  name: string;
  kind: string;
  tier: string;
  vip: boolean;
  status: string;
  city: string | null;
  ownerId: number | null;
  ownerName: string | null;
  lastInteractionAt: Date | null;
  updatedAt: Date;
}

export interface CustomerList {
  rows: CustomerListItem[];
  total: number;
  /** More than `total` match: the count stopped there. */
  totalCapped: boolean;
  /** Cursor of the next page, if there is one. */
  next: string | null;
  /** Cursor to go back to the previous page from, if there is one. */
  prev: string | null;
  pageSize: number;
  /** The user's role was given the right to export customers (the export buttons). */
  canExport: boolean;
  /** The user may assign, transfer and release several customers at once (the list's checkboxes). */
  canBulk: boolean;
}

export interface ContactView {
  id: number;
  name: string;
  title: string | null;
  mobile: string | null;
  phone: string | null;
  email: string | null;
  wechat: string | null;
  primary: boolean;
  birthday: string | null;
  mailOptOut: boolean;
  version: number;
}

/** A live customer's next step (the next action and date its latest follow-up set), with its owner. */
export type CustomerNextStep = NextStepRow;

/** Name, tier, VIP mark, owner and the owner's team of a customer, for another module's rules. */
export type CustomerFacts = CustomerRowFacts & { ownerTeamId: number | null };

/**
 * A subquery of customer ids (`SELECT c.id FROM customer c …`) with its named parameters (`:name`),
 * which another module's statement embeds so that who the customers are stays this module's rule.
 */
export interface CustomerIdsQuery {
  sql: string;
  params: Record<string, unknown>;
}

/**
 * A customers subquery inside a statement whose values are bound positionally by `bind`: each named
 * parameter becomes the next placeholder (a `::` cast is left alone).
 */
export function inlineCustomerIds(ids: CustomerIdsQuery, bind: (value: unknown) => string): string {
  return ids.sql.replace(/(?<!:):(\w+)/g, (whole, name: string) =>
    name in ids.params ? bind(ids.params[name]) : whole,
  );
}

/** A customer as its pages show it, with what the user may do to it. */
export type CustomerView = Omit<
  Customer,
  'owner' | 'contacts' | 'deletedAt' | 'mergedInto' | 'searchText' | 'searchTokens'
> & {
  ownerName: string | null;
  contacts: ContactView[];
  tagsText: string;
  /** Whole days since the last interaction, or null if there never was one. */
  daysSinceInteraction: number | null;
  can: Record<CustomerAction, boolean>;
};

/** The 360° page shows this many of the newest timeline entries. */
const TIMELINE_LIMIT = 100;

export const CUSTOMER_FIELDS: Extract<keyof Customer, string>[] = [
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
  'notes',
];

export const toContactView = (c: ProfileContact): ContactView => ({
  id: c.id,
  name: c.name,
  title: c.title,
  mobile: c.mobile,
  phone: c.phone,
  email: c.email,
  wechat: c.wechat,
  primary: c.primary,
  birthday: c.birthday,
  mailOptOut: c.mailOptOut,
  version: c.version,
});

function toListItem(c: CustomerListRow, owners: Map<number, string>): CustomerListItem {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    tier: c.tier,
    vip: c.vip,
    status: c.status,
    city: c.city,
    ownerId: c.ownerId,
    ownerName: c.ownerId === null ? null : (owners.get(c.ownerId) ?? null),
    lastInteractionAt: c.lastInteractionAt,
    updatedAt: c.updatedAt,
  };
}

/** What Kehu holds on a person, as their customer and contact records say it (a PIPL request). */
export interface PersonRecords {
  customer: {
    id: number;
    kind: string;
    name: string;
    address: string | null;
    birthday: string | null;
    notes: string | null;
    website: string | null;
    nextStep: string | null;
    status: string;
    createdAt: Date;
    deletedAt: Date | null;
  };
  contacts: (Omit<ContactView, 'version'> & { createdAt: Date; deletedAt: Date | null })[];
  /** The request is about the customer itself (a person), not one contact of a company. */
  wholeCustomer: boolean;
}

/** Customers: the list, the 360° page, create and edit with duplicate checks, soft delete. */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly policy: CustomerPolicy,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly lifecycles: CustomerLifecycles,
    private readonly users: UsersService,
    private readonly pool: PoolRepository,
    private readonly webhooks: WebhooksService,
    private readonly imports: CustomerImportRepository,
  ) {}

  /**
   * Tells webhooks that `type` happened to the customer, with the customer as the API returns it, in
   * the change's transaction `m` (call it after the change, or before a delete).
   */
  async publish(m: EntityManager, type: CustomerEvent, id: number): Promise<void> {
    await this.webhooks.emit(m, type, async () => {
      const c = await this.repo.findLive(m, id);
      if (!c) return null;
      const ownerName =
        c.ownerId === null ? null : ((await this.users.namesOf([c.ownerId])).get(c.ownerId) ?? null);
      return toCustomerResource(c, ownerName, c.contacts.map(toContactView));
    });
  }

  /** As publish, once for each of many customers changed together (an import), in its transaction `m`. */
  async publishEach(m: EntityManager, type: CustomerEvent, ids: number[]): Promise<void> {
    await this.webhooks.emitEach(m, type, ids, async (slice) => {
      const customers = await this.repo.findLiveMany(m, slice);
      const owners = customers.flatMap((c) => (c.ownerId === null ? [] : [c.ownerId]));
      const names = await this.users.namesOf([...new Set(owners)]);
      return customers.map((c) =>
        toCustomerResource(
          c,
          c.ownerId === null ? null : (names.get(c.ownerId) ?? null),
          c.contacts.map(toContactView),
        ),
      );
    });
  }

  mayCreate(user: SessionUser): boolean {
    return this.policy.mayCreate(user);
  }

  /** May the user log follow-ups on some customers? */
  mayLogFollowUps(user: SessionUser): boolean {
    return this.policy.mayLogFollowUps(user);
  }

  assertMayCreate(user: SessionUser): void {
    if (!this.policy.mayCreate(user)) throw new NotAllowed();
  }

  /** Who the user may make owner (the current owner always among them); null when they choose no owner. */
  async ownerChoices(
    user: SessionUser,
    currentOwnerId: number | null,
  ): Promise<{ id: number; name: string }[] | null> {
    const teams = this.policy.assignableTeams(await this.policy.actor(user));
    return teams === false ? null : this.users.assignableOwners(teams, currentOwnerId);
  }

  /** A page of the list (`size` rows: the pages' PAGE_SIZE, or the API's limit). */
  async list(user: SessionUser, filter: CustomerFilterDto, size = PAGE_SIZE): Promise<CustomerList> {
    const actor = await this.policy.actor(user);
    const { rows, next, prev, total, totalCapped } = await this.repo.findPage(actor, filter, size);
    const owners = await this.users.namesOf(rows.flatMap((r) => (r.ownerId === null ? [] : [r.ownerId])));
    return {
      rows: rows.map((r) => toListItem(r, owners)),
      next,
      prev,
      total,
      totalCapped,
      pageSize: size,
      canExport: await this.policy.mayExport(user),
      canBulk: this.policy.mayBulkAssign(actor),
    };
  }

  /**
   * Where the address of a customer merged into another now leads: the survivor (following merges
   * of merges), if the user may see it; null otherwise (the address then answers 404 as before).
   */
  async survivorOf(user: SessionUser, id: number): Promise<{ id: number; name: string } | null> {
    const survivorId = await this.repo.survivorOf(id);
    if (survivorId === null) return null;
    const actor = await this.policy.actor(user);
    const survivor = await this.repo.findVisible(actor, survivorId);
    return survivor ? { id: survivor.id, name: survivor.name } : null;
  }

  /** The name of a customer the user may see, for a list filtered to it; null when it is not theirs to see. */
  async nameIfVisible(user: SessionUser, id: number): Promise<string | null> {
    return (await this.repo.findVisible(await this.policy.actor(user), id))?.name ?? null;
  }

  /** A customer the user may see, as its pages show it; 404 otherwise. */
  async get(user: SessionUser, id: number): Promise<CustomerView> {
    const actor = await this.policy.actor(user);
    const found = await this.repo.profile(actor, id);
    if (!found) throw new NotFound();
    return this.view(actor, found.customer);
  }

  private async view(actor: CustomerActor, c: CustomerProfile): Promise<CustomerView> {
    const ownerName =
      c.ownerId === null ? null : ((await this.users.namesOf([c.ownerId])).get(c.ownerId) ?? null);
    return {
      ...c,
      ownerName,
      contacts: c.contacts.map(toContactView),
      tagsText: c.tags.join(', '),
      daysSinceInteraction: c.lastInteractionAt
        ? Math.floor((Date.now() - c.lastInteractionAt.getTime()) / 86_400_000)
        : null,
      can: this.policy.flags(actor, c),
    };
  }

  /** For other modules naming a customer on a user's behalf (a ticket's requester): may the user see it? */
  async maySee(user: SessionUser, id: number): Promise<boolean> {
    return (await this.repo.findVisible(await this.policy.actor(user), id)) !== null;
  }

  /** A customer the user may do `action` to (for its forms); 404 if unseen, 403 if not theirs to do. */
  async getFor(user: SessionUser, id: number, action: CustomerAction): Promise<CustomerView> {
    const customer = await this.get(user, id);
    if (!customer.can[action]) throw new NotAllowed();
    return customer;
  }

  getEditable(user: SessionUser, id: number): Promise<CustomerView> {
    return this.getFor(user, id, 'edit');
  }

  /**
   * The 360° page: a customer the user may see and everything that happened with it, newest first;
   * for the address of a customer merged into another, the survivor to go to instead.
   */
  async show(
    user: SessionUser,
    id: number,
  ): Promise<
    | { customer: CustomerView; figures: SummaryFigure[]; timeline: TimelineItem[]; mergedInto?: undefined }
    | { mergedInto: { id: number; name: string } }
  > {
    // The customer, its contacts and every module's figures and timeline entries: one round trip.
    const actor = await this.policy.actor(user);
    const found = await this.repo.profile(actor, id, {
      columns: this.lifecycles.profileColumns(),
      limit: TIMELINE_LIMIT,
    });
    if (!found) {
      const survivor = await this.survivorOf(user, id);
      if (!survivor) throw new NotFound();
      return { mergedInto: survivor };
    }
    return {
      customer: await this.view(actor, found.customer),
      figures: await this.lifecycles.summaryFrom(found.also, id, user),
      timeline: await this.lifecycles.timelineFrom(found.also, id, TIMELINE_LIMIT, user),
    };
  }

  /**
   * For other modules writing on a customer's behalf (a follow-up): refuses unless `user` may do
   * `action` to the customer, inside the caller's transaction (the customer is locked until it ends).
   */
  async assertMay(user: SessionUser, action: CustomerAction, id: number, m: EntityManager): Promise<void> {
    await this.lock(m, await this.policy.actor(user), id, action);
  }

  /**
   * As assertMay, for the customer a form names in its `customerId` field (a new deal's, contract's or
   * follow-up's): one that does not exist, or that the user may not see, is that field's error rather
   * than a missing page.
   */
  async assertMayChoose(
    user: SessionUser,
    action: CustomerAction,
    id: number,
    m: EntityManager,
  ): Promise<void> {
    try {
      await this.assertMay(user, action, id, m);
    } catch (e) {
      if (e instanceof NotFound) throw ValidationFailed.field('customerId', 'validation.customerUnknown');
      throw e;
    }
  }

  /** Records an interaction in the caller's transaction: the customer's last interaction moves forward, never back. */
  touch(m: EntityManager, id: number, at: Date): Promise<void> {
    return this.repo.touch(m, id, at);
  }

  /**
   * A signed contract makes its customer an active one: a lead, a prospect or a churned customer
   * becomes active, audited as the signer's change, in the caller's transaction.
   */
  async activateOnSigning(m: EntityManager, id: number): Promise<void> {
    const customer = await this.repo.lockById(m, id);
    if (!customer || customer.status === 'active') return;
    await this.repo.update(m, id, { status: 'active' });
    await this.audit.record(
      {
        action: 'update',
        entity: 'customer',
        entityId: id,
        diff: { status: { from: customer.status, to: 'active' } },
      },
      m,
    );
    await this.publish(m, 'customer.updated', id);
  }

  /**
   * Sets the customer's last interaction outright (a corrected or deleted follow-up moves it back to
   * the latest one left; null when none is), in the caller's transaction.
   */
  setLastInteraction(m: EntityManager, id: number, at: Date | null): Promise<void> {
    return this.repo.setLastInteraction(m, id, at);
  }

  /**
   * The live customers the user may see, as a subquery of their ids (`SELECT c.id FROM customer c …`)
   * with its named parameters: for another module's list of records that are seen with their customer
   * (the API's follow-ups), so the scope stays this module's one rule.
   */
  async visibleIdsQuery(user: SessionUser): Promise<CustomerIdsQuery> {
    const { sql, params } = conditionFor(await this.policy.actor(user), 'view', 'c');
    return { sql: `SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND ${sql}`, params };
  }

  /**
   * The live customers one search word finds as the customer list finds them (by name, its pinyin or
   * initials, a contact's name, mobile or e-mail), as a subquery of their ids with its named
   * parameters: for another module's search of records by their customer (the deal list).
   */
  idsMatching(word: string): CustomerIdsQuery {
    const params: Record<string, unknown> = {};
    const condition = searchCondition(word.normalize('NFKC').toLowerCase(), (value) => {
      const name = `w${Object.keys(params).length}`;
      params[name] = value;
      return `:${name}`;
    });
    return { sql: `SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND ${condition}`, params };
  }

  /**
   * The customers (live or deleted) of this tier, as a subquery of their ids with its named
   * parameters: for another module's list filtered by its records' customer (the ticket queues).
   */
  idsWhere(where: { tier: string }): CustomerIdsQuery {
    return { sql: 'SELECT c.id FROM customer c WHERE c.tier = :tier', params: { tier: where.tier } };
  }

  /**
   * The customers (live or deleted) a user owns, as a subquery of their ids with its named
   * parameters: for another module whose records a rep sees through their customers (tickets).
   */
  ownedBy(ownerId: number): CustomerIdsQuery {
    return { sql: 'SELECT c.id FROM customer c WHERE c.owner_id = :ownerId', params: { ownerId } };
  }

  /**
   * Name, tier, VIP mark, owner and owner's team of customers by id (deleted ones included), for another module's
   * rules about its records (a ticket's priority, SLA and who sees it); read in `m` when given.
   */
  async factsOf(ids: number[], m?: EntityManager): Promise<Map<number, CustomerFacts>> {
    const rows = await this.repo.facts([...new Set(ids)], m);
    const teams = await this.users.teamIdsOf(
      [...rows.values()].flatMap((r) => (r.ownerId === null ? [] : [r.ownerId])),
    );
    return new Map(
      [...rows].map(([id, r]) => [
        id,
        { ...r, ownerTeamId: r.ownerId === null ? null : (teams.get(r.ownerId) ?? null) },
      ]),
    );
  }

  /**
   * A customer as a contract names it: USCC and whole address (address.ts). Asked for a record the
   * user may see that names this customer, so not narrowed to the customers the user sees.
   */
  async partyOf(id: number): Promise<{ uscc: string; address: string }> {
    const row = await this.repo.party(id);
    if (!row) return { uscc: '', address: '' };
    return { uscc: row.uscc ?? '', address: wholeAddress(row) };
  }

  /** What is wrong with a Chinese mobile number as typed, as a locale key; null when it is one. */
  mobileProblem(input: string): string | null {
    return mobileProblem(input);
  }

  /** A mobile as typed ("139 1234 5678", "+86 139-1234-5678") as its 11 digits; null when it is not one. */
  normalizedMobile(input: string): string | null {
    return normalizeMobile(input);
  }

  /** Names of customers by id (deleted ones included), for other modules' lists. */
  namesOf(ids: number[]): Promise<Map<number, string>> {
    return this.repo.names([...new Set(ids)]);
  }

  /**
   * Sets the customer's next step outright, in the caller's transaction: the next action and its date
   * its latest live follow-up set (nulls when it set none or none is left).
   */
  setNextStep(m: EntityManager, id: number, at: Date | null, action: string | null): Promise<void> {
    return this.repo.setNextStep(m, id, at, action);
  }

  /**
   * A user's own live customers with a next step before `edges[last]`, in parts (part 0: due before
   * `edges[0]`; part k: from `edges[k - 1]` to before `edges[k]`), each by due time, at most `limit`.
   */
  nextStepsOf(
    userId: number,
    edges: Date[],
    limit: number,
  ): Promise<(CustomerNextStep & { part: number })[]> {
    return this.repo.nextStepsOf(userId, edges, limit);
  }

  /**
   * For each owner, how many of their live customers have a next step before that owner's `before`,
   * and the first `limit` of them by due time; owners with none are left out.
   */
  nextStepsBefore(
    owners: { ownerId: number; before: Date }[],
    limit: number,
  ): Promise<{ ownerId: number; total: number; steps: CustomerNextStep[] }[]> {
    return this.repo.nextStepsBefore(owners, limit);
  }

  /**
   * For a manager, the members of the teams they manage (themselves not included) with their names:
   * whose customers My day's team view looks at. Empty for anyone who manages no team.
   */
  async teamOf(user: SessionUser): Promise<{ id: number; name: string }[]> {
    const { teamMemberIds } = await this.policy.actor(user);
    const reps = teamMemberIds.filter((id) => id !== user.id);
    if (!reps.length) return [];
    const names = await this.users.namesOf(reps);
    return reps.map((id) => ({ id, name: names.get(id) ?? '' }));
  }

  /** Creates a customer, with its first contact when one is given, after the duplicate checks. */
  async create(user: SessionUser, dto: CustomerDto): Promise<number> {
    this.assertMayCreate(user);
    const actor = await this.policy.actor(user);
    return this.dataSource.transaction(async (m) => {
      const fields = { ...this.fields(dto), ownerId: await this.chooseOwner(actor, dto.ownerId, null) };
      fields.ownedSince = fields.ownerId === null ? null : new Date();
      await this.repo.lockName(m, fields.nameKey);
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
      const id = await this.repo.insert(m, fields);
      if (contact) await this.contacts.insert(m, { ...contact, customerId: id });
      const diff = diffOf<Customer>(null, fields, CUSTOMER_FIELDS);
      if (dto.duplicateReason) diff.duplicateReason = { to: dto.duplicateReason };
      await this.audit.record({ action: 'create', entity: 'customer', entityId: id, diff }, m);
      await this.notifyNewOwner(m, user, id, fields.name, null, fields.ownerId);
      await this.publish(m, 'customer.created', id);
      return id;
    });
  }

  /**
   * The customer and contact a service request comes from (a mail's sender, the portal form, a call an
   * agent logs). A live contact with the requester's e-mail (in any case) or mobile matches, an active
   * customer's first. When none does, but they name a company that is one live customer's exact name
   * (its duplicate key), they are added to it as a contact; otherwise a lead customer is created with
   * them as its contact: named after their company (a company) or else after them (a person), with no
   * owner, so it waits in the pool for whoever takes it, audited as created from a service request.
   * Either way the match is unconfirmed, for an agent to confirm or re-link. The caller checks its own rights
   * (a mail has no user; an agent logging a call may create no customers otherwise): this only
   * records who asked.
   */
  async findOrCreateRequester(input: RequesterInput, actor: 'system' | SessionUser): Promise<RequesterMatch> {
    const email = input.email ? normalizeEmail(input.email) : null;
    const mobile = input.mobile ? normalizeMobile(input.mobile) : null;
    return this.dataSource.transaction(async (m) => {
      await this.repo.lockRequester(
        m,
        [email, mobile].filter((k): k is string => k !== null),
      );
      const found = await this.repo.findRequesterContact(m, email, mobile);
      if (found) return { ...found, matched: true };

      const person = input.name.trim() || email || mobile || input.mobile?.trim() || '—';
      const company = input.company?.trim() || null;
      const contact = {
        name: person,
        email,
        mobile,
        phone: !mobile && input.mobile ? normalizePhone(input.mobile) : null,
        primary: true,
      };
      const auditedContact = { to: [contact.name, contact.email, contact.mobile].filter(Boolean).join(' ') };
      const actorOf = actor === 'system' ? null : { id: actor.id, email: actor.email };
      // Someone new at a company Kehu knows, by that company's name alone: they join it as a contact.
      const known = company ? await this.repo.liveIdsByNameKey(m, duplicateKey(company), 2) : [];
      if (known.length === 1) {
        const customerId = known[0];
        const contactId = await this.contacts.insert(m, { ...contact, primary: false, customerId });
        await this.audit.record(
          {
            action: 'contact_from_request',
            entity: 'customer',
            entityId: customerId,
            diff: { contacts: auditedContact },
            actor: actorOf,
          },
          m,
        );
        await this.publish(m, 'customer.updated', customerId);
        return { customerId, contactId, matched: false };
      }

      const name = company ?? person;
      const fields: CustomerFields = {
        kind: company ? 'company' : 'person',
        name,
        nameKey: duplicateKey(name),
        searchText: searchText(name),
        uscc: null,
        status: 'lead',
        tier: 'C',
        ownerId: null,
        ownedSince: null,
      };
      // The diff of what was chosen, before the insert adds the table's defaults to `fields`.
      const diff = diffOf<Customer>(null, fields, CUSTOMER_FIELDS);
      const customerId = await this.repo.insert(m, fields);
      const contactId = await this.contacts.insert(m, { ...contact, customerId });
      await this.audit.record(
        {
          action: 'create_from_request',
          entity: 'customer',
          entityId: customerId,
          diff: { ...diff, contacts: auditedContact },
          actor: actorOf,
        },
        m,
      );
      await this.publish(m, 'customer.created', customerId);
      return { customerId, contactId, matched: false };
    });
  }

  /** Saves an edit made on version `dto.version`; a newer version in the database refuses it. */
  async update(user: SessionUser, id: number, dto: CustomerDto): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const before = await this.lock(m, actor, id, 'edit', editedVersion(dto.version));
      const after: CustomerFields = {
        ...this.fields(dto),
        ownerId: await this.chooseOwner(actor, dto.ownerId, before.ownerId),
      };
      if (after.ownerId !== before.ownerId) after.ownedSince = after.ownerId === null ? null : new Date();
      else delete after.ownedSince;
      await this.checkUsccFree(m, after.uscc, id);
      if (after.nameKey !== before.nameKey) await this.checkDuplicates(m, user, dto, after.nameKey, null, id);
      const diff = diffOf<Customer>(before, after, CUSTOMER_FIELDS);
      if (!Object.keys(diff).length) return;
      if (dto.duplicateReason) diff.duplicateReason = { to: dto.duplicateReason };
      await this.repo.update(m, id, after);
      await this.audit.record({ action: 'update', entity: 'customer', entityId: id, diff }, m);
      await this.notifyNewOwner(m, user, id, after.name, before.ownerId, after.ownerId ?? null);
      await this.publish(m, 'customer.updated', id);
      if (after.ownerId !== before.ownerId) await this.publish(m, 'customer.owner_changed', id);
    });
  }

  /**
   * The list's bulk action (managers, admins): assigns the ticked customers to an owner (an owned one
   * is transferred) or releases them to the pool. The policy checks each customer; those the user may
   * not change are skipped and counted by reason. All in one transaction, each change audited.
   */
  async bulkOwner(user: SessionUser, dto: BulkOwnerDto): Promise<BulkResult> {
    const actor = await this.policy.actor(user);
    if (!this.policy.mayBulkAssign(actor)) throw new NotAllowed();
    const ids = [...new Set(dto.ids)].sort((a, b) => a - b);
    if (!ids.length) throw new BulkIncomplete('bulk.none_chosen');
    const to = dto.action === 'assign' ? (dto.ownerId ?? null) : null;
    if (dto.action === 'assign' && to === null) throw new BulkIncomplete('bulk.owner_required');
    let ownerName: string | null = null;
    if (to !== null) {
      const teams = this.policy.assignableTeams(actor);
      const choices = teams === false ? [] : await this.users.assignableOwners(teams, null);
      ownerName = choices.find((c) => c.id === to)?.name ?? null;
      if (ownerName === null) throw ValidationFailed.field('ownerId', 'validation.ownerNotOffered');
    }
    const action = dto.action === 'assign' ? 'assign' : 'release';
    const result: BulkResult = { action: dto.action, done: 0, skipped: {}, ownerName };
    const skip = (why: BulkSkip) => (result.skipped[why] = (result.skipped[why] ?? 0) + 1);
    await this.dataSource.transaction(async (m) => {
      // Locked in id order, so two bulk actions over the same customers cannot deadlock.
      for (const id of ids) {
        const c = await this.repo.lockVisible(m, actor, id);
        if (!c) {
          skip('not_yours');
          continue;
        }
        if (action === 'release' && c.ownerId === null) {
          skip('in_pool');
          continue;
        }
        if (!this.policy.can(actor, action, c)) {
          skip('not_yours');
          continue;
        }
        if (c.ownerId === to) {
          skip('already_theirs');
          continue;
        }
        await this.pool.setOwner(m, id, to);
        await this.audit.record(
          { action, entity: 'customer', entityId: id, diff: { ownerId: { from: c.ownerId, to } } },
          m,
        );
        await this.notifyNewOwner(m, user, id, c.name, c.ownerId, to);
        await this.publish(m, 'customer.owner_changed', id);
        result.done++;
      }
    });
    return result;
  }

  /** Moves the customer to the recycle bin; its contacts and history stay with it. */
  async remove(user: SessionUser, id: number): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const customer = await this.lock(m, actor, id, 'edit');
      await this.publish(m, 'customer.deleted', id);
      await this.repo.softDelete(m, id);
      await this.audit.record(
        { action: 'delete', entity: 'customer', entityId: id, diff: { name: { from: customer.name } } },
        m,
      );
    });
  }

  /** Fills the search and duplicate keys of rows that lack them (older rows, bulk inserts); returns how many. */
  async rebuildKeys(batch = 2000): Promise<number> {
    let done = 0;
    for (;;) {
      const rows = await this.repo.withoutKeys(batch);
      if (!rows.length) return done;
      await this.repo.setKeys(
        rows.map((r) => ({ id: r.id, nameKey: duplicateKey(r.name), searchText: searchText(r.name) })),
      );
      done += rows.length;
    }
  }

  // Rules

  /** Not visible: 404. Visible but not the user's to `action`: 403. Then the version must match. */
  async lock(
    m: EntityManager,
    actor: CustomerActor,
    id: number,
    action: CustomerAction,
    version?: number,
  ): Promise<Customer> {
    const locked = await this.repo.lockVisible(m, actor, id);
    if (!locked) throw new NotFound();
    this.policy.assert(actor, action, locked);
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
    if (!found.length) return;
    const owners = await this.users.namesOf(found.flatMap((d) => (d.ownerId === null ? [] : [d.ownerId])));
    judgeDuplicates(
      user,
      found.map((d) => ({ ...d, ownerName: d.ownerId === null ? null : (owners.get(d.ownerId) ?? null) })),
      { confirm: dto.confirmDuplicate, reason: dto.duplicateReason, name: dto.name },
    );
  }

  /** Whether the form must ask the user why they save a look-alike. */
  reasonRequired(user: SessionUser): boolean {
    return DUPLICATE_RULES[user.role].reasonRequired;
  }

  private fields(dto: CustomerDto): CustomerFields {
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
      notes: dto.notes,
    };
  }

  /** Who may not choose an owner keeps it (or owns what they create); others pick among their choices. */
  private async chooseOwner(
    actor: CustomerActor,
    wanted: number | null,
    current: number | null,
  ): Promise<number | null> {
    const teams = this.policy.assignableTeams(actor);
    if (teams === false) {
      // A rep owns what they create and keeps who owns what they edit: naming anyone else is refused.
      const kept = current ?? actor.user.id;
      if (wanted !== null && wanted !== kept)
        throw ValidationFailed.field('ownerId', 'validation.ownerNotOffered');
      return kept;
    }
    if (wanted === null || wanted === current) return wanted;
    const choices = await this.users.assignableOwners(teams, null);
    if (!choices.some((c) => c.id === wanted))
      throw ValidationFailed.field('ownerId', 'validation.ownerNotOffered');
    return wanted;
  }

  private async checkUsccFree(m: EntityManager, uscc: string | null, exceptId: number | null): Promise<void> {
    if (!uscc) return;
    const other = await this.repo.findByUscc(m, uscc);
    if (other && other.id !== exceptId) {
      const owner =
        other.ownerId === null ? undefined : (await this.users.namesOf([other.ownerId])).get(other.ownerId);
      throw ValidationFailed.field('uscc', 'validation.usccTaken', { name: other.name, owner: owner ?? '—' });
    }
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

  /**
   * Whom a PIPL request is about: one contact (deleted or not), or a person-customer with every
   * contact it ever had. 404 for none, and for a company named as a customer (its people are its
   * contacts). Whoever calls checks the right to ask.
   */
  async personOf(subject: { contactId: number } | { customerId: number }): Promise<PersonRecords> {
    const contact = 'contactId' in subject ? await this.contacts.findAnyState(subject.contactId) : null;
    if ('contactId' in subject && !contact) throw new NotFound();
    const customer = await this.repo.findAnyState(
      contact ? contact.customerId : (subject as { customerId: number }).customerId,
    );
    if (!customer || (!contact && customer.kind !== 'person')) throw new NotFound();
    const contacts = contact ? [contact] : await this.contacts.findAllOf(customer.id);
    return {
      customer: {
        id: customer.id,
        kind: customer.kind,
        name: customer.name,
        address: customer.address,
        birthday: customer.birthday,
        notes: customer.notes,
        website: customer.website,
        nextStep: customer.nextStep,
        status: customer.status,
        createdAt: customer.createdAt,
        deletedAt: customer.deletedAt,
      },
      contacts: contacts.map((c) => ({
        id: c.id,
        name: c.name,
        title: c.title,
        mobile: c.mobile,
        phone: c.phone,
        email: c.email,
        wechat: c.wechat,
        birthday: c.birthday,
        primary: c.primary,
        mailOptOut: c.mailOptOut,
        createdAt: c.createdAt,
        deletedAt: c.deletedAt,
      })),
      wholeCustomer: !contact,
    };
  }

  /**
   * Erases a person in the erasure's transaction `m`: their contacts lose name and every way to reach
   * them, a person-customer its own fields (renamed `mask #id`), and whatever matches `pattern` is
   * masked in the customer's notes and next step and in kept import rows (`jsonPattern`).
   */
  async erasePerson(
    m: EntityManager,
    who: {
      customerId: number;
      contactIds: number[];
      wholeCustomer: boolean;
      pattern: string;
      jsonPattern: string;
      mask: string;
    },
  ): Promise<void> {
    if (who.wholeCustomer) {
      const name = `${who.mask} #${who.customerId}`;
      await this.repo.erasePersonFields(m, who.customerId, {
        name,
        nameKey: duplicateKey(name),
        searchText: searchText(name),
      });
    }
    await this.contacts.erase(m, who.contactIds, who.mask);
    if (!who.pattern) return;
    await this.repo.maskText(m, who.customerId, who.pattern, who.mask);
    await this.imports.maskRows(m, who.jsonPattern, who.mask);
  }
}
