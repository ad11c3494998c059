import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisService } from '../redis/redis.module';
import { HubMetrics } from './metrics';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
    private readonly metrics: HubMetrics,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  /** Ready means Postgres answers. Redis is reported but not required: ingest works without it. */
  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Postgres answers (Redis is reported, not required)' })
  ready() {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.redisCheck()]);
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const i = this.indicators.check('redis');
    // Reported as up/degraded; never fails readiness, because ingest does not depend on Redis.
    return this.redis.ready ? i.up() : i.up({ degraded: true, connection: String(this.redis.client.status) });
  }
}
