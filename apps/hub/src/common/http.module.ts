import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { RedisModule } from '../redis/redis.module';
import { RegionsModule } from '../regions/regions.module';
import { BodyBudget, BodyReader } from './body';
import { RateLimits } from './rate-limits';

/**
 * The HTTP edge shared by the routes: bounded body reading (@ReadBody → ReadBodyInterceptor,
 * BodyReader) and rate limits (the address middleware, KikiWriteLimitGuard, GraphQL's request
 * limit). A module whose controllers use @ReadBody or KikiWriteLimitGuard imports this one (and
 * RegionsModule, which ReadBodyInterceptor reads the region's limits from).
 */
@Module({
  imports: [HealthModule, RedisModule, RegionsModule],
  providers: [BodyBudget, BodyReader, RateLimits],
  exports: [BodyReader, RateLimits, RegionsModule],
})
export class HttpModule {}
