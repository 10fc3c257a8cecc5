import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountController } from './account.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { HandOverService } from './hand-over.service.js';
import { PasswordsService } from './passwords.service.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { Team } from './team.entity.js';
import { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { UsersLifecycle } from './users.lifecycle.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Team])],
  controllers: [AdminUsersController, AdminTeamsController, AccountController],
  providers: [
    UsersService,
    UsersRepository,
    TeamsService,
    TeamsRepository,
    PasswordsService,
    HandOverService,
    UsersLifecycle,
  ],
  exports: [UsersService],
})
export class UsersModule {}
