import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, Roles } from '../common/decorators.js';
import { ValidationFailed } from '../common/errors.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { CannedReplyDto, SlaPoliciesDto, TicketRoutingDto } from './dto/ticket-settings.dto.js';
import { TICKET_PRIORITIES } from './ticket.options.js';
import { TicketsService } from './tickets.service.js';

const TIERS = [null, 'A', 'B', 'C'] as const;

/**
 * The admin's ticket settings (/admin/tickets): which team each type goes to, after how many days
 * resolved tickets close, the SLA targets per priority (and per tier where a tier is promised more),
 * and the canned replies (常用回复) of each team.
 */
@Roles('admin')
@Controller('admin/tickets')
export class TicketAdminController {
  constructor(private readonly tickets: TicketsService) {}

  async settingsModel(user: SessionUser) {
    const settings = await this.tickets.settings(user);
    const teamName = new Map(settings.teams.map((t) => [t.id, t.name]));
    // Every priority has its general row; a tier row shows empty until the admin fills it in.
    const slaRows = TICKET_PRIORITIES.flatMap((priority) =>
      TIERS.map((tier) => {
        const found = settings.policies.find((p) => p.priority === priority && p.tier === tier);
        return {
          priority,
          tier,
          firstResponseMinutes: found?.firstResponseMinutes ?? null,
          resolutionMinutes: found?.resolutionMinutes ?? null,
        };
      }),
    );
    return {
      title: 'tickets.admin.title',
      section: 'admin/tickets',
      ...settings,
      slaRows,
      cannedReplies: settings.cannedReplies.map((c) => ({
        ...c,
        teamName: c.teamId === null ? null : (teamName.get(c.teamId) ?? null),
      })),
      newReply: { id: 'new', teamId: null, title: '', body: '' },
      values: { autoCloseDays: settings.autoCloseDays },
    };
  }

  @Get()
  @Render('tickets/admin')
  async page(@CurrentUser() user: SessionUser) {
    const model = await this.settingsModel(user);
    return { ...model, form: { values: model.values, errors: {} } };
  }

  @Post('routing')
  @FormView<TicketAdminController>('tickets/admin', (c, { user }) => c.settingsModel(user))
  @Redirect()
  async saveRouting(@CurrentUser() user: SessionUser, @Body() dto: TicketRoutingDto, @Req() req: Request) {
    await this.tickets.saveRouting(user, { routes: { ...dto.routes }, autoCloseDays: dto.autoCloseDays });
    flash(req, 'tickets.admin.saved');
    return seeOther('/admin/tickets');
  }

  @Post('sla')
  @FormView<TicketAdminController>('tickets/admin', (c, { user }) => c.settingsModel(user))
  @Redirect()
  async saveSla(@CurrentUser() user: SessionUser, @Body() dto: SlaPoliciesDto, @Req() req: Request) {
    const policies = [];
    for (const row of dto.policies) {
      // A tier row left empty is no promise of its own: the priority's general row holds for that tier.
      if (row.tier !== null && row.firstResponseMinutes === null && row.resolutionMinutes === null) continue;
      if (row.firstResponseMinutes === null || row.resolutionMinutes === null)
        throw ValidationFailed.field('_', 'tickets.admin.sla_incomplete');
      policies.push({
        priority: row.priority,
        tier: row.tier,
        firstResponseMinutes: row.firstResponseMinutes,
        resolutionMinutes: row.resolutionMinutes,
      });
    }
    await this.tickets.saveSlaPolicies(user, { policies });
    flash(req, 'tickets.admin.saved');
    return seeOther('/admin/tickets');
  }

  @Post('canned')
  @FormView<TicketAdminController>('tickets/admin', (c, { user }) => c.settingsModel(user))
  @Redirect()
  async saveCanned(@CurrentUser() user: SessionUser, @Body() dto: CannedReplyDto, @Req() req: Request) {
    await this.tickets.saveCannedReply(user, {
      id: dto.id ?? undefined,
      teamId: dto.teamId,
      title: dto.title,
      body: dto.body,
      version: dto.version,
    });
    flash(req, 'tickets.admin.canned_saved', { title: dto.title });
    return seeOther('/admin/tickets#canned-replies');
  }

  @Post('canned/:id/delete')
  @Redirect()
  async deleteCanned(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.tickets.deleteCannedReply(user, id);
    flash(req, 'tickets.admin.canned_deleted');
    return seeOther('/admin/tickets#canned-replies');
  }
}
