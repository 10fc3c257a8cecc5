import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobLocksRepository } from './job-locks.repository.js';

type JobData = Record<string, unknown>;
type Handler = (data: JobData) => Promise<void>;

/**
 * A job that runs once at a time across every app instance: `true` for the whole job (a sweep), or
 * the lock's key for a run's data (an import's check is keyed by the import's id), so that runs on
 * different data still run side by side.
 */
export type Singleton = true | ((data: JobData) => string);

export interface JobOptions {
  cron?: string;
  pollSeconds?: number;
  atStart?: boolean;
  singleton?: Singleton;
}

interface Registration {
  name: string;
  handler: Handler;
  cron?: string;
  pollSeconds: number;
  atStart: boolean;
  singleton?: Singleton;
}

/**
 * Background jobs on PostgreSQL (pg-boss). Modules register their jobs in onModuleInit; the boss
 * starts once the app is up. A cron schedule lives in the database, so with any number of app
 * instances each scheduled run happens once. A singleton job also never runs twice at the same time
 * (pg-boss retries a job it thinks stalled while the first attempt may still be running).
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly registrations: Registration[] = [];
  private boss?: PgBoss;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly locks: JobLocksRepository,
  ) {}

  /**
   * Declares a job; with `cron` it also runs on that schedule (in the company's time zone), with
   * `atStart` once each time the app starts. Queued runs are picked up within `pollSeconds` (at
   * least 0.5): shorter for jobs a user waits for. With `singleton` a run is skipped while another run
   * with the same key is under way on any instance (see Singleton and runAlone).
   */
  register(name: string, handler: Handler, opts: JobOptions = {}): void {
    this.registrations.push({
      name,
      handler,
      cron: opts.cron,
      pollSeconds: opts.pollSeconds ?? 1,
      atStart: opts.atStart ?? false,
      singleton: opts.singleton,
    });
  }

  /**
   * Runs `work` unless work under the same key is under way on any app instance; answers whether it
   * ran. The key is held until `work` ends, or until its server stops, whichever comes first.
   */
  runAlone(key: string, work: () => Promise<void>): Promise<boolean> {
    return this.locks.runAlone(key, work);
  }

  /**
   * Whether work under `key` (runAlone, or a singleton job's run) is under way on any instance now.
   * At start, a job's own records can say "running" when the server that ran it stopped: this tells.
   */
  isRunningAlone(key: string): Promise<boolean> {
    return this.locks.isHeld(key);
  }

  /** The lock key a singleton job's run with `data` holds: the job's name, or its own key for the data. */
  private singletonKey(r: Registration, data: JobData): string | null {
    if (!r.singleton) return null;
    return r.singleton === true ? r.name : r.singleton(data);
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
        for (const job of jobs) {
          const data = (job.data ?? {}) as JobData;
          const key = this.singletonKey(r, data);
          if (key === null) await r.handler(data);
          else await this.runAlone(key, () => r.handler(data));
        }
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
