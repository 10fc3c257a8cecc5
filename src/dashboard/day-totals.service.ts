import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '../automation/jobs.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type DayTotalsRun, DayTotalsQuery } from './queries/day-totals.query.js';

/** The job keeping the dashboard's day totals counted. */
const DAY_TOTALS_JOB = 'dashboard.day-totals';

/**
 * Keeps the dashboard's day totals (queries/day-totals.ts) counted: a job every minute, one run at a
 * time across app instances, counts again the days changes listed since its last run. Pages are
 * exact meanwhile (they read listed days from the records); the job keeps that part small.
 *
 * In production the first run counts every day (until then, and whenever the company's zone
 * changes, pages read every figure from the records). Elsewhere (development, tests) the totals are
 * counted only when asked (`build`), and the job just clears the list of changed days.
 */
@Injectable()
export class DayTotalsService implements OnModuleInit {
  private readonly logger = new Logger(DayTotalsService.name);

  constructor(
    private readonly query: DayTotalsQuery,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(DAY_TOTALS_JOB, () => this.run().then(() => undefined), {
      cron: '* * * * *',
      singleton: true,
    });
  }

  /** The job's run: counts the changed days (every day first, in production). */
  async run(): Promise<DayTotalsRun | null> {
    const zone = this.config.defaultTimezone;
    const run = await this.query.refresh(zone, !this.config.production);
    if (run || !this.config.production) return run;
    const started = Date.now();
    const built = await this.query.build(zone);
    this.logger.log(`dashboard day totals counted in ${Date.now() - started} ms`);
    return built;
  }

  /** Counts every day again from the records. */
  build(): Promise<DayTotalsRun> {
    return this.query.build(this.config.defaultTimezone);
  }
}
