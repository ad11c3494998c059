import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Lifecycle } from '../lifecycle/lifecycle';
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
    private readonly lifecycle: Lifecycle,
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
    // shutting down: load balancers stop sending before the listener closes
    if (this.lifecycle.draining) throw new ServiceUnavailableException({ status: 'shutting down' });
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
    if (!this.redis.enabled) return i.up({ mode: 'none (development: queue in Postgres)' });
    // Reported as up/degraded; never fails readiness, because ingest does not depend on Redis.
    return this.redis.ready ? i.up() : i.up({ degraded: true, connection: String(this.redis.client.status) });
  }
}
