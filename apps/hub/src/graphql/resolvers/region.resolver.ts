import { UseGuards } from '@nestjs/common';
import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { AdminGuard, CurrentRegion, RegionMemberGuard, Regions } from '../auth/guards';
import type { RegionLoader } from '../loaders/region.loader';
import { RegionByKeyArgs } from '../dto/region.args';
import { HubStats } from '../models/hub-stats.model';
import { Region, RegionStats } from '../models/region.model';
import { RegionQueryService } from '../services/region-query.service';

@Resolver(() => Region)
export class RegionResolver {
  constructor(private readonly queries: RegionQueryService) {}

  @UseGuards(AdminGuard)
  @Query(() => [Region], { complexity: 50, description: 'Every region on this hub (admin).' })
  regions(): Promise<Region[]> {
    return this.queries.list();
  }

  @UseGuards(RegionMemberGuard)
  @Query(() => Region, { nullable: true, description: 'One region; needs a membership token for it.' })
  region(@Args() _args: RegionByKeyArgs, @CurrentRegion() region: RegionContext): Region {
    return this.queries.region(region);
  }

  @UseGuards(AdminGuard)
  @Query(() => HubStats, { complexity: 20, description: 'Totals over all regions (admin).' })
  hubStats(): Promise<HubStats> {
    return this.queries.hubStats();
  }

  @ResolveField(() => RegionStats)
  stats(@Parent() region: Region, @Regions() loader: RegionLoader): Promise<RegionStats> {
    return this.queries.stats(region, loader);
  }
}
