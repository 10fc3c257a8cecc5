import { Controller, Get, Query, Render } from '@nestjs/common';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, Roles } from '../common/decorators.js';
import { pageParam } from '../common/pagination.js';
import { AuditService } from './audit.service.js';

/** A filter typed into the address: text, or none. */
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** /audit: who did what, newest first. */
@Controller('audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/index')
  async index(
    @CurrentUser() user: SessionUser,
    @Query('entity') entity: unknown,
    @Query('entityId') entityId: unknown,
    @Query('page') page: unknown,
  ) {
    const filter = { entity: text(entity), entityId: text(entityId), page: pageParam(page) };
    return { title: 'nav.audit', ...(await this.audit.page(user, filter)) };
  }
}
