import { Body, Controller, Get, Param, ParseIntPipe, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { FormView, Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { TeamDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

/** /admin/teams: the teams and who manages each. */
@Controller('admin/teams')
@Roles('admin')
export class AdminTeamsController implements HasFormLocals {
  constructor(private readonly users: UsersService) {}

  async formLocals(req: Request) {
    const team = req.params.id ? await this.users.getTeam(Number(req.params.id)) : undefined;
    return {
      title: 'nav.teams',
      team,
      values: team ?? {},
      managers: await this.users.listManagers(team?.managerId ?? null),
      teams: await this.users.listTeams(),
    };
  }

  @Get()
  @Render('admin/teams')
  async index(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: {}, errors: {} } };
  }

  @Post()
  @FormView('admin/teams')
  @Redirect()
  async create(@Body() dto: TeamDto, @Req() req: Request) {
    await this.users.createTeam(dto);
    flash(req, 'team.created', { name: dto.name });
    return seeOther('/admin/teams');
  }

  @Get(':id/edit')
  @Render('admin/team-form')
  async editForm(@Param('id', ParseIntPipe) _id: number, @Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post(':id/edit')
  @FormView('admin/team-form')
  @Redirect()
  async update(@Param('id', ParseIntPipe) id: number, @Body() dto: TeamDto, @Req() req: Request) {
    await this.users.updateTeam(id, dto);
    flash(req, 'team.updated', { name: dto.name });
    return seeOther('/admin/teams');
  }
}
