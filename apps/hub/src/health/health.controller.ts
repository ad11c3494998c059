import { Controller, Get, Header, Headers, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { HubError } from '../common/errors';
import { PublicRoute } from '../common/public-route';
import { sameSecret } from '../common/same-secret';
import { HubConfig, metricsExposure } from '../config/hub-config';
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
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get('health/live')
  @PublicRoute('liveness probe for load balancers and orchestrators; says nothing but ok')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  /** Ready means Postgres answers. Redis is reported but not required: ingest works without it. */
  @Get('health/ready')
  @PublicRoute('readiness probe for load balancers and orchestrators; says which services answer')
  @HealthCheck()
  @ApiOperation({ summary: 'Postgres answers (Redis is reported, not required)' })
  ready() {
    // shutting down: load balancers stop sending before the listener closes
    if (this.lifecycle.draining) throw new ServiceUnavailableException({ status: 'shutting down' });
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.redisCheck()]);
  }

  @Get('metrics')
  @PublicRoute('guarded by METRICS_EXPOSE in the handler: off/internal answer 404, token checks METRICS_TOKEN')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    const exposure = metricsExposure(this.config);
    // served on METRICS_PORT (MetricsServer) or nowhere: the public port says nothing exists
    if (exposure === 'internal' || exposure === 'off') throw new HubError('NOT_FOUND', 'Cannot GET /metrics');
    if (exposure === 'token') {
      const [scheme, token] = (authorization ?? '').trim().split(/\s+/);
      if (scheme !== 'Bearer' || !token || !sameSecret(token, this.config.METRICS_TOKEN!)) {
        throw new HubError('UNAUTHENTICATED', 'send "Authorization: Bearer <METRICS_TOKEN>" to read /metrics');
      }
    }
    return this.metrics.registry.metrics();
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const i = this.indicators.check('redis');
    if (!this.redis.enabled) return i.up({ mode: 'none (development: queue in Postgres)' });
    // Reported as up/degraded; never fails readiness, because ingest does not depend on Redis.
    return this.redis.ready ? i.up() : i.up({ degraded: true, connection: String(this.redis.client.status) });
  }
}
