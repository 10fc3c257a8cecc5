import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { SessionsService } from '../common/sessions/sessions.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { type Choice, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** A rep leaves: they are deactivated and what they own goes to a colleague or to the public pool. */
@Injectable()
export class HandOverService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: UsersService,
    private readonly users: UsersRepository,
    private readonly lifecycles: CustomerLifecycles,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * What a user owns, per kind of record, for the hand-over choice when deactivating them: each
   * module that keeps records about customers says so in its CustomerLifecycle.
   */
  holdings(id: number): Promise<{ labelKey: string; count: number }[]> {
    return Promise.all(
      this.lifecycles.handOvers().map(async (h) => ({ labelKey: h.labelKey, count: await h.count(id) })),
    );
  }

  /** Who may receive a leaving user's records: active sales reps, managers and admins but them. */
  targets(exceptId: number): Promise<Choice[]> {
    return this.users.handOverTargets(exceptId);
  }

  /**
   * Deactivates a user (signed out at once) and, in the same transaction, hands everything they own
   * to another active user (`handOverTo`: their id) or to the public pool (`pool`). The history stays
   * with the records.
   */
  async deactivate(actor: SessionUser, id: number, handOverTo: string | null): Promise<void> {
    const owned = (await this.holdings(id)).reduce((sum, h) => sum + h.count, 0);
    if (owned > 0 && !handOverTo) throw ValidationFailed.field('handOverTo', 'hand_over.required');
    const toId = handOverTo && handOverTo !== 'pool' ? Number(handOverTo) : null;
    await this.dataSource.transaction(async (m) => {
      const before = await this.accounts.setActive(m, actor, id, false);
      if (!before) return;
      if (toId !== null && !(await this.users.handOverTargets(id, m)).some((t) => t.id === toId))
        throw ValidationFailed.field('handOverTo', 'validation.invalid');
      await this.sessions.endFor(id, '', m);
      const moved: Record<string, { to: number }> = {};
      for (const h of this.lifecycles.handOvers()) moved[h.labelKey] = { to: await h.move(m, id, toId) };
      for (const step of this.lifecycles.deactivationSteps()) await step(m, id, actor);
      if (owned === 0) return;
      await this.audit.record(
        {
          action: 'hand_over',
          entity: 'user',
          entityId: id,
          diff: { ...moved, handOverTo: { to: handOverTo } },
        },
        m,
      );
      if (toId !== null)
        await this.notifications.notify(
          toId,
          'handed_over',
          { name: before.name, count: owned },
          '/customers?owner=me',
          m,
        );
    });
  }
}
