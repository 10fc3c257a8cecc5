import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '../automation/jobs.service.js';
import { localDay } from '../common/time.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { HealthClock } from './queries/customers.query.js';
import { CustomerHealthQuery, type HealthRun } from './queries/customer-health.query.js';

/** The job keeping the customers' health scores current. */
const CUSTOMER_HEALTH_JOB = 'dashboard.customer-health';

/**
 * Keeps the active customers' health scores (the dashboard's at-risk list) current: a job every
 * minute, one run at a time across app instances, scores again the customers whose score may have
 * moved since its last run. Pages are exact meanwhile (they score those customers from the records);
 * the job keeps that part small.
 *
 * In production the first run scores every active customer (until then, and whenever the company's
 * zone changes, pages score every customer in scope). Elsewhere (development, tests) the scores are
 * kept only when asked (`build`), and the job just clears the list of changes.
 */
@Injectable()
export class CustomerHealthService implements OnModuleInit {
  private readonly logger = new Logger(CustomerHealthService.name);

  constructor(
    private readonly query: CustomerHealthQuery,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(CUSTOMER_HEALTH_JOB, () => this.run().then(() => undefined), {
      cron: '* * * * *',
      singleton: true,
    });
  }

  /** The job's run: scores the customers whose score may have moved (every one first, in production). */
  async run(now = new Date()): Promise<HealthRun | null> {
    const run = await this.query.refresh(this.clock(now), !this.config.production);
    if (run || !this.config.production) return run;
    const started = Date.now();
    const built = await this.query.build(this.clock(now));
    this.logger.log(`customer health scored in ${Date.now() - started} ms`);
    return built;
  }

  /** Scores every active customer again from the records. */
  build(now = new Date()): Promise<HealthRun> {
    return this.query.build(this.clock(now));
  }

  private clock(now: Date): HealthClock {
    const zone = this.config.defaultTimezone;
    return { now, today: localDay(now, zone), zone };
  }
}
