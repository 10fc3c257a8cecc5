import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
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
 * How often this instance looks for runs it did not queue itself: queued by another app instance,
 * fallen due on a schedule, or due for a retry. One statement looks for every job at once (see
 * JobsService.look). A run this instance queues does not wait for it: send() wakes the local worker.
 */
const POLL_SECONDS = 30;

/**
 * An idle worker's own look for runs, a fallback only: the shared look wakes a worker whose job has
 * runs waiting, and a worker that ran something looks again straight away.
 */
const WORKER_POLL_SECONDS = 3600;

/**
 * pg-boss's queue of a schedule's runs (its timekeeper's): at each cron check the instance whose check
 * gets through queues there the jobs that fell due in the last minute; relaying them into their own
 * queues is what starts them. The shared look relays them and wakes the local workers at once; pg-boss's
 * own relay (every cronWorkerIntervalSeconds) stays as the fallback.
 */
const SCHEDULED_RUNS = '__pgboss__send-it';

/**
 * How often pg-boss's housekeeping runs (four statements): expiring runs stalled past their expiry
 * (15 minutes) when their server stopped, archiving finished ones. Its default is 2 minutes; a
 * stalled run is now retried up to 10 minutes later, and nothing a user waits for depends on it.
 */
const MAINTENANCE_SECONDS = 600;

/** Which of these queues hold runs ready to start now (pg-boss 10's job table, by its own index). */
const READY_SQL = `SELECT q.name FROM unnest($1::text[]) AS q(name)
  WHERE EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = q.name AND j.state < 'active' AND j.start_after < now())`;

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
 * An idle app asks the database little: one statement every POLL_SECONDS looks for runs of every job
 * at once (queued elsewhere, scheduled, retried) and wakes the workers that have some; a run queued
 * here wakes this instance's worker at once, so nobody waits for the next look. pg-boss's own
 * housekeeping runs every MAINTENANCE_SECONDS.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly registrations: Registration[] = [];
  private boss?: PgBoss;
  /** This instance's worker of each job, by the job's name, to wake when a run is queued here. */
  private readonly workers = new Map<string, string>();
  /** The next shared look for runs, while the jobs run. */
  private nextLook?: NodeJS.Timeout;
  /** The shared look's interval: POLL_SECONDS, or a job's shorter pollSeconds. */
  private lookSeconds = POLL_SECONDS;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly locks: JobLocksRepository,
  ) {}

  /**
   * Declares a job; with `cron` it also runs on that schedule (in the company's time zone), with
   * `atStart` once each time the app starts. A run queued by this instance starts at once; one queued
   * by another instance or a schedule is picked up within `pollSeconds` (default POLL_SECONDS, at
   * least 0.5; one shared look serves every job, at the shortest of their pollSeconds, so a longer
   * one costs nothing and is kept only as the most the job may wait). With `singleton` a run is skipped
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

  /**
   * The shared look: one statement finds which of this instance's jobs (and pg-boss's queue of
   * scheduled runs) have runs ready, the scheduled ones are relayed into their jobs' queues, and the
   * workers with something to do are woken. Then the next look, POLL_SECONDS on.
   */
  private async look(boss: PgBoss): Promise<void> {
    if (this.boss !== boss) return;
    try {
      const { rows } = await boss.getDb().executeSql(READY_SQL, [[...this.workers.keys(), SCHEDULED_RUNS]]);
      for (const { name } of rows as { name: string }[]) {
        if (name === SCHEDULED_RUNS) await this.relayScheduled(boss);
        else this.wake(boss, name);
      }
    } catch (e) {
      this.logger.error(`jobs: looking for runs: ${(e as Error).message}`);
    } finally {
      if (this.boss === boss) this.nextLook = setTimeout(() => void this.look(boss), this.lookSeconds * 1000);
    }
  }

  /** Relays the runs a schedule queued into their jobs' queues, as pg-boss's relay does, and starts them here. */
  private async relayScheduled(boss: PgBoss): Promise<void> {
    const due = await boss.fetch<PgBoss.JobInsert & { name: string }>(SCHEDULED_RUNS, { batchSize: 50 });
    if (!due.length) return;
    const ids = due.map((j) => j.id);
    try {
      await boss.insert(due.map((j) => j.data));
    } catch (e) {
      await boss.fail(SCHEDULED_RUNS, ids);
      throw e;
    }
    await boss.complete(SCHEDULED_RUNS, ids);
    for (const j of due) this.wake(boss, j.data.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Given to pg-boss's own pg pool. Its looks come seconds apart, the runs a schedule starts a
    // minute apart: connections kept open between them (five minutes) spare PostgreSQL a new backend,
    // and both sides a password exchange, each time.
    const keepConnections: Pick<pg.PoolConfig, 'idleTimeoutMillis'> = {
      idleTimeoutMillis: 10 * POLL_SECONDS * 1000,
    };
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      application_name: 'kehu-jobs',
      max: 4,
      ...keepConnections,
      schema: 'pgboss',
      // pg-boss's own timers, each one query per instance when idle: maintenance (expiry of stalled
      // runs, archiving) every MAINTENANCE_SECONDS, the clock check every 10 minutes, the cron check
      // and its relay. The cron check stays at 30 s: it queues the runs that fell due in the last
      // minute, and the checks that get through (one per 30 s across instances) can come a minute
      // apart. The shared look relays those runs and starts them: a scheduled run starts up to about
      // a minute late. pg-boss's own relay is the fallback, at its longest interval.
      cronMonitorIntervalSeconds: 30,
      cronWorkerIntervalSeconds: 45,
      maintenanceIntervalSeconds: MAINTENANCE_SECONDS,
    });
    boss.on('error', (e) => this.logger.error(`jobs: ${e.message}`));
    await boss.start();
    // Instances starting together on a new database would create the same queues at once, and two
    // pg-boss create_queue calls (each adds a partition to its job table) can deadlock: one at a time.
    await this.locks.runInTurn('jobs.create-queues', async () => {
      for (const r of this.registrations) await boss.createQueue(r.name);
    });
    for (const r of this.registrations) {
      const id = await boss.work(r.name, { pollingIntervalSeconds: WORKER_POLL_SECONDS }, async (jobs) => {
        for (const job of jobs) {
          const data = (job.data ?? {}) as JobData;
          const key = this.singletonKey(r, data);
          // The run's lock, taken and given back, belongs to the run as much as its work does.
          await jobOfRun.run(r.name, () =>
            key === null ? r.handler(data) : this.runAlone(key, () => r.handler(data)),
          );
        }
        // More runs may be waiting (queued elsewhere, or several at once): look again straight away
        // rather than a look later. A failed run is not hurried: its retry waits for a later look.
        this.wake(boss, r.name);
      });
      this.workers.set(r.name, id);
      if (r.cron) await boss.schedule(r.name, r.cron, {}, { tz: this.config.defaultTimezone });
      if (r.atStart) await this.queue(boss, r.name, {});
    }
    this.lookSeconds = Math.max(0.5, Math.min(POLL_SECONDS, ...this.registrations.map((r) => r.pollSeconds)));
    this.boss = boss;
    this.nextLook = setTimeout(() => void this.look(boss), this.lookSeconds * 1000);
  }

  /**
   * Stops taking runs and lets those under way finish (five seconds at most), before the app's
   * database connections close (onApplicationShutdown): a run that ends after them could not record
   * what it did (a webhook delivered but not marked so would be sent again).
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.nextLook);
    const boss = this.boss;
    this.boss = undefined;
    await boss?.stop({ graceful: true, wait: true, timeout: 5000 });
    this.workers.clear();
  }
}
