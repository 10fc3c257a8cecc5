import { Controller, Get, Logger, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from './decorators.js';

/** Probes for load balancers and orchestrators. Public, and not logged. */
@Controller()
@Public()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref()),
      ]);
      return { status: 'ok' };
    } catch (e) {
      this.logger.warn(`readyz: database unreachable: ${e instanceof Error ? e.message : String(e)}`);
      res.status(503);
      return { status: 'unavailable', reason: 'database unreachable' };
    }
  }
}
