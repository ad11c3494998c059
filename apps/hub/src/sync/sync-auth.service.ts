import { Inject, Injectable } from '@nestjs/common';
import { base58Decode, openSyncToken, SyncTokenError, type SyncTokenClaims } from '@kiki/crypto';
import { NonceRepository } from '@kiki/storage';
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
    private readonly nonces: NonceRepository,
  ) {}

  private readonly lastCleanup = new Map<number, number>();

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
    if (!(await this.claimNonce(region, claims.nonce, 2 * windowMs))) {
      throw new HubError('TOKEN_REPLAYED', 'this sync token was already used; make a new one for every request');
    }
    return claims;
  }

  /**
   * Remembers the nonce for twice the window, so it cannot come back while the time still fits.
   * Redis is the cache; while it is unreachable, Postgres keeps the nonces so sync goes on.
   * (A token first seen by Redis could then be replayed once during the outage: accepted.)
   */
  private async claimNonce(region: RegionContext, nonce: string, ttlMs: number): Promise<boolean> {
    // no Redis at all (REDIS_URL=none, development): Postgres is the replay cache (issue 12)
    if (this.redis.enabled) {
      try {
        return (await this.redis.client.set(this.redis.key('replay', region.publicKey, nonce), '1', 'PX', ttlMs, 'NX')) === 'OK';
      } catch {
        this.metrics.replayCacheFallbacks.inc();
      }
    }
    try {
      const fresh = await this.nonces.claim(region.regionId, Buffer.from(base58Decode(nonce)), ttlMs);
      const last = this.lastCleanup.get(region.regionId) ?? 0;
      if (Date.now() - last > 60_000) {
        this.lastCleanup.set(region.regionId, Date.now());
        void this.nonces.deleteExpired(region.regionId).catch(() => undefined);
      }
      return fresh;
    } catch {
      throw new HubError('UNAVAILABLE', 'the hub cannot check sync tokens for replay right now; try again shortly');
    }
  }
}
