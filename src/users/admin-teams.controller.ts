import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { FormView, freshForm, Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { TeamDto } from './dto/user.dto.js';
import { TeamsService } from './teams.service.js';

/** /admin/teams: the teams and who manages each. */
@Controller('admin/teams')
@Roles('admin')
export class AdminTeamsController {
  constructor(private readonly teams: TeamsService) {}

  /** The teams page: every team, and the form for a new one. */
  async listModel() {
    return {
      title: 'nav.teams',
      teams: await this.teams.list(),
      managers: await this.teams.managers(null),
    };
  }

  /** One team's form. */
  async editModel(id: number) {
    const team = await this.teams.get(id);
    return {
      title: 'nav.teams',
      team,
      values: team,
      managers: await this.teams.managers(team.managerId),
    };
  }

  @Get()
  @Render('admin/teams')
  async index() {
    return { ...(await this.listModel()), form: { values: {}, errors: {} } };
  }

  @Post()
  @FormView<AdminTeamsController>('admin/teams', (c) => c.listModel())
  @Redirect()
  async create(@Body() dto: TeamDto, @Req() req: Request) {
    await this.teams.create(dto);
    flash(req, 'team.created', { name: dto.name });
    return seeOther('/admin/teams');
  }

  @Get(':id/edit')
  @Render('admin/team-form')
  async editForm(@Param('id', IdPipe) id: number) {
    return freshForm(await this.editModel(id));
  }

  @Post(':id/edit')
  @FormView<AdminTeamsController>('admin/team-form', (c, { ids }) => c.editModel(ids.id))
  @Redirect()
  async update(@Param('id', IdPipe) id: number, @Body() dto: TeamDto, @Req() req: Request) {
    await this.teams.update(id, dto);
    flash(req, 'team.updated', { name: dto.name });
    return seeOther('/admin/teams');
  }
}
