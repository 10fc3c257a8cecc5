import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, freshForm, Roles } from '../common/decorators.js';
import { PROVINCES } from '../common/regions.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { DeactivateDto } from './dto/deactivate.dto.js';
import { PasswordResetDto, UserDto } from './dto/user.dto.js';
import { LOCALES, ROLES } from '../common/roles.js';
import { HandOverService } from './hand-over.service.js';
import { PasswordsService } from './passwords.service.js';
import { TeamsService } from './teams.service.js';
import { UsersService } from './users.service.js';

/** /admin/users: create, edit, deactivate users and reset their passwords. */
@Controller('admin/users')
@Roles('admin')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly teams: TeamsService,
    private readonly passwords: PasswordsService,
    private readonly handOver: HandOverService,
  ) {}

  /** The option lists of the user form. */
  private async options() {
    return {
      title: 'nav.users',
      roles: ROLES,
      locales: LOCALES,
      teams: await this.teams.list(),
      provinces: PROVINCES,
    };
  }

  /** The form for a new user, with its defaults. */
  async newModel() {
    return { ...(await this.options()), values: { locale: 'zh-CN', role: 'sales' } };
  }

  /** One user's form: their stored values, what they own and who could take it over. */
  async editModel(id: number) {
    // Not `user`: that name is the signed-in user, whom the layout shows.
    const editedUser = await this.users.get(id);
    const holdings = await this.handOver.holdings(id);
    return {
      ...(await this.options()),
      editedUser,
      holdings,
      owns: holdings.some((h) => h.count > 0),
      handOverTargets: await this.handOver.targets(id),
      values: editedUser,
    };
  }

  @Get()
  @Render('admin/users')
  async index() {
    return { title: 'nav.users', users: await this.users.list() };
  }

  @Get('new')
  @Render('admin/user-form')
  async newForm() {
    return freshForm(await this.newModel());
  }

  @Post('new')
  @FormView<AdminUsersController>('admin/user-form', (c) => c.newModel())
  @Redirect()
  async create(@Body() dto: UserDto, @Req() req: Request) {
    const user = await this.users.create(dto);
    flash(req, 'user.created', { name: user.name });
    return seeOther('/admin/users');
  }

  @Get(':id/edit')
  @Render('admin/user-form')
  async editForm(@Param('id', IdPipe) id: number) {
    return freshForm(await this.editModel(id));
  }

  @Post(':id/edit')
  @FormView<AdminUsersController>('admin/user-form', (c, { ids }) => c.editModel(ids.id))
  @Redirect()
  async update(
    @Param('id', IdPipe) id: number,
    @Body() dto: UserDto,
    @CurrentUser() actor: SessionUser,
    @Req() req: Request,
  ) {
    await this.users.update(actor, id, dto);
    flash(req, 'user.updated', { name: dto.name });
    return seeOther('/admin/users');
  }

  @Post(':id/deactivate')
  @FormView<AdminUsersController>('admin/user-form', (c, { ids }) => c.editModel(ids.id))
  @Redirect()
  async deactivate(
    @Param('id', IdPipe) id: number,
    @Body() dto: DeactivateDto,
    @CurrentUser() actor: SessionUser,
    @Req() req: Request,
  ) {
    await this.handOver.deactivate(actor, id, dto.handOverTo);
    flash(req, 'user.deactivated');
    return seeOther('/admin/users');
  }

  @Post(':id/activate')
  @Redirect()
  async activate(@Param('id', IdPipe) id: number, @CurrentUser() actor: SessionUser, @Req() req: Request) {
    await this.users.activate(actor, id);
    flash(req, 'user.activated');
    return seeOther('/admin/users');
  }

  @Post(':id/password')
  @FormView<AdminUsersController>('admin/user-form', (c, { ids }) => c.editModel(ids.id))
  @Redirect()
  async resetPassword(@Param('id', IdPipe) id: number, @Body() dto: PasswordResetDto, @Req() req: Request) {
    await this.passwords.reset(id, dto.password);
    flash(req, 'user.password_reset');
    return seeOther(`/admin/users/${id}/edit`);
  }
}
