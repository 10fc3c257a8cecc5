import { Controller, Get, Query, Render } from '@nestjs/common';
import { Roles } from '../common/decorators.js';
import { pageParam } from '../common/pagination.js';
import { AuditService } from './audit.service.js';

@Controller('audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/index')
  async index(@Query() q: Record<string, unknown>) {
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const filter = { entity: text(q.entity), entityId: text(q.entityId) };
    const page = await this.audit.list({ ...filter, page: pageParam(q.page) });
    return { title: 'nav.audit', page, filter };
  }
}
