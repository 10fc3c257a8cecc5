import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { PoolService } from './pool.service.js';

/** How customers and contacts take part in the customer lifecycle: the audit log's names, the hand-over. */
@Injectable()
export class CustomersLifecycle implements OnModuleInit {
  constructor(
    private readonly lifecycles: CustomerLifecycles,
    private readonly pool: PoolService,
  ) {}

  onModuleInit(): void {
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
        },
        values: {
          kind: 'customer.kind.',
          industry: 'customer.industry.',
          size: 'customer.size.',
          tier: 'customer.tier.',
          source: 'customer.source.',
          status: 'customer.status.',
        },
      },
      handOver: this.pool.handOver(),
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
