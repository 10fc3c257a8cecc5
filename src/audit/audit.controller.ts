import { Controller, Get, Query, Render } from '@nestjs/common';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import { pageParam } from '../common/pagination.js';
import { fieldLabel, valueText } from './audit-changes.js';
import { AuditService } from './audit.service.js';

@Controller('audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/index')
  async index(@CurrentUser() user: SessionUser, @Query() q: Record<string, unknown>) {
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const filter = { entity: text(q.entity), entityId: text(q.entityId) };
    const page = await this.audit.list({ ...filter, page: pageParam(q.page) });
    // Changes as the admin reads them: field labels, option labels, times in their zone.
    const show = (field: string, value: string) => valueText(user.locale, user.timezone, field, value);
    for (const row of page.rows) {
      row.changes = row.changes.map((c) => ({
        field: fieldLabel(user.locale, row.entity, c.field),
        from: show(c.field, c.from),
        to: show(c.field, c.to),
      }));
    }
    return { title: 'nav.audit', page, filter };
  }
}
