import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import type { HandOver } from '../common/customer-lifecycle.js';
import { DomainError } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { CustomerPolicy } from './customer.policy.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';
import { PoolRulesDto } from './dto/pool-rules.dto.js';
import { POOL_DEFAULTS, POOL_KEY, type PoolRules } from './pool.js';
import { PoolRepository } from './pool.repository.js';

export class PoolCapReached extends DomainError {
  constructor(owned: number, max: number) {
    super(409, 'pool.cap_reached', { owned, max });
  }
}

export class AlreadyClaimed extends DomainError {
  constructor() {
    super(409, 'pool.already_claimed');
  }
}

/**
 * A claim of a customer the user does not see in the pool: not found, whatever the reason (never
 * there, someone else's, or claimed by a quicker rep and gone from their scope), so the answer tells
 * nothing about the customer. Its message says what usually happened: someone claimed it first.
 */
export class NotInPool extends DomainError {
  constructor() {
    super(404, 'pool.not_in_pool');
  }
}

/**
 * The public pool (公海): customers without an owner. Reps claim them up to a cap; customers nobody
 * followed up for too long return to it by themselves (a daily job), their owner warned first.
 */
@Injectable()
export class PoolService implements OnModuleInit {
  private readonly logger = new Logger(PoolService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: PoolRepository,
    private readonly customersRepo: CustomersRepository,
    private readonly customers: CustomersService,
    private readonly policy: CustomerPolicy,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      key: POOL_KEY,
      titleKey: 'pool.title',
      helpKey: 'pool.help',
      partial: 'settings-pool',
      defaults: POOL_DEFAULTS,
      dto: PoolRulesDto,
    });
    this.jobs.register('customers.pool-sweep', () => this.sweep().then(() => undefined), {
      cron: '30 2 * * *',
    });
  }

  rules(): Promise<{ value: PoolRules; version: number }> {
    return this.settings.get(POOL_KEY, POOL_DEFAULTS);
  }

  mayClaim(user: SessionUser): boolean {
    return this.policy.mayClaim(user);
  }

  /** A leaving rep's customers go to a colleague or back to the pool (the users module's hand-over). */
  handOver(): HandOver {
    return {
      labelKey: 'hand_over.customers',
      count: (userId) => this.repo.countOwned(userId),
      move: async (m, fromId, toId) => {
        const moved = await this.repo.moveAll(m, fromId, toId);
        for (const id of moved) await this.customers.publish(m, 'customer.owner_changed', id);
        return moved.length;
      },
    };
  }

  /**
   * Gives an unowned customer to the rep who claims it. Claims by one rep take turns, so the cap
   * holds; two reps claiming one customer at once: the first wins.
   */
  async claim(user: SessionUser, id: number): Promise<void> {
    const actor = await this.policy.actor(user);
    const { value: rules } = await this.rules();
    await this.dataSource.transaction(async (m) => {
      // Seeing it is checked first; then the row is locked by id alone, so a rep who lost the race
      // (the customer left the pool, and their scope) is told it was claimed, not that it is gone.
      const seen = await this.customersRepo.findVisible(actor, id, m);
      if (!seen) throw new NotInPool();
      const customer = await this.customersRepo.lockById(m, id);
      if (!customer) throw new NotInPool();
      if (customer.ownerId !== null) throw new AlreadyClaimed();
      this.policy.assert(actor, 'claim', customer);
      await this.repo.lockClaimsOf(m, user.id);
      const owned = await this.repo.countOwned(user.id, m);
      if (owned >= rules.maxOwned) throw new PoolCapReached(owned, rules.maxOwned);
      await this.repo.setOwner(m, id, user.id);
      await this.audit.record(
        { action: 'claim', entity: 'customer', entityId: id, diff: { ownerId: { from: null, to: user.id } } },
        m,
      );
      await this.customers.publish(m, 'customer.owner_changed', id);
    });
  }

  /** The owner (or their manager, or an admin) gives a customer back to the pool; returns its name. */
  async release(user: SessionUser, id: number): Promise<string> {
    const actor = await this.policy.actor(user);
    return this.dataSource.transaction(async (m) => {
      const customer = await this.customers.lock(m, actor, id, 'release');
      await this.repo.setOwner(m, id, null);
      await this.audit.record(
        {
          action: 'release',
          entity: 'customer',
          entityId: id,
          diff: { ownerId: { from: customer.ownerId, to: null } },
        },
        m,
      );
      await this.customers.publish(m, 'customer.owner_changed', id);
      return customer.name;
    });
  }

  /**
   * The daily run: warns owners whose customers return to the pool within `warnDays`, and returns
   * those whose time is up.
   */
  async sweep(): Promise<{ warned: number; returned: number }> {
    const { value: rules } = await this.rules();
    return this.dataSource.transaction(async (m) => {
      const returned = await this.repo.returnOverdue(m, rules);
      for (const c of returned) {
        await this.audit.record(
          {
            action: 'return_to_pool',
            entity: 'customer',
            entityId: c.id,
            diff: { ownerId: { from: c.ownerId, to: null } },
            actor: null,
          },
          m,
        );
        await this.notifications.notify(
          c.ownerId,
          'pool_returned',
          { name: c.name },
          `/customers/${c.id}`,
          m,
        );
        await this.customers.publish(m, 'customer.owner_changed', c.id);
      }
      const warned = await this.repo.warnDue(m, rules);
      for (const c of warned) {
        await this.notifications.notify(
          c.ownerId,
          'pool_warning',
          { name: c.name, days: c.days },
          `/customers/${c.id}`,
          m,
        );
      }
      if (returned.length || warned.length)
        this.logger.log(`pool: ${returned.length} returned, ${warned.length} warned`);
      return { warned: warned.length, returned: returned.length };
    });
  }
}
