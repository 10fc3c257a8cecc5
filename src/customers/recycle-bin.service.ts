import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainError, NotFound } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { UsersService } from '../users/users.service.js';
import { CustomerPolicy } from './customer.policy.js';
import { CustomersRepository } from './customers.repository.js';

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

/**
 * The recycle bin: deleted customers, restored by whoever may edit them. Merged customers are not
 * in it: everything of theirs lives on in the customer they were merged into.
 */
@Injectable()
export class RecycleBinService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CustomersRepository,
    private readonly policy: CustomerPolicy,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /** Deleted customers the user could edit, last deleted first. */
  async list(user: SessionUser): Promise<DeletedCustomer[]> {
    const rows = await this.repo.findDeleted(await this.policy.actor(user), RECYCLE_BIN_SIZE);
    const owners = await this.users.namesOf(rows.flatMap((r) => (r.ownerId === null ? [] : [r.ownerId])));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerName: r.ownerId === null ? null : (owners.get(r.ownerId) ?? null),
      deletedAt: r.deletedAt,
    }));
  }

  /** Takes a customer out of the recycle bin; returns its name. Refused while another customer holds its USCC. */
  async restore(user: SessionUser, id: number): Promise<string> {
    const actor = await this.policy.actor(user);
    return this.dataSource.transaction(async (m) => {
      const customer = await this.repo.lockDeleted(m, actor, id);
      if (!customer) throw new NotFound();
      const holder = customer.uscc ? await this.repo.findByUscc(m, customer.uscc) : null;
      if (holder) throw new RestoreBlocked(customer.name, holder.name);
      await this.repo.restore(m, id);
      await this.audit.record(
        { action: 'restore', entity: 'customer', entityId: id, diff: { name: { to: customer.name } } },
        m,
      );
      return customer.name;
    });
  }
}
