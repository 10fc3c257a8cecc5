import { Module } from '@nestjs/common';
import { AccountController } from './account.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { HandOverRegistry } from './hand-over.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [AdminUsersController, AdminTeamsController, AccountController],
  providers: [UsersService, HandOverRegistry],
  exports: [UsersService, HandOverRegistry],
})
export class UsersModule {}
