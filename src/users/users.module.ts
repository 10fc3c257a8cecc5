import { Module } from '@nestjs/common';
import { AccountController } from './account.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [AdminUsersController, AdminTeamsController, AccountController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
