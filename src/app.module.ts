import {
  type DynamicModule,
  Global,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from './approvals/approvals.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AccessGuard } from './auth/access.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { AutomationModule } from './automation/automation.module.js';
import { CsrfGuard } from './common/csrf.guard.js';
import { AppExceptionFilter } from './common/exception.filter.js';
import { FormViewInterceptor } from './common/form-view.interceptor.js';
import { HealthController } from './common/health.controller.js';
import { PageContextMiddleware } from './common/page-context.middleware.js';
import { createValidationPipe } from './common/validation.js';
import { SessionsRepository } from './common/sessions/sessions.repository.js';
import { SessionsService } from './common/sessions/sessions.service.js';
import { AttachmentsModule } from './common/attachments/attachments.module.js';
import { CustomerLifecycles } from './common/customer-lifecycle.js';
import { SequencesModule } from './common/sequences/sequences.module.js';
import { CompanyLogoController, CompanyLogoUpload } from './common/settings/company-logo.js';
import { CompanySettings } from './common/settings/company.js';
import { CalendarModule } from './common/calendar/calendar.module.js';
import { Setting } from './common/settings/setting.entity.js';
import { SettingsSections } from './common/settings/settings-sections.js';
import { SettingsController } from './common/settings/settings.controller.js';
import { SettingsRepository } from './common/settings/settings.repository.js';
import { ReferenceData } from './common/reference-data.js';
import { SettingsService } from './common/settings/settings.service.js';
import { ViewEngine } from './common/view-engine.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { ContractsModule } from './contracts/contracts.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { RulesModule } from './rules/rules.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { FollowUpsModule } from './follow-ups/follow-ups.module.js';
import { OpportunitiesModule } from './opportunities/opportunities.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { SeedModule } from './seed/seed.module.js';
import { TicketPagesModule } from './tickets/ticket-pages.module.js';
import { TicketsModule } from './tickets/tickets.module.js';
import { TicketsApiModule } from './tickets/tickets-api.module.js';
import { UsersModule } from './users/users.module.js';

/** Configuration, the view engine, settings and sessions, available everywhere. */
@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    const shared = [
      { provide: APP_CONFIG, useValue: config },
      { provide: ViewEngine, useValue: new ViewEngine(config.production) },
      ReferenceData,
      SettingsService,
      SettingsSections,
      CompanySettings,
      SessionsService,
      CustomerLifecycles,
    ];
    return {
      module: CoreModule,
      imports: [TypeOrmModule.forFeature([Setting]), AttachmentsModule],
      controllers: [SettingsController, CompanyLogoController],
      providers: [...shared, SettingsRepository, SessionsRepository],
      exports: shared,
    };
  }
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a database URL');
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        // Each module registers its own entities (TypeOrmModule.forFeature).
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, { logging: config.logLevel === 'debug' }),
          autoLoadEntities: true,
        }),
        AutomationModule,
        SequencesModule,
        CalendarModule,
        AttachmentsModule,
        AuditModule,
        NotificationsModule,
        UsersModule,
        AuthModule,
        CustomersModule,
        OpportunitiesModule,
        ApprovalsModule,
        FollowUpsModule,
        ContractsModule,
        TicketsModule,
        TicketPagesModule,
        TicketsApiModule,
        DashboardModule,
        RulesModule,
        PrivacyModule,
        SeedModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: FormViewInterceptor },
        { provide: APP_FILTER, useClass: AppExceptionFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PageContextMiddleware).exclude('healthz', 'readyz').forRoutes('{*path}');
    consumer
      .apply(CompanyLogoUpload)
      .forRoutes({ path: 'admin/settings/company/logo', method: RequestMethod.POST });
  }
}
