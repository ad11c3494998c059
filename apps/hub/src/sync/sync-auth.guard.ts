import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { SyncTokenClaims } from '@kiki/crypto';
import { RegionService, type RegionContext } from '../regions/region.service';
import { SyncAuthService } from './sync-auth.service';

export interface SyncRequest extends Request {
  kiki: { region: RegionContext; claims: SyncTokenClaims };
}

/** Resolves :region and requires a fresh one-time membership token for it. */
@Injectable()
export class SyncAuthGuard implements CanActivate {
  constructor(
    private readonly regions: RegionService,
    private readonly auth: SyncAuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<SyncRequest>();
    // an unknown region is refused exactly like a real one with a wrong token (no existence oracle)
    const region = await this.regions.find(String(req.params.region));
    const claims = await this.auth.verify(region, req.headers.authorization);
    req.kiki = { region: region!, claims };
    return true;
  }
}
