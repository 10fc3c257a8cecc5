import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { UsersService } from './users.service.js';

/**
 * How the audit log names a user's fields and options: as the admin's user form does; and the names of
 * the people and teams other modules' entries refer to by id. (Users keep no records about customers;
 * what a leaving rep owns is handed over by the modules that own it.)
 */
@Injectable()
export class UsersLifecycle implements OnModuleInit {
  constructor(
    private readonly lifecycles: CustomerLifecycles,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.lifecycles.register({
      entity: 'user',
      audit: {
        fields: {
          name: 'user.name',
          email: 'user.email',
          role: 'user.role',
          teamId: 'user.team',
          region: 'user.region',
          locale: 'user.locale',
          active: 'user.status',
        },
        values: { role: 'role.', locale: 'locale.' },
        refs: { teamId: 'team' },
      },
    });
    this.lifecycles.register({
      entity: 'team',
      audit: { fields: { name: 'team.name', managerId: 'team.manager' }, refs: { managerId: 'user' } },
    });
    // The audit log shows the people and teams its entries name by their names, from the directory.
    this.lifecycles.registerNames({
      names: (kind, ids) => (kind === 'user' ? this.users.namesOf(ids) : this.users.teamNamesOf(ids)),
    });
  }
}
