import { Injectable } from '@nestjs/common';
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
  ) {}

  region(region: RegionContext): Region {
    return toRegion(region);
  }

  async list(): Promise<Region[]> {
    return (await this.regionRows.list()).map(regionFromRow);
  }

  stats(region: Region, loader: RegionLoader): Promise<RegionStats> {
    return loader.stats(region.regionId);
  }

  async hubStats(): Promise<HubStats> {
    const [totals, regions] = await Promise.all([this.reads.usageTotals(), this.regionRows.list()]);
    return { ...totals, regions: regions.length };
  }

  async create(name: string): Promise<CreateRegionPayload> {
    const ctx = await this.regions.create(name);
    return { region: toRegion(ctx), memberKeys: { public: ctx.keys.public, private: ctx.keys.private } };
  }

  async import(args: ImportRegionArgs): Promise<Region> {
    return toRegion(await this.regions.create(args.name, { public: args.publicKey, private: args.privateKey }));
  }
}
