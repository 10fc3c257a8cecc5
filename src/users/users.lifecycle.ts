import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';

/**
 * How the audit log names a user's fields and options: as the admin's user form does. (Users keep no
 * records about customers; what a leaving rep owns is handed over by the modules that own it.)
 */
@Injectable()
export class UsersLifecycle implements OnModuleInit {
  constructor(private readonly lifecycles: CustomerLifecycles) {}

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
      },
    });
  }
}
