import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountController } from './account.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { HandOverService } from './hand-over.service.js';
import { PasswordResetController } from './password-reset.controller.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordResetRequest } from './password-reset-request.entity.js';
import { PasswordResetService } from './password-reset.service.js';
import { PasswordResetToken } from './password-reset-token.entity.js';
import { PasswordsService } from './passwords.service.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { Team } from './team.entity.js';
import { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { UsersLifecycle } from './users.lifecycle.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Team, PasswordResetToken, PasswordResetRequest])],
  controllers: [AdminUsersController, AdminTeamsController, AccountController, PasswordResetController],
  providers: [
    UsersService,
    UsersRepository,
    TeamsService,
    TeamsRepository,
    PasswordsService,
    PasswordResetService,
    PasswordResetRepository,
    HandOverService,
    UsersLifecycle,
  ],
  exports: [UsersService],
})
export class UsersModule {}
