import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { HubError } from '../common/errors';
import { RegionService } from '../regions/region.service';
import { SyncAuthService } from '../sync/sync-auth.service';

/**
 * `/r/<region>/*` (but ping) of a region with `kiki_routes_require_token`: the caller must send the
 * one-time membership token /sync uses (`Authorization: Kiki <token>`, docs/sync.md). Without a
 * token the original kiki cannot sync with such a region (docs/quotas.md, "Membership tokens on /r/").
 *
 * A missing or refused token is answered exactly as an unknown region is on these routes (same
 * 404, same text, after the same token work), so the routes do not tell strangers which regions
 * ask for tokens. A token made with the region's key that is stale or replayed gets its own 401:
 * only a member can make one.
 */
@Injectable()
export class KikiMemberGuard implements CanActivate {
  constructor(
    private readonly regions: RegionService,
    private readonly auth: SyncAuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const key = String(req.params.region);
    const region = await this.regions.find(key);
    if (region && !region.kikiRoutesRequireToken) return true;
    const header = req.headers.authorization;
    try {
      await this.auth.verify(region, header);
    } catch (err) {
      if (!(err instanceof HubError) || (region && err.code !== 'UNAUTHENTICATED')) throw err;
      throw new HubError(
        'UNKNOWN_REGION',
        `this hub carries no region with public key ${key} (a region that asks for membership tokens on /r/ answers the same without a valid "Authorization: Kiki <token>")`,
        'region',
      );
    }
    // only a region this hub carries lets a token open (SyncAuthService's decoy stands in for the rest)
    return true;
  }
}
