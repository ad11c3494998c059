import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { RedisModule } from '../redis/redis.module';
import { HealthController } from './health.controller';
import { HubMetrics } from './metrics';
import { MetricsServer } from './metrics.server';

/**
 * Operations: /health/live, /health/ready, /metrics (or METRICS_PORT), and the process's
 * Prometheus registry (HubMetrics), which every feature that counts something imports from here.
 */
@Module({
  imports: [TerminusModule, RedisModule, LifecycleModule],
  controllers: [HealthController],
  providers: [HubMetrics, MetricsServer],
  exports: [HubMetrics],
})
export class HealthModule {}
