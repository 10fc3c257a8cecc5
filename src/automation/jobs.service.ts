import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

type Handler = (data: Record<string, unknown>) => Promise<void>;
interface Registration {
  name: string;
  handler: Handler;
  cron?: string;
  pollSeconds: number;
  atStart: boolean;
}

/**
 * Background jobs on PostgreSQL (pg-boss). Modules register their jobs in onModuleInit; the boss
 * starts once the app is up. A cron schedule lives in the database, so with any number of app
 * instances each scheduled run happens once.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly registrations: Registration[] = [];
  private boss?: PgBoss;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Declares a job; with `cron` it also runs on that schedule (in the company's time zone), with
   * `atStart` once each time the app starts. Queued runs are picked up within `pollSeconds` (at
   * least 0.5): shorter for jobs a user waits for.
   */
  register(
    name: string,
    handler: Handler,
    opts: { cron?: string; pollSeconds?: number; atStart?: boolean } = {},
  ): void {
    this.registrations.push({
      name,
      handler,
      cron: opts.cron,
      pollSeconds: opts.pollSeconds ?? 1,
      atStart: opts.atStart ?? false,
    });
  }

  /** Queues a run of a registered job. */
  async send(name: string, data: Record<string, unknown> = {}): Promise<void> {
    if (!this.boss) throw new Error('jobs are not started');
    await this.boss.send(name, data);
  }

  async onApplicationBootstrap(): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: 'pgboss',
      application_name: 'kehu-jobs',
      max: 4,
    });
    boss.on('error', (e) => this.logger.error(`jobs: ${e.message}`));
    await boss.start();
    for (const r of this.registrations) {
      await boss.createQueue(r.name);
      await boss.work(r.name, { pollingIntervalSeconds: r.pollSeconds }, async (jobs) => {
        for (const job of jobs) await r.handler((job.data ?? {}) as Record<string, unknown>);
      });
      if (r.cron) await boss.schedule(r.name, r.cron, {}, { tz: this.config.defaultTimezone });
      if (r.atStart) await boss.send(r.name, {});
    }
    this.boss = boss;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 5000 });
    this.boss = undefined;
  }
}
