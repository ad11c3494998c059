import { UseGuards } from '@nestjs/common';
import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { CurrentRegion, RegionAdmin, RegionMemberGuard } from '../auth/guards';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../dto/limits';
import { EvictionsArgs, SetPersonTierArgs, SetQuotaPolicyArgs } from '../dto/quota.args';
import { pageComplexity } from '../limits';
import { EvictionConnection, EvictionPreview, QuotaPolicy, SenderPolicySettings } from '../models/quota.model';
import { Region } from '../models/region.model';
import { QuotaQueryService } from '../services/quota-query.service';

@Resolver(() => Region)
export class QuotaResolver {
  constructor(private readonly queries: QuotaQueryService) {}

  @UseGuards(RegionMemberGuard)
  @Query(() => EvictionConnection, { nullable: true, complexity: pageComplexity(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), description: 'Envelopes the hub removed (quota, erase), newest first.' })
  evictions(@Args() args: EvictionsArgs, @CurrentRegion() region: RegionContext): Promise<EvictionConnection> {
    return this.queries.evictions(region, args);
  }

  @RegionAdmin()
  @Query(() => EvictionPreview, { complexity: 20, description: 'Dry run of setPersonTier (admin of the region): what would be evicted of the person right after. Nothing changes.' })
  previewPersonTier(@Args() args: SetPersonTierArgs, @CurrentRegion() region: RegionContext): Promise<EvictionPreview> {
    return this.queries.previewPersonTier(region, args);
  }

  @RegionAdmin()
  @Query(() => EvictionPreview, { complexity: 100, description: 'Dry run of setQuotaPolicy (admin of the region): what the next sweep would evict under these tier limits. Nothing changes.' })
  previewQuotaPolicy(@Args() args: SetQuotaPolicyArgs, @CurrentRegion() region: RegionContext): Promise<EvictionPreview> {
    return this.queries.previewPolicy(region, args);
  }

  @ResolveField(() => QuotaPolicy)
  quotaPolicy(@Parent() region: Region): Promise<QuotaPolicy> {
    return this.queries.policy(region);
  }

  @ResolveField(() => SenderPolicySettings, { complexity: 2, description: 'who is proven, what unproven envelopes may do, and the storage cap (docs/quotas.md)' })
  senderPolicy(@Parent() region: Region): Promise<SenderPolicySettings> {
    return this.queries.senderPolicy(region);
  }
}
