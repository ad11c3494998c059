import { UseGuards } from '@nestjs/common';
import type { AdminPrincipal } from '../../admin/admin-principal';
import { Args, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { AnyAdmin, CurrentAdmin, CurrentRegion, HubAdmin, RegionMemberGuard, Regions } from '../auth/guards';
import type { RegionLoader } from '../loaders/region.loader';
import { RegionByKeyArgs } from '../dto/region.args';
import { HubStats } from '../models/hub-stats.model';
import { IngestWindow, Region, RegionStats } from '../models/region.model';
import { RegionQueryService } from '../services/region-query.service';

@Resolver(() => Region)
export class RegionResolver {
  constructor(private readonly queries: RegionQueryService) {}

  @AnyAdmin()
  @Query(() => [Region], { complexity: 50, description: 'The regions in the admin\'s scope: every region for hub admins, the granted ones for region admins.' })
  regions(@CurrentAdmin() admin: AdminPrincipal): Promise<Region[]> {
    return this.queries.list(admin);
  }

  @UseGuards(RegionMemberGuard)
  @Query(() => Region, { nullable: true, description: 'One region; needs a membership token for it.' })
  region(@Args() _args: RegionByKeyArgs, @CurrentRegion() region: RegionContext): Region {
    return this.queries.region(region);
  }

  @HubAdmin()
  @Query(() => HubStats, { complexity: 20, description: 'Totals over all regions (hub admin).' })
  hubStats(): Promise<HubStats> {
    return this.queries.hubStats();
  }

  @ResolveField(() => RegionStats)
  stats(@Parent() region: Region, @Regions() loader: RegionLoader): Promise<RegionStats> {
    return this.queries.stats(region, loader);
  }
}

/** The costlier stats, read only when asked for, batched over every region of the request. */
@Resolver(() => RegionStats)
export class RegionStatsResolver {
  @ResolveField(() => Int)
  async peopleOverLimit(@Parent() stats: RegionStats, @Regions() loader: RegionLoader): Promise<number> {
    return (await loader.pressure(stats.regionId)).overLimit;
  }

  @ResolveField(() => Int)
  async peopleNearLimit(@Parent() stats: RegionStats, @Regions() loader: RegionLoader): Promise<number> {
    return (await loader.pressure(stats.regionId)).nearLimit;
  }

  @ResolveField(() => IngestWindow)
  async ingestLastHour(@Parent() stats: RegionStats, @Regions() loader: RegionLoader): Promise<IngestWindow> {
    const p = await loader.pressure(stats.regionId);
    return { envelopes: p.ingestEnvelopes, bytes: p.ingestBytes };
  }
}
