import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import type { Customer } from './customer.entity.js';
import { CustomerPolicy } from './customer.policy.js';
import { ContactsRepository } from './contacts.repository.js';
import { CustomersRepository } from './customers.repository.js';
import { CustomersService } from './customers.service.js';

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
  'notes',
] as const satisfies readonly (keyof Customer)[];

const maxDate = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

/** Folding a duplicate customer into another (managers and admins). */
@Injectable()
export class CustomerMergeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly customers: CustomersService,
    private readonly policy: CustomerPolicy,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
  ) {}

  /**
   * Merges `otherId` into `survivorId`: contacts and every module's records (their registered merge
   * steps) move over, empty fields of the survivor are filled from the other, tags are joined, and
   * the other customer is closed (soft-deleted), marked as merged into the survivor. Both sides are
   * audited. All or nothing.
   */
  async merge(user: SessionUser, survivorId: number, otherId: number): Promise<void> {
    const actor = await this.policy.actor(user);
    if (survivorId === otherId) throw ValidationFailed.field('_', 'merge.same');
    await this.dataSource.transaction(async (m) => {
      // Lock in id order, so two merges of the same pair cannot deadlock.
      const [first, second] = survivorId < otherId ? [survivorId, otherId] : [otherId, survivorId];
      const locked = new Map([
        [first, await this.customers.lock(m, actor, first, 'merge')],
        [second, await this.customers.lock(m, actor, second, 'merge')],
      ]);
      const survivor = locked.get(survivorId)!;
      const other = locked.get(otherId)!;
      const filled: Partial<Customer> = {};
      for (const field of MERGE_FILLS) {
        if ((survivor[field] === null || survivor[field] === '') && other[field] !== null)
          Object.assign(filled, { [field]: other[field] });
      }
      // The other's code moves over only once it has let go of it: USCCs are unique.
      if (filled.uscc) await this.repo.update(m, otherId, { uscc: null });
      await this.repo.update(m, survivorId, {
        ...filled,
        tags: [...new Set([...survivor.tags, ...other.tags])],
        lastInteractionAt: maxDate(survivor.lastInteractionAt, other.lastInteractionAt),
      });
      const moved: Record<string, { to: number }> = {
        contacts: { to: await this.contacts.moveAll(m, otherId, survivorId) },
      };
      for (const step of this.lifecycles.mergeSteps())
        moved[step.entity] = { to: await step.move(m, otherId, survivorId) };
      await this.repo.markMerged(m, otherId, survivorId);
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
      await this.customers.publish(m, 'customer.merged', survivorId);
    });
  }
}
