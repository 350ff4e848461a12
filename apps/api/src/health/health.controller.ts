import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { HealthRepository } from '@parkex/db';

/** Liveness and readiness for load balancers: the process is up and PostgreSQL answers. */
@Controller('health')
export class HealthController {
  constructor(private readonly db: HealthRepository) {}

  @Get()
  @HttpCode(200)
  async health(): Promise<{ status: 'ok'; database: 'ok' }> {
    try {
      await this.db.ping();
    } catch {
      throw new ServiceUnavailableException({ status: 'unavailable', database: 'unreachable' });
    }
    return { status: 'ok', database: 'ok' };
  }
}
