import { timingSafeEqual, createHash } from 'node:crypto';
import { HubError } from '../../common/errors';
import type { RegionContext, RegionService } from '../../regions/region.service';
import { AUTH_SCHEME, type SyncAuthService } from '../../sync/sync-auth.service';

export const ADMIN_SCHEME = 'Bearer';

function sameSecret(a: string, b: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the token
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The credentials of one HTTP request or one WebSocket: `Kiki <one-time token>` proves
 * membership of one region (checked once, then remembered for this request or socket only),
 * `Bearer <ADMIN_TOKEN>` is the operator.
 */
export class RequestAuth {
  private readonly regions = new Map<string, Promise<RegionContext>>();
  private readonly granted = new Map<string, RegionContext>();

  constructor(
    readonly authorization: string | undefined,
    private readonly deps: { regions: RegionService; syncAuth: SyncAuthService; adminToken?: string },
  ) {}

  private get scheme(): string | undefined {
    return this.authorization?.trim().split(/\s+/)[0];
  }

  requireAdmin(): void {
    if (!this.authorization) throw new HubError('UNAUTHENTICATED', `this operation is for the hub's operator: send "Authorization: ${ADMIN_SCHEME} <ADMIN_TOKEN>"`);
    if (this.scheme === AUTH_SCHEME) {
      throw new HubError('FORBIDDEN', `a region membership token does not allow admin operations: send "Authorization: ${ADMIN_SCHEME} <ADMIN_TOKEN>"`);
    }
    if (!this.deps.adminToken) throw new HubError('FORBIDDEN', 'admin operations are disabled on this hub: its operator has not set ADMIN_TOKEN');
    const [scheme, token, extra] = this.authorization.trim().split(/\s+/);
    if (scheme !== ADMIN_SCHEME || !token || extra || !sameSecret(token, this.deps.adminToken)) {
      throw new HubError('UNAUTHENTICATED', 'the admin token is wrong');
    }
  }

  /** The region, once the caller proved membership of it (or is the operator). */
  region(publicKey: unknown): Promise<RegionContext> {
    if (typeof publicKey !== 'string') return Promise.reject(new HubError('BAD_REQUEST', 'a region public key is required', 'region'));
    let pending = this.regions.get(publicKey);
    if (!pending) {
      pending = this.authorize(publicKey);
      this.regions.set(publicKey, pending);
    }
    return pending;
  }

  /** The region a guard already authorized for this request (for resolvers, synchronously). */
  grantedRegion(publicKey: string): RegionContext {
    const ctx = this.granted.get(publicKey);
    if (!ctx) throw new HubError('FORBIDDEN', `region ${publicKey} was not authorized for this operation`);
    return ctx;
  }

  private async authorize(publicKey: string): Promise<RegionContext> {
    if (this.scheme === ADMIN_SCHEME) {
      this.requireAdmin();
      const region = await this.deps.regions.get(publicKey);
      this.granted.set(publicKey, region);
      return region;
    }
    // a member's unknown region is refused exactly like a wrong token for a real one (no existence oracle)
    const region = await this.deps.regions.find(publicKey);
    await this.deps.syncAuth.verify(region, this.authorization);
    this.granted.set(publicKey, region!);
    return region!;
  }
}
