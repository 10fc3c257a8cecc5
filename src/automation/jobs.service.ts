import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobLocksRepository } from './job-locks.repository.js';

type JobData = Record<string, unknown>;
type Handler = (data: JobData) => Promise<void>;

/** The job whose run the current code belongs to, if any. */
const jobOfRun = new AsyncLocalStorage<string>();

/**
 * The name of the job whose run is executing this code, or undefined in a request or a script: what
 * a statement was sent for, to logs and to the tests that count a page's statements (a scheduled job
 * that fires meanwhile is not the page's).
 */
export function runningJob(): string | undefined {
  return jobOfRun.getStore();
}

/**
 * How often an idle worker looks for runs queued by another app instance or by a cron schedule.
 * A run this instance queues does not wait for it: send() wakes the local worker at once.
 */
const POLL_SECONDS = 30;

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
 *
 * An idle app asks the database little: each job's worker looks for queued runs every POLL_SECONDS,
 * and a run queued here wakes this instance's worker at once, so nobody waits for the next look.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly registrations: Registration[] = [];
  private boss?: PgBoss;
  /** This instance's worker of each job, by the job's name, to wake when a run is queued here. */
  private readonly workers = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly locks: JobLocksRepository,
  ) {}

  /**
   * Declares a job; with `cron` it also runs on that schedule (in the company's time zone), with
   * `atStart` once each time the app starts. A run queued by this instance starts at once; one queued
   * by another instance or a schedule is picked up within `pollSeconds` (default POLL_SECONDS, at
   * least 0.5; each worker's look costs the database a query). With `singleton` a run is skipped
   * while another run with the same key is under way on any instance (see Singleton and runAlone).
   */
  register(name: string, handler: Handler, opts: JobOptions = {}): void {
    this.registrations.push({
      name,
      handler,
      cron: opts.cron,
      pollSeconds: opts.pollSeconds ?? POLL_SECONDS,
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

  /** Queues a run of a registered job; this instance's worker starts on it at once. */
  async send(name: string, data: Record<string, unknown> = {}): Promise<void> {
    if (!this.boss) throw new Error('jobs are not started');
    await this.queue(this.boss, name, data);
  }

  private async queue(boss: PgBoss, name: string, data: JobData): Promise<void> {
    await boss.send(name, data);
    this.wake(boss, name);
  }

  /**
   * Has this instance's worker of `name` look for runs now rather than at its next poll: when it is
   * waiting, at once; when it is busy or mid-look, as soon as it is done (pg-boss keeps the flag).
   */
  private wake(boss: PgBoss, name: string): void {
    const id = this.workers.get(name);
    if (id) boss.notifyWorker(id);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Given to pg-boss's own pg pool. Its polls come seconds apart: connections kept open between
    // them spare PostgreSQL a new backend, and both sides a password exchange, each time.
    const keepConnections: Pick<pg.PoolConfig, 'idleTimeoutMillis'> = {
      idleTimeoutMillis: 2 * POLL_SECONDS * 1000,
    };
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      application_name: 'kehu-jobs',
      max: 4,
      ...keepConnections,
      schema: 'pgboss',
      // pg-boss's own timers, each one query per instance when idle: maintenance (expiry of stalled
      // runs, archiving; every 2 minutes), the clock check (every 10 minutes), the cron check and its
      // relay. The cron check stays at 30 s: it queues the runs that fell due in the last minute, and
      // the checks that get through (one per 30 s across instances) can come a minute apart. The relay
      // turns those into runs that a worker picks up at its poll: a scheduled run starts up to about a
      // minute and a half late.
      cronMonitorIntervalSeconds: 30,
      cronWorkerIntervalSeconds: POLL_SECONDS,
    });
    boss.on('error', (e) => this.logger.error(`jobs: ${e.message}`));
    await boss.start();
    for (const r of this.registrations) {
      await boss.createQueue(r.name);
      const id = await boss.work(r.name, { pollingIntervalSeconds: r.pollSeconds }, async (jobs) => {
        for (const job of jobs) {
          const data = (job.data ?? {}) as JobData;
          const key = this.singletonKey(r, data);
          const run = () => jobOfRun.run(r.name, () => r.handler(data));
          if (key === null) await run();
          else await this.runAlone(key, run);
        }
        // More runs may be waiting (queued elsewhere, or several at once): look again straight away
        // rather than a poll later. A failed run is not hurried: its retry waits for the next poll.
        this.wake(boss, r.name);
      });
      this.workers.set(r.name, id);
      if (r.cron) await boss.schedule(r.name, r.cron, {}, { tz: this.config.defaultTimezone });
      if (r.atStart) await this.queue(boss, r.name, {});
    }
    this.boss = boss;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 5000 });
    this.boss = undefined;
    this.workers.clear();
  }
}
