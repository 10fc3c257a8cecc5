import { Module, type OnModuleInit } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsService } from '../automation/jobs.service.js';
import { UsersModule } from '../users/users.module.js';
import { ApiToken } from './api/api-token.entity.js';
import { AdminApiTokensController, ApiTokensController } from './api/api-tokens.controller.js';
import { ApiTokensRepository } from './api/api-tokens.repository.js';
import { ApiTokensService } from './api/api-tokens.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LocalStrategy } from './local.strategy.js';
import { LoginFailure } from './login-failure.entity.js';
import { LoginFailuresRepository } from './login-failures.repository.js';
import { SessionSerializer } from './session.serializer.js';

@Module({
  imports: [
    PassportModule.register({ session: true }),
    TypeOrmModule.forFeature([LoginFailure, ApiToken]),
    UsersModule,
  ],
  controllers: [AuthController, ApiTokensController, AdminApiTokensController],
  providers: [
    AuthService,
    LoginFailuresRepository,
    LocalStrategy,
    SessionSerializer,
    ApiTokensService,
    ApiTokensRepository,
  ],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly auth: AuthService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register('auth.prune', () => this.auth.prune(), { cron: '17 * * * *' });
  }
}
