import { Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../../admin/admin-principal';
import { AuditService } from '../../admin/audit.service';
import { ReadRepository, RegionRepository } from '@kiki/storage';
import { RegionService, type RegionContext } from '../../regions/region.service';
import type { ImportRegionArgs } from '../dto/admin.input';
import type { RegionLoader } from '../loaders/region.loader';
import type { CreateRegionPayload } from '../models/admin.model';
import type { HubStats } from '../models/hub-stats.model';
import type { Region, RegionStats } from '../models/region.model';
import { regionFromRow, toRegion } from './mappers';

@Injectable()
export class RegionQueryService {
  constructor(
    private readonly regions: RegionService,
    private readonly regionRows: RegionRepository,
    private readonly reads: ReadRepository,
    private readonly audit: AuditService,
  ) {}

  region(region: RegionContext): Region {
    return toRegion(region);
  }

  /** The regions in the admin's scope: all for hub admins, the granted ones for region admins. */
  async list(admin: AdminPrincipal): Promise<Region[]> {
    return (await this.regionRows.list()).filter((r) => admin.hub || admin.regionIds.has(r.regionId)).map(regionFromRow);
  }

  async stats(region: Region, loader: RegionLoader): Promise<RegionStats> {
    return { ...(await loader.stats(region.regionId)), regionId: region.regionId };
  }

  async hubStats(): Promise<HubStats> {
    const [totals, regions] = await Promise.all([this.reads.usageTotals(), this.regionRows.list()]);
    return { ...totals, regions: regions.length };
  }

  async create(admin: AdminPrincipal, name: string): Promise<CreateRegionPayload> {
    const ctx = await this.regions.create(name);
    // never the private key: the audit log is read by every admin of the region
    await this.audit.record({ actor: admin.actor, action: 'createRegion', regionId: ctx.regionId, region: ctx.publicKey, after: { name, publicKey: ctx.publicKey } });
    return { region: toRegion(ctx), memberKeys: { public: ctx.keys.public, private: ctx.keys.private } };
  }

  async import(admin: AdminPrincipal, args: ImportRegionArgs): Promise<Region> {
    const ctx = await this.regions.create(args.name, { public: args.publicKey, private: args.privateKey });
    await this.audit.record({ actor: admin.actor, action: 'importRegion', regionId: ctx.regionId, region: ctx.publicKey, after: { name: args.name, publicKey: ctx.publicKey } });
    return toRegion(ctx);
  }
}
