import { Inject, Injectable } from '@nestjs/common';
import { openSyncToken, SyncTokenError, type SyncTokenClaims } from '@kiki/crypto';
import { HubConfig } from '../config/hub-config';
import { HubError } from '../common/errors';
import { HubMetrics } from '../health/metrics';
import { RedisService } from '../redis/redis.module';
import type { RegionContext } from '../regions/region.service';

export const AUTH_SCHEME = 'Kiki';

/** Checks the one-time region-membership token of the native routes (see docs/sync.md). */
@Injectable()
export class SyncAuthService {
  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly redis: RedisService,
    private readonly metrics: HubMetrics,
  ) {}

  async verify(region: RegionContext, header: string | undefined, now = Date.now()): Promise<SyncTokenClaims> {
    try {
      return await this.check(region, header, now);
    } catch (err) {
      if (err instanceof HubError) this.metrics.authFailures.inc({ code: err.code });
      throw err;
    }
  }

  private async check(region: RegionContext, header: string | undefined, now: number): Promise<SyncTokenClaims> {
    if (!header) throw new HubError('UNAUTHENTICATED', `send "Authorization: ${AUTH_SCHEME} <token>" with a fresh sync token for this region`);
    const [scheme, token, extra] = header.trim().split(/\s+/);
    if (scheme !== AUTH_SCHEME || !token || extra) {
      throw new HubError('UNAUTHENTICATED', `the Authorization header must be "${AUTH_SCHEME} <token>"`);
    }
    let claims: SyncTokenClaims;
    try {
      claims = openSyncToken(token, region.keys);
    } catch (err) {
      if (err instanceof SyncTokenError) throw new HubError('UNAUTHENTICATED', `sync token refused: ${err.message}`);
      throw err;
    }
    const windowMs = this.config.SYNC_TOKEN_WINDOW_SECONDS * 1000;
    if (Math.abs(now - claims.issuedAt) > windowMs) {
      throw new HubError(
        'TOKEN_EXPIRED',
        `the sync token was issued ${Math.round((now - claims.issuedAt) / 1000)} s from the hub's clock; make a new one (allowed: ±${this.config.SYNC_TOKEN_WINDOW_SECONDS} s)`,
      );
    }
    let fresh: string | null;
    try {
      // The nonce is remembered for twice the window, so it cannot come back while the time still fits.
      fresh = await this.redis.client.set(this.redis.key('replay', region.publicKey, claims.nonce), '1', 'PX', 2 * windowMs, 'NX');
    } catch {
      throw new HubError('UNAVAILABLE', 'the hub cannot check sync tokens for replay right now (its Redis is unreachable); try again shortly');
    }
    if (fresh !== 'OK') throw new HubError('TOKEN_REPLAYED', 'this sync token was already used; make a new one for every request');
    return claims;
  }
}
