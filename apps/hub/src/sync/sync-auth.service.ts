import { Inject, Injectable } from '@nestjs/common';
import { base58Decode, generateKeyPair, openSyncToken, SyncTokenError, type SyncTokenClaims } from '@kiki/crypto';
import { NonceRepository } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import { HubError } from '../common/errors';
import { RateLimits } from '../common/rate-limits';
import { HubMetrics } from '../health/metrics';
import { RedisService } from '../redis/redis.module';
import type { RegionContext } from '../regions/region.service';

export const AUTH_SCHEME = 'Kiki';
const NOT_A_MEMBER = "sync token refused: it was not made with this region's key (or this hub carries no such region)";

/** Checks the one-time region-membership token of the native routes (see docs/sync.md). */
@Injectable()
export class SyncAuthService {
  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly redis: RedisService,
    private readonly metrics: HubMetrics,
    private readonly nonces: NonceRepository,
    private readonly limits: RateLimits,
  ) {}

  private readonly lastCleanup = new Map<number, number>();
  /** Stands in for a region this hub does not carry: no token opens with its fresh random key. */
  private readonly decoy = { regionId: -1, publicKey: '', keys: generateKeyPair() } as unknown as RegionContext;

  /**
   * The token of `region`, or, when the hub carries no such region (null), the same refusal a
   * real region gives a token not made with its key, after the same work: no existence oracle.
   */
  async verify(region: RegionContext | null, header: string | undefined, now = Date.now()): Promise<SyncTokenClaims> {
    let claims: SyncTokenClaims;
    try {
      claims = await this.check(region ?? this.decoy, header, now);
    } catch (err) {
      if (err instanceof HubError) this.metrics.authFailures.inc({ code: err.code });
      throw err;
    }
    // members only: strangers cannot use up a region's or a person's allowance
    await this.limits.take('region', region!.publicKey, region!.publicKey);
    await this.limits.take('sender', `${region!.publicKey}:${claims.person}`, region!.publicKey);
    return claims;
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
      if (err instanceof SyncTokenError) {
        // one text for "no such region" and "not this region's key" (also "names another region")
        if (err.message.includes("this region's key") || err.message.includes('another region')) throw new HubError('UNAUTHENTICATED', NOT_A_MEMBER);
        throw new HubError('UNAUTHENTICATED', `sync token refused: ${err.message}`);
      }
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
   * Postgres holds every used nonce: it survives a Redis restart or flush, so a token is never
   * accepted twice, whether it was first seen with Redis up or during an outage. Redis answers
   * first, so a replay costs no write, and while Redis is unreachable Postgres alone decides.
   */
  private async claimNonce(region: RegionContext, nonce: string, ttlMs: number): Promise<boolean> {
    // no Redis at all (REDIS_URL=none, development): Postgres alone is the replay cache (issue 12)
    if (this.redis.enabled) {
      try {
        const fresh = (await this.redis.client.set(this.redis.key('replay', region.publicKey, nonce), '1', 'PX', ttlMs, 'NX')) === 'OK';
        if (!fresh) return false;
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
      // not recorded durably: accepting it could let it be replayed after a Redis flush
      throw new HubError('UNAVAILABLE', 'the hub cannot check sync tokens for replay right now; try again shortly');
    }
  }
}
