import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isValidKey } from '@kiki/crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HubConfig, type RegionRateOverride } from '../config/hub-config';
import { HubMetrics } from '../health/metrics';
import { RedisService } from '../redis/redis.module';
import { RateLimitedError } from './errors';
import { writeHubError } from './http-exception.filter';

export type RateLimitName = 'address' | 'sender' | 'region' | 'kiki-writes';

/**
 * Rate limits held in Redis (rate-limiter-flexible's atomic counters), so they hold across hub
 * replicas; while Redis is unreachable each process keeps the same limits in memory
 * (insuranceLimiter), so a Redis outage does not lift them. docs/reliability.md lists them.
 *  - address: every /sync, /r/ and /graphql request per source address, before anything is read;
 *  - region and sender: requests with a valid membership token, per region and per person;
 *  - kiki-writes: uploads to one region's original route per source address (no token there).
 * region, sender and kiki-writes can be set per region (RATE_REGION_OVERRIDES).
 */
@Injectable()
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly redis: RedisService,
    private readonly metrics: HubMetrics,
  ) {}

  get enabled(): boolean {
    return this.config.RATE_LIMITS;
  }

  /** Takes one point of `limit` for `key`; throws RateLimitedError when none is left. */
  async take(limit: RateLimitName, key: string, regionKey?: string): Promise<void> {
    if (!this.enabled) return;
    const { points, seconds } = this.bounds(limit, regionKey);
    try {
      await this.limiter(limit, points, seconds).consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.metrics.rateLimited.inc({ limit });
      throw new RateLimitedError(limit, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
  }

  private bounds(limit: RateLimitName, regionKey?: string): { points: number; seconds: number } {
    const o: RegionRateOverride = (regionKey && this.config.regionRateOverrides[regionKey]) || {};
    switch (limit) {
      case 'address':
        return { points: this.config.RATE_ADDRESS_PER_MINUTE, seconds: 60 };
      case 'sender':
        return { points: o.senderPerMinute ?? this.config.RATE_SENDER_PER_MINUTE, seconds: 60 };
      case 'region':
        return { points: o.regionPerSecond ?? this.config.RATE_REGION_PER_SECOND, seconds: 1 };
      case 'kiki-writes':
        return { points: o.kikiWritesPerAddressPerMinute ?? this.config.RATE_KIKI_WRITES_PER_ADDRESS_PER_MINUTE, seconds: 60 };
    }
  }

  private limiter(name: RateLimitName, points: number, duration: number): RateLimiterRedis {
    const id = `${name}:${points}:${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis.client,
        keyPrefix: this.redis.key('rate', name, String(points), String(duration)),
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Express middleware: the per-address limit on /sync and /r/, ahead of routing and bodies (GraphqlRequestLimit does /graphql). */
  readonly addressMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    if (!this.enabled || !/^\/(sync|r)\//.test(req.path)) return next();
    this.take('address', req.socket.remoteAddress ?? '?').then(
      () => next(),
      (err: unknown) => (err instanceof RateLimitedError ? writeHubError(req, res, err) : next(err)),
    );
  };
}

/** POST /r/<region>/envelope: uploads per region and source address (the original route has no token). */
@Injectable()
export class KikiWriteLimitGuard implements CanActivate {
  constructor(private readonly limits: RateLimits) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const region = String(req.params.region);
    // not a key: the route refuses it (400) without any counter named after arbitrary text
    if (!isValidKey(region)) return true;
    await this.limits.take('kiki-writes', `${region}:${req.socket.remoteAddress ?? '?'}`, region);
    return true;
  }
}
