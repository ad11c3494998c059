import { UseGuards } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { AdminGuard, CurrentRegion, RegionMemberGuard } from '../auth/guards';
import { CreateRegionArgs, ImportRegionArgs } from '../dto/admin.input';
import { PersonKeyArgs, SetPersonTierArgs, SetQuotaPolicyArgs } from '../dto/quota.args';
import { CreateRegionPayload } from '../models/admin.model';
import { Person } from '../models/person.model';
import { QuotaPolicy } from '../models/quota.model';
import { Region } from '../models/region.model';
import { QuotaQueryService } from '../services/quota-query.service';
import { RegionQueryService } from '../services/region-query.service';

/** Operator mutations (Authorization: Bearer <ADMIN_TOKEN>); the region ones also resolve their region. */
@UseGuards(AdminGuard)
@Resolver()
export class AdminResolver {
  constructor(
    private readonly regions: RegionQueryService,
    private readonly quotas: QuotaQueryService,
  ) {}

  @Mutation(() => CreateRegionPayload, { description: 'A new region with fresh keys (admin). Hand `memberKeys` to its members.' })
  createRegion(@Args() args: CreateRegionArgs): Promise<CreateRegionPayload> {
    return this.regions.create(args.name);
  }

  @Mutation(() => Region, { description: 'Carry an existing region, such as kiki\'s default one (admin).' })
  importRegion(@Args() args: ImportRegionArgs): Promise<Region> {
    return this.regions.import(args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => QuotaPolicy, { description: 'Changes the region\'s tier limits (admin); a sweep then brings everyone within them.' })
  setQuotaPolicy(@Args() args: SetQuotaPolicyArgs, @CurrentRegion() region: RegionContext): Promise<QuotaPolicy> {
    return this.quotas.setPolicy(region, args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Person, { description: 'Puts a person in a tier, optionally with their own limit (admin); they are re-evaluated right away.' })
  setPersonTier(@Args() args: SetPersonTierArgs, @CurrentRegion() region: RegionContext): Promise<Person> {
    return this.quotas.setPersonTier(region, args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Boolean, { description: 'Queues a quota evaluation of the person (admin). False: the queue is unreachable; it is sent later.' })
  reevaluatePerson(@Args() args: PersonKeyArgs, @CurrentRegion() region: RegionContext): Promise<boolean> {
    return this.quotas.reevaluate(region, args.publicKey);
  }
}
