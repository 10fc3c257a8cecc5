import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import type { SessionUser } from '../common/session-user.js';
import { DomainError, NotAllowed, NotFound } from '../common/errors.js';
import { SettingsService } from '../common/settings.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { HandOverRegistry } from '../users/hand-over.js';
import { CustomersRepository } from './customers.repository.js';
import type { PoolRulesDto } from './dto/pool-rules.dto.js';
import { POOL_DEFAULTS, POOL_KEY, type PoolRules } from './pool.js';

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
 * The public pool (公海): customers without an owner. Reps claim them up to a cap; customers nobody
 * followed up for too long return to it by themselves (a daily job), their owner warned first.
 */
@Injectable()
export class PoolService implements OnModuleInit {
  private readonly logger = new Logger(PoolService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly settings: SettingsService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly jobs: JobsService,
    private readonly handOver: HandOverRegistry,
  ) {}

  onModuleInit(): void {
    this.jobs.register('customers.pool-sweep', () => this.sweep().then(() => undefined), {
      cron: '30 2 * * *',
    });
    this.handOver.register({
      labelKey: 'hand_over.customers',
      count: async (userId) => {
        const [{ n }] = await this.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM customer WHERE owner_id = $1 AND deleted_at IS NULL',
          [userId],
        );
        return n;
      },
      move: async (m, fromId, toId) => {
        // TypeORM answers an UPDATE with [rows, count].
        const [, moved] = await m.query<[unknown[], number]>(
          `UPDATE customer SET owner_id = $2, owned_since = CASE WHEN $2::int IS NULL THEN NULL ELSE now() END,
                  pool_warned_at = NULL, version = version + 1, updated_at = now()
            WHERE owner_id = $1 AND deleted_at IS NULL`,
          [fromId, toId],
        );
        return moved;
      },
    });
  }

  rules(): Promise<{ value: PoolRules; version: number }> {
    return this.settings.get(POOL_KEY, POOL_DEFAULTS);
  }

  async saveRules(dto: PoolRulesDto): Promise<void> {
    const { version, ...value } = dto;
    await this.settings.set(POOL_KEY, value, version, POOL_DEFAULTS);
  }

  /**
   * Gives an unowned customer to the rep who claims it. Claims by one rep take turns (their user row
   * is locked), so the cap holds; two reps claiming one customer at once: the first wins.
   */
  async claim(user: SessionUser, id: number): Promise<void> {
    if (user.role !== 'sales' && user.role !== 'manager') throw new NotAllowed();
    const { value: rules } = await this.rules();
    await this.dataSource.transaction(async (m) => {
      // Seeing it is checked first; then the row is locked by id alone, so a rep who lost the race
      // (the customer left the pool, and their scope) is told it was claimed, not that it is gone.
      if (!(await this.repo.findVisible(user, id, m))) throw new NotFound();
      const [row] = await m.query<{ owner_id: number | null }[]>(
        'SELECT owner_id FROM customer WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (row.owner_id !== null) throw new AlreadyClaimed();
      await m.query('SELECT id FROM app_user WHERE id = $1 FOR UPDATE', [user.id]);
      const [{ n }] = await m.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM customer WHERE owner_id = $1 AND deleted_at IS NULL',
        [user.id],
      );
      if (n >= rules.maxOwned) throw new PoolCapReached(n, rules.maxOwned);
      await m.query(
        `UPDATE customer SET owner_id = $2, owned_since = now(), pool_warned_at = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, user.id],
      );
      await this.audit.record(
        { action: 'claim', entity: 'customer', entityId: id, diff: { ownerId: { from: null, to: user.id } } },
        m,
      );
    });
  }

  /** The owner (or their manager) gives a customer back to the pool. */
  async release(user: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const customer = await this.repo.lockVisible(m, user, id);
      if (!customer) throw new NotFound();
      const mine = customer.ownerId === user.id;
      const managed =
        customer.owner?.teamId !== null &&
        customer.owner?.teamId !== undefined &&
        user.teamIds.includes(customer.owner.teamId);
      if (!(mine || user.role === 'admin' || (user.role === 'manager' && managed))) throw new NotAllowed();
      await m.query(
        `UPDATE customer SET owner_id = NULL, owned_since = NULL, pool_warned_at = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
        [id],
      );
      await this.audit.record(
        {
          action: 'release',
          entity: 'customer',
          entityId: id,
          diff: { ownerId: { from: customer.ownerId, to: null } },
        },
        m,
      );
    });
  }

  /**
   * The daily run: warns owners whose customers return to the pool within `warnDays`, and returns
   * those whose time is up. A customer's clock starts at its last interaction or when its owner took it.
   */
  async sweep(): Promise<{ warned: number; returned: number }> {
    const { value: r } = await this.rules();
    const params = [r.returnDaysA, r.returnDaysB, r.returnDaysC];
    const limitDays = `(CASE c.tier WHEN 'A' THEN $1::int WHEN 'B' THEN $2::int ELSE $3::int END)`;
    const since = `greatest(coalesce(c.last_interaction_at, '-infinity'), coalesce(c.owned_since, '-infinity'))`;
    return this.dataSource.transaction(async (m) => {
      const [returned] = await m.query<[{ id: number; name: string; owner_id: number }[], number]>(
        `UPDATE customer c SET owner_id = NULL, owned_since = NULL, pool_warned_at = NULL, version = c.version + 1, updated_at = now()
           FROM customer old
          WHERE old.id = c.id AND c.owner_id IS NOT NULL AND c.deleted_at IS NULL
            AND ${since} < now() - make_interval(days => ${limitDays})
            -- The owner was warned, and had the warning period to act (rules changed or runs missed).
            AND ($4::int = 0 OR c.pool_warned_at <= now() - make_interval(days => $4::int))
          RETURNING c.id, c.name, old.owner_id`,
        [...params, r.warnDays],
      );
      for (const c of returned) {
        await this.audit.record(
          {
            action: 'return_to_pool',
            entity: 'customer',
            entityId: c.id,
            diff: { ownerId: { from: c.owner_id, to: null } },
            actor: null,
          },
          m,
        );
        await this.notifications.notify(
          c.owner_id,
          'pool_returned',
          { name: c.name },
          `/customers/${c.id}`,
          m,
        );
      }
      const [warned] = await m.query<
        [{ id: number; name: string; owner_id: number; days: number }[], number]
      >(
        `UPDATE customer c SET pool_warned_at = now()
          WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.pool_warned_at IS NULL
            AND ${since} < now() - make_interval(days => ${limitDays} - $4::int)
          RETURNING c.id, c.name, c.owner_id,
                    greatest(0, ceil(extract(epoch FROM (${since} + make_interval(days => ${limitDays}) - now())) / 86400))::int AS days`,
        [...params, r.warnDays],
      );
      for (const c of warned) {
        await this.notifications.notify(
          c.owner_id,
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
