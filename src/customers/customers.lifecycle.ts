import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { at, CustomerLifecycles, type TimelineItem, timelineSource } from '../common/customer-lifecycle.js';
import type { AuditDiff } from '../common/audit-trail.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { UsersService } from '../users/users.service.js';
import { CustomerPolicy } from './customer.policy.js';
import { CustomersRepository } from './customers.repository.js';
import { CUSTOMER_EVENTS } from './customers.service.js';
import { PoolService } from './pool.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';

/** What happened to a customer's ownership and identity, as its timeline shows it. */
const TIMELINE_ACTIONS = ['claim', 'release', 'return_to_pool', 'assign', 'merge', 'merged_into'];

/** An audit entry as the timeline reads it (its time as ISO text). */
interface AuditRow {
  at: string;
  action: string;
  actorId: number | null;
  diff: AuditDiff;
}

const idIn = (change: { to?: unknown } | undefined): number | null =>
  typeof change?.to === 'number' ? change.to : null;

/**
 * How customers and contacts take part in the customer lifecycle: the audit log's names, the
 * hand-over, and the timeline's entries for claims, releases, assignments and merges. Those are read
 * from the audit log, which records each of them already, in the same transaction as the change: a
 * second record of the same fact could only disagree with it.
 */
@Injectable()
export class CustomersLifecycle implements OnModuleInit {
  constructor(
    private readonly lifecycles: CustomerLifecycles,
    private readonly pool: PoolService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly repo: CustomersRepository,
    private readonly policy: CustomerPolicy,
    private readonly sections: SettingsSections,
    private readonly webhooks: WebhooksService,
  ) {}

  /** The customer's claims, releases, returns, assignments and merges (its audit rows), newest first. */
  async timelineOf(rows: AuditRow[]): Promise<TimelineItem[]> {
    const events = rows.map((r) => ({ ...r, at: at(r.at) }));
    const people = await this.users.namesOf(
      events
        .flatMap((e) => [e.actorId, e.action === 'assign' ? idIn(e.diff.ownerId) : null])
        .filter((id): id is number => id !== null),
    );
    const customers = await this.repo.names(
      events
        .flatMap((e) => [idIn(e.diff.mergedFrom), idIn(e.diff.mergedInto)])
        .filter((id): id is number => id !== null),
    );
    return events.map((e) => {
      const newOwner = e.action === 'assign' ? idIn(e.diff.ownerId) : null;
      const otherCustomer = idIn(e.diff.mergedFrom) ?? idIn(e.diff.mergedInto);
      return {
        at: e.at,
        kind: 'ownership',
        labelKey: `customer.event.${e.action}`,
        by: e.actorId === null ? null : (people.get(e.actorId) ?? null),
        counterpart: newOwner === null ? null : (people.get(newOwner) ?? null),
        text: otherCustomer === null ? null : (customers.get(otherCustomer) ?? null),
        promise: null,
        nextAction: null,
        nextAt: null,
      };
    });
  }

  onModuleInit(): void {
    for (const type of CUSTOMER_EVENTS) this.webhooks.declare(type);
    // Registered here, after the pool's rules (PoolService), so the settings page shows those first.
    this.sections.register(this.policy.exportRightsSection);
    this.lifecycles.register({
      entity: 'customer',
      audit: {
        fields: {
          name: 'sheet.name',
          kind: 'sheet.kind',
          uscc: 'sheet.uscc',
          industry: 'sheet.industry',
          size: 'sheet.size',
          province: 'sheet.province',
          city: 'sheet.city',
          district: 'sheet.district',
          address: 'sheet.address',
          website: 'sheet.website',
          tier: 'sheet.tier',
          vip: 'sheet.vip',
          creditLevel: 'sheet.creditLevel',
          source: 'sheet.source',
          status: 'sheet.status',
          tags: 'sheet.tags',
          birthday: 'sheet.birthday',
          ownerId: 'sheet.owner',
          notes: 'sheet.notes',
          contacts: 'audit.entities.contact',
        },
        values: {
          kind: 'customer.kind.',
          industry: 'customer.industry.',
          size: 'customer.size.',
          tier: 'customer.tier.',
          source: 'customer.source.',
          status: 'customer.status.',
        },
        refs: { ownerId: 'user' },
      },
      handOver: this.pool.handOver(),
      timeline: timelineSource(this.audit.eventsSql('customer', TIMELINE_ACTIONS), (rows: AuditRow[]) =>
        this.timelineOf(rows),
      ),
      timelineCustomer: this.repo.timelineCustomerSql,
    });
    this.lifecycles.register({
      entity: 'contact',
      audit: {
        fields: {
          name: 'contact.name',
          title: 'contact.title',
          mobile: 'contact.mobile',
          phone: 'contact.phone',
          email: 'contact.email',
          wechat: 'contact.wechat',
          primary: 'contact.primary',
          birthday: 'contact.birthday',
        },
      },
    });
  }
}
